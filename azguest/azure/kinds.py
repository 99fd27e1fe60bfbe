"""Resource kinds as data: ARM type, SDK operations, parents, actions, immutable fields, destroy order.

The planner and the executor stay generic: they look a kind up here and call :func:`put`, :func:`get`,
:func:`delete`, :func:`action`, :func:`list_in_group` and :func:`list_children`, all addressed by ARM id.
A new Azure type is one new row. A child resource (``virtualMachines/{vm}/runCommands/{name}``) names its
parent kind; its SDK calls take the group, then every name from the parent down (:meth:`Kind.args`).
Types without a management SDK in azguest's stack (DevTest Labs schedules) go through the generic
``resources`` API by id with an explicit api-version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.azure import wire
from azguest.azure.ids import GROUP_TYPE, ArmId
from azguest.azure.wire import plain

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession


@dataclass(frozen=True)
class Kind:
    key: str  # short name used in plans and progress ("vm", "disk", ...)
    arm_type: str  # full ARM resource type, child segments included
    client: str  # AzureSession attribute: compute | network | storage | resource
    ops: str  # operations group on that client, e.g. "virtual_machines"
    put: str  # create/update method name
    put_lro: bool  # put returns a poller
    delete: str  # delete method name
    delete_lro: bool
    list_in_group: str | None  # list-by-resource-group method; None = generic resources list (or a child)
    delete_rank: int  # destroy order: lower ranks are deleted first
    immutable: tuple[tuple[str, str], ...] = ()  # (wire path, what to do instead) Azure refuses to change
    generic_api_version: str | None = None  # set for types driven through the generic resources API
    backup: bool = False  # a backup artefact: destroy keeps it unless --with-backups
    get: str = "get"  # read method name
    parent: str | None = None  # key of the parent kind: a child resource, addressed under its parent
    list_children: str | None = None  # list under one parent: method(rg, *parent names)
    children_via: str | None = None  # no list API: read with the parent's GET, $expand=<this>
    tagged: bool = True  # False: a proxy resource without tags; ownership follows its parent
    write_once: bool = False  # Azure refuses any update: once it exists (Succeeded) it is done
    actions: tuple[tuple[str, str], ...] = ()  # POST actions (LROs): (name, SDK method)

    @property
    def is_child(self) -> bool:
        return self.parent is not None

    @property
    def generic_list(self) -> bool:
        """Listed through ARM's generic resources list, which returns no properties."""
        return self.list_in_group is None and not self.is_child and self.arm_type != GROUP_TYPE

    def arm_id(self, subscription: str, resource_group: str, name: str = "") -> ArmId:
        """The id of the resource named ``name``; a child's name is ARM's full name, parent first
        (``"vm1/rc1"``, as in ARM templates). A resource group's id ignores ``name``."""
        if self.arm_type == GROUP_TYPE:
            return ArmId.for_group(subscription, resource_group)
        return ArmId.build(subscription, resource_group, self.arm_type, *name.split("/"))

    def args(self, arm_id: ArmId | str) -> tuple[str, ...]:
        """The SDK method's positional arguments for this resource (before any body): the group, then
        every name from the top-level parent down; the id itself for the generic resources API."""
        rid = arm_id if isinstance(arm_id, ArmId) else ArmId.parse(arm_id)
        if rid.arm_type.lower() != self.arm_type.lower():
            raise ValueError(f"{rid} is not a {self.arm_type}")
        if self.generic_api_version:
            return (str(rid),)
        if self.arm_type == GROUP_TYPE:
            return (str(rid.resource_group),)
        return (str(rid.resource_group), *rid.names)

    def action_method(self, action: str) -> str:
        for name, method in self.actions:
            if name == action:
                return method
        raise ValueError(f"{self.key} has no action {action!r} (has: {', '.join(n for n, _ in self.actions)})")


_VM_ACTIONS = (("start", "begin_start"), ("deallocate", "begin_deallocate"), ("power_off", "begin_power_off"),
               ("restart", "begin_restart"), ("run_command", "begin_run_command"))
_VM_IMMUTABLE = (
    ("properties.availabilitySet.id", "a VM's availability set is fixed at creation: destroy the VM and re-run"),
    ("zones", "a VM's zone is fixed at creation: destroy the VM and re-run"),
    ("properties.storageProfile.osDisk.name", "the OS disk is fixed: destroy the VM and re-run"),
    ("properties.storageProfile.osDisk.createOption", "the OS disk is fixed: destroy the VM and re-run"),
    ("properties.storageProfile.osDisk.diskSizeGB", "an OS disk grows only while its VM is deallocated (Azure "
     "expands data disks online, never the OS disk): deallocate the VM, re-run deploy, then start it"),
    ("properties.storageProfile.osDisk.managedDisk.storageAccountType", "an OS disk's SKU changes only while its "
     "VM is deallocated: deallocate the VM, re-run deploy, then start it"),
    ("properties.storageProfile.imageReference", "the image is fixed when the VM is created: destroy the VM and "
     "re-run"),
    ("properties.osProfile.computerName", "the computer name is fixed when the VM is created (Azure: "
     "PropertyChangeNotAllowed): keep the name, or destroy the VM and re-run"),
    ("properties.osProfile.adminUsername", "the admin username is fixed when the VM is created (Azure: "
     "PropertyChangeNotAllowed): keep admin.username as deployed, or destroy the lab and re-run (a new "
     "local account is made inside the guest, not by Azure)"),
)
_DISK_IMMUTABLE = (
    ("properties.maxShares", "maxShares changes only while the disk is detached: deallocate the nodes, "
     "detach the disk (or destroy the lab) and re-run"),
    ("properties.creationData.createOption", "a disk's creation source is fixed: destroy it and re-run"),
    # A bigger size is an update where Azure grows the disk in place; plan.protect.resize_refusal gives the
    # advice when it does not (shrinking, shared and running, past 4 TiB online: catalog.disk_expand).
    ("properties.diskSizeGB", "Azure does not resize this disk where it stands: deallocate its VMs first"),
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
             _VM_IMMUTABLE, actions=_VM_ACTIONS),
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
        Kind("runCommand", "Microsoft.Compute/virtualMachines/runCommands", "compute",
             "virtual_machine_run_commands", "begin_create_or_update", True, "begin_delete", True, None, 18,
             get="get_by_virtual_machine", parent="vm", list_children="list_by_virtual_machine"),
        Kind("restorePoint", "Microsoft.Compute/restorePointCollections/restorePoints", "compute",
             "restore_points", "begin_create", True, "begin_delete", True, None, 14, backup=True,
             parent="restorePointCollection", children_via="restorePoints", tagged=False, write_once=True),
    )
}
KIND_BY_TYPE: dict[str, Kind] = {k.arm_type.lower(): k for k in KINDS.values()}
CHILD_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS.values() if k.is_child)


def kind_of(arm_type: str) -> Kind | None:
    return KIND_BY_TYPE.get(arm_type.lower())


def _ops(session: AzureSession, kind: Kind) -> Any:
    return getattr(session.client(kind.client), kind.ops)


def _api(kind: Kind) -> dict[str, str]:
    return {"api_version": kind.generic_api_version} if kind.generic_api_version else {}


def put(session: AzureSession, kind: Kind, arm_id: ArmId | str, body: dict) -> dict:
    """Create or update one resource and wait for it; returns the resource as wire JSON."""
    result = getattr(_ops(session, kind), kind.put)(*kind.args(arm_id), body, **_api(kind))
    return wire.lro_result(result) if kind.put_lro else plain(result)


def get(session: AzureSession, kind: Kind, arm_id: ArmId | str, *, expand: str | None = None) -> dict:
    """Read one resource as wire JSON (raises the SDK's ResourceNotFoundError when absent)."""
    kw = {"expand": expand} if expand else {}
    return wire.get(session, kind.client, kind.ops, kind.get, *kind.args(arm_id), **_api(kind), **kw)


def delete(session: AzureSession, kind: Kind, arm_id: ArmId | str) -> None:
    """Delete one resource and wait until it is gone."""
    result = getattr(_ops(session, kind), kind.delete)(*kind.args(arm_id), **_api(kind))
    if kind.delete_lro:
        result.result()


def action(session: AzureSession, kind: Kind, arm_id: ArmId | str, name: str, body: dict | None = None,
           **options: Any) -> dict:
    """Run a POST action (``start``, ``deallocate``, ``power_off``, ``restart``, ``run_command``) and wait
    for its long-running operation; returns the final body as wire JSON ({} for actions without one)."""
    fn = getattr(_ops(session, kind), kind.action_method(name))
    args = kind.args(arm_id) + ((body,) if body is not None else ())
    return plain(fn(*args, **options).result())


def list_in_group(session: AzureSession, kind: Kind, resource_group: str, *, expand: str | None = None
                  ) -> list[dict]:
    """Every top-level resource of this kind in the group, as wire JSON (one list call, paged by the SDK)."""
    if kind.is_child:
        raise ValueError(f"{kind.key} is a child resource: use list_children")
    if kind.list_in_group is None:
        flt = f"resourceType eq '{kind.arm_type}'"
        return wire.list_all(session, "resource", "resources", "list_by_resource_group", resource_group, filter=flt)
    kw = {"expand": expand} if expand else {}
    return wire.list_all(session, kind.client, kind.ops, kind.list_in_group, resource_group, **kw)


def list_children(session: AzureSession, kind: Kind, parent_id: ArmId | str, *, expand: str | None = None
                  ) -> list[dict]:
    """Every resource of child kind ``kind`` under one parent, as wire JSON: one list call (``expand``: e.g.
    run commands' ``instanceView``), or one GET of the parent with ``$expand`` for types without a list API
    (restore points)."""
    parent = KINDS[str(kind.parent)]
    if kind.children_via:
        body = get(session, parent, parent_id, expand=kind.children_via)
        return list((body.get("properties") or {}).get(kind.children_via) or [])
    kw = {"expand": expand} if expand else {}
    return wire.list_all(session, kind.client, kind.ops, str(kind.list_children), *parent.args(parent_id), **kw)


def list_group_resources(session: AzureSession, resource_group: str) -> list[dict]:
    """Every top-level resource in a group, any type or tag (ARM's generic list; no properties)."""
    return wire.list_all(session, "resource", "resources", "list_by_resource_group", resource_group)


def _tag_filter(tag: str, value: str | None) -> str:
    return f"tagName eq '{tag}'" + (f" and tagValue eq '{value}'" if value is not None else "")


def list_tagged(session: AzureSession, tag: str, value: str | None = None) -> list[dict]:
    """Every resource in the subscription carrying a tag (ARM's tag filter; one paged call)."""
    return wire.list_all(session, "resource", "resources", "list", filter=_tag_filter(tag, value))


def list_tagged_groups(session: AzureSession, tag: str, value: str | None = None) -> list[dict]:
    return wire.list_all(session, "resource", "resource_groups", "list", filter=_tag_filter(tag, value))
