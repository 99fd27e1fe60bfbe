"""`azguest stop LAB` / `azguest start LAB`: a graceful, ordered stop and start, with deallocation.

Stop: the workloads (``workloads-stop``), ``Stop-Cluster`` (``cluster-stop``), both on one running node;
then every node is deallocated; then the storage tier (iSCSI target, witness VMs); the DC last.
Start: the DC, then ``dc-health`` until AD DS and DNS answer; the storage tier; the nodes (those sharing a
disk one after another, a refused start retried with back-off); each VM's agent until Ready; then
``cluster-start``, ``cluster-health`` until every node is Up; ``workloads-start``, and ``cluster-health``
until every workload is Online. The stages are tasks of the DAG executor (progress events, Ctrl-C), under
the lab's lease; every wait has a deadline on the session's clock, and a failure names its stage and VM
(``AZG-POWER-STAGE``). docs/design.md, "Stop, start and test".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.deploy.lease import LeasePolicy, holding, policy_for
from azguest.errors import AzguestError, AzureError, GuestError, NotFoundError
from azguest.execute.dag import Event, Task, run_graph
from azguest.execute.wait import Clock, session_clock
from azguest.guest import ops
from azguest.guest.ops import Inventory, LabVm, inventory, poll_step, run_step, stage_error, wait_agent

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession


@dataclass(frozen=True)
class Timeouts:
    """Deadlines of the waits, in (the session's) seconds."""
    dc_health_s: float = 1800.0  # AD DS and DNS answering after the DC boots
    agent_s: float = ops.AGENT_TIMEOUT_S  # a started VM's agent Ready
    retry_s: float = 600.0  # a power action retried while throttled, or refused as a disk-sharing VM starts
    cluster_up_s: float = 900.0  # every node Up after Start-Cluster
    workloads_s: float = 900.0  # every workload Online after workloads-start


@dataclass(frozen=True)
class StageOutcome:
    key: str  # task key: "deallocate@hv01", "cluster-stop", "dc-health@dc01", ...
    stage: str  # workloads | cluster | nodes | storage | dc
    vm: str  # ARM name of the VM it acted on ("" when it never got one)
    action: str  # deallocated | already-deallocated | started | already-running | ran | healthy | skipped
    state: str = "succeeded"  # succeeded | failed | skipped
    elapsed_s: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"key": self.key, "stage": self.stage, "vm": self.vm, "action": self.action, "state": self.state,
               "elapsedS": round(self.elapsed_s, 3), "data": self.data}
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class PowerRecord:
    lab: str
    resource_group: str
    command: str  # stop | start
    outcomes: tuple[StageOutcome, ...]
    elapsed_s: float
    findings: tuple[str, ...] = ()  # what the guest showed: repairs, failed or moved roles
    note: str = ""  # "already stopped" | "interrupted" | ""

    @property
    def ok(self) -> bool:
        return all(o.state == "succeeded" for o in self.outcomes) and self.note != "interrupted"

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "resourceGroup": self.resource_group, "command": self.command, "ok": self.ok,
                "note": self.note, "elapsedS": round(self.elapsed_s, 3), "findings": list(self.findings),
                "stages": [o.to_dict() for o in self.outcomes]}


@dataclass
class _Run:
    session: AzureSession
    inv: Inventory
    command: str
    timeouts: Timeouts
    clock: Clock
    outcomes: dict[str, StageOutcome] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, o: StageOutcome) -> StageOutcome:
        with self.lock:
            self.outcomes[o.key] = o
        return o

    def task(self, key: str, stage: str, vm: LabVm | None, label: str, fn: Callable[[], StageOutcome],
             deps: tuple[str, ...] = ()) -> Task:
        """A task whose failure is always AZG-POWER-STAGE naming the stage and the VM."""
        def run() -> StageOutcome:
            start = self.clock.now()
            try:
                o = fn()
            except GuestError as e:
                if e.code == "AZG-POWER-STAGE":
                    raise
                raise stage_error(stage, vm, e.message, cause=e.code) from e
            except AzguestError as e:
                raise stage_error(stage, vm, f"{e.code}: {e.message}", cause=e.code) from e
            return self.keep(StageOutcome(o.key, o.stage, o.vm, o.action, o.state, self.clock.now() - start,
                                          o.data, o.error))
        return Task(key, run, deps, label)


# --- power actions -------------------------------------------------------------------------------------
def _power_action(r: _Run, vm: LabVm, action: str, shares: bool = False) -> None:
    """POST the action, retried with back-off until a deadline when Azure throttles it (429: azure-core
    retries no POST) or, for a VM sharing a disk, refuses a start while another one starts
    (``OperationNotAllowed``, azure-docs#108246)."""
    delay, deadline = ops.POLL_S, r.clock.now() + r.timeouts.retry_s
    while True:
        try:
            with arm_errors(target=vm.name):
                K.action(r.session, ops.VM, vm.id, action)
            return
        except AzureError as e:
            busy = e.status == 429 or (shares and action == "start" and e.code == "OperationNotAllowed")
            if not busy or r.clock.now() + delay > deadline:
                raise
        r.clock.sleep(delay)
        delay = min(delay * 2, ops.POLL_S * 16)


def _deallocate(r: _Run, vm: LabVm, key: str, stage: str) -> StageOutcome:
    power, _ = ops.power_of(r.session, vm)
    if power == "deallocated":
        return StageOutcome(key, stage, vm.name, "already-deallocated")
    _power_action(r, vm, "deallocate")
    return StageOutcome(key, stage, vm.name, "deallocated")


def _start(r: _Run, vm: LabVm, key: str, stage: str, shares: bool) -> StageOutcome:
    """Start the VM unless it runs, then wait for its agent."""
    power, _ = ops.power_of(r.session, vm)
    action = "already-running"
    if power != "running":
        _power_action(r, vm, "start", shares)
        action = "started"
    wait_agent(r.session, vm, r.clock, r.timeouts.agent_s)
    return StageOutcome(key, stage, vm.name, action)


# --- guest steps ---------------------------------------------------------------------------------------
def _guest(r: _Run, vm: LabVm, step: str, stage: str) -> StageOutcome:
    run = run_step(r.session, r.inv, vm, step)
    if not run.ok:
        why = f"step {step} exited with {run.exit_code}" if run.exit_code else f"step {step} printed no result"
        raise stage_error(stage, vm, why, run)
    return StageOutcome(step, stage, vm.name, "ran", data=run.data or {})


def _dc_answers(data: dict[str, Any]) -> bool:
    return data.get("adws") == "Running" and data.get("dnsServer") == "Running"


def _nodes_up(inv: Inventory) -> Callable[[dict[str, Any]], bool]:
    wanted = {v.computer.lower() for v in inv.nodes}

    def ready(data: dict[str, Any]) -> bool:
        up = {str(n.get("name", "")).lower() for n in data.get("nodes") or [] if n.get("state") == "Up"}
        return data.get("state") == "Running" and wanted <= up and all(
            c.get("state") == "Online" for c in data.get("csvs") or [])
    return ready


def _workloads_online(data: dict[str, Any]) -> bool:
    return all(w.get("state") == "Online" for w in data.get("roles") or [])


def _health(r: _Run, vm: LabVm, key: str, stage: str, step: str, ready: Callable[[dict], bool], what: str,
            timeout_s: float) -> StageOutcome:
    data = poll_step(r.session, r.inv, vm, step, ready, stage=stage, what=what, timeout_s=timeout_s,
                     clock=r.clock)
    return StageOutcome(key, stage, vm.name, "healthy", data=data)


def repair_findings(data: dict[str, Any]) -> list[str]:
    """What a cluster-health look shows of a lab that went down hard: roles failed, storage jobs (repair)
    still running, a pool or virtual disks not healthy, and the cluster's own events of it."""
    out = [f"role {w.get('name')} is {w.get('state')} (owner {w.get('owner') or '-'})"
           for w in data.get("roles") or [] if w.get("state") not in ("Online", "Offline")]
    out += [f"storage job {j.get('name')}: {j.get('state')} {j.get('percentComplete', 0)}%"
            for j in data.get("storageJobs") or [] if j.get("state") != "Completed"]
    disks = ([("pool", data["pool"])] if data.get("pool") else []) + [("virtual disk", d) for d in
                                                                        data.get("virtualDisks") or []]
    out += [f"{what} {d.get('name')}: {d.get('health')} ({d.get('operational')})" for what, d in disks
            if d.get("health") != "Healthy"]
    for e in data.get("events") or []:
        kind = e.get("event")
        if kind == "RoleFailed":
            out.append(f"event {e.get('time')}: role {e.get('role')} failed on {e.get('node')}")
        elif kind == "RoleMoved":
            out.append(f"event {e.get('time')}: role {e.get('role')} moved from {e.get('source')} to {e.get('target')}")
        elif kind == "NodeDown" and e.get("graceful") is False:
            out.append(f"event {e.get('time')}: node {e.get('node')} went down without Stop-Cluster")
    return out


# --- the two commands ----------------------------------------------------------------------------------
def _stop_tasks(r: _Run) -> list[Task]:
    inv, tasks = r.inv, []
    running = [n for n in inv.nodes if n.running]
    after: tuple[str, ...] = ()
    if running:
        host = running[0]
        tasks.append(r.task("workloads-stop", "workloads", host, f"workloads-stop {host.name}",
                            lambda: _stop_workloads(r, host)))
        tasks.append(r.task("cluster-stop", "cluster", host, f"cluster-stop {host.name}",
                            lambda: _guest(r, host, "cluster-stop", "cluster"), ("workloads-stop",)))
        after = ("cluster-stop",)
    elif inv.nodes:
        r.findings.append("no node runs: the workloads and the cluster were already down (no Stop-Cluster)")
    for tier in ("node", "storage", "dc"):
        keys = []
        for vm in inv.tier(tier):
            key = f"deallocate@{vm.computer}"
            tasks.append(r.task(key, _stage(tier), vm, f"deallocate {vm.name}",
                                lambda vm=vm, key=key, tier=tier: _deallocate(r, vm, key, _stage(tier)), after))
            keys.append(key)
        after = tuple(keys) or after
    return tasks


def _stop_workloads(r: _Run, host: LabVm) -> StageOutcome:
    """workloads-stop; when it fails because the cluster is stopped already (a stop re-run after
    Stop-Cluster), there is nothing to stop."""
    run = run_step(r.session, r.inv, host, "workloads-stop")
    if run.ok:
        return StageOutcome("workloads-stop", "workloads", host.name, "ran", data=run.data or {})
    look = run_step(r.session, r.inv, host, "cluster-health")
    if look.ok and (look.data or {}).get("state") == "Stopped":
        return StageOutcome("workloads-stop", "workloads", host.name, "cluster-already-stopped")
    raise stage_error("workloads", host, f"step workloads-stop exited with {run.exit_code}", run)


def _stage(tier: str) -> str:
    return {"node": "nodes"}.get(tier, tier)


def _start_tasks(r: _Run) -> list[Task]:
    inv, tasks = r.inv, []
    after: tuple[str, ...] = ()
    for vm in inv.dc:
        k = f"start@{vm.computer}"
        tasks.append(r.task(k, "dc", vm, f"start {vm.name}", lambda vm=vm, k=k: _start(r, vm, k, "dc", False)))
        h = f"dc-health@{vm.computer}"
        tasks.append(r.task(h, "dc", vm, f"dc-health {vm.name}", lambda vm=vm, h=h: _health(
            r, vm, h, "dc", "dc-health", _dc_answers, f"AD DS and DNS to answer on {vm.name}",
            r.timeouts.dc_health_s), (k,)))
        after += (h,)
    after = _start_tier(r, tasks, inv.storage, "storage", after)
    after = _start_tier(r, tasks, inv.nodes, "nodes", after)
    if not inv.nodes:
        return tasks
    host = inv.nodes[0]
    steps = (
        ("cluster-start", "cluster", lambda: _guest(r, host, "cluster-start", "cluster")),
        ("cluster-up", "cluster", lambda: _health(r, host, "cluster-up", "cluster", "cluster-health", _nodes_up(inv),
                                                  "every node Up and every CSV Online", r.timeouts.cluster_up_s)),
        ("workloads-start", "workloads", lambda: _guest(r, host, "workloads-start", "workloads")),
        ("workloads-online", "workloads", lambda: _health(r, host, "workloads-online", "workloads", "cluster-health",
                                                          _workloads_online, "every workload Online",
                                                          r.timeouts.workloads_s)),
    )
    for key, stage, fn in steps:
        tasks.append(r.task(key, stage, host, f"{key} {host.name}", fn, after))
        after = (key,)
    return tasks


def _start_tier(r: _Run, tasks: list[Task], vms: tuple[LabVm, ...], stage: str, after: tuple[str, ...]
                ) -> tuple[str, ...]:
    """Start tasks for ``vms`` after ``after``; VMs that share a disk one after another. Returns their keys."""
    keys: list[str] = []
    for group in r.inv.sharing(vms):
        prev: tuple[str, ...] = ()
        for vm in group:
            k = f"start@{vm.computer}"
            shares = len(group) > 1
            tasks.append(r.task(k, stage, vm, f"start {vm.name}",
                                lambda vm=vm, k=k, shares=shares: _start(r, vm, k, stage, shares), after + prev))
            prev = (k,)
            keys.append(k)
    return tuple(keys) or after


def _collect(r: _Run) -> None:
    """Findings of a start: what the guest showed before the workloads started, and roles moved apart."""
    up = r.outcomes.get("cluster-up")
    if up is not None:
        r.findings.extend(repair_findings(up.data))
    ws = r.outcomes.get("workloads-start")
    if ws is not None:
        r.findings.extend(f"role {m.get('name')} moved from {m.get('from')} to {m.get('to')} (anti-affinity)"
                          for m in ws.data.get("moved") or [])


def run_power(session: AzureSession, lab: str, command: str, *, resource_group: str | None = None,
              lease: LeasePolicy | None = None, timeouts: Timeouts | None = None, max_workers: int = 8,
              on_event: Callable[[Event], None] | None = None, stop_event: threading.Event | None = None,
              on_start: Callable[[], None] | None = None, lease_held: bool = False) -> PowerRecord:
    """``command`` = "stop" | "start" for the lab named ``lab`` (no spec). A lab whose VMs are all
    deallocated already is not touched by ``stop`` (no lease, no write). ``lease_held``: the caller holds the
    lab's lease already (a cold backup around its stop and start), so none is taken here."""
    clock = session_clock(session)
    t0 = clock.now()
    inv = inventory(session, lab, resource_group)
    if not inv.vms:
        raise NotFoundError(f"lab {lab}'s group {inv.resource_group} holds none of its VMs", code="AZG-LAB-NO-VMS",
                            hint=f"deploy it first: `azguest deploy SPEC`, or look with `azguest status {lab}`")
    if command == "stop" and all(v.deallocated for v in inv.vms):
        return PowerRecord(lab, inv.resource_group, command, (), clock.now() - t0, note="already stopped")
    held = nullcontext() if lease_held else holding(session, [inv.resource_group], lab,
                                                    lease or policy_for(session, command))
    with held:
        inv = Inventory(lab, inv.resource_group, ops.read_vms(session, lab, inv.resource_group))  # under the lease
        r = _Run(session, inv, command, timeouts or Timeouts(), clock)
        if on_start is not None:
            on_start()
        tasks = _stop_tasks(r) if command == "stop" else _start_tasks(r)
        results = run_graph(tasks, max_workers=max_workers, on_event=on_event, stop_event=stop_event)
    if command == "start" and all(o.state == "succeeded" for o in results.values()):
        _collect(r)
    interrupted = stop_event is not None and stop_event.is_set() and any(o.state == "skipped" for o in results.values())
    outcomes = tuple(r.outcomes.get(t.key) or _failed(t.key, results[t.key]) for t in tasks)
    record = PowerRecord(lab, inv.resource_group, command, outcomes, clock.now() - t0, tuple(r.findings),
                         "interrupted" if interrupted else "")
    failed = [results[t.key].error for t in tasks if results[t.key].state == "failed"]
    if failed:
        err = failed[0]
        if not isinstance(err, AzguestError):
            err = GuestError(f"{command} stopped: {type(err).__name__}: {err}", code="AZG-POWER-STAGE")
        err.result = record.to_dict()
        raise err
    return record


def _failed(key: str, o: Any) -> StageOutcome:
    err = o.error.to_dict() if isinstance(o.error, AzguestError) else (
        {"code": "AZG-POWER-STAGE", "message": f"{type(o.error).__name__}: {o.error}"} if o.error else None)
    details = (err or {}).get("details") or {}
    return StageOutcome(key, str(details.get("stage") or ""), str(details.get("vm") or ""),
                        "skipped" if o.state == "skipped" else "failed", o.state, o.elapsed_s, error=err)


def stop(session: AzureSession, lab: str, **kw: Any) -> PowerRecord:
    return run_power(session, lab, "stop", **kw)


def start(session: AzureSession, lab: str, **kw: Any) -> PowerRecord:
    return run_power(session, lab, "start", **kw)
