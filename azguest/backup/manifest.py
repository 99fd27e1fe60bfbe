"""The backup manifest: the frozen record a backup writes and restore/clone read (docs/design.md, "Backup").

A manifest is everything needed to rebuild the lab from Azure alone: the spec (as loaded, the admin password
only as its reference), each VM's configuration, and for every disk of every VM the one Azure object that
holds its data (an incremental snapshot or a disk restore point). It is stored as the ``metadata`` of a
template spec version (``azguest.backup.store``), never in a local file, and carries no secret.

Contract for readers (restore, clone):
- Read only manifests whose ``status`` is ``complete``: any other status may name missing pieces.
- ``vms[].osDisk`` and ``vms[].dataDisks`` (by LUN) each have ``restoreFrom``: ``{kind, id}`` with ``kind``
  ``snapshot`` (create the disk with ``createOption: Copy``) or ``diskRestorePoint`` (``createOption:
  Restore``). A shared disk appears under every VM that attaches it, with the same ``restoreFrom`` and
  ``maxShares`` > 1: create it once.
- ``restoreOrder`` lists VM names tier by tier (DC, storage tier, nodes): start them in that order.
- ``schema`` is :data:`SCHEMA`; a reader refuses another value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

SCHEMA = "azguest.backup/v1"
Status = Literal["running", "complete", "failed"]
Method = Literal["vm", "cold", "in-guest"]
PieceKind = Literal["snapshot", "restorePoint", "diskRestorePoint"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


class _Wire:
    """camelCase JSON both ways for the frozen records below."""

    def to_dict(self) -> dict[str, Any]:
        return _to_wire(asdict(self))  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        names = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
        kw = {}
        for key, value in data.items():
            name = _snake(key)
            if name in names:
                kw[name] = _from_wire(cls, name, value)
        return cls(**kw)


def _to_wire(value: Any) -> Any:
    if isinstance(value, dict):
        return {(_camel(k) if k != "spec" else k): (v if k == "spec" else _to_wire(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_wire(v) for v in value]
    return value


@dataclass(frozen=True)
class RestoreFrom(_Wire):
    kind: PieceKind  # snapshot (createOption Copy) | diskRestorePoint (createOption Restore)
    id: str  # ARM id of the snapshot or disk restore point


@dataclass(frozen=True)
class DiskConfig(_Wire):
    name: str  # the disk's Azure name in the lab
    id: str  # its ARM id in the lab (gone after destroy; kept for reference)
    sku: str  # Premium_LRS | StandardSSD_LRS | Premium_ZRS | ...
    size_gb: int
    lun: int | None = None  # None for the OS disk
    caching: str = "None"
    max_shares: int = 1  # > 1: a shared disk, listed under every VM that attaches it
    role: str = ""  # azguest-role tag of the disk (os, dc-data, s2d, shared, witness, lun)
    os_type: str | None = None
    restore_from: RestoreFrom | None = None  # the piece holding its data (None only while running)


@dataclass(frozen=True)
class NicConfig(_Wire):
    name: str
    id: str
    subnet_id: str
    private_ip: str | None
    allocation: str = "Static"  # privateIPAllocationMethod
    public_ip_id: str | None = None
    accelerated: bool = False


@dataclass(frozen=True)
class VmConfig(_Wire):
    name: str  # ARM name
    id: str
    computer: str  # osProfile.computerName
    role: str  # azguest-role tag: dc | node | storage | witness ...
    tier: str  # dc | storage | node (the restore order's tiers)
    size: str
    location: str
    zone: str | None
    availability_set_id: str | None
    admin_username: str
    image: dict[str, Any] | None  # storageProfile.imageReference as deployed
    security_type: str | None
    nics: tuple[NicConfig, ...]
    os_disk: DiskConfig
    data_disks: tuple[DiskConfig, ...]  # by LUN
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Piece(_Wire):
    """One Azure object the backup created: a snapshot, or a restore point (with its disk restore points)."""
    key: str  # "snapshot@<disk name>" | "restorePoint@<vm name>"
    kind: PieceKind
    id: str  # ARM id
    vm: str | None  # the VM it was taken from (None for a shared disk's snapshot)
    disks: tuple[str, ...]  # source disk ids it holds
    consistency: str  # application | crash
    state: str = "pending"  # pending | succeeded | failed | deleted
    started: str | None = None  # ISO 8601 UTC, on the session's clock
    finished: str | None = None
    started_s: float | None = None  # seconds since the backup started (for the skew)
    size_gb: int = 0
    error: str | None = None
    elapsed_s: float | None = None  # from its PUT to its end


@dataclass(frozen=True)
class Manifest(_Wire):
    id: str
    lab: str
    status: Status
    method: Method
    requested: str  # the --mode asked: vm | cold | in-guest | auto
    why: str  # why this method (auto's choice, or the verdict's reason)
    verdict: str  # supported | lab-only (a refused combination never writes a manifest)
    consistency: str  # what it really has: application | crash | application+crash (vm + shared disks) | shutdown
    storage_mode: str
    location: str
    subscription: str
    resource_group: str  # the lab's group when it was taken
    backup_resource_group: str  # where the pieces and the manifest live
    created: str  # ISO 8601 UTC
    label: str | None = None
    finished: str | None = None
    skew_s: float | None = None  # first piece start to last piece start
    downtime_s: float | None = None  # cold: stop begun to start ended
    elapsed_s: float | None = None
    stop_s: float | None = None  # cold: how long the graceful stop took
    start_s: float | None = None  # cold: how long the ordered start took
    restore_order: tuple[tuple[str, ...], ...] = ()  # VM names tier by tier: DC, storage, nodes
    vms: tuple[VmConfig, ...] = ()
    pieces: tuple[Piece, ...] = ()
    spec: dict[str, Any] | None = None  # the lab spec (YAML names) when known; password as its reference
    error: dict[str, Any] | None = None
    guest: dict[str, Any] | None = None  # in-guest: tool, target {kind, diskId, lun, snapshotId}, node, volumes,
    # workloads, versionsOnTarget, versionTime, consistency {volumes, workloads, why} (azguest.backup.inguest)
    forced: tuple[str, ...] = ()  # pre-check findings --force overrode (azguest.backup.prechecks)
    schema: str = SCHEMA

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def disks(self) -> list[DiskConfig]:
        """Every distinct disk of the lab (a shared disk once)."""
        return distinct_disks(self.vms)


def distinct_disks(vms: tuple[VmConfig, ...]) -> list[DiskConfig]:
    """Every distinct disk of these VMs, VM by VM (a shared disk once, where it is first seen)."""
    seen: dict[str, DiskConfig] = {}
    for vm in vms:
        for d in (vm.os_disk, *vm.data_disks):
            seen.setdefault(d.id.lower(), d)
    return list(seen.values())


def _from_wire(cls: Any, name: str, value: Any) -> Any:
    nested = {("Manifest", "vms"): VmConfig, ("Manifest", "pieces"): Piece, ("VmConfig", "nics"): NicConfig,
              ("VmConfig", "data_disks"): DiskConfig}
    one = {("VmConfig", "os_disk"): DiskConfig, ("DiskConfig", "restore_from"): RestoreFrom}
    key = (cls.__name__, name)
    if key in nested and value is not None:
        return tuple(nested[key].from_dict(v) for v in value)
    if key in one and value is not None:
        return one[key].from_dict(value)
    if key == ("Manifest", "restore_order"):
        return tuple(tuple(t) for t in value or ())
    if key in (("Piece", "disks"), ("Manifest", "forced")):
        return tuple(value or ())
    return value


def parse(data: dict[str, Any]) -> Manifest:
    """A manifest from its stored JSON; ValueError for another schema."""
    if data.get("schema") != SCHEMA:
        raise ValueError(f"not an azguest backup manifest of schema {SCHEMA}: {data.get('schema')!r}")
    return Manifest.from_dict(data)
