"""A local Azure Resource Manager emulator (see docs/design.md "Emulator contract").

``EmulatorTransport`` needs ``azure.core`` and is imported lazily; everything else is stdlib.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.engine import EmuResponse, Engine
from azguest.emulator.profile import Profile, load_profile
from azguest.emulator.requestlog import LogEntry
from azguest.emulator.server import EmulatorServer, serve
from azguest.emulator.snapshot import EngineSnapshot, SnapshotError

__all__ = ["Engine", "EngineSnapshot", "EmuResponse", "EmulatorTransport", "EmulatorServer", "LogEntry", "Profile",
           "SnapshotError", "load_profile", "serve"]


def __getattr__(name: str) -> Any:
    if name == "EmulatorTransport":
        from azguest.emulator.transport import EmulatorTransport

        return EmulatorTransport
    raise AttributeError(name)
