"""Resource kinds as data: ARM type, SDK operations, immutable fields, destroy order.

The planner and the executor stay generic: they look a kind up here and call :func:`put`,
:func:`delete` and :func:`list_in_group`. A new Azure resource type is one new row.
Types without a management SDK in azguest's stack (DevTest Labs schedules) go through the generic
``resources`` API by id with an explicit api-version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    key: str  # short name used in plans and progress ("vm", "disk", ...)
    arm_type: str  # ARM resource type
    client: str  # AzureSession attribute: compute | network | storage | resource
    ops: str  # operations group on that client, e.g. "virtual_machines"
    put: str  # create/update method name
    put_lro: bool  # put returns a poller
    delete: str  # delete method name
    delete_lro: bool
    list_in_group: str | None  # list-by-resource-group method; None = generic resources list
    delete_rank: int  # destroy order: lower ranks are deleted first
    immutable: tuple[tuple[str, str], ...] = ()  # (wire path, what to do instead) Azure refuses to change
    generic_api_version: str | None = None  # set for types driven through the generic resources API
    backup: bool = False  # a backup artefact: destroy keeps it unless --with-backups
    get: str = "get"  # read method name


_VM_IMMUTABLE = (
    ("properties.availabilitySet.id", "a VM's availability set is fixed at creation: destroy the VM and re-run"),
    ("zones", "a VM's zone is fixed at creation: destroy the VM and re-run"),
    ("properties.storageProfile.osDisk.name", "the OS disk is fixed: destroy the VM and re-run"),
    ("properties.osProfile.computerName", "the computer name is fixed: destroy the VM and re-run"),
)
_DISK_IMMUTABLE = (
    ("properties.maxShares", "maxShares changes only while the disk is detached: deallocate the nodes, "
     "detach the disk (or destroy the lab) and re-run"),
    ("properties.creationData.createOption", "a disk's creation source is fixed: destroy it and re-run"),
    ("properties.diskSizeGB", "an attached disk is not resized in place: for S2D add disks of the same size; "
     "for shared disks deallocate every node first (Azure requires it)"),
    ("sku.name", "an attached disk's SKU changes only while detached or its VM is deallocated"),
)

KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("resourceGroup", "Microsoft.Resources/resourceGroups", "resource", "resource_groups",
             "create_or_update", False, "begin_delete", True, None, 90),
        Kind("schedule", "Microsoft.DevTestLab/schedules", "resource", "resources",
             "begin_create_or_update_by_id", True, "begin_delete_by_id", True, None, 10,
             generic_api_version="2018-09-15", get="get_by_id"),
        Kind("vm", "Microsoft.Compute/virtualMachines", "compute", "virtual_machines",
             "begin_create_or_update", True, "begin_delete", True, "list", 20,
             _VM_IMMUTABLE),
        Kind("disk", "Microsoft.Compute/disks", "compute", "disks", "begin_create_or_update", True,
             "begin_delete", True, "list_by_resource_group", 30, _DISK_IMMUTABLE),
        Kind("snapshot", "Microsoft.Compute/snapshots", "compute", "snapshots", "begin_create_or_update", True,
             "begin_delete", True, "list_by_resource_group", 30, backup=True),
        Kind("nic", "Microsoft.Network/networkInterfaces", "network", "network_interfaces",
             "begin_create_or_update", True, "begin_delete", True, "list", 40),
        Kind("availabilitySet", "Microsoft.Compute/availabilitySets", "compute", "availability_sets",
             "create_or_update", False, "delete", False, "list", 50,
             (("properties.platformFaultDomainCount", "fault domains are fixed: destroy the set and re-run"),)),
        Kind("storageAccount", "Microsoft.Storage/storageAccounts", "storage", "storage_accounts",
             "begin_create", True, "delete", False, "list_by_resource_group", 50,
             get="get_properties"),
        Kind("publicIp", "Microsoft.Network/publicIPAddresses", "network", "public_ip_addresses",
             "begin_create_or_update", True, "begin_delete", True, "list", 45),
        Kind("vnet", "Microsoft.Network/virtualNetworks", "network", "virtual_networks",
             "begin_create_or_update", True, "begin_delete", True, "list", 60,
             (("properties.addressSpace.addressPrefixes", "the address space of a VNet in use can't shrink: "
               "destroy the lab and re-run"),)),
        Kind("nsg", "Microsoft.Network/networkSecurityGroups", "network", "network_security_groups",
             "begin_create_or_update", True, "begin_delete", True, "list", 70),
        Kind("restorePointCollection", "Microsoft.Compute/restorePointCollections", "compute",
             "restore_point_collections", "create_or_update", False, "begin_delete", True, "list", 15,
             backup=True),
    )
}
KIND_BY_TYPE: dict[str, Kind] = {k.arm_type.lower(): k for k in KINDS.values()}


def kind_of(arm_type: str) -> Kind | None:
    return KIND_BY_TYPE.get(arm_type.lower())


def _ops(session: Any, kind: Kind) -> Any:
    return getattr(getattr(session, kind.client), kind.ops)


def _plain(result: Any) -> dict:
    if result is None:
        return {}
    return result.as_dict() if hasattr(result, "as_dict") else dict(result)


def put(session: Any, kind: Kind, resource_group: str, name: str, arm_id: str, body: dict) -> dict:
    """Create or update one resource and wait for it; returns the resource as wire JSON."""
    fn = getattr(_ops(session, kind), kind.put)
    if kind.generic_api_version:
        result = fn(arm_id, body, api_version=kind.generic_api_version)
    elif kind.key == "resourceGroup":
        result = fn(name, body)
    else:
        result = fn(resource_group, name, body)
    return _plain(result.result() if kind.put_lro else result)


def get(session: Any, kind: Kind, resource_group: str, name: str, arm_id: str) -> dict:
    """Read one resource as wire JSON (raises the SDK's ResourceNotFoundError when absent)."""
    fn = getattr(_ops(session, kind), kind.get)
    if kind.generic_api_version:
        return _plain(fn(arm_id, api_version=kind.generic_api_version))
    if kind.key == "resourceGroup":
        return _plain(fn(name))
    return _plain(fn(resource_group, name))


def delete(session: Any, kind: Kind, resource_group: str, name: str, arm_id: str) -> None:
    """Delete one resource and wait until it is gone."""
    fn = getattr(_ops(session, kind), kind.delete)
    if kind.generic_api_version:
        result = fn(arm_id, api_version=kind.generic_api_version)
    elif kind.key == "resourceGroup":
        result = fn(name)
    else:
        result = fn(resource_group, name)
    if kind.delete_lro:
        result.result()


def list_in_group(session: Any, kind: Kind, resource_group: str) -> list[dict]:
    """Every resource of this kind in the group, as wire JSON (one list call, paged by the SDK)."""
    if kind.list_in_group is None:
        flt = f"resourceType eq '{kind.arm_type}'"
        items = session.resource.resources.list_by_resource_group(resource_group, filter=flt)
    else:
        items = getattr(_ops(session, kind), kind.list_in_group)(resource_group)
    return [_plain(i) for i in items]


def list_tagged(session: Any, tag: str, value: str | None = None) -> list[dict]:
    """Every resource in the subscription carrying a tag (ARM's tag filter; one paged call)."""
    flt = f"tagName eq '{tag}'" + (f" and tagValue eq '{value}'" if value is not None else "")
    return [_plain(i) for i in session.resource.resources.list(filter=flt)]


def list_tagged_groups(session: Any, tag: str, value: str | None = None) -> list[dict]:
    flt = f"tagName eq '{tag}'" + (f" and tagValue eq '{value}'" if value is not None else "")
    return [_plain(i) for i in session.resource.resource_groups.list(filter=flt)]
