"""`azguest restore BACKUP` in place: the lab's own VMs get disks made from the backup, transactionally.

Order (docs/design.md, "Restore"): check (reads only: the manifest complete, the lab's VMs and disk slots
those of the backup); the lab's lease; the ordered, graceful stop (``guest.power``; a lab too broken to stop
gracefully is deallocated tier by tier); every disk created at once from its piece (``Copy`` from a
snapshot, ``Restore`` from a disk restore point; a shared disk once); each VM's OS disk and data disks (by
LUN) swapped while it is deallocated; the ordered start (the DC until AD DS and DNS answer, the storage
tier, the nodes, the cluster, the workloads); ``azguest test``'s checks. The old disks are kept until the
checks pass. Any failure after the swap rolls back: deallocate, swap the old disks back, start in order,
and only then delete the disks this restore created. Old disks are deleted after success unless
``keep_old_disks``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azguest.backup.labread import LiveLab, read_lab
from azguest.backup.manifest import DiskConfig, Manifest, VmConfig
from azguest.deploy.lease import LeasePolicy, holding, policy_for
from azguest.errors import AzguestError, ConflictError, HealthError, PartialError
from azguest.execute.dag import Event
from azguest.execute.wait import session_clock, session_now
from azguest.guest import ops
from azguest.guest.health import run_checks
from azguest.guest.power import run_power
from azguest.restore import arm
from azguest.restore.model import (
    DiskSwap,
    Journal,
    Request,
    RestoreRecord,
    lab_disk_body,
    restore_id,
    restored_name,
    slot_name,
)

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

Events = Callable[[Event], None] | None


def slots(vm: VmConfig) -> dict[str, DiskConfig]:
    """A VM's disk slots: 'os' and 'lun:<n>'."""
    return {"os": vm.os_disk, **{f"lun:{d.lun}": d for d in vm.data_disks}}


def check_match(m: Manifest, live: LiveLab) -> None:
    """The lab must have the backup's VMs with the same disk slots; else AZG-RESTORE-MISMATCH before any write."""
    have = {v.name: v for v in live.vms}
    want = {v.name: v for v in m.vms}
    problems = [f"VM {n} is not in the lab" for n in sorted(set(want) - set(have))]
    problems += [f"VM {n} is not in the backup" for n in sorted(set(have) - set(want))]
    for name in sorted(set(want) & set(have)):
        a, b = set(slots(want[name])), set(slots(have[name]))
        if a != b:
            problems.append(f"VM {name} has disk slots {sorted(b)}, the backup {sorted(a)}")
    if problems:
        raise ConflictError(f"lab {live.lab} no longer matches backup {m.id}: " + "; ".join(problems),
                            code="AZG-RESTORE-MISMATCH", details={"problems": problems},
                            hint=f"restore it into a new lab: `azguest restore {m.id} --into NEWLAB`, or rebuild "
                                 f"it: `azguest lab rebuild {live.lab} --from {m.id}`")


def plan_disks(m: Manifest, live: LiveLab, rid: str) -> tuple[dict[str, dict[str, Any]], list[DiskSwap]]:
    """The new disks (id -> body) and every VM's disk swaps. A shared disk is created once."""
    sub, rg = live.subscription, live.resource_group
    live_vms = {v.name: v for v in live.vms}
    bodies: dict[str, dict[str, Any]] = {}
    new_of: dict[str, str] = {}  # the backup's disk id -> the new disk's id
    swaps = []
    for mvm in m.vms:
        lvm = live_vms[mvm.name]
        lslots = slots(lvm)
        for slot, d in slots(mvm).items():
            key = d.id.lower()
            if key not in new_of:
                name = restored_name(lslots[slot].name, rid)
                new_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/disks/{name}"
                bodies[new_id] = lab_disk_body(d, live.location, live.user_tags, live.lab,
                                               lslots[slot].role or d.role or mvm.role, rid, mvm.zone,
                                               slot=slot_name(lslots[slot].name))
                new_of[key] = new_id
            swaps.append(DiskSwap(mvm.name, d.lun, lslots[slot].id, new_of[key]))
    return bodies, swaps


def _vm_slots(swaps: list[DiskSwap], vm: str, new: bool) -> dict[str, tuple[str, str]]:
    out = {}
    for s in swaps:
        if s.vm == vm:
            rid = s.new_id if new else s.old_id
            out["os" if s.lun is None else f"lun:{s.lun}"] = (rid, rid.rsplit("/", 1)[-1])
    return out


class _InPlace:
    def __init__(self, session: AzureSession, m: Manifest, live: LiveLab, req: Request, on_event: Events) -> None:
        self.session, self.m, self.live, self.req, self.on_event = session, m, live, req, on_event
        self.clock = session_clock(session)
        self.t0 = self.clock.now()
        self.rid = restore_id(session_now(session))
        self.j = Journal()
        self.swapped: list[str] = []  # VM names whose disks were swapped

    def phase(self, name: str, fn: Callable[[], Any], **extra: Any) -> Any:
        t = self.clock.now()
        try:
            out = fn()
        except BaseException as e:
            self.j.stage(name, False, self.clock.now() - t, error=_err(e), **extra)
            raise
        self.j.stage(name, True, self.clock.now() - t, **extra)
        return out

    def inventory(self) -> ops.Inventory:
        return ops.Inventory(self.live.lab, self.live.resource_group,
                             ops.read_vms(self.session, self.live.lab, self.live.resource_group))

    def stop(self) -> None:
        """The graceful ordered stop; a lab whose guests cannot stop it is deallocated tier by tier."""
        try:
            run_power(self.session, self.live.lab, "stop", resource_group=self.live.resource_group, lease_held=True,
                      on_event=self.on_event)
        except AzguestError as e:
            self.j.notes.append(f"the graceful stop failed ({e.code}); deallocated tier by tier instead")
            arm.deallocate_in_order(self.session, self.inventory(), on_event=self.on_event)

    def swap(self, swaps: list[DiskSwap], new: bool) -> None:
        names = [v.name for v in self.m.vms] if new else list(self.swapped)
        for vm in self.live.vms:
            if vm.name not in names:
                continue
            body = arm.put_body(arm.vm_body(self.session, vm.id))
            disks = _vm_slots(swaps, vm.name, new)
            arm.put_vm(self.session, vm.id, arm.swap_disks(body, disks))
            if new:
                self.swapped.append(vm.name)
                if "os" in disks:
                    arm.tag_os_disk(self.session, body.get("tags") or {}, disks["os"][0])
            else:
                self.swapped.remove(vm.name)

    def start(self) -> dict[str, Any]:
        return run_power(self.session, self.live.lab, "start", resource_group=self.live.resource_group,
                         lease_held=True, on_event=self.on_event).to_dict()

    def health(self) -> dict[str, Any]:
        report = run_checks(self.session, self.live.lab, resource_group=self.live.resource_group, lease_held=True)
        if not report.ok:
            bad = [c.name for c in report.failed()]
            err = HealthError(f"the restored lab {self.live.lab} failed {len(bad)} check(s): {', '.join(bad)}",
                              code="AZG-TEST-FAILED", details={"failed": bad})
            err.result = report.to_dict()
            raise err
        return report.to_dict()

    def record(self, swaps: list[DiskSwap], *, health: dict | None, rolled_back: bool, deleted: list[str],
               kept: list[str]) -> RestoreRecord:
        return RestoreRecord(self.m.id, self.m.method, self.m.lab, self.live.lab, self.live.resource_group,
                             "in-place", self.rid, tuple(self.j.created), tuple(swaps), tuple(deleted), tuple(kept),
                             tuple(self.j.stages), health, rolled_back, self.clock.now() - self.t0,
                             tuple(self.j.notes))

    def run(self) -> RestoreRecord:
        bodies, swaps = plan_disks(self.m, self.live, self.rid)
        self.phase("stop", self.stop)
        try:
            self.phase("disks", lambda: arm.create_disks(self.session, bodies, self.j.created, on_event=self.on_event),
                       count=len(bodies))
            self.phase("swap", lambda: self.swap(swaps, True))
            self.phase("start", self.start)
            health = self.phase("health", self.health)
        except BaseException as failure:
            self.rollback(swaps, failure)
            raise  # rollback raises; unreachable
        old = sorted({s.old_id for s in swaps}, key=str.lower)
        if self.req.keep_old_disks:
            return self.record(swaps, health=health, rolled_back=False, deleted=[], kept=old)
        failures = self.phase("delete-old-disks", lambda: arm.delete_disks(self.session, old))
        if failures:
            self.j.notes.append(f"{len(failures)} old disk(s) could not be deleted: " + "; ".join(failures))
        bad = {f.split(":", 1)[0].lower() for f in failures}
        return self.record(swaps, health=health, rolled_back=False,
                           deleted=[o for o in old if o.lower() not in bad], kept=[o for o in old if o.lower() in bad])

    def rollback(self, swaps: list[DiskSwap], failure: BaseException) -> None:
        """Back to the old disks: deallocate, swap back, start in order; then delete what this restore made."""
        problems = []
        if self.swapped:
            for name, fn in (("rollback-stop", lambda: arm.deallocate_in_order(self.session, self.inventory(),
                                                                                  on_event=self.on_event)),
                             ("rollback-swap", lambda: self.swap(swaps, False))):
                try:
                    self.phase(name, fn)
                except AzguestError as e:
                    problems.append(f"{name}: {e.code}: {e.message}")
                    break
        if not problems:
            try:
                self.phase("rollback-start", self.start)
            except AzguestError as e:
                problems.append(f"rollback-start: {e.code}: {e.message}")
        left = [] if self.swapped else self.phase("rollback-delete", lambda: arm.delete_disks(
            self.session, list(self.j.created)))
        if self.swapped:
            problems.append("the restored disks stay attached to " + ", ".join(self.swapped))
        problems += left
        record = self.record(swaps, health=getattr(failure, "result", None) if _is_health(failure) else None,
                             rolled_back=True, deleted=[], kept=sorted({s.old_id for s in swaps}))
        raise _rolled_back(self.m, self.live.lab, failure, problems, record) from failure


def _is_health(e: BaseException) -> bool:
    return isinstance(e, HealthError)


def _err(e: BaseException) -> dict[str, Any]:
    if isinstance(e, AzguestError):
        return {"code": e.code, "message": e.message}
    return {"code": "AZG-INTERNAL", "message": f"{type(e).__name__}: {e}"}


def _rolled_back(m: Manifest, lab: str, failure: BaseException, problems: list[str], record: RestoreRecord
                 ) -> AzguestError:
    why = _err(failure)
    if problems:
        err: AzguestError = PartialError(
            f"restore of {m.id} into {lab} failed ({why['code']}: {why['message']}) and its rollback did not "
            f"finish: {'; '.join(problems)}", code="AZG-RESTORE-ROLLBACK-FAILED",
            details={"cause": why, "problems": problems},
            hint="the old disks are kept (result.oldDisksKept); look at the lab, then re-run the restore")
    else:
        cls = type(failure) if isinstance(failure, AzguestError) else AzguestError
        err = cls(f"restore of {m.id} into {lab} failed and was rolled back: the lab runs on its old disks again "
                  f"({why['code']}: {why['message']})", code="AZG-RESTORE-ROLLED-BACK", details={"cause": why},
                  hint=f"`azguest test {lab}` checks it; try an older backup (`azguest backup list {m.lab}`)")
    err.result = record.to_dict()
    return err


def restore_in_place(session: AzureSession, m: Manifest, req: Request, *, lease: LeasePolicy | None = None,
                     on_event: Events = None, on_start: Callable[[], None] | None = None) -> RestoreRecord:
    live = read_lab(session, m.lab, req.resource_group)
    check_match(m, live)
    with holding(session, [live.resource_group], m.lab, lease or policy_for(session, "restore")):
        live = read_lab(session, m.lab, live.resource_group)  # under the lease
        check_match(m, live)
        if on_start is not None:
            on_start()
        return _InPlace(session, m, live, req, on_event).run()
