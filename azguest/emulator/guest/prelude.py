"""What happens before a windows-model step's body runs, in Windows' order: the Run Command handler must
reach Azure storage through the VM's DNS servers, then PowerShell binds the parameters to the script's
``param()`` block. Either failing is a failed run; the step's body never runs.
"""

from __future__ import annotations

import dataclasses

from azguest.emulator.guest.model import GuestResult, GuestRun
from azguest.emulator.guest.ps import bind

DNS_TIMEOUT_EXIT = 1460  # ERROR_TIMEOUT: "This operation returned because the timeout period expired."


def prepare(run: GuestRun) -> tuple[GuestRun, GuestResult | None]:
    """(the run with its parameters bound to the declared names, a refusal or None)."""
    if run.ctx is None:
        return run, None
    world = run.world
    me = world.me
    server, why = world.resolver(me)
    if server is None:
        return run, GuestResult(DNS_TIMEOUT_EXIT, "", (
            f"The run command handler on {me.computer} (VM {me.name}) could not reach Azure storage: no DNS "
            f"server answers ({why}). The script was not run; the operation timed out. (azguest emulator: a VM "
            "whose DNS servers do not answer cannot run commands; point its DNS at a server that answers)"))
    given = {**run.parameters, **run.protected}
    bound, refused = bind(run.script, run.step, given)
    if refused is not None:
        return run, refused
    secret_names = {k.lower() for k in run.protected}
    public = {k: v for k, v in bound.items() if k.lower() not in secret_names}
    protected = {k: v for k, v in bound.items() if k.lower() in secret_names}
    return dataclasses.replace(run, parameters=public, protected=protected), None
