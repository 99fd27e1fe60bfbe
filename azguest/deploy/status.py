"""`status`: what exists, power state, disk sharing, backups, cost facts, and drift from the spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import group_of, name_of
from azguest.catalog.sizes import lookup_size
from azguest.errors import NotFoundError
from azguest.plan.model import TAG_EXPIRES, TAG_LAB, TAG_ROLE

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession


@dataclass(frozen=True)
class VmStatus:
    name: str
    role: str
    size: str
    vcpus: int
    power_state: str  # running, deallocated, stopped, starting, unknown
    provisioning_state: str


@dataclass(frozen=True)
class DiskStatus:
    name: str
    sku: str
    size_gb: int
    max_shares: int
    state: str  # diskState: Unattached, Attached, Reserved
    held_by: tuple[str, ...]  # VM names holding the disk (managedByExtended, or managedBy)


@dataclass(frozen=True)
class LabStatus:
    lab: str
    resource_groups: tuple[str, ...]
    resources: tuple[tuple[str, str, str], ...]  # (type, name, role)
    vms: tuple[VmStatus, ...]
    disks: tuple[DiskStatus, ...]
    backups: tuple[str, ...]  # ids of snapshots and restore point collections
    expires: str | None
    drift: tuple[dict, ...] = ()  # plan changes when a spec was given

    def cost_facts(self) -> dict[str, Any]:
        running = [v for v in self.vms if v.power_state == "running"]
        return {"vms": len(self.vms), "running": len(running),
                "runningVcpus": sum(v.vcpus for v in running),
                "diskGiB": sum(d.size_gb for d in self.disks), "runningHours": None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab, "resourceGroups": list(self.resource_groups), "expires": self.expires,
            "resources": [{"type": t, "name": n, "role": r} for t, n, r in self.resources],
            "vms": [{"name": v.name, "role": v.role, "size": v.size, "vCPUs": v.vcpus, "powerState": v.power_state,
                     "provisioningState": v.provisioning_state} for v in self.vms],
            "disks": [{"name": d.name, "sku": d.sku, "sizeGB": d.size_gb, "maxShares": d.max_shares,
                       "diskState": d.state, "heldBy": list(d.held_by)} for d in self.disks],
            "backups": list(self.backups), "cost": self.cost_facts(), "drift": list(self.drift),
        }


def _power(view: dict) -> str:
    for s in view.get("statuses") or []:
        code = str(s.get("code", ""))
        if code.startswith("PowerState/"):
            return code.split("/", 1)[1]
    return "unknown"


def _vm_status(vm: dict, role: str) -> VmStatus:
    props = vm.get("properties") or {}
    size = str((props.get("hardwareProfile") or {}).get("vmSize", ""))
    info = lookup_size(size)
    return VmStatus(str(vm.get("name")), role, size, info.vcpus if info else 0,
                    _power(props.get("instanceView") or {}), str(props.get("provisioningState", "")))


def _disk_status(d: dict) -> DiskStatus:
    props = d.get("properties") or {}
    holders = tuple(name_of(i) for i in (d.get("managedByExtended") or []))
    if not holders and d.get("managedBy"):
        holders = (name_of(d.get("managedBy")),)
    return DiskStatus(str(d.get("name")), str((d.get("sku") or {}).get("name", "")), int(props.get("diskSizeGB") or 0),
                      int(props.get("maxShares") or 1), str(props.get("diskState", "")), holders)


def _group_details(session: AzureSession, rg: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """VMs (with instance views) and disks of one group: two list calls, whatever the lab's size."""
    with arm_errors(target=f"VMs and disks in {rg}"):
        vms = {str(v["id"]).lower(): v for v in K.list_in_group(session, K.KINDS["vm"], rg, expand="instanceView")}
        disks = {str(d["id"]).lower(): d for d in K.list_in_group(session, K.KINDS["disk"], rg)}
    return vms, disks


def lab_status(session: AzureSession, lab: str) -> LabStatus:
    """One tag query, then two list calls per resource group: reads do not grow with the lab."""
    with arm_errors(target=f"resources tagged {TAG_LAB}={lab}"):
        items = [i for i in K.list_tagged(session, TAG_LAB, lab) if (i.get("tags") or {}).get(TAG_LAB) == lab]
    if not items:
        raise NotFoundError(f"no resources tagged {TAG_LAB}={lab}", code="AZG-LAB-NOT-FOUND",
                            hint="check the lab name, --subscription, or deploy it first")
    groups = sorted({group_of(i.get("id")) or "" for i in items} - {""})
    vm_bodies: dict[str, dict] = {}
    disk_bodies: dict[str, dict] = {}
    for rg in groups:
        vms, disks = _group_details(session, rg)
        vm_bodies.update(vms)
        disk_bodies.update(disks)
    vms_out, disks_out, backups, rows = [], [], [], []
    expires = None
    for it in sorted(items, key=lambda i: (str(i.get("type")), str(i.get("name")))):
        tags, arm_id = it.get("tags") or {}, str(it.get("id"))
        expires = expires or tags.get(TAG_EXPIRES)
        kind = K.kind_of(str(it.get("type", "")))
        rows.append((str(it.get("type")), str(it.get("name")), tags.get(TAG_ROLE, "")))
        if kind is not None and kind.backup:
            backups.append(arm_id)
        elif kind is not None and kind.key == "vm" and arm_id.lower() in vm_bodies:
            vms_out.append(_vm_status(vm_bodies[arm_id.lower()], tags.get(TAG_ROLE, "")))
        elif kind is not None and kind.key == "disk" and arm_id.lower() in disk_bodies:
            disks_out.append(_disk_status(disk_bodies[arm_id.lower()]))
    return LabStatus(lab, tuple(groups), tuple(rows), tuple(vms_out), tuple(disks_out), tuple(backups), expires)
