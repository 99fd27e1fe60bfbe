"""The handler registry, keyed by ARM type (case-insensitive); one module per type registers one.

Handlers declare their operations and validation rules as data (``Op``, ``Rule``) so the
coverage table (``azguest.emulator.coverage``) is generated from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azguest.emulator.handlers.base import Handler


@dataclass(frozen=True)
class Op:
    method: str  # HTTP method
    suffix: str  # path after the resource id ("" = the resource, "/start", "s" = collection)
    statuses: tuple[int, ...]  # statuses the first response can have
    lro: str = "sync"  # sync | Azure-AsyncOperation | Location
    summary: str = ""


@dataclass(frozen=True)
class Rule:
    status: int
    code: str  # ARM error code
    description: str


HANDLERS: dict[str, Handler] = {}


def register(cls: type[Handler]) -> type[Handler]:
    HANDLERS[cls.arm_type.lower()] = cls()
    return cls


def lookup(arm_type: str) -> Handler | None:
    _load()
    return HANDLERS.get(arm_type.lower())


def all_handlers() -> list[Handler]:
    _load()
    return sorted(HANDLERS.values(), key=lambda h: h.arm_type.lower())


def _load() -> None:
    if not HANDLERS:
        import azguest.emulator.handlers  # noqa: F401  (modules register themselves)
