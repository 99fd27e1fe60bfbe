"""The `configure` use case: run a lab's guest steps as managed run commands, restart VMs through ARM.

plan_guest reads (1 list of VMs, 1 list of run commands with their instance views per lab VM) and classifies
each run: ``create`` (absent), ``no-change`` (the same name exists and Succeeded: skipped; its output comes
from that list, so a re-run reads no run command one by one and stays inside Compute's per-VM GET budget), ``retry``
(it exists Failed: deleted, then created again, so it really runs), ``wait`` (another run left it in
flight: polled). Run commands of the lab's guest steps that are no longer wanted are deleted first.
configure then runs the step graph (azguest.guest.graph) on the DAG executor under the lab's lease.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from azguest import naming
from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.deploy.lease import LeasePolicy, holding, policy_for
from azguest.errors import AzguestError, GuestError
from azguest.execute.dag import Event, Task, run_graph
from azguest.execute.wait import poll_until, session_clock
from azguest.guest.commands import STORAGE_KEY_PLACEHOLDER, Secrets, guest_desired, needs, with_secrets
from azguest.guest.graph import Restart, StepGraph, StepRun, step_graph
from azguest.plan.desired import desired_graph
from azguest.plan.diff import IN_FLIGHT_STATES
from azguest.plan.live import live_of
from azguest.plan.model import GUEST_STEP_ROLE, SECRET_PLACEHOLDER, TAG_LAB, TAG_ROLE, Desired, Live

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession
    from azguest.spec.models import Lab

RC, VM = K.KINDS["runCommand"], K.KINDS["vm"]
AGENT_TIMEOUT_S = 1200.0  # how long a restarted VM's agent may take to report Ready
POLL_S = 10.0
OUTPUT_TAIL = 600  # characters of a failed step's output and error kept in the message


@dataclass(frozen=True)
class GuestPlan:
    lab: Lab
    resource_group: str
    steps: StepGraph
    desired: dict[str, Desired]  # run key -> run command
    actions: dict[str, str]  # run key -> create | no-change | retry | wait
    stale: tuple[Live, ...]  # the lab's guest-step run commands no longer wanted
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # run command id (lower) -> instance view

    @property
    def work_needed(self) -> bool:
        return bool(self.stale) or any(a != "no-change" for a in self.actions.values())

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab.name, "resourceGroup": self.resource_group,
                "steps": [{"key": r.key, "step": r.step.id, "computer": r.computer, "runCommand":
                           self.desired[r.key].name, "action": self.actions[r.key], "after": list(r.depends_on)}
                          for r in self.steps.runs],
                "restarts": [{"key": r.key, "computer": r.computer, "after": r.after} for r in self.steps.restarts],
                "delete": [s.name for s in self.stale]}


@dataclass(frozen=True)
class StepOutcome:
    key: str  # run or restart key
    computer: str
    state: str  # succeeded | failed | skipped
    action: str  # create | retry | wait | no-change | restart | restart-not-needed
    run_command: str = ""  # the run command's name (vm/name)
    changed: bool = False
    reboot_required: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    ended: str = ""  # the run's instance view endTime (ISO 8601)
    elapsed_s: float = 0.0
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"key": self.key, "computer": self.computer, "state": self.state, "action": self.action,
               "runCommand": self.run_command, "changed": self.changed, "rebootRequired": self.reboot_required,
               "data": self.data, "elapsedS": round(self.elapsed_s, 3)}
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class ConfigureRecord:
    lab: str
    resource_group: str
    outcomes: tuple[StepOutcome, ...]
    elapsed_s: float
    note: str = ""  # "no changes" | "interrupted" | ""

    @property
    def ok(self) -> bool:
        return all(o.state == "succeeded" for o in self.outcomes) and self.note != "interrupted"

    def failed(self) -> list[StepOutcome]:
        return [o for o in self.outcomes if o.state == "failed"]

    def restarts(self) -> list[str]:
        return [o.computer for o in self.outcomes if o.action == "restart" and o.state == "succeeded"]

    def summary(self) -> dict[str, int]:
        out = {"succeeded": 0, "failed": 0, "skipped": 0, "ran": 0, "unchanged": 0, "restarted": 0}
        for o in self.outcomes:
            out[o.state] += 1
            out["ran"] += o.action in ("create", "retry", "wait")
            out["unchanged"] += o.action == "no-change"
            out["restarted"] += o.action == "restart" and o.state == "succeeded"
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "resourceGroup": self.resource_group, "ok": self.ok, "note": self.note,
                "summary": self.summary(), "elapsedS": round(self.elapsed_s, 3),
                "steps": [o.to_dict() for o in self.outcomes]}


# --- planning ----------------------------------------------------------------------------------
def plan_guest(session: AzureSession, lab: Lab, *, prior: GuestPlan | None = None) -> GuestPlan:
    """The lab's guest plan from its live run commands. ``prior``: a plan of the same ``lab`` whose steps and desired
    run commands (a pure function of the spec) are reused; only the live state is read again."""
    if prior is not None and prior.lab is lab:
        steps, desired = prior.steps, prior.desired
    else:
        steps = step_graph(lab)
        desired = guest_desired(lab, desired_graph(lab, session.subscription_id), steps)
    live, views = _live_run_commands(session, lab)
    wanted = {d.arm_id.lower() for d in desired.values()}
    actions = {key: _action(live.get(d.arm_id.lower())) for key, d in desired.items()}
    stale = tuple(v for k, v in sorted(live.items()) if k not in wanted and v.tags.get(TAG_ROLE) == GUEST_STEP_ROLE
                  and v.tags.get(TAG_LAB) == lab.name)
    return GuestPlan(lab, lab.resource_group_name, steps, desired, actions, stale, views)


def _live_run_commands(session: AzureSession, lab: Lab) -> tuple[dict[str, Live], dict[str, dict[str, Any]]]:
    rg = lab.resource_group_name
    with arm_errors(target=f"VMs in {rg}"):
        vms = [v for v in K.list_in_group(session, VM, rg) if (v.get("tags") or {}).get(TAG_LAB) == lab.name]
    out: dict[str, Live] = {}
    views: dict[str, dict[str, Any]] = {}
    for vm in vms:
        with arm_errors(target=f"run commands of {vm.get('name')}"):
            bodies = K.list_children(session, RC, vm["id"], expand="instanceView")
        for b in bodies:
            key = str(b.get("id", "")).lower()
            out[key] = live_of(RC, b)
            views[key] = (b.get("properties") or {}).get("instanceView") or {}
    return out, views


def _action(cur: Live | None) -> str:
    if cur is None:
        return "create"
    state = cur.provisioning_state.lower()
    if state in IN_FLIGHT_STATES:
        return "wait"
    return "retry" if state == "failed" else "no-change"


# --- running ----------------------------------------------------------------------------------
@dataclass
class _Ctx:
    session: AzureSession
    plan: GuestPlan
    secrets: Secrets
    outcomes: dict[str, StepOutcome] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, o: StepOutcome) -> StepOutcome:
        with self.lock:
            self.outcomes[o.key] = o
        return o

    def vm_id(self, computer: str) -> str:
        return str(VM.arm_id(self.session.subscription_id, self.plan.resource_group,
                             naming.vm_name(self.plan.lab.name, computer)))


def configure(session: AzureSession, lab: Lab, *, secrets: Callable[[set[str]], Secrets],
              max_workers: int = 8, on_event: Callable[[Event], None] | None = None,
              stop_event: threading.Event | None = None, lease: LeasePolicy | None = None) -> ConfigureRecord:
    """Run the lab's guest steps under its lease; an unchanged lab only reads. ``secrets(needed)`` is
    asked for the placeholders the runs to do carry (before the lease is taken)."""
    clock = session_clock(session)
    start = clock.now()
    plan = plan_guest(session, lab)
    if not plan.work_needed:
        return _record(plan, {}, clock.now() - start, "no changes", plan)
    todo = {k: plan.desired[k] for k, a in plan.actions.items() if a != "no-change"}
    wanted = needs(todo)
    values = secrets(wanted)
    if STORAGE_KEY_PLACEHOLDER in wanted and values.storage_key is None:
        from azguest.azure.lookups import storage_account_key

        with arm_errors(target=lab.witness_storage_account_name):
            key = storage_account_key(session, lab.resource_group_name, lab.witness_storage_account_name)
        values = Secrets(values.admin_password, key)
    policy = lease or policy_for(session, "configure")
    with holding(session, [lab.resource_group_name], lab.name, policy):
        plan = plan_guest(session, lab, prior=plan)  # under the lease: what an earlier holder did is seen now
        ctx = _Ctx(session, plan, values)
        for stale in plan.stale:
            with arm_errors(target=stale.arm_id):
                K.delete(session, RC, stale.arm_id)
        tasks = [Task(r.key, (lambda r=r: _run_step(ctx, r)), r.depends_on, f"{plan.actions[r.key]} step {r.key}")
                 for r in plan.steps.runs]
        tasks += [Task(r.key, (lambda r=r: _restart(ctx, r)), (r.after,), f"restart vm {r.computer}")
                  for r in plan.steps.restarts]
        results = run_graph(tasks, max_workers=max_workers, on_event=on_event, stop_event=stop_event)
    interrupted = stop_event is not None and stop_event.is_set() and any(o.state == "skipped" for o in results.values())
    record = _record(plan, {k: _outcome(ctx, k, o) for k, o in results.items()}, clock.now() - start,
                     "interrupted" if interrupted else "", plan)
    failed = [results[o.key].error for o in record.failed()]
    if failed:  # the first failure, as raised (a step's GuestError names step, VM, exit code and output)
        err = failed[0] if isinstance(failed[0], AzguestError) else GuestError(
            f"configure stopped: {record.failed()[0].key}: {type(failed[0]).__name__}: {failed[0]}")
        err.result = record.to_dict()
        raise err
    return record


def _outcome(ctx: _Ctx, key: str, o: Any) -> StepOutcome:
    if key in ctx.outcomes:
        return ctx.outcomes[key]
    computer = key.split("@", 1)[1]
    err = o.error.to_dict() if isinstance(o.error, AzguestError) else (
        {"code": "AZG-GUEST", "message": f"{type(o.error).__name__}: {o.error}"} if o.error else None)
    action = "restart" if key.startswith("restart@") else ctx.plan.actions.get(key, "")
    return StepOutcome(key, computer, o.state, action, elapsed_s=o.elapsed_s, error=err)


def _record(plan: GuestPlan, outcomes: dict[str, StepOutcome], elapsed: float, note: str,
            final: GuestPlan) -> ConfigureRecord:
    if not outcomes:  # nothing to do: every step is done
        outcomes = {r.key: StepOutcome(r.key, r.computer, "succeeded", "no-change", final.desired[r.key].name)
                    for r in final.steps.runs}
    order = [r.key for r in final.steps.runs] + [r.key for r in final.steps.restarts]
    return ConfigureRecord(plan.lab.name, plan.resource_group, tuple(outcomes[k] for k in order if k in outcomes),
                           elapsed, note)


def _view(ctx: _Ctx, d: Desired) -> dict[str, Any]:
    with arm_errors(target=d.arm_id):
        body = K.get(ctx.session, RC, d.arm_id, expand="instanceView")
    return (body.get("properties") or {}).get("instanceView") or {}


def _run_step(ctx: _Ctx, run: StepRun) -> StepOutcome:
    d = ctx.plan.desired[run.key]
    action = ctx.plan.actions[run.key]
    clock = session_clock(ctx.session)
    start = clock.now()
    if action == "wait":
        body = poll_until(lambda: _get(ctx, d), lambda b: _state(b) not in IN_FLIGHT_STATES,
                          what=f"run command {d.name}", timeout_s=run.step.timeout_s + 600, interval_s=POLL_S,
                          clock=clock)
        if _state(body) == "failed":
            action = "retry"
    if action == "retry":
        with arm_errors(target=d.arm_id):
            K.delete(ctx.session, RC, d.arm_id)
    if action in ("create", "retry"):
        try:
            with arm_errors(target=d.arm_id):
                K.put(ctx.session, RC, d.arm_id, with_secrets(d.body, ctx.secrets))
        except AzguestError as e:
            _fail(ctx, run, d, e)
    view = ctx.plan.views.get(d.arm_id.lower()) if action == "no-change" else None
    view = view or _view(ctx, d)  # a run that ran now: read its output once
    if str(view.get("executionState") or "").lower() != "succeeded" or int(view.get("exitCode") or 0) != 0:
        _fail(ctx, run, d, None, view)
    result = parse_result(run.step.id, str(view.get("output") or ""))
    if result is None:
        _fail(ctx, run, d, None, view, why="printed no result line")
    return ctx.keep(StepOutcome(run.key, run.computer, "succeeded", action, d.name, bool(result.get("changed")),
                                bool(result.get("rebootRequired")), dict(result.get("data") or {}),
                                str(view.get("endTime") or ""), clock.now() - start))


def _get(ctx: _Ctx, d: Desired) -> dict[str, Any]:
    with arm_errors(target=d.arm_id):
        return K.get(ctx.session, RC, d.arm_id)


def _state(body: dict[str, Any]) -> str:
    return str((body.get("properties") or {}).get("provisioningState") or "Succeeded").lower()


def parse_result(step_id: str, output: str) -> dict[str, Any] | None:
    """The step's result: the last output line that is a JSON object naming this step."""
    for line in reversed(output.splitlines()):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and str(doc.get("step", "")).lower() == step_id:
            return doc
    return None


def _fail(ctx: _Ctx, run: StepRun, d: Desired, cause: AzguestError | None, view: dict | None = None,
          why: str = "") -> None:
    """Raise the step's failure (step, VM, exit code, last output), after deleting the failed run command
    so that a re-run creates it again (a create always executes)."""
    view = view if view is not None else _safe_view(ctx, d)
    code = view.get("exitCode")
    out, err = str(view.get("output") or "")[-OUTPUT_TAIL:], str(view.get("error") or "")[-OUTPUT_TAIL:]
    try:
        with arm_errors(target=d.arm_id):
            K.delete(ctx.session, RC, d.arm_id)
    except AzguestError:
        pass  # the re-run sees it Failed and deletes it then (retry)
    vm = naming.vm_name(ctx.plan.lab.name, run.computer)
    what = why or (f"exit code {code}" if code is not None else (cause.message if cause else "failed"))
    last = (err or out).strip().splitlines()[-1:] or [""]
    raise GuestError(f"guest step {run.step.id} failed on VM {vm} ({what}): {last[0]}".rstrip(": "),
                     code="AZG-GUEST-STEP", hint="fix the cause, then re-run `azguest configure`: it resumes at "
                     "this step", details={"step": run.step.id, "vm": vm, "computer": run.computer,
                                           "exitCode": code, "output": out, "error": err,
                                           "runCommand": d.name})


def _safe_view(ctx: _Ctx, d: Desired) -> dict[str, Any]:
    try:
        return _view(ctx, d)
    except AzguestError:
        return {}


# --- restarts ---------------------------------------------------------------------------------
def _restart(ctx: _Ctx, rs: Restart) -> StepOutcome:
    """Restart the VM through ARM when a step before it reported a pending reboot that the VM has not had
    yet (its last operation ended before that step did), then wait for its VM agent to be Ready."""
    clock = session_clock(ctx.session)
    start = clock.now()
    pending = [ctx.outcomes[k] for k in rs.pending_from if k in ctx.outcomes and ctx.outcomes[k].reboot_required]
    vm_id = ctx.vm_id(rs.computer)
    if not pending or _last_operation(ctx, vm_id) > max(_when(o.ended) for o in pending):
        return ctx.keep(StepOutcome(rs.key, rs.computer, "succeeded", "restart-not-needed"))
    with arm_errors(target=vm_id):
        K.action(ctx.session, VM, vm_id, "restart")
    poll_until(lambda: _instance_view(ctx, vm_id), agent_ready, what=f"the VM agent of {rs.computer} to be Ready",
               timeout_s=AGENT_TIMEOUT_S, interval_s=POLL_S, clock=clock)
    return ctx.keep(StepOutcome(rs.key, rs.computer, "succeeded", "restart", elapsed_s=clock.now() - start))


def _instance_view(ctx: _Ctx, vm_id: str) -> dict[str, Any]:
    with arm_errors(target=vm_id):
        body = K.get(ctx.session, VM, vm_id, expand="instanceView")
    return (body.get("properties") or {}).get("instanceView") or {}


def agent_ready(view: dict[str, Any]) -> bool:
    """The instance view's VM agent reports Ready (and the VM runs)."""
    running = any(str(s.get("code", "")).lower() == "powerstate/running" for s in view.get("statuses") or [])
    agent = (view.get("vmAgent") or {}).get("statuses") or []
    return running and any(str(s.get("displayStatus", "")).lower() == "ready" for s in agent)


def _last_operation(ctx: _Ctx, vm_id: str) -> datetime:
    """When the VM's last operation (create, start, restart) ended: the provisioning status's time."""
    for s in _instance_view(ctx, vm_id).get("statuses") or []:
        if str(s.get("code", "")).lower().startswith("provisioningstate/") and s.get("time"):
            return _when(str(s["time"]))
    return datetime.min.replace(tzinfo=None)


def _when(stamp: str) -> datetime:
    try:
        t = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min
    return t.replace(tzinfo=None) - (t.utcoffset() or (t - t))


__all__ = ["ConfigureRecord", "GuestPlan", "SECRET_PLACEHOLDER", "StepOutcome", "configure", "parse_result",
           "plan_guest"]
