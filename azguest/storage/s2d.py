"""Storage Spaces Direct: every node has its own Premium data disks; S2D pools them in the guest.

Azure's rules for it (2-3 nodes, Premium disks, at least 2 per node, the same capacity on every node,
availability set only, cloud witness) are its row of azguest.catalog.rules.STORAGE_MODES, with sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from azguest import naming
from azguest.catalog.disks import lookup_disk_sku
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
    from azguest.spec.models import Disk, Lab, S2dSettings

BASE = ("cluster", "storage", "s2d")
_WSD_S2D = "WSD storage/storage-spaces/storage-spaces-direct-in-vm.md"


def disks(ctx: CheckContext) -> Iterator[Finding]:
    s = ctx.lab.cluster.storage.s2d
    if s is None:
        return
    m = MODE.rules
    if s.disks is not None and (s.disk is not None or s.disks_per_node is not None):
        yield make("AZG-STORAGE-SETTINGS", (*BASE, "disks"),
                   "give either disksPerNode with disk, or a disks list, not both")
        return
    if s.disks is None and s.disk is None:
        yield make("AZG-STORAGE-SETTINGS", BASE, "s2d needs disk: {sku: Premium_LRS, sizeGB: 256} "
                   "with disksPerNode: 2 (or a disks list)")
        return
    node_disks = s.node_disks()
    if len(node_disks) < m.min_disks_per_node:
        where = (*BASE, "disksPerNode") if s.disks is None else (*BASE, "disks")
        yield make("AZG-S2D-DISKS", where, f"{len(node_disks)} data disk(s) per node; S2D needs at least "
                   f"{m.min_disks_per_node} per node (set disksPerNode: {m.min_disks_per_node})")
    if m.uniform_disks and s.disks is not None and len({(d.sku.lower(), d.size_gb) for d in s.disks}) > 1:
        kinds = sorted({f"{d.sku} {d.size_gb} GB" for d in s.disks})
        yield make("AZG-S2D-DISK-MIXED", (*BASE, "disks"),
                   f"S2D disks must all be the same SKU and size, found {', '.join(kinds)}; use one size")
    for path, d in _written(s):
        yield from _premium(path, d)


def datacenter_edition(ctx: CheckContext) -> Iterator[Finding]:
    """Storage Spaces Direct needs Windows Server Datacenter edition on every node (catalog: DATACENTER_SKU)."""
    from azguest.catalog.rules import DATACENTER_SKU

    sku = ctx.lab.cluster.image.sku
    if not DATACENTER_SKU.search(sku):
        yield make("AZG-S2D-EDITION", ("cluster", "image", "sku"),
                   f"image sku {sku} is not a Datacenter edition; Storage Spaces Direct requires Windows Server "
                   "Datacenter edition (Microsoft, deploy-storage-spaces-direct); use a Datacenter sku such as "
                   "2022-datacenter-azure-edition, or storage mode shared-disk or iscsi")


def availability_set_disks(ctx: CheckContext) -> Iterator[Finding]:
    """The nodes' own disks must be able to attach to VMs in the availability set (the default placement)."""
    if ctx.lab.cluster.placement.kind == "availability-set":
        yield from common.availability_set_disks(
            "AZG-DISK-AVSET", ((path, d.sku) for path, d in _written(ctx.lab.cluster.storage.s2d)))


def _written(s: S2dSettings | None) -> list[tuple[Path, Disk]]:
    """The S2D disks as written, each with its field path."""
    if s is None:
        return []
    if s.disks is not None:
        return [((*BASE, "disks", i), d) for i, d in enumerate(s.disks)]
    return [((*BASE, "disk"), s.disk)] if s.disk else []


def _premium(path: Path, d: Disk) -> Iterator[Finding]:
    info = lookup_disk_sku(d.sku)
    if info is None:
        yield disk_sku_unknown((*path, "sku"), d.sku)
    elif MODE.rules.premium_disks and not info.premium:
        yield make("AZG-S2D-DISK-PREMIUM", (*path, "sku"),
                   f"{info.name} is not Premium; S2D in Azure VMs requires Premium managed disks "
                   "(use Premium_LRS)")


def layout(lab: Lab) -> StorageLayout:
    """Each node's own data disks, node by node."""
    s = lab.cluster.storage.s2d
    if s is None:
        return StorageLayout()
    out = []
    for node in lab.cluster.nodes.names():
        vm = naming.vm_name(lab.name, node)
        out += [PlannedDisk(naming.s2d_disk_name(vm, i + 1), d.sku, d.size_gb, (node,), "node")
                for i, d in enumerate(s.node_disks())]
    return StorageLayout(disks=tuple(out))


HW_TIMEOUT_MS = 0x7530  # spaceport HwTimeout in VMs (30 s; default 6 s) [WSD storage-spaces-direct-in-vm.md]
S2D_VOLUME = "Volume1"

GUEST_STEPS = (
    GuestStep("s2d-node-settings", "spaceport HwTimeout 30 s for S2D in VMs, before the node's one reboot",
              targets="nodes", reboot="pending", timeout_s=600, params=("HwTimeoutMs",),
              values=lambda lab, c: {"HwTimeoutMs": str(HW_TIMEOUT_MS)}),
    GuestStep("s2d-enable", "Enable-ClusterS2D (no cache, auto-replace off) and one CSV volume",
              targets="first-node", deps=("cluster-create",), timeout_s=3600, params=("VolumeName",),
              values=lambda lab, c: {"VolumeName": S2D_VOLUME}),
)

MODE = register(StorageMode(
    name="s2d",
    settings_field="s2d",
    checks=(disks, availability_set_disks, datacenter_edition),
    layout=layout,
    guest_steps=GUEST_STEPS,
    validation_tests=("Storage Spaces Direct", "Inventory", "Network", "System Configuration"),
    backup={
        "vm": BackupSupport(
            "refused", "host-level disk backups of S2D are unsupported: Azure snapshots and restore points of "
            "the nodes' disks are host-level, and Microsoft says to use traditional guest-level backup",
            _WSD_S2D),
        "cold": BackupSupport(
            "lab-only", "snapshots of every disk of the stopped nodes restore a consistent pool in practice, "
            "but they are still host-level snapshots of S2D disks, which Microsoft does not support",
            _WSD_S2D),
        "in-guest": BackupSupport(
            "supported", "traditional guest-level backup is what Microsoft prescribes for S2D in VMs", _WSD_S2D),
    },
))
