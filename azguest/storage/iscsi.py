"""iSCSI: one target VM holds the data disks and serves them to the nodes over the network.

An azguest design (no Azure rule requires it); its row of azguest.catalog.rules.STORAGE_MODES says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from azguest import naming
from azguest.catalog.disks import lookup_disk_sku
from azguest.catalog.sizes import lookup_size, premium_sibling
from azguest.spec.findings import Finding, disk_sku_unknown, make, unknown_size
from azguest.storage import common
from azguest.storage.registry import (
    BackupSupport,
    CheckContext,
    GuestStep,
    PlannedDisk,
    PlannedVm,
    StorageLayout,
    StorageMode,
    register,
)

if TYPE_CHECKING:
    from azguest.spec.models import IscsiTarget, Lab

TARGET = ("cluster", "storage", "iscsi", "target")
_RESTORE_POINTS = "ACD virtual-machines/concepts-restore-points.md"


def target(ctx: CheckContext) -> Iterator[Finding]:
    isc = ctx.lab.cluster.storage.iscsi
    if isc is None:
        return
    t = isc.target
    size = lookup_size(t.size)
    if size is None:
        yield from unknown_size((*TARGET, "size"), t.size, "Premium storage and disk limits",
                                allowed=ctx.allow_unknown_size)
    premium_told = False
    for i, d in enumerate(t.disks):
        info = lookup_disk_sku(d.sku)
        if info is None:
            yield disk_sku_unknown((*TARGET, "disks", i, "sku"), d.sku)
            continue
        if info.premium and size is not None and not size.premium_io and not premium_told:
            premium_told = True
            yield make("AZG-ISCSI-PREMIUM", (*TARGET, "size"),
                       f"{size.name} has no Premium storage but disk {i} is {info.name}; use "
                       f"{premium_sibling(size)} for the target")
        if info.zonal_vm_only:
            yield make("AZG-ISCSI-ZONAL-DISK", (*TARGET, "disks", i, "sku"),
                       f"{info.name} attaches only to VMs in an availability zone in most regions with "
                       "zones, and the iSCSI target VM is not zonal; use Premium_LRS")
    if size is not None and len(t.disks) > size.max_data_disks:
        yield make("AZG-SIZE-DATADISKS", (*TARGET, "disks"),
                   f"{len(t.disks)} disks but {size.name} allows {size.max_data_disks}; use a larger size")


def _target_subnet(lab: Lab, t: IscsiTarget) -> int:
    """The subnet holding the target's IP, else the last one (the storage network in the examples)."""
    subnets = lab.network.subnets
    return next((i for i, s in enumerate(subnets) if t.ip and t.ip in s.prefix), len(subnets) - 1)


def layout(lab: Lab) -> StorageLayout:
    """The target's disks, then the target VM (one NIC; not in the nodes' availability set or zones)."""
    isc = lab.cluster.storage.iscsi
    if isc is None:
        return StorageLayout()
    t = isc.target
    vm = naming.vm_name(lab.name, t.name)
    disks = tuple(PlannedDisk(naming.lun_disk_name(vm, i + 1), d.sku, d.size_gb, (t.name,), "storage")
                  for i, d in enumerate(t.disks))
    target_vm = PlannedVm(t.name, t.size, "storage", "iscsi-target", "iSCSI target", TARGET,
                          _target_subnet(lab, t), t.ip)
    return StorageLayout(disks=disks, vms=(target_vm,))


ISCSI_TARGET_NAME = "azguest"  # one iSCSI target; its IQN iqn.1991-05.com.microsoft:<server>-azguest-target


def _target_ip(lab: Lab) -> str:
    isc = lab.cluster.storage.iscsi
    if isc is None:
        return ""
    ip = isc.target.ip or next(iter(lab.addresses().get(isc.target.name, {}).values()), None)
    return str(ip or "")


def _lun_labels(lab: Lab) -> list[str]:
    isc = lab.cluster.storage.iscsi
    return [f"lun{i}" for i in range(len(isc.target.disks))] if isc else []


def _initiators(lab: Lab) -> str:
    """The nodes' addresses in the target's subnet (initiator ACLs by IPAddress: no IQN needed in advance)."""
    isc = lab.cluster.storage.iscsi
    subnet = lab.network.subnets[_target_subnet(lab, isc.target)].name if isc else ""
    return ",".join(f"IPAddress:{ips[subnet]}" for ips in lab.node_ips().values() if subnet in ips)


def _initiator_values(lab: Lab, computer: str) -> dict[str, str]:
    first = lab.cluster.nodes.names()[0]
    init = ";".join(f"{i}={label}" for i, label in enumerate(_lun_labels(lab))) if computer == first else ""
    return {"TargetPortal": _target_ip(lab), "TargetName": ISCSI_TARGET_NAME, "InitializeDisks": init}


GUEST_STEPS = (
    GuestStep("iscsi-target", "iSCSI Target Server, one virtual disk per data disk, initiator ACLs for the nodes",
              targets="iscsi-target", timeout_s=1800, params=("TargetName", "InitiatorIds", "DiskLuns"),
              values=lambda lab, c: {"TargetName": ISCSI_TARGET_NAME, "InitiatorIds": _initiators(lab),
                                     "DiskLuns": ",".join(str(i) for i in range(len(_lun_labels(lab))))}),
    GuestStep("iscsi-initiator", "MSiSCSI, persistent session to the target; the first node initialises the LUNs",
              targets="nodes", deps=("iscsi-target", "node-join"), timeout_s=1200,
              params=("TargetPortal", "TargetName", "InitializeDisks"), values=_initiator_values),
    common.cluster_disks_step(_lun_labels),
)

MODE = register(StorageMode(
    name="iscsi",
    settings_field="iscsi",
    checks=(target,),
    layout=layout,
    guest_steps=GUEST_STEPS,
    backup={
        "vm": BackupSupport(
            "supported", "the nodes have no shared disks and the target's disks are ordinary managed data "
            "disks, which VM restore points capture; the target VM holds all the cluster's data",
            _RESTORE_POINTS,
            migration_refuses=True),  # a restore point of a moving node: excluded by Microsoft's iSCSI guidance
        "cold": BackupSupport(
            "supported", "snapshots of the stopped target's disks; incremental snapshots are per disk",
            "ACD virtual-machines/disks-incremental-snapshots.md"),
        "in-guest": BackupSupport(
            "supported", "guest-level backup of the cluster's volumes or of the target's",
            "learn.microsoft.com/azure/backup/backup-support-matrix-iaas"),
    },
))
