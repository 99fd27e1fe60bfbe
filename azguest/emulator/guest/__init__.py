"""The emulator's guest model: what runs "inside" an emulated VM when a run command executes.

A script declares the step it is with its first non-blank line, a PowerShell comment that real
Windows ignores::

    # azguest-step: hello

The selected model (``Profile.guest``: ``windows-model`` or ``none``) dispatches on that step id,
never on the script text, to a registered step handler. A handler gets a frozen ``GuestRun``
(parameters, protected parameters, the VM) and the VM's persisted guest facts, and returns a
``GuestResult``. A script without a step id, or with an unknown one, is a failed run (exit code 127)
that says why. Protected parameters reach the handler only: they are never stored or echoed.

Guest state lives in the engine state (``state["guests"][vm id]``, format ``GUEST_FORMAT``), so it
persists across processes like every resource, and goes away with its VM.
"""

from __future__ import annotations

from azguest.emulator.guest import steps as _steps  # noqa: F401  (registers the built-in steps)
from azguest.emulator.guest import (  # noqa: F401  (Windows steps; win_backup: the in-guest backup's)
    win_backup,
    win_cluster,
    win_domain,
    win_storage,
    win_workloads,
)
from azguest.emulator.guest.model import (
    GUEST_FORMAT,
    MODELS,
    STEPS,
    GuestResult,
    GuestRun,
    guest_state,
    markdown,
    mask,
    parse_step_id,
    registered,
    run_step,
    step,
    step_seconds,
)
from azguest.emulator.guest.power import power_changed

__all__ = ["GUEST_FORMAT", "MODELS", "STEPS", "GuestResult", "GuestRun", "guest_state", "markdown", "mask",
           "parse_step_id", "power_changed", "registered", "run_step", "step",
           "step_seconds"]
