"""Shared state helpers of the Microsoft.Compute handlers: disk attachment, power, quotas."""

from __future__ import annotations

from typing import Any

from azguest.catalog.sizes import SERIES, lookup_size
from azguest.emulator.context import Ctx, iso_offset
from azguest.emulator.errors import ArmError

VM_TYPE = "Microsoft.Compute/virtualMachines"
DISK_TYPE = "Microsoft.Compute/disks"
AVSET_TYPE = "Microsoft.Compute/availabilitySets"
OWNERSHIP_TIME = "LastOwnershipUpdateTime"  # sic: DiskRP spells this disk property with a capital L

DEFAULT_CORES_LIMIT = 350
DEFAULT_FAMILY_LIMIT = 100
DEFAULT_VM_LIMIT = 25000


def attached_vms(disk: dict[str, Any]) -> list[str]:
    return list(disk.get("_attached", []))


def attach(ctx: Ctx, disk: dict[str, Any], vm_id: str) -> None:
    vms = disk.setdefault("_attached", [])
    if vm_id.lower() not in [v.lower() for v in vms]:
        vms.append(vm_id)
        disk.setdefault("properties", {})[OWNERSHIP_TIME] = iso_offset(ctx.now)
    ctx.save(disk)


def detach(ctx: Ctx, disk: dict[str, Any], vm_id: str) -> None:
    before = len(disk.get("_attached", []))
    disk["_attached"] = [v for v in disk.get("_attached", []) if v.lower() != vm_id.lower()]
    if len(disk["_attached"]) != before:
        disk.setdefault("properties", {})[OWNERSHIP_TIME] = iso_offset(ctx.now)
    ctx.save(disk)


def power(vm: dict[str, Any] | None) -> str:
    return (vm or {}).get("_power", "running")


def quota_limit(ctx: Ctx, location: str, name: str) -> int:
    q = ctx.state["quotas"].get(location.lower(), {})
    if name in q:
        return q[name]
    if name == "cores":
        return DEFAULT_CORES_LIMIT
    if name == "virtualMachines":
        return DEFAULT_VM_LIMIT
    return DEFAULT_FAMILY_LIMIT


def usage(ctx: Ctx, sub: str, location: str, exclude: str | None = None) -> dict[str, int]:
    """vCPUs in use per quota name; deallocated VMs still count (ACD quotas.md, 2026-01-16)."""
    out: dict[str, int] = {"cores": 0, "virtualMachines": 0}
    for vm in ctx.of_type(VM_TYPE, sub=sub):
        if vm.get("location") != location.lower() or (exclude and vm["id"].lower() == exclude.lower()):
            continue
        size = lookup_size(vm["properties"].get("hardwareProfile", {}).get("vmSize", ""))
        out["virtualMachines"] += 1
        if size:
            out["cores"] += size.vcpus
            out[size.family] = out.get(size.family, 0) + size.vcpus
    return out


def check_quota(ctx: Ctx, sub: str, location: str, vm_id: str, size_name: str) -> None:
    size = lookup_size(size_name)
    if size is None:
        return
    used = usage(ctx, sub, location, exclude=vm_id)
    for name, need in ((size.family, size.vcpus), ("cores", size.vcpus), ("virtualMachines", 1)):
        limit = quota_limit(ctx, location, name)
        current = used.get(name, 0)
        if current + need > limit:
            what = "Total Regional Cores" if name == "cores" else f"{name} Cores"
            raise ArmError(409, "OperationNotAllowed",
                           f"Operation could not be completed as it results in exceeding approved {what} "
                           f"quota. Additional details - Deployment Model: Resource Manager, Location: "
                           f"{location}, Current Limit: {limit}, Current Usage: {current}, Additional "
                           f"Required: {need}, (Minimum) New Limit Required: {current + need}.")


def family_names() -> list[tuple[str, str]]:
    """(usage name, localized name) of every quota family in the catalog."""
    out = []
    for s in SERIES.values():
        out.append((s.family, f"Standard {s.name.upper() if len(s.name) < 4 else s.name} Family vCPUs"))
    return sorted(set(out))
