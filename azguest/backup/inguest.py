"""The ``in-guest`` method: Windows Server Backup inside the guest cluster, to a dedicated backup disk that is
then snapshotted (docs/design.md, "Backup", in-guest).

1. The lab's backup disk ``wsb-<lab>`` (empty, Standard SSD, in the backup group: it outlives the lab) is created
   once and attached to one running node at a free LUN (a VM update).
2. ``backup-feature`` then ``backup-wsb`` run there as managed Run Commands (fresh names, read back, deleted):
   the feature, the disk kept out of the S2D pool, one backup of every Online CSV (and so of the nested VMs).
3. The disk is detached again (always, also after a failure: the node's VM ends as deploy made it).
4. One incremental snapshot of the detached disk is the backup's piece: the manifest records it, and ``guest``
   says which volumes and workloads it holds, on which node, and their real consistency (``crash``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId
from azguest.backup import run
from azguest.backup.manifest import DiskConfig, Manifest, VmConfig
from azguest.backup.pieces import Plan, snapshot_checks, snapshot_piece
from azguest.errors import AzguestError, GuestError
from azguest.execute.wait import session_now
from azguest.guest.configure import parse_result
from azguest.guest.ops import run_once
from azguest.guest.steps import BACKUP, RESTORE
from azguest.plan.model import TAG_ROLE
from azguest.storage import mode_for

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession
    from azguest.backup.labread import LiveLab

VM, DISK, RC = K.KINDS["vm"], K.KINDS["disk"], K.KINDS["runCommand"]
TARGET_SKU = "StandardSSD_LRS"  # a backup target needs capacity, not IOPS
TARGET_ROLE = "backup-target"
MIN_TARGET_GB, MAX_TARGET_GB = 64, 32767
OUTPUT_TAIL = 600
_STEPS = {s.id: s for s in (*BACKUP, *RESTORE)}


def target_name(lab: str) -> str:
    return f"wsb-{lab}"[:80]


def target_id(live: LiveLab, group: str) -> str:
    return str(ArmId.build(live.subscription, group, DISK.arm_type, target_name(live.lab)))


def target_size_gb(live: LiveLab) -> int:
    """Room for one full copy of the cluster's data: every data disk of the nodes and the storage tier."""
    data = [d for v in live.vms if v.tier != "dc" for d in v.data_disks]
    seen = {d.id.lower(): d.size_gb for d in data}
    return max(MIN_TARGET_GB, min(MAX_TARGET_GB, sum(seen.values())))


def host_of(live: LiveLab) -> VmConfig:
    """The first running node (by computer name): where Windows Server Backup runs."""
    for v in live.vms:
        if v.tier == "node" and live.power.get(v.name) == "running":
            return v
    raise GuestError(f"lab {live.lab}: no node VM runs; Windows Server Backup runs in the guest cluster",
                     code="AZG-BACKUP-GUEST", hint=f"`azguest start {live.lab}`")


def _ensure_target(ctx: run.Context, group: str) -> dict[str, Any]:
    live, rid = ctx.live, target_id(ctx.live, group)
    tags = {**live.user_tags, "azguest-backup-lab": live.lab, TAG_ROLE: TARGET_ROLE}
    body = {"location": live.location, "tags": tags, "sku": {"name": TARGET_SKU},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": target_size_gb(live),
                           "networkAccessPolicy": "DenyAll", "publicNetworkAccess": "Disabled"}}
    try:
        with arm_errors(target=rid):
            return K.get(ctx.session, DISK, rid)
    except AzguestError as exc:
        if getattr(exc, "status", None) != 404:
            raise
    with arm_errors(target=rid):
        return K.put(ctx.session, DISK, rid, body)


def _vm_body(session: AzureSession, vm_id: str) -> dict[str, Any]:
    with arm_errors(target=vm_id):
        body = K.get(session, VM, vm_id)
    props = body.get("properties") or {}
    for key in ("provisioningState", "vmId", "instanceView", "timeCreated"):
        props.pop(key, None)
    return body


def attach(session: AzureSession, vm_id: str, disk_id: str) -> int:
    """Attach the disk at the lowest free LUN (or find it attached); its LUN."""
    body = _vm_body(session, vm_id)
    disks = body["properties"]["storageProfile"].setdefault("dataDisks", [])
    for d in disks:
        if str((d.get("managedDisk") or {}).get("id") or "").lower() == disk_id.lower():
            return int(d["lun"])
    lun = min(set(range(64)) - {int(d.get("lun", 0)) for d in disks})
    disks.append({"lun": lun, "createOption": "Attach", "caching": "None", "managedDisk": {"id": disk_id}})
    with arm_errors(target=vm_id):
        K.put(session, VM, vm_id, body)
    return lun


def detach(session: AzureSession, vm_id: str, disk_id: str) -> None:
    body = _vm_body(session, vm_id)
    disks = body["properties"]["storageProfile"].get("dataDisks") or []
    keep = [d for d in disks if str((d.get("managedDisk") or {}).get("id") or "").lower() != disk_id.lower()]
    if len(keep) != len(disks):
        body["properties"]["storageProfile"]["dataDisks"] = keep
        with arm_errors(target=vm_id):
            K.put(session, VM, vm_id, body)


def run_step(session: AzureSession, vm_id: str, vm_name: str, step_id: str, params: dict[str, str], *,
             lab: str, location: str, action: str = "backup") -> dict[str, Any]:
    """Run a backup or restore step once on the VM (fresh name, read back, deleted); its data, or
    ``AZG-<ACTION>-GUEST`` (``action`` is ``backup`` or ``restore``: the command that ran it)."""
    view = run_once(session, vm_id, vm_name, _STEPS[step_id], params, lab=lab, location=location)
    code = f"AZG-{action.upper()}-GUEST"
    out, err = str(view.get("output") or ""), str(view.get("error") or "")
    result = parse_result(step_id, out) if str(view.get("executionState") or "").lower() == "succeeded" else None
    if result is None or view.get("exitCode") not in (0, None):
        lines = [ln.strip() for ln in err.splitlines() if ln.strip()]  # an error record's first line: its message
        why = lines[0] if lines else (out.strip().splitlines() or [""])[-1]
        raise GuestError(f"in-guest {action} step {step_id} failed on {vm_name} (exit code {view.get('exitCode')}): "
                         f"{why[-OUTPUT_TAIL:]}", code=code,
                         details={"step": step_id, "vm": vm_name, "exitCode": view.get("exitCode"),
                                  "error": err[-OUTPUT_TAIL:]})
    if result.get("rebootRequired"):
        raise GuestError(f"{step_id} on {vm_name} asks for a restart; azguest {action} never restarts a node",
                         code=code, details={"step": step_id, "vm": vm_name})
    return dict(result.get("data") or {})


def pools_local_disks(storage_mode: str) -> bool:
    """The mode pools the nodes' own data disks (S2D): it would claim an attached backup disk too."""
    return mode_for(storage_mode).rules.min_disks_per_node > 0


def _guest_backup(ctx: run.Context, host: VmConfig, disk_id: str) -> dict[str, Any]:
    """Attach, the two steps, detach (always); the backup-wsb data with where it ran."""
    session = ctx.session
    keep_out = "true" if pools_local_disks(ctx.choice.storage_mode) else "false"
    lun = attach(session, host.id, disk_id)
    try:
        where = {"lab": ctx.live.lab, "location": host.location or ctx.live.location}
        run_step(session, host.id, host.name, "backup-feature", {}, **where)
        data = run_step(session, host.id, host.name, "backup-wsb",
                        {"DiskLun": str(lun), "BackupId": ctx.manifest.id, "KeepOutOfPool": keep_out}, **where)
    finally:
        detach(session, host.id, disk_id)
    return {**data, "node": host.name, "computer": host.computer, "keptOutOfPool": keep_out == "true"}


def _in_guest(ctx: run.Context) -> Manifest:
    live, group = ctx.live, ctx.manifest.backup_resource_group
    host = host_of(live)
    disk = _ensure_target(ctx, group)
    disk_id = str(disk.get("id") or target_id(live, group))
    t0 = ctx.timing.clock.now()
    data = _guest_backup(ctx, host, disk_id)
    wsb_s = round(ctx.timing.clock.now() - t0, 3)
    cfg = DiskConfig(name=target_name(live.lab), id=disk_id, sku=TARGET_SKU,
                     size_gb=int((disk.get("properties") or {}).get("diskSizeGB") or target_size_gb(live)),
                     role=TARGET_ROLE)
    tags = run.store.piece_tags(live.lab, ctx.manifest.id, live.user_tags)
    piece, body = snapshot_piece(live.subscription, group, ctx.manifest.id, cfg, None, live.location, tags)
    piece = replace(piece, consistency="crash")
    ctx.plan = Plan((piece,), {piece.key: body}, {})
    guest = {"tool": "Windows Server Backup", "target": {"kind": "disk", "diskId": disk_id, "lun": data.get("lun"),
                                                         "snapshotId": piece.id, "keptOutOfPool":
                                                         data.get("keptOutOfPool")},
             "node": data.get("node"), "computer": data.get("computer"), "volumes": list(data.get("volumes") or []),
             "workloads": list(data.get("workloads") or []), "versionsOnTarget": data.get("versions"),
             "versionTime": data.get("versionTime"), "wsbS": wsb_s,
             "consistency": {"volumes": "crash", "workloads": "crash",
                             "why": "Windows Server Backup takes only crash-consistent volume-level backups of VMs "
                                    "on a CSV (learn.microsoft.com windows-server failover-clustering "
                                    "failover-cluster-csvs)"}}
    ctx.manifest = replace(ctx.manifest, pieces=(piece,), guest=guest)
    m = run.run_pieces(ctx)
    return replace(m, guest=guest, consistency="crash")


def delete_targets(session: AzureSession, lab: str) -> list[str]:
    """``destroy --with-backups``: the lab's backup target disk(s) in the backup groups, after its backups."""
    with arm_errors(target=f"the backup target disks of {lab}"):
        items = K.list_tagged(session, "azguest-backup-lab", lab)
    ids = [str(i["id"]) for i in items if str(i.get("type", "")).lower() == DISK.arm_type.lower()
           and (i.get("tags") or {}).get(TAG_ROLE) == TARGET_ROLE]
    for rid in ids:
        with arm_errors(target=rid):
            K.delete(session, DISK, rid)
    return ids


def _target_checks(session: AzureSession, live: LiveLab, group: str, bid: str) -> list[str]:
    """Before any write: the target disk's snapshot within Azure's limits (7 per disk in 5 minutes, 500)."""
    cfg = DiskConfig(name=target_name(live.lab), id=target_id(live, group), sku=TARGET_SKU, size_gb=0)
    piece, body = snapshot_piece(live.subscription, group, bid, cfg, None, live.location, {})
    return snapshot_checks(session, Plan((piece,), {piece.key: body}, {}), group, session_now(session))


run.RUNNERS["in-guest"] = _in_guest
run.EXTRA_CHECKS["in-guest"] = _target_checks
