"""Guest-model machinery: step registry, step-id parsing, per-VM guest state, dispatch."""

from __future__ import annotations

import contextlib
import json
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from azguest.emulator import ids
from azguest.emulator.context import iso_offset, jcopy, public
from azguest.emulator.profile import GUEST_MODELS

if TYPE_CHECKING:
    from azguest.emulator.context import Ctx

GUEST_FORMAT = 1  # version of one VM's guest state record
MODELS = GUEST_MODELS
STEP_NOT_FOUND = 127  # exit code of a run whose step is missing or unknown (as a shell's "not found")
_HISTORY = 50  # runs kept per VM (step id, exit code, time: never parameters)
_STEP_LINE = re.compile(r"^\s*#\s*azguest-step:\s*([A-Za-z0-9][A-Za-z0-9._-]{0,63})\s*$")


@dataclass(frozen=True)
class GuestRun:
    """What a step handler is given. ``protected`` must never be echoed or stored."""

    vm_id: str
    vm: Mapping[str, Any]  # the VM's ARM JSON (no secrets)
    step: str
    parameters: Mapping[str, str]
    protected: Mapping[str, str] = field(repr=False)
    now: float
    script: str = field(default="", repr=False)  # the script text (for its param() block and error positions)
    ctx: Any = field(default=None, repr=False, compare=False)  # the request's Ctx: the lab around the VM

    @property
    def world(self) -> Any:
        """The lab around this VM (``azguest.emulator.guest.world.World``)."""
        from azguest.emulator.guest.world import World

        return World(self.ctx, self.vm_id)

    @property
    def computer_name(self) -> str:
        osp = (self.vm.get("properties") or {}).get("osProfile") or {}
        return str(osp.get("computerName") or self.vm.get("name") or ids.name_of(self.vm_id))


@dataclass(frozen=True)
class GuestResult:
    exit_code: int
    stdout: str = ""
    stderr: str = ""


StepFn = Callable[[GuestRun, dict[str, Any]], GuestResult]
STEPS: dict[str, StepFn] = {}


def step(step_id: str) -> Callable[[StepFn], StepFn]:
    """Register ``fn(run, facts) -> GuestResult`` as the handler of ``step_id`` (facts: this VM's
    persisted guest facts, a JSON-able dict the handler may change)."""

    def deco(fn: StepFn) -> StepFn:
        STEPS[step_id.lower()] = fn
        return fn

    return deco


@contextlib.contextmanager
def registered(step_id: str, fn: StepFn) -> Iterator[None]:
    """Register a step for the duration of a ``with`` block (tests, experiments)."""
    key = step_id.lower()
    old = STEPS.get(key)
    STEPS[key] = fn
    try:
        yield
    finally:
        if old is None:
            STEPS.pop(key, None)
        else:
            STEPS[key] = old


def parse_step_id(script: Any) -> str | None:
    """The step id the script declares on its first non-blank line, or None."""
    if isinstance(script, (list, tuple)):
        lines = [str(x) for x in script]
        lines = [ln for chunk in lines for ln in chunk.splitlines()]
    elif isinstance(script, str):
        lines = script.splitlines()
    else:
        return None
    for line in lines:
        if line.strip().lstrip("\ufeff"):
            m = _STEP_LINE.match(line.lstrip("\ufeff"))
            return m.group(1).lower() if m else None
    return None


def guest_state(ctx: Ctx, vm_id: str) -> dict[str, Any]:
    """This VM's guest record ``{"format", "facts", "runs"}`` (created empty on first use)."""
    guests = ctx.state.setdefault("guests", {})
    key = ids.key(vm_id)
    rec = guests.get(key)
    if not isinstance(rec, dict) or rec.get("format") != GUEST_FORMAT:
        rec = {"format": GUEST_FORMAT, "facts": {}, "runs": []}
        guests[key] = rec
        ctx.mark_dirty()
    return rec


def mask(text: str, protected: Mapping[str, str]) -> str:
    """``text`` with every protected value replaced by ``***``."""
    for value in sorted((str(v) for v in protected.values() if v), key=len, reverse=True):
        text = (text or "").replace(value, "***")
    return text or ""


def _secrets(protected: Mapping[str, str]) -> list[str]:
    return [str(v) for v in protected.values() if v]


def _holds_secret(facts: dict[str, Any], protected: Mapping[str, str]) -> bool:
    secrets = _secrets(protected)
    if not secrets:
        return False
    dumped = json.dumps(facts, default=str)
    return any(v in dumped for v in secrets)


def run_step(ctx: Ctx, model: str, vm_id: str, script: Any, parameters: Mapping[str, str],
             protected: Mapping[str, str]) -> GuestResult:
    """Run one script on the VM under ``model``; never raises for a guest-side problem."""
    if model == "none":
        return GuestResult(1, "", "azguest emulator: this profile has no guest model (guest: none), so the "
                           "script was not run; use a profile with guest: windows-model")
    step_id = parse_step_id(script)
    if step_id is None:
        return GuestResult(STEP_NOT_FOUND, "", "azguest emulator: the script declares no step, so the "
                           "windows-model guest cannot run it; start the script with the line "
                           "'# azguest-step: <id>' (known steps: " + ", ".join(sorted(STEPS)) + ")")
    fn = STEPS.get(step_id)
    if fn is None:
        return GuestResult(STEP_NOT_FOUND, "", f"azguest emulator: unknown guest step '{step_id}' (the script's "
                           f"'# azguest-step: {step_id}'; known steps: " + ", ".join(sorted(STEPS)) + ")")
    from azguest.emulator.guest.prelude import prepare

    vm = ctx.get(vm_id) or {"id": vm_id, "name": ids.name_of(vm_id)}
    text = _script_text(script)
    run = GuestRun(vm_id, public(vm), step_id, dict(parameters), dict(protected), ctx.now, text, ctx)
    rec = guest_state(ctx, vm_id)
    # the guest state before the run, to drop its changes if a secret got in (none to leak: no copy)
    before = jcopy(ctx.state["guests"]) if _secrets(protected) else None
    run, refused = prepare(run)
    try:
        result = refused or fn(run, rec["facts"])
    except Exception as e:  # a broken step is a failed run, not a failed ARM request
        ctx.engine.last_error = traceback.format_exc()
        result = GuestResult(1, "", f"azguest emulator: guest step '{step_id}' failed: {type(e).__name__}")
    if before is not None and _holds_secret(ctx.state["guests"], protected):  # a secret must not get in
        ctx.state["guests"] = before
        rec = guest_state(ctx, vm_id)
        result = GuestResult(1, "", f"azguest emulator: guest step '{step_id}' tried to keep a protected "
                             "parameter in the guest state; its changes were dropped")
    rec["runs"] = (rec["runs"] + [{"step": step_id, "exitCode": result.exit_code,
                                   "time": iso_offset(ctx.now)}])[-_HISTORY:]
    ctx.mark_dirty()
    return result


def _script_text(script: Any) -> str:
    if isinstance(script, (list, tuple)):
        return "\n".join(str(x) for x in script)
    return script if isinstance(script, str) else ""


def markdown() -> list[str]:
    """The guest model as a docs/emulator.md section (rendered by ``azguest.emulator.coverage``)."""
    lines = ["\n## Guest model (azguest/emulator/guest)\n",
             "Run commands (managed and action) run the step their script declares on its first non-blank "
             "line, `# azguest-step: <id>`, in the model the profile selects (`guest`: "
             + " | ".join(f"`{m}`" for m in MODELS) + "; default `windows-model`). No step or an unknown one: "
             f"a failed run (exit code {STEP_NOT_FOUND}); `none`: every run fails (exit code 1), saying so. "
             "Per-VM guest facts persist in the state (`guests`, format "
             f"{GUEST_FORMAT}) and go with the VM. `engine.guest_hook`, when a test sets it, replaces the model.\n",
             "| Step | What it does |", "|---|---|"]
    for step_id, fn in sorted(STEPS.items()):
        doc = " ".join((fn.__doc__ or "").split())
        lines.append(f"| `{step_id}` | {doc} |")
    from azguest.emulator.guest.docs import markdown as windows_markdown

    return lines + windows_markdown()


def step_seconds(profile: Any, step_id: str | None, exit_code: int) -> float:
    """Time-scaled seconds a run command of ``step_id`` takes (profile durations ``guest.<step>``; a failed
    run ``guest.failed``; otherwise the run command default)."""
    d = profile.latency.durations
    key = "guest.failed" if exit_code != 0 else f"guest.{step_id}"
    base = d.get(key, d.get("runcommands.create", d.get("default", 2.0)))
    return float(base) * profile.latency.time_scale
