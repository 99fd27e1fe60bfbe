"""Built-in steps of the ``windows-model`` guest. Trivial ones that prove the seam; the guest
configuration steps (domain, failover cluster, ...) are added here by the guest issue.

- ``hello``: greets (parameter ``Name``, default "world") and counts greetings in the guest facts.
- ``get-computer-info``: JSON with the computer name, OS and what earlier steps recorded.
"""

from __future__ import annotations

import json
from typing import Any

from azguest.emulator.guest.model import GuestResult, GuestRun, step


@step("hello")
def hello(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Greets (parameter `Name`, default "world"); counts greetings in the guest facts (`helloCount`)."""
    name = str(run.parameters.get("Name") or "world")
    facts["helloCount"] = int(facts.get("helloCount", 0)) + 1
    facts["lastHello"] = name
    return GuestResult(0, f"hello, {name}, from {run.computer_name} (greeting {facts['helloCount']})")


@step("get-computer-info")
def computer_info(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """JSON on stdout: `computerName`, `osType` and what `hello` recorded (`helloCount`, `lastHello`)."""
    storage = (run.vm.get("properties") or {}).get("storageProfile") or {}
    os_type = ((storage.get("osDisk") or {}).get("osType")) or "Windows"
    info = {"computerName": run.computer_name, "osType": os_type,
            "helloCount": int(facts.get("helloCount", 0)), "lastHello": facts.get("lastHello")}
    return GuestResult(0, json.dumps(info, sort_keys=True))
