"""What `stop`, `start` and `test` share: the lab's VMs by part, and running an operations step.

The lab is found from its name alone (no spec), by the ownership rules of ``deploy.teardown``: its one
group carrying the full tag set, and inside it the VMs carrying it too. Each VM's part comes from its
``azguest-role`` tag (:data:`TIERS`), its computer name from ``osProfile.computerName``, its power state
from the instance view, and the disks it shares from its data disks.

An operations step (``steps.OPERATIONS``) runs one of two ways, decided per step (:data:`ACTION_STEPS`):

- a read-only look (``dc-health``, ``cluster-health``, polled until ready) is sent as the **action** Run Command
  (``POST virtualMachines/runCommand``, ``RunPowerShellScript``): one write and its LRO, no ARM resource left
  behind. Azure's limits of that API suit a quick look without parameters: no protected parameters, no exit
  code (the result is the StdOut/StdErr messages, the last 4,096 bytes of each), one at a time per VM (a second
  one is refused with 409 ``Conflict`` and retried here), no cancel, 90 minutes at most;
- a step that changes the guest (workloads and cluster stop/start) runs as a **managed** run command with a
  fresh name, ``<step>-<nonce8>``, so it always executes, with its own timeout and an exit code; it is read
  back (instance view), then deleted, so none is left behind (a VM holds at most 25). It carries the lab's
  tags with role ``guest-step``, so a run killed before its delete is cleaned up by the next ``configure``
  like any stale guest step. In-guest backup and restore steps (parameters, hours) run this way too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId
from azguest.deploy.teardown import lab_group
from azguest.errors import AzguestError, AzureError, GuestError, WaitTimeoutError
from azguest.execute.wait import Clock, poll_until, session_clock
from azguest.guest.configure import agent_ready, parse_result
from azguest.guest.steps import OPERATIONS, script_text
from azguest.plan.model import GUEST_STEP_ROLE, TAG_LAB, TAG_ROLE, TAG_SPEC, body_hash, carries_lab_tags

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession
    from azguest.storage.registry import GuestStep

VM, RC = K.KINDS["vm"], K.KINDS["runCommand"]
TIERS = {"dc": "dc", "node": "node"}  # azguest-role -> part; any other VM role (storage, witness) is "storage"
POLL_S = 10.0  # between two looks at a VM or a guest that is not ready yet
AGENT_TIMEOUT_S = 900.0  # a started VM's agent reports Ready within this
OUTPUT_TAIL = 600
ACTION_RETRY_S = 600.0  # an action Run Command retried while throttled (Update VM: 12 burst, 4 a minute per VM) or busy
# Operations steps that only look (and are polled): sent as the action Run Command. The others change the guest
# and may take half an hour: a managed run command (its own timeout, an exit code, deleted when read).
ACTION_STEPS = frozenset({"dc-health", "cluster-health"})
_STEPS = {s.id: s for s in OPERATIONS}


@dataclass(frozen=True)
class LabVm:
    name: str  # ARM name
    id: str
    computer: str
    role: str  # azguest-role tag
    power: str  # running | deallocated | stopped | starting | deallocating | unknown
    disks: tuple[str, ...]  # lower-cased ids of its data disks
    location: str = ""  # its Azure region (a managed run command is created there)

    @property
    def tier(self) -> str:
        return TIERS.get(self.role, "storage")

    @property
    def running(self) -> bool:
        return self.power == "running"

    @property
    def deallocated(self) -> bool:
        return self.power == "deallocated"


@dataclass(frozen=True)
class Inventory:
    lab: str
    resource_group: str
    vms: tuple[LabVm, ...]  # by computer name

    def tier(self, name: str) -> tuple[LabVm, ...]:
        return tuple(v for v in self.vms if v.tier == name)

    @property
    def dc(self) -> tuple[LabVm, ...]:
        return self.tier("dc")

    @property
    def nodes(self) -> tuple[LabVm, ...]:
        return self.tier("node")

    @property
    def storage(self) -> tuple[LabVm, ...]:
        return self.tier("storage")

    def sharing(self, vms: tuple[LabVm, ...]) -> list[list[LabVm]]:
        """``vms`` in groups that share a data disk (connected through any shared disk), in name order."""
        groups: list[list[LabVm]] = []
        for vm in vms:
            joined = [g for g in groups if any(set(vm.disks) & set(o.disks) for o in g)]
            merged = [x for g in joined for x in g] + [vm]
            groups = [g for g in groups if g not in joined] + [merged]
        return groups


def _power(body: dict[str, Any]) -> str:
    view = (body.get("properties") or {}).get("instanceView") or {}
    for s in view.get("statuses") or []:
        code = str(s.get("code", ""))
        if code.startswith("PowerState/"):
            return code.split("/", 1)[1]
    return "unknown"


def _lab_vm(body: dict[str, Any]) -> LabVm:
    props = body.get("properties") or {}
    disks = tuple(sorted(str((d.get("managedDisk") or {}).get("id") or "").lower()
                         for d in (props.get("storageProfile") or {}).get("dataDisks") or []))
    # a VM created on an attached OS disk (a restored clone) has no osProfile: the agent reports the name
    computer = str((props.get("osProfile") or {}).get("computerName")
                   or (props.get("instanceView") or {}).get("computerName") or body.get("name"))
    return LabVm(str(body.get("name")), str(body.get("id")), computer, str((body.get("tags") or {}).get(TAG_ROLE)),
                 _power(body), tuple(d for d in disks if d), str(body.get("location") or ""))


def inventory(session: AzureSession, lab: str, resource_group: str | None = None) -> Inventory:
    """The lab's group (1 tag query) and its VMs with power states (1 list with instance views)."""
    rg = str(lab_group(session, lab, resource_group).get("name"))
    return Inventory(lab, rg, read_vms(session, lab, rg))


def read_vms(session: AzureSession, lab: str, rg: str) -> tuple[LabVm, ...]:
    with arm_errors(target=f"VMs in {rg}"):
        bodies = K.list_in_group(session, VM, rg, expand="instanceView")
    vms = [_lab_vm(b) for b in bodies if carries_lab_tags(b.get("tags"), lab)]
    return tuple(sorted(vms, key=lambda v: v.computer.lower()))


def power_of(session: AzureSession, vm: LabVm) -> tuple[str, dict[str, Any]]:
    """The VM's power state now, and its instance view."""
    with arm_errors(target=vm.name):
        body = K.get(session, VM, vm.id, expand="instanceView")
    return _power(body), (body.get("properties") or {}).get("instanceView") or {}


def wait_agent(session: AzureSession, vm: LabVm, clock: Clock, timeout_s: float = AGENT_TIMEOUT_S) -> None:
    """Until the VM runs and its agent reports Ready (a run command needs both)."""
    poll_until(lambda: power_of(session, vm)[1], agent_ready, what=f"the VM agent of {vm.name} to be Ready",
               timeout_s=timeout_s, interval_s=POLL_S, clock=clock)


@dataclass(frozen=True)
class StepRun:
    """One operations step's run on a VM: exit code, its result line's data, the tail of output and error."""
    step: str
    vm: str
    exit_code: int | None  # None: the action Run Command, which reports no exit code
    data: dict[str, Any] | None  # None: failed, or printed no result line
    output: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code in (0, None) and self.data is not None

    def last_line(self) -> str:
        lines = (self.error or self.output).strip().splitlines()
        return lines[-1] if lines else ""


def run_once(session: AzureSession, vm_id: str, vm_name: str, step: GuestStep, params: Mapping[str, str], *,
             lab: str, location: str) -> dict[str, Any]:
    """Run the step's script once on the VM under a fresh name, read its instance view back, delete it; that
    instance view. ``treatFailureAsDeploymentFailure`` off: a failed run (AD DS not answering yet) is a result
    to read, not a failed deployment. An ARM refusal (a VM that does not run) is raised."""
    name = f"{step.id}-{uuid.uuid4().hex[:8]}"
    rid = str(ArmId.parse(vm_id).child("runCommands", name))
    tags = {TAG_LAB: lab, TAG_ROLE: GUEST_STEP_ROLE}
    body: dict[str, Any] = {"location": location, "tags": tags, "properties": {
        "source": {"script": script_text(step)}, "parameters": [{"name": k, "value": v} for k, v in params.items()],
        "asyncExecution": False, "treatFailureAsDeploymentFailure": False, "timeoutInSeconds": step.timeout_s}}
    body["tags"] = {**tags, TAG_SPEC: body_hash(body)}
    try:
        with arm_errors(target=f"{vm_name}/{name}"):
            K.put(session, RC, rid, body)
        with arm_errors(target=f"{vm_name}/{name}"):
            return (K.get(session, RC, rid, expand="instanceView").get("properties") or {}).get("instanceView") or {}
    finally:
        _delete_quietly(session, rid)


def run_action(session: AzureSession, vm_id: str, vm_name: str, step: GuestStep, *,
               retry_s: float = ACTION_RETRY_S) -> tuple[str, str]:
    """Run the step's script once on the VM as the action Run Command (``RunPowerShellScript``, no parameters):
    its (stdout, stderr), each the last 4,096 bytes Azure keeps. Retried with back-off on the session's clock
    while Azure throttles it (429: azure-core retries no POST without Retry-After) or another action Run Command
    runs on the VM (409 ``Conflict``: one at a time); any other ARM refusal (a VM that does not run) is raised."""
    if step.params or step.protected:
        raise ValueError(f"step {step.id} takes parameters: a managed run command carries them (the action Run "
                         "Command has no protected parameters)")
    body = {"commandId": "RunPowerShellScript", "script": script_text(step).splitlines()}
    clock = session_clock(session)
    delay, deadline = POLL_S, clock.now() + retry_s
    while True:
        try:
            with arm_errors(target=f"{vm_name} (runCommand {step.id})"):
                out = K.action(session, VM, vm_id, "run_command", body)
            break
        except AzureError as e:
            busy = e.status == 429 or (e.status == 409 and e.code == "Conflict")
            if not busy or clock.now() + delay > deadline:
                raise
        clock.sleep(delay)
        delay = min(delay * 2, POLL_S * 16)
    streams = {"stdout": "", "stderr": ""}
    for v in out.get("value") or []:  # ComponentStatus/StdOut/succeeded, ComponentStatus/StdErr/succeeded
        stream = str(v.get("code") or "").lower().split("/")[1:2]
        if stream and stream[0] in streams:
            streams[stream[0]] = str(v.get("message") or "")
    return streams["stdout"], streams["stderr"]


def run_step(session: AzureSession, inv: Inventory, vm: LabVm, step_id: str) -> StepRun:
    """Run the operations step once on ``vm`` (:func:`run_action` for :data:`ACTION_STEPS`, else
    :func:`run_once`), read its result. A failed run is a :class:`StepRun` with ``ok`` False; an ARM refusal
    (a VM that does not run) is raised."""
    step = _STEPS[step_id]
    if step_id in ACTION_STEPS:
        out, err = run_action(session, vm.id, vm.name, step)
        return _step_run(step_id, vm.name, None, out, err, parse_result(step_id, out))
    view = run_once(session, vm.id, vm.name, step, {}, lab=inv.lab,
                    location=vm.location or location_of(session, vm))
    code = view.get("exitCode")
    out, err = str(view.get("output") or ""), str(view.get("error") or "")
    state = str(view.get("executionState") or "").lower()
    result = parse_result(step_id, out) if state == "succeeded" and code in (0, None) else None
    return _step_run(step_id, vm.name, int(code) if code is not None else None, out, err, result)


def _step_run(step_id: str, vm_name: str, code: int | None, out: str, err: str, result: dict[str, Any] | None
              ) -> StepRun:
    return StepRun(step_id, vm_name, code, dict(result.get("data") or {}) if result is not None else None,
                   out[-OUTPUT_TAIL:], err[-OUTPUT_TAIL:])


def location_of(session: AzureSession, vm: LabVm) -> str:
    with arm_errors(target=vm.name):
        return str(K.get(session, VM, vm.id).get("location") or "")


def _delete_quietly(session: AzureSession, rid: str) -> None:
    try:
        with arm_errors(target=rid):
            K.delete(session, RC, rid)
    except AzguestError:
        pass  # left behind, tagged as a guest step: the next configure deletes it


def stage_error(stage: str, vm: LabVm | None, why: str, run: StepRun | None = None, **details: Any) -> GuestError:
    """``AZG-POWER-STAGE``: which stage failed, on which VM, why, and the step's last output."""
    where = f" on VM {vm.name}" if vm is not None else ""
    last = f": {run.last_line()}" if run is not None and run.last_line() else ""
    info: dict[str, Any] = {"stage": stage, "vm": vm.name if vm else None, **details}
    if run is not None:
        info.update(step=run.step, exitCode=run.exit_code, output=run.output, error=run.error)
    return GuestError(f"stage {stage} failed{where}: {why}{last}", code="AZG-POWER-STAGE", details=info,
                      hint="look at the VM (azguest status, the portal), then re-run: finished stages are not repeated")


def poll_step(session: AzureSession, inv: Inventory, vm: LabVm, step_id: str, ready: Callable[[dict], bool], *,
              stage: str, what: str, timeout_s: float, clock: Clock | None = None) -> dict[str, Any]:
    """Run ``step_id`` on ``vm`` until ``ready(data)``; a failed run counts as not ready yet. Past the
    deadline: ``AZG-POWER-STAGE`` naming the stage, the VM and the last run's output."""
    clock = clock or session_clock(session)
    last: list[StepRun] = []

    def probe() -> StepRun:
        run = run_step(session, inv, vm, step_id)
        last[:] = [run]
        return run

    try:
        return dict(poll_until(probe, lambda r: r.ok and ready(r.data or {}), what=what, timeout_s=timeout_s,
                               interval_s=POLL_S, clock=clock).data or {})
    except WaitTimeoutError as e:
        run = last[0] if last else None
        raise stage_error(stage, vm, f"{what}: not within {timeout_s:.0f} s", run,
                          lastData=run.data if run else None) from e
