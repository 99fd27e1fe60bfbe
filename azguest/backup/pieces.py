"""The pieces of a backup: which snapshots and restore points to create, the Azure rules checked before any
write (from the catalogue and the live collections), and creating them all at once.

``vm``: one restore point per VM (shared disks in ``excludeDisks``) in the VM's collection in the backup group,
plus an incremental snapshot of each shared disk. ``cold``: an incremental snapshot of every disk (a shared
disk once). Every PUT is sent from its own worker at the same moment; the skew is the spread of their starts.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId
from azguest.backup.labread import LiveLab
from azguest.backup.manifest import DiskConfig, Piece, RestoreFrom, VmConfig
from azguest.catalog import snapshots as SNAP
from azguest.catalog.restore_points import HOUR_S, MODE_LIMITS, SRC_MATRIX, SRC_OVERVIEW, mode_limit
from azguest.errors import AzguestError, PreflightError
from azguest.execute.dag import Event, Task, run_graph
from azguest.execute.wait import Clock

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

SNAPSHOT, RPC, RP = K.KINDS["snapshot"], K.KINDS["restorePointCollection"], K.KINDS["restorePoint"]
CONSISTENCY_MODE = {"application": "ApplicationConsistent", "crash": "CrashConsistent"}
_MAX_NAME = 80
GATE_TIMEOUT_S = 5.0  # real seconds the workers wait for each other before their PUTs


def _short(text: str) -> str:
    return hashlib.sha256(text.lower().encode()).hexdigest()[:8]


def _fit(name: str) -> str:
    return name if len(name) <= _MAX_NAME else f"{name[:_MAX_NAME - 9]}-{_short(name)}"


def snapshot_name(backup_id: str, disk: str) -> str:
    return _fit(f"{backup_id}-{disk}")


def collection_name(vm: VmConfig) -> str:
    """One collection per VM in the backup group; the VM id's hash keeps a re-deployed VM of the same name
    (a new VM id, which a collection's source can't change to) apart."""
    return _fit(f"rpc-{vm.name}-{_short(vm.id)}")


@dataclass(frozen=True)
class Plan:
    pieces: tuple[Piece, ...]
    bodies: dict[str, dict[str, Any]]  # piece key -> PUT body
    collections: dict[str, tuple[str, dict[str, Any]]]  # piece key -> (collection id, its PUT body)


def snapshot_piece(sub: str, group: str, backup_id: str, disk: DiskConfig, vm: str | None, location: str,
              tags: dict[str, str]) -> tuple[Piece, dict[str, Any]]:
    rid = ArmId.build(sub, group, SNAPSHOT.arm_type, snapshot_name(backup_id, disk.name))
    body = {"location": location, "tags": tags, "sku": {"name": "Standard_LRS"},
            "properties": {"incremental": True, "creationData": {"createOption": "Copy", "sourceResourceId": disk.id},
                           "networkAccessPolicy": "DenyAll", "publicNetworkAccess": "Disabled"}}
    return Piece(f"snapshot@{disk.name}", "snapshot", str(rid), vm, (disk.id,), "crash", size_gb=disk.size_gb), body


def plan_pieces(live: LiveLab, method: str, group: str, backup_id: str, tags: dict[str, str],
                consistency: str) -> Plan:
    sub, pieces, bodies, colls = live.subscription, [], {}, {}
    if method not in ("vm", "cold"):
        return Plan((), {}, {})  # in-guest plans its own pieces (azguest.backup.run.RUNNERS)
    if method == "cold":
        for d in live.disks():
            owner = next((v.name for v in live.vms if d in (v.os_disk, *v.data_disks)), None)
            p, b = snapshot_piece(sub, group, backup_id, d, owner if d.max_shares == 1 else None, live.location, tags)
            pieces.append(p)
            bodies[p.key] = b
        return Plan(tuple(pieces), bodies, colls)
    shared = live.shared()
    for vm in live.vms:
        cname = collection_name(vm)
        cid = ArmId.build(sub, group, RPC.arm_type, cname)
        rid = cid.child("restorePoints", backup_id)
        held = [d for d in (vm.os_disk, *vm.data_disks) if d.max_shares == 1]
        excluded = [d for d in vm.data_disks if d.max_shares > 1]
        p = Piece(f"restorePoint@{vm.name}", "restorePoint", str(rid), vm.name, tuple(d.id for d in held),
                  consistency, size_gb=sum(d.size_gb for d in held))
        pieces.append(p)
        bodies[p.key] = {"properties": {"consistencyMode": CONSISTENCY_MODE[consistency],
                                        "excludeDisks": [{"id": d.id} for d in excluded]}}
        colls[p.key] = (str(cid), {"location": vm.location or live.location, "tags": tags,
                                   "properties": {"source": {"id": vm.id}}})
    for d in shared:
        p, b = snapshot_piece(sub, group, backup_id, d, None, live.location, tags)
        pieces.append(p)
        bodies[p.key] = b
    return Plan(tuple(pieces), bodies, colls)


# ---- checks before any write (vm) ----------------------------------------------------------------------------
def _times(rps: list[dict[str, Any]], mode: str) -> list[datetime]:
    out = []
    for rp in rps:
        props = rp.get("properties") or {}
        if (props.get("consistencyMode") or "").lower() == mode.lower() and props.get("timeCreated"):
            out.append(datetime.fromisoformat(str(props["timeCreated"]).replace("Z", "+00:00")))
    return out


def vm_checks(session: AzureSession, live: LiveLab, plan: Plan, consistency: str, now: datetime) -> list[str]:
    """Why a restore point of each VM would fail now (reads only): not running, one being created, sooner than
    the minimum interval, more than the hourly PUTs (azguest.catalog.restore_points)."""
    mode = CONSISTENCY_MODE[consistency]
    limit = mode_limit(mode)
    problems = []
    for p in plan.pieces:
        if p.kind != "restorePoint":
            continue
        if live.power.get(str(p.vm)) != "running":
            problems.append(f"{p.vm} is {live.power.get(str(p.vm), 'unknown')}: a restore point needs a running VM "
                            f"({SRC_MATRIX})")
            continue
        try:
            with arm_errors(target=plan.collections[p.key][0]):
                rps = K.list_children(session, RP, plan.collections[p.key][0])
        except AzguestError as exc:
            if getattr(exc, "status", None) == 404:  # no collection yet: no restore point of this VM
                continue
            raise
        if any((r.get("properties") or {}).get("provisioningState") == "Creating" for r in rps):
            problems.append(f"{p.vm}: a restore point is being created; Azure refuses a concurrent one ({SRC_MATRIX})")
        times = _times(rps, mode)
        if times and max(times) > now - timedelta(seconds=limit.min_interval_s):
            ready = max(times) + timedelta(seconds=limit.min_interval_s)
            problems.append(f"{p.vm}: its last {mode} restore point is from {max(times):%Y-%m-%dT%H:%M:%SZ}; the "
                            f"minimum interval is {limit.min_interval_s / HOUR_S:g} h (next at {ready:%H:%M:%SZ}) "
                            f"({SRC_MATRIX})")
        recent = [t for t in times if t > now - timedelta(seconds=HOUR_S)]
        if len(recent) >= limit.puts_per_hour:
            problems.append(f"{p.vm}: {len(recent)} {mode} restore points in the last hour; Azure allows "
                            f"{limit.puts_per_hour} per VM per hour ({SRC_OVERVIEW})")
    return problems


def snapshot_checks(session: AzureSession, plan: Plan, group: str, now: datetime) -> list[str]:
    """Why a planned snapshot would fail now (one list of the backup group's snapshots): 7 per disk in 5
    minutes, 500 per disk (azguest.catalog.snapshots)."""
    disks = {p.disks[0].lower() for p in plan.pieces if p.kind == "snapshot"}
    if not disks:
        return []
    try:
        with arm_errors(target=group):
            existing = K.list_in_group(session, SNAPSHOT, group)
    except AzguestError as exc:
        if getattr(exc, "status", None) == 404:  # no backup group yet
            return []
        raise
    problems = []
    for disk in sorted(disks):
        mine = [s for s in existing if str(((s.get("properties") or {}).get("creationData") or {})
                                            .get("sourceResourceId") or "").lower() == disk]
        times = [datetime.fromisoformat(str(s["properties"]["timeCreated"]).replace("Z", "+00:00"))
                 for s in mine if (s.get("properties") or {}).get("timeCreated")]
        recent = [t for t in times if t > now - timedelta(seconds=SNAP.BURST_WINDOW_S)]
        name = disk.rsplit("/", 1)[-1]
        if len(mine) >= SNAP.MAX_PER_DISK:
            problems.append(f"{name} has {len(mine)} incremental snapshots; Azure allows {SNAP.MAX_PER_DISK} "
                            f"per disk (prune old backups) ({SNAP.SOURCE})")
        if len(recent) >= SNAP.BURST:
            problems.append(f"{name}: {len(recent)} snapshots in the last 5 minutes; Azure allows {SNAP.BURST} "
                            f"({SNAP.SOURCE})")
    return problems


def refuse(problems: list[str]) -> PreflightError:
    return PreflightError("backup refused before any write: " + "; ".join(problems), code="AZG-BACKUP-CHECK",
                          hint="wait for the interval to pass, start the lab, or use --mode cold",
                          details={"problems": problems,
                                   "minIntervalS": {k: v.min_interval_s for k, v in MODE_LIMITS.items()}})


# ---- creating them ---------------------------------------------------------------------------------------------
@dataclass
class Timing:
    clock: Clock
    t0: float
    stamp: Callable[[], str]
    lock: threading.Lock


def _create(session: AzureSession, plan: Plan, piece: Piece, tm: Timing, done: dict[str, Piece],
            gate: threading.Barrier) -> Piece:
    kind = SNAPSHOT if piece.kind == "snapshot" else RP
    try:
        gate.wait(timeout=GATE_TIMEOUT_S)  # every worker is ready: the PUTs leave together
    except threading.BrokenBarrierError:
        pass  # a worker never came (stopped or failed): go anyway
    started, stamp = tm.clock.now(), tm.stamp()
    with arm_errors(target=piece.id):
        body = K.put(session, kind, piece.id, plan.bodies[piece.key])
    out = replace(piece, state="succeeded", started=stamp, finished=tm.stamp(), started_s=round(started - tm.t0, 3),
                  elapsed_s=round(tm.clock.now() - started, 3))
    if piece.kind == "restorePoint":
        out = replace(out, disks=tuple(piece.disks))
        done[piece.key + "#body"] = body  # type: ignore[assignment]
    with tm.lock:
        done[piece.key] = out
    return out


def _collections(session: AzureSession, plan: Plan) -> None:
    """Each VM's restore point collection (a synchronous PUT; unchanged ones are rewritten as they are), all
    before any piece starts, so the pieces' PUTs can leave together."""
    def put(item: tuple[str, dict[str, Any]]) -> None:
        with arm_errors(target=item[0]):
            K.put(session, RPC, item[0], item[1])

    items = list(plan.collections.values())
    if items:
        with ThreadPoolExecutor(max_workers=min(16, len(items))) as pool:
            list(pool.map(put, items))


def create_all(session: AzureSession, plan: Plan, tm: Timing, *, on_event: Callable[[Event], None] | None,
               stop_event: threading.Event | None) -> tuple[dict[str, Any], dict[str, BaseException]]:
    """Create every piece at once (one worker each). Returns (key -> Piece or the restore point's body under
    '<key>#body', key -> error of the failed ones)."""
    done: dict[str, Any] = {}
    _collections(session, plan)
    gate = threading.Barrier(len(plan.pieces))
    tasks = [Task(p.key, (lambda p=p: _create(session, plan, p, tm, done, gate)),
                  label=f"{p.kind} {p.id.rsplit('/', 1)[-1]}") for p in plan.pieces]
    results = run_graph(tasks, max_workers=max(1, len(tasks)), on_event=on_event, stop_event=stop_event)
    errors = {k: (o.error or AzguestError(f"{k} {o.state}", code="AZG-BACKUP-SKIPPED"))
              for k, o in results.items() if o.state != "succeeded"}
    return done, errors


def disk_restore_points(body: dict[str, Any]) -> dict[str, str]:
    """Source disk id (lower-case) -> disk restore point id, from a restore point's sourceMetadata."""
    sp = ((body.get("properties") or {}).get("sourceMetadata") or {}).get("storageProfile") or {}
    out = {}
    for entry in [sp.get("osDisk") or {}, *(sp.get("dataDisks") or [])]:
        did = str((entry.get("managedDisk") or {}).get("id") or "").lower()
        drp = (entry.get("diskRestorePoint") or {}).get("id")
        if did and drp:
            out[did] = str(drp)
    return out


def holders(pieces: dict[str, Any], plan: Plan) -> dict[str, RestoreFrom]:
    """Source disk id (lower-case) -> the piece that holds it."""
    out: dict[str, RestoreFrom] = {}
    for p in plan.pieces:
        if p.kind == "snapshot":
            out[p.disks[0].lower()] = RestoreFrom("snapshot", p.id)
        else:
            for did, drp in disk_restore_points(pieces.get(p.key + "#body") or {}).items():
                out[did] = RestoreFrom("diskRestorePoint", drp)
    return out
