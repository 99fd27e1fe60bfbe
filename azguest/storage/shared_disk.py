"""Azure shared disks: every node attaches the same managed disks (maxShares = node count).

Azure's rules for it (shareable SKUs, maxShares per tier, caching None, ZRS across zones, disk or
cloud witness) are in azguest.catalog.disks and its row of azguest.catalog.rules.STORAGE_MODES.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from azguest import naming
from azguest.catalog.disks import lookup_disk_sku, max_shares_limit, tier_for, tiers
from azguest.spec.findings import Finding, Path, disk_sku_unknown, make
from azguest.storage import common
from azguest.storage.registry import (
    BackupSupport,
    CheckContext,
    GuestStep,
    PlannedDisk,
    StorageLayout,
    StorageMode,
    register,
)

if TYPE_CHECKING:
    from azguest.spec.models import Lab, SharedDisk

BASE = ("cluster", "storage", "shared-disk")
_RESTORE_POINTS = "ACD virtual-machines/concepts-restore-points.md"
_DISK_BACKUP = "learn.microsoft.com/azure/backup/disk-backup-support-matrix"


@dataclass(frozen=True)
class _SharedSpec:
    """A disk every node attaches: one of shared-disk.disks, or the dedicated witness disk."""
    path: Path
    name: str
    sku: str
    size_gb: int
    caching: str


def _shared_specs(lab: Lab) -> list[_SharedSpec]:
    sd = lab.cluster.storage.shared_disk
    if sd is None:
        return []
    out = [_SharedSpec((*BASE, "disks", i), d.name, d.sku, d.size_gb, d.caching) for i, d in enumerate(sd.disks)]
    wd = sd.witness_disk
    if wd is not None and wd.size_gb is not None and wd.disk is None:
        out.append(_SharedSpec((*BASE, "witnessDisk"), "witnessDisk", wd.sku, wd.size_gb, "None"))
    return out


def zones(ctx: CheckContext) -> Iterator[Finding]:
    """Nodes spread across zones can share only zone-redundant disks."""
    m = MODE.rules
    zs = ctx.lab.cluster.placement.zones
    if not zs or m.zones != "zrs-only" or len(set(zs)) < 2:
        return
    for d in _shared_specs(ctx.lab):
        info = lookup_disk_sku(d.sku)
        if info and not info.zrs:
            yield make(m.zones_code, (*d.path, "sku"),
                       f"disk {d.name} is {info.name} but the nodes span zones {list(zs)}; sharing "
                       "across zones needs Premium_ZRS or StandardSSD_ZRS (or use one zone)")


def availability_set_disks(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.lab.cluster.placement.kind == "availability-set":
        yield from common.availability_set_disks("AZG-SHARED-AVSET", ((d.path, d.sku) for d in _shared_specs(ctx.lab)))


def witness(ctx: CheckContext) -> Iterator[Finding]:
    """witness: disk needs a witnessDisk, and a witnessDisk needs witness: disk."""
    c = ctx.lab.cluster
    sd = c.storage.shared_disk
    if sd is None:
        return
    if c.witness == "disk" and sd.witness_disk is None:
        yield make("AZG-WITNESS-DISK", ("cluster", "witness"), "witness is disk but shared-disk.witnessDisk "
                   "is missing; add witnessDisk: {sizeGB: 8}")
    elif c.witness != "disk" and sd.witness_disk is not None:
        yield make("AZG-WITNESS-DISK", (*BASE, "witnessDisk"),
                   f"witnessDisk is given but witness is {c.witness}; set witness: disk or remove it")


def disks(ctx: CheckContext) -> Iterator[Finding]:
    sd = ctx.lab.cluster.storage.shared_disk
    if sd is None:
        return
    seen: set[str] = set()
    for i, d in enumerate(sd.disks):
        if d.name.lower() in seen:
            yield make("AZG-DUP-DISK", (*BASE, "disks", i, "name"), f"disk name {d.name} is used twice; rename one")
        seen.add(d.name.lower())
    for spec in _shared_specs(ctx.lab):
        yield from _shared_disk(ctx.lab.cluster.nodes.count, spec)
    yield from _witness_disk(ctx.lab, sd.disks)


def _shared_disk(nodes: int, d: _SharedSpec) -> Iterator[Finding]:
    info = lookup_disk_sku(d.sku)
    if info is None:
        yield disk_sku_unknown((*d.path, "sku"), d.sku)
        return
    if not info.shareable:
        yield make("AZG-SHARED-SKU", (*d.path, "sku"),
                   f"{info.name} cannot be shared; use Premium_LRS (or StandardSSD_LRS)")
        return
    limit = max_shares_limit(d.sku, d.size_gb)
    if nodes > limit:
        tier = tier_for(d.sku, d.size_gb)
        yield make("AZG-SHARED-MAXSHARES", (*d.path, "sizeGB"),
                   f"disk {d.name} ({tier.tier if tier else info.name}, {d.size_gb} GB) allows maxShares "
                   f"{limit} but the cluster has {nodes} nodes; use a larger tier ({_tier_hint(d.sku, nodes)})")
    if d.caching != "None":
        yield make("AZG-SHARED-CACHING", (*d.path, "caching"),
                   f"host caching {d.caching} is not supported on shared disks; use caching: None")


def _tier_hint(sku: str, nodes: int) -> str:
    """Which size would allow ``nodes`` shares, e.g. "sizeGB > 512, P30 or above"."""
    info = lookup_disk_sku(sku)
    if info is None or info.tier_prefix not in ("P", "E"):
        return "fewer nodes"
    ladder = tiers(info.tier_prefix)
    for i, t in enumerate(ladder):
        if t.max_shares >= nodes:
            below = ladder[i - 1].max_size_gib if i else 0
            return f"sizeGB > {below}, {t.tier} or above"
    return "fewer nodes"


def _witness_disk(lab: Lab, shared: tuple[SharedDisk, ...]) -> Iterator[Finding]:
    sd = lab.cluster.storage.shared_disk
    wd = sd.witness_disk if sd else None
    if wd is None:
        return
    path = (*BASE, "witnessDisk")
    if (wd.size_gb is None) == (wd.disk is None):
        yield make("AZG-WITNESS-DISK", path, "witnessDisk needs either sizeGB (a dedicated disk, e.g. 8) "
                   "or disk (the name of a non-CSV shared disk), not both")
        return
    if wd.disk is not None:
        ref = next((d for d in shared if d.name.lower() == wd.disk.lower()), None)
        if ref is None:
            names = ", ".join(d.name for d in shared)
            yield make("AZG-SHARED-WITNESS-REF", (*path, "disk"),
                       f"witnessDisk.disk {wd.disk!r} is not one of the shared disks ({names})")
        elif ref.csv:
            yield make("AZG-SHARED-WITNESS-CSV", (*path, "disk"),
                       f"disk {ref.name} is a cluster shared volume and cannot be the witness; use "
                       "witnessDisk: {sizeGB: 8}, or set csv: false on that disk")


def layout(lab: Lab) -> StorageLayout:
    """The shared disks, then the dedicated witness disk (witness: disk), each attached by every node."""
    sd = lab.cluster.storage.shared_disk
    if sd is None:
        return StorageLayout()
    nodes = tuple(lab.cluster.nodes.names())
    out = [PlannedDisk(naming.shared_disk_name(lab.name, d.name), d.sku, d.size_gb, nodes, "storage",
                       given=((*BASE, "disks", i, "name"), d.name))
           for i, d in enumerate(sd.disks)]
    wd = sd.witness_disk
    if lab.cluster.witness == "disk" and wd is not None and wd.size_gb:
        out.append(PlannedDisk(naming.witness_disk_name(lab.name), wd.sku, wd.size_gb, nodes, "storage"))
    return StorageLayout(disks=tuple(out))


WITNESS_LABEL = "witness"  # volume label of the dedicated witness disk


def _labels(lab: Lab) -> dict[int, str]:
    """LUN on every node -> volume label (the disk's spec name; the dedicated witness disk: "witness")."""
    nodes = lab.cluster.nodes.names()
    if not nodes:
        return {}
    return {lun: d.given[1] if d.given else WITNESS_LABEL for lun, d in enumerate(layout(lab).disks_of(nodes[0]))}


def _csv_labels(lab: Lab) -> list[str]:
    sd = lab.cluster.storage.shared_disk
    return [d.name for d in sd.disks if d.csv] if sd else []


def _witness_label(lab: Lab) -> str:
    sd = lab.cluster.storage.shared_disk
    wd = sd.witness_disk if sd else None
    return wd.disk if wd is not None and wd.disk else WITNESS_LABEL


GUEST_STEPS = (
    GuestStep("shared-disk-init", "initialise the shared disks once, from the first node (GPT, NTFS, label)",
              targets="first-node", deps=("node-join",), timeout_s=1200, params=("Disks",),
              values=lambda lab, c: {"Disks": ";".join(f"{lun}={label}" for lun, label in _labels(lab).items())}),
    common.cluster_disks_step(_csv_labels),
    GuestStep("witness-disk", "disk witness on the labelled cluster disk", targets="first-node",
              deps=("cluster-disks",), timeout_s=600, params=("DiskLabel",),
              values=lambda lab, c: {"DiskLabel": _witness_label(lab)}, when=lambda lab: lab.cluster.witness == "disk"),
)

MODE = register(StorageMode(
    name="shared-disk",
    settings_field="shared_disk",
    checks=(zones, availability_set_disks, witness, disks),
    layout=layout,
    guest_steps=GUEST_STEPS,
    backup={
        "vm": BackupSupport(
            "supported", "VM restore points support shared disks in neither consistency mode, so azguest lists "
            "them in excludeDisks and takes an incremental snapshot of each shared disk at the same moment "
            "(crash-consistent, per disk: Azure Disk Backup's own method for shared disks); the VMs' own disks "
            "are application-consistent",
            f"{_RESTORE_POINTS}; {_DISK_BACKUP}",
            migration_refuses=True),  # a restore point of a moving node: excluded by Microsoft's iSCSI guidance
        "cold": BackupSupport(
            "supported", "incremental snapshots and Azure Disk Backup support shared disks; they are per disk "
            "(no cross-disk consistency), so the cluster is stopped first",
            f"{_DISK_BACKUP}; ACD virtual-machines/disks-incremental-snapshots.md"),
        "in-guest": BackupSupport(
            "supported", "guest-level backup reads the cluster's volumes from inside the nodes",
            f"{_DISK_BACKUP} (Azure Backup gives no consistency across multiple VMs)"),
    },
))
