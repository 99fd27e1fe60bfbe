"""What `stop`, `start` and `test` share: the lab's VMs by part, and running an operations step.

The lab is found from its name alone (no spec), by the ownership rules of ``deploy.teardown``: its one
group carrying the full tag set, and inside it the VMs carrying it too. Each VM's part comes from its
``azguest-role`` tag (:data:`TIERS`), its computer name from ``osProfile.computerName``, its power state
from the instance view, and the disks it shares from its data disks.

An operations step (``steps.OPERATIONS``) runs as a managed run command with a fresh name,
``<step>-<nonce8>``, so it always executes; it is read back (instance view), then deleted, so none is left
behind (a VM holds at most 25). It carries the lab's tags with role ``guest-step``, so a run killed before
its delete is cleaned up by the next ``configure`` like any stale guest step.
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
from azguest.errors import AzguestError, GuestError, WaitTimeoutError
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
_STEPS = {s.id: s for s in OPERATIONS}


@dataclass(frozen=True)
class LabVm:
    name: str  # ARM name
    id: str
    computer: str
    role: str  # azguest-role tag
    power: str  # running | deallocated | stopped | starting | deallocating | unknown
    disks: tuple[str, ...]  # lower-cased ids of its data disks

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
                 _power(body), tuple(d for d in disks if d))


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
    exit_code: int | None
    data: dict[str, Any] | None  # None: failed, or printed no result line
    output: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.data is not None

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


def run_step(session: AzureSession, inv: Inventory, vm: LabVm, step_id: str, location: str | None = None
             ) -> StepRun:
    """Run the operations step once on ``vm`` (:func:`run_once`), read its result. A failed run is a
    :class:`StepRun` with ``ok`` False; an ARM refusal (a VM that does not run) is raised."""
    view = run_once(session, vm.id, vm.name, _STEPS[step_id], {}, lab=inv.lab,
                    location=location or location_of(session, vm))
    code = view.get("exitCode")
    out, err = str(view.get("output") or ""), str(view.get("error") or "")
    state = str(view.get("executionState") or "").lower()
    result = parse_result(step_id, out) if state == "succeeded" and code in (0, None) else None
    return StepRun(step_id, vm.name, int(code) if code is not None else None,
                   dict(result.get("data") or {}) if result is not None else None,
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
              stage: str, what: str, timeout_s: float, clock: Clock | None = None, location: str | None = None
              ) -> dict[str, Any]:
    """Run ``step_id`` on ``vm`` until ``ready(data)``; a failed run counts as not ready yet. Past the
    deadline: ``AZG-POWER-STAGE`` naming the stage, the VM and the last run's output."""
    clock = clock or session_clock(session)
    last: list[StepRun] = []

    def probe() -> StepRun:
        run = run_step(session, inv, vm, step_id, location)
        last[:] = [run]
        return run

    try:
        return dict(poll_until(probe, lambda r: r.ok and ready(r.data or {}), what=what, timeout_s=timeout_s,
                               interval_s=POLL_S, clock=clock).data or {})
    except WaitTimeoutError as e:
        run = last[0] if last else None
        raise stage_error(stage, vm, f"{what}: not within {timeout_s:.0f} s", run,
                          lastData=run.data if run else None) from e
