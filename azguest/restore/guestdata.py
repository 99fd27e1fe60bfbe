"""Restoring an ``in-guest`` backup (docs/design.md, "Restore", in-guest): its data lives inside the guest, as
Windows Server Backup versions on the backup target disk, so the lab is deployed fresh and the data restored there.

1. The target lab is ``--into``'s, or the backup's own lab when it no longer exists (an existing lab is refused
   before any write: ``AZG-RESTORE-TARGET-EXISTS``).
2. Deploy's use case deploys the manifest's spec (``clone.clone_spec``: its own names, no public inbound) and
   configure runs its guest steps.
3. A temporary disk made from the backup's snapshot of the target disk is attached to the first node; the
   ``restore-wsb`` step restores the CSV volumes from the backup version; the disk is detached and deleted (always).
4. ``azguest test``'s checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azguest import naming
from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId
from azguest.backup import inguest
from azguest.backup.manifest import Manifest
from azguest.deploy.lease import LeasePolicy
from azguest.errors import ConflictError, PreflightError
from azguest.execute.dag import Event
from azguest.guest.commands import Secrets
from azguest.guest.steps import first_node
from azguest.plan.model import TAG_LAB, TAG_ROLE
from azguest.restore.clone import clone_spec
from azguest.restore.model import TAG_RESTORED_FROM, Journal, Request, RestoreRecord

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

DISK = K.KINDS["disk"]
TEMP_ROLE = "wsb-restore"


def _snapshot_of(m: Manifest) -> str:
    snap = str(((m.guest or {}).get("target") or {}).get("snapshotId") or "")
    if not snap:
        raise PreflightError(f"in-guest backup {m.id} names no snapshot of its backup target disk",
                             code="AZG-RESTORE-INCOMPLETE", details={"backup": m.id})
    return snap


def _temp_disk(session: AzureSession, lab: Any, m: Manifest, rid: str) -> str:
    """A disk made from the backup's snapshot of the target, in the new lab's group (tagged as the lab's)."""
    name = f"wsb-restore-{rid}"[:80]
    disk_id = str(ArmId.build(session.subscription_id, lab.resource_group_name, DISK.arm_type, name))
    size = next((p.size_gb for p in m.pieces if getattr(p, "size_gb", None)), None)
    props: dict[str, Any] = {"creationData": {"createOption": "Copy", "sourceResourceId": _snapshot_of(m)}}
    if size:
        props["diskSizeGB"] = size
    body = {"location": lab.location, "sku": {"name": inguest.TARGET_SKU}, "properties": props,
            "tags": {TAG_LAB: lab.name, TAG_ROLE: TEMP_ROLE, TAG_RESTORED_FROM: m.id}}
    with arm_errors(target=disk_id):
        K.put(session, DISK, disk_id, body)
    return disk_id


def _restore_data(session: AzureSession, lab: Any, m: Manifest, rid: str) -> dict[str, Any]:
    """Attach the disk from the snapshot to the first node, ``restore-wsb``, detach and delete it (always)."""
    computer = first_node(lab)
    vm_name = naming.vm_name(lab.name, computer)
    vm_id = str(ArmId.build(session.subscription_id, lab.resource_group_name, K.KINDS["vm"].arm_type, vm_name))
    where: dict[str, Any] = {"lab": lab.name, "location": lab.location, "action": "restore"}
    disk_id = _temp_disk(session, lab, m, rid)
    try:
        lun = inguest.attach(session, vm_id, disk_id)
        try:
            inguest.run_step(session, vm_id, vm_name, "backup-feature", {}, **where)
            data = inguest.run_step(session, vm_id, vm_name, "restore-wsb",
                                    {"DiskLun": str(lun), "BackupId": m.id}, **where)
        finally:
            inguest.detach(session, vm_id, disk_id)
    finally:
        with arm_errors(target=disk_id):
            K.delete(session, DISK, disk_id)
    return {**data, "node": vm_name, "tempDisk": disk_id}


def restore_in_guest(session: AzureSession, m: Manifest, req: Request, *, password: Callable[[], str] | None,
                     lease: LeasePolicy | None = None, on_event: Callable[[Event], None] | None = None,
                     on_start: Callable[[], None] | None = None) -> RestoreRecord:
    """Deploy the backup's spec as ``req.into`` (or as its own lab when that is gone), configure it, restore the
    data with ``restore-wsb``, check its health. Refuses an existing target lab before any write."""
    from azguest.deploy.lab import deploy
    from azguest.guest.configure import configure
    from azguest.restore.into import IntoRun, lab_exists

    target = req.into or m.lab
    if lab_exists(session, target):
        how = "restore into a new lab with --into NEWLAB" if target == m.lab else "choose another --into name"
        raise ConflictError(f"lab {target} exists: an in-guest backup is restored into a freshly deployed lab; "
                            f"{how}, or destroy {target} first", code="AZG-RESTORE-TARGET-EXISTS",
                            details={"backup": m.id, "lab": target})
    _snapshot_of(m)
    lab = clone_spec(m, target, req.expires)
    if password is None:
        raise PreflightError("restoring an in-guest backup deploys a fresh lab: it needs the admin password",
                             code="AZG-PASSWORD-MISSING")
    if on_start is not None:
        on_start()
    run = IntoRun(session, m, lab, on_event)
    rid = run.rid
    j: Journal = run.j

    def _deploy() -> None:
        record = deploy(session, lab, confirm=lambda plan: True, password=password, lease=lease, on_event=on_event)
        j.created += [r.key for r in record.results if r.action == "create"]
        if not record.ok:
            raise PreflightError(f"deploying {lab.name} failed: `azguest deploy` of the spec shows why",
                                 code="AZG-RESTORE-CREATE", details=record.to_dict())

    def _configure() -> None:
        record = configure(session, lab, secrets=lambda need: Secrets(password()), on_event=on_event)
        if not record.ok:
            raise PreflightError(f"configuring {lab.name} failed", code="AZG-RESTORE-CREATE",
                                 details=record.to_dict())

    run.phase("deploy", _deploy)
    run.phase("configure", _configure)
    data = run.phase("restore-wsb", lambda: _restore_data(session, lab, m, rid))
    j.notes.append(f"restore-wsb on {data['node']}: volumes {', '.join(data.get('volumes') or [])}; "
                   f"workloads {', '.join(data.get('workloads') or [])}")
    health = run.phase("health", run.health)
    return RestoreRecord(m.id, m.method, m.lab, lab.name, lab.resource_group_name, "into", rid, tuple(j.created),
                         stages=tuple(j.stages), health=health, elapsed_s=run.clock.now() - run.t0,
                         notes=tuple(j.notes))
