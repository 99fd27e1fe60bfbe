"""The restore's records and the checks every restore makes before any write.

A restore reads only the backup's manifest (``azguest.backup.store.load``: from Azure alone) and refuses
any backup that is not ``complete``, and an in-guest backup while this build cannot restore one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from azguest.backup import store
from azguest.backup.manifest import DiskConfig, Manifest
from azguest.errors import PreflightError
from azguest.plan.model import TAG_LAB, TAG_RESTORE, TAG_ROLE, TAG_SLOT, TAG_SPEC, body_hash

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

TAG_RESTORED_FROM = "azguest-restored-from"  # on a lab's group made by --into: the backup it came from
_SUFFIX = re.compile(r"-r\d{12}$")  # the suffix an earlier restore gave a disk name
MAX_DISK_NAME = 80


@dataclass(frozen=True)
class Request:
    backup: str  # backup id
    into: str | None = None  # a new lab name (--into); None: in place
    keep_old_disks: bool = False
    resource_group: str | None = None  # the lab's group when two claim it (in place)
    expires: str | None = None  # --into: the new lab's expiresAfter ("1d", "never"); None: the spec's


@dataclass(frozen=True)
class DiskSwap:
    """One disk slot of one VM: the disk it had (``old_id``) and the restored one (``new_id``)."""
    vm: str
    lun: int | None  # None: the OS disk
    old_id: str
    new_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"vm": self.vm, "lun": self.lun, "oldId": self.old_id, "newId": self.new_id}


@dataclass(frozen=True)
class RestoreRecord:
    backup: str
    method: str  # the backup's method: vm | cold | in-guest
    source_lab: str  # the lab the backup was taken of
    lab: str  # the lab restored (the same, or --into's)
    resource_group: str
    mode: str  # in-place | into
    restore_id: str
    created: tuple[str, ...]  # every resource the restore created (disks; --into: the whole lab)
    swaps: tuple[DiskSwap, ...] = ()
    old_disks_deleted: tuple[str, ...] = ()
    old_disks_kept: tuple[str, ...] = ()
    stages: tuple[dict[str, Any], ...] = ()  # {phase, ok, elapsedS, ...}: stop, disks, swap, start, health
    health: dict[str, Any] | None = None  # the azguest test report of the restored lab
    rolled_back: bool = False
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.rolled_back and bool(self.health and self.health.get("ok"))

    def to_dict(self) -> dict[str, Any]:
        return {"backup": self.backup, "method": self.method, "sourceLab": self.source_lab, "lab": self.lab,
                "resourceGroup": self.resource_group, "mode": self.mode, "restoreId": self.restore_id,
                "ok": self.ok, "rolledBack": self.rolled_back, "created": list(self.created),
                "swaps": [s.to_dict() for s in self.swaps], "oldDisksDeleted": list(self.old_disks_deleted),
                "oldDisksKept": list(self.old_disks_kept), "stages": [dict(s) for s in self.stages],
                "health": self.health, "elapsedS": round(self.elapsed_s, 3), "notes": list(self.notes)}


@dataclass
class Journal:
    """What a running restore did so far (what a failure undoes)."""
    created: list[str] = field(default_factory=list)  # ids, in creation order
    stages: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def stage(self, phase: str, ok: bool, elapsed_s: float, **extra: Any) -> None:
        self.stages.append({"phase": phase, "ok": ok, "elapsedS": round(elapsed_s, 3), **extra})


def restore_id(now: datetime) -> str:
    return "r" + now.strftime("%y%m%d%H%M%S")


def slot_name(name: str) -> str:
    """The planner's name of a lab disk: its name without an earlier restore's suffix."""
    return _SUFFIX.sub("", name)


def restored_name(name: str, rid: str) -> str:
    """``<disk name>-<restore id>`` (an earlier restore's suffix replaced), at most 80 characters."""
    base = slot_name(name)
    suffix = f"-{rid}"
    return base[: MAX_DISK_NAME - len(suffix)] + suffix


def load_restorable(session: AzureSession, backup_id: str) -> Manifest:
    """The backup's manifest, if it can be restored: ``complete``, and not in-guest unless this build can
    restore in-guest data. Reads only."""
    m = store.load(session, backup_id)
    if not m.complete:
        raise PreflightError(f"backup {backup_id} is {m.status}, not complete: only a complete backup can be "
                             "restored (its pieces may be missing)", code="AZG-RESTORE-INCOMPLETE",
                             details={"backup": backup_id, "status": m.status},
                             hint=f"`azguest backup list {m.lab}` shows which backups are restorable")
    missing = [d.name for d in m.disks() if d.restore_from is None]
    if m.method != "in-guest" and missing:
        raise PreflightError(f"backup {backup_id} names no piece for disk(s) {', '.join(missing)}",
                             code="AZG-RESTORE-INCOMPLETE", details={"backup": backup_id, "disks": missing})
    return m


def disk_body(d: DiskConfig, location: str, tags: dict[str, str], zone: str | None = None) -> dict[str, Any]:
    """A managed disk made from the piece holding ``d``'s data: ``Copy`` from a snapshot, ``Restore`` from a
    disk restore point (learn.microsoft.com/azure/virtual-machines/manage-restore-points)."""
    src = d.restore_from
    assert src is not None, d.name
    option = "Copy" if src.kind == "snapshot" else "Restore"
    props: dict[str, Any] = {"creationData": {"createOption": option, "sourceResourceId": src.id},
                             "diskSizeGB": d.size_gb}
    if d.max_shares > 1:
        props["maxShares"] = d.max_shares
    if d.os_type:
        props["osType"] = d.os_type
    body: dict[str, Any] = {"location": location, "tags": tags, "sku": {"name": d.sku}, "properties": props}
    if zone:
        body["zones"] = [zone]
    return body


def lab_disk_body(d: DiskConfig, location: str, user_tags: dict[str, str], lab: str, role: str, rid: str,
                  zone: str | None = None, *, slot: str) -> dict[str, Any]:
    """``disk_body`` with the lab's full tag set (so ``destroy`` and ``gc`` count it as the lab's), the
    restore's id (``azguest-restore``) and the desired disk it stands for (``azguest-slot``: deploy's planner
    indexes it under that name, docs/design.md "Restore")."""
    body = disk_body(d, location, {**user_tags, TAG_LAB: lab, TAG_ROLE: role, TAG_RESTORE: rid, TAG_SLOT: slot},
                     zone)
    body["tags"][TAG_SPEC] = body_hash(body)
    return body
