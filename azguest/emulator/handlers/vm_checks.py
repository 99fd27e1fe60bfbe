"""Validation of a virtual machine body against the state: size, NICs, disks, quota.

Split out of ``virtual_machines`` to keep modules small; every check raises an ArmError with the
code Azure uses (see the rules declared on the handler).
"""

from __future__ import annotations

import uuid
from typing import Any

from azguest.catalog.disks import lookup_disk_sku
from azguest.catalog.sizes import VmSize, lookup_size
from azguest.emulator import ids, lro
from azguest.emulator.context import Ctx, iso_offset
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.handlers.base import ref_id
from azguest.emulator.handlers.computeutil import DISK_TYPE, VM_TYPE, attached_vms

SHARED_START_WINDOW_KEY = "sharedDiskStart"  # profile duration: virtualmachines.shareddiskstart


def check_size(ctx: Ctx, location: str, name: str | None) -> VmSize:
    if not name:
        raise invalid("Required parameter 'hardwareProfile.vmSize' is missing (null).", "hardwareProfile.vmSize")
    size = lookup_size(name)
    restricted = ctx.state["sku_restrictions"].get(location.lower(), {}).get(name.lower())
    if size is None or restricted:
        raise ArmError(409, "SkuNotAvailable",
                       f"The requested VM size {name} is currently not available in location '{location}'. "
                       "Please try another size or deploy to a different location or different zone.",
                       "vmSize")
    return size


def check_nics(ctx: Ctx, vm_id: str, size: VmSize, props: dict[str, Any]) -> list[dict[str, Any]]:
    refs = (props.get("networkProfile") or {}).get("networkInterfaces") or []
    if not refs:
        raise invalid("At least one network interface is required (networkProfile.networkInterfaces).",
                      "networkProfile.networkInterfaces")
    if len(refs) > size.max_nics:
        raise ArmError(400, "NetworkInterfaceCountExceeded",
                       f"The number of network interfaces for virtual machine {ids.name_of(vm_id)} exceeds "
                       f"the maximum of {size.max_nics} allowed for the size {size.name}.")
    nics = []
    for ref in refs:
        nic = ctx.get(ref_id(ref))
        if nic is None:
            raise ArmError(404, "NotFound", f"Resource {ref_id(ref)} not found.", "networkInterfaces")
        owner = ref_id(nic["properties"].get("virtualMachine"))
        if owner and owner.lower() != vm_id.lower() and ctx.get(owner) is not None:
            raise ArmError(400, "NicInUse", f"Network interface {nic['id']} is already used by VM {owner}.")
        nics.append(nic)
    return nics


def check_avset(ctx: Ctx, props: dict[str, Any], existing: dict | None) -> dict[str, Any] | None:
    new = ref_id(props.get("availabilitySet"))
    if existing is not None:
        old = ref_id(existing["properties"].get("availabilitySet"))
        if (old or "").lower() != (new or "").lower():
            raise ArmError(409, "PropertyChangeNotAllowed", "Changing property 'availabilitySet.id' is not allowed.",
                           "availabilitySet.id")
    if not new:
        return None
    avset = ctx.get(new)
    if avset is None:
        raise ArmError(404, "NotFound", f"Availability set {new} was not found.", "availabilitySet")
    if ((avset.get("sku") or {}).get("name") or "Classic").lower() == "classic":  # every VM here has managed disks
        raise ArmError(400, "BadRequest",
                       "Addition of a VM with managed disks to non-managed Availability Set or addition of a VM "
                       "with blob based disks to managed Availability Set is not supported. Please create an "
                       "Availability Set with 'Aligned' SKU in order to add a VM with managed disks to it.",
                       "availabilitySet")
    return avset


def check_security(props: dict[str, Any], existing: dict | None) -> None:
    if existing is None:
        return
    new = (props.get("securityProfile") or {}).get("securityType")
    old = (existing["properties"].get("securityProfile") or {}).get("securityType")
    if new != old and new is not None:
        raise ArmError(409, "PropertyChangeNotAllowed", "Changing property 'securityProfile.securityType' is not "
                       "allowed.", "securityProfile.securityType")


# Fixed once the VM exists: (path under properties, the name ARM gives the property). A PUT or PATCH that
# changes one is 409 PropertyChangeNotAllowed "Changing property '<name>' is not allowed." with target
# <name>, ARM's short name (azure-quickstart-templates#4121: 'adminUsername'; terraform-provider-azurerm
# #16323: 'osDisk.name'; azure-powershell#7621: 'osDisk.createOption'). The REST spec documents
# adminUsername and computerName as not updatable after creation (azure-rest-api-specs#7823).
IMMUTABLE_PROPERTIES = (
    (("osProfile", "adminUsername"), "adminUsername"),
    (("osProfile", "computerName"), "computerName"),
    (("storageProfile", "osDisk", "name"), "osDisk.name"),
    (("storageProfile", "osDisk", "createOption"), "osDisk.createOption"),
)


def _at(props: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        props = props.get(key) if isinstance(props, dict) else None
    return props


def os_disk_swap(props: dict[str, Any], existing: dict | None) -> bool:
    """An update that points ``osDisk.managedDisk.id`` at another disk: Azure's OS disk swap, allowed only
    while the VM is stopped (deallocated) (ACD windows/os-disk-swap.md); the disk's name changes with it.
    Elsewhere 409 OperationNotAllowed (the code and message are the emulator's: Microsoft documents none)."""
    if existing is None:
        return False
    new = str(_at(props, ("storageProfile", "osDisk", "managedDisk", "id")) or "")
    old = str(_at(existing["properties"], ("storageProfile", "osDisk", "managedDisk", "id")) or "")
    if not new or not old or new.lower() == old.lower():
        return False
    if existing.get("_power") not in ("deallocated", "stopped"):
        raise ArmError(409, "OperationNotAllowed", "The OS disk of a VM can be swapped only while the VM is "
                       "stopped (deallocated).", "osDisk.managedDisk.id")
    return True


def check_immutable(props: dict[str, Any], existing: dict | None) -> None:
    """An update may omit these (ARM keeps them) but not change them (``osDisk.name`` changes with an OS disk
    swap)."""
    if existing is None:
        return
    swap = os_disk_swap(props, existing)
    for path, name in IMMUTABLE_PROPERTIES:
        new, old = _at(props, path), _at(existing["properties"], path)
        if new is None or old is None or (swap and name == "osDisk.name"):
            continue
        if name.startswith("osDisk"):  # ARM names and enum values compare case-insensitively
            new, old = str(new).lower(), str(old).lower()
        if new != old:
            raise ArmError(409, "PropertyChangeNotAllowed", f"Changing property '{name}' is not allowed.", name)


def _new_disk(ctx: Ctx, vm: dict[str, Any], name: str, sku: str, size_gb: int, os_type: str | None) -> dict:
    rid = f"/subscriptions/{ctx.path.subscription}/resourceGroups/{ctx.path.resource_group}" \
          f"/providers/Microsoft.Compute/disks/{name}"
    props: dict[str, Any] = {"creationData": {"createOption": "FromImage" if os_type else "Empty"},
                             "diskSizeGB": size_gb, "provisioningState": "Succeeded", "maxShares": 1,
                             "timeCreated": iso_offset(ctx.now), "uniqueId": ctx.new_id(),
                             "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
                             "networkAccessPolicy": "AllowAll", "diskSizeBytes": size_gb * 1024**3}
    if os_type:
        props["osType"] = os_type
        props["hyperVGeneration"] = "V2"
    # Implicitly created disks get the VM's tags at creation; later VM tag changes are not copied
    # (community reports; Microsoft documents no rule -- see the module docstring of virtual_machines).
    disk = {"id": rid, "name": name, "type": DISK_TYPE, "location": vm["location"], "tags": dict(vm.get("tags") or {}),
            "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
            "properties": props, "_attached": []}
    ctx.scratch.setdefault("new_disks", []).append(disk)  # saved by the VM handler once accepted
    return disk


def _pending(ctx: Ctx, disk_id: str | None) -> dict[str, Any] | None:
    for d in ctx.scratch.get("new_disks", []):
        if disk_id and d["id"].lower() == disk_id.lower():
            return d
    return None


def default_os_type(vm: dict[str, Any]) -> str:
    """Images are not modelled: a body with ``osProfile.linuxConfiguration`` is Linux, else Windows."""
    return "Linux" if "linuxConfiguration" in ((vm.get("properties") or {}).get("osProfile") or {}) else "Windows"


def _implicit_disk(ctx: Ctx, vm: dict[str, Any], kind: str, entry: dict[str, Any], md: dict[str, Any]) -> dict:
    """The disk a FromImage OS disk / Empty data disk entry stands for: the one this VM created already
    (an update PUT repeats the entry), else a new one."""
    name = entry.get("name") or (f"{vm['name']}_OsDisk_1_{uuid.uuid4().hex}" if kind == "os"
                                 else f"{vm['name']}_disk{entry.get('lun', 0) + 2}_{uuid.uuid4().hex}")
    rid = f"/subscriptions/{ctx.path.subscription}/resourceGroups/{ctx.path.resource_group}" \
          f"/providers/Microsoft.Compute/disks/{name}"
    mine = ctx.get(rid)
    if mine is not None and vm["id"].lower() in [v.lower() for v in attached_vms(mine)]:
        return mine
    sku = md.get("storageAccountType") or "Premium_LRS"
    size = entry.get("diskSizeGB") or (127 if kind == "os" else None)
    if not size:
        raise invalid("diskSizeGB is required for an Empty data disk.", "dataDisks.diskSizeGB")
    return _new_disk(ctx, vm, name, sku, size, entry.get("osType", default_os_type(vm)) if kind == "os" else None)


def resolve_disks(ctx: Ctx, vm: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(disk resource, disk entry in the VM body) for the OS disk and every data disk; creates
    FromImage / Empty disks on the fly."""
    sp = vm["properties"].setdefault("storageProfile", {})
    out = []
    os_disk = sp.get("osDisk")
    entries = ([("os", os_disk)] if os_disk else []) + [("data", d) for d in sp.get("dataDisks") or []]
    for kind, entry in entries:
        md = entry.setdefault("managedDisk", {})
        option = (entry.get("createOption") or "").lower()
        if option == "attach" or (md.get("id") and ctx.get(md["id"]) is not None) or _pending(ctx, md.get("id")):
            disk = ctx.get(md.get("id")) or _pending(ctx, md.get("id"))
            if disk is None:
                raise ArmError(404, "NotFound", f"Disk {md.get('id')} was not found.", "managedDisk.id")
        elif option in ("fromimage", "empty") and kind == ("os" if option == "fromimage" else "data"):
            disk = _implicit_disk(ctx, vm, kind, entry, md)
            entry["createOption"] = "Attach" if kind == "data" else entry.get("createOption")
        else:
            raise invalid(f"createOption '{entry.get('createOption')}' is not valid here.", "createOption")
        md["id"] = disk["id"]
        md["storageAccountType"] = disk["sku"]["name"]
        entry.setdefault("name", disk["name"])
        entry.setdefault("caching", "ReadWrite" if kind == "os" else "None")
        entry.setdefault("deleteOption", "Detach")
        if kind == "os":
            entry.setdefault("osType", disk["properties"].get("osType", "Windows"))
        else:
            entry.setdefault("toBeDetached", False)
        entry["diskSizeGB"] = disk["properties"].get("diskSizeGB")
        out.append((disk, entry))
    return out


def check_disks(ctx: Ctx, vm: dict[str, Any], size: VmSize, avset: dict | None,
                disks: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, str]:
    """Raise for what ARM refuses synchronously; return {disk id: message} of the attach conflicts
    ARM accepts and then fails as an operation (ConflictingUserInput)."""
    data = [e for _, e in disks[1:]] if disks else []
    luns = [e.get("lun") for e in data]
    if len(set(luns)) != len(luns):
        raise invalid("Data disks must use distinct LUNs.", "dataDisks.lun")
    if len(data) > size.max_data_disks:
        raise ArmError(409, "OperationNotAllowed",
                       f"The maximum number of data disks allowed to be attached to a VM of this size is "
                       f"{size.max_data_disks}.", "dataDisks")
    conflicts: dict[str, str] = {}
    for disk, entry in disks:
        message = _check_one_disk(ctx, vm, size, avset, disk, entry)
        if message:
            conflicts[disk["id"].lower()] = message
    return conflicts


def _check_one_disk(ctx: Ctx, vm: dict[str, Any], size: VmSize, avset: dict | None,
                    disk: dict[str, Any], entry: dict[str, Any]) -> str | None:
    info = lookup_disk_sku(disk["sku"]["name"])
    name = disk["name"]
    if info and info.premium and not size.premium_io:
        raise invalid(f"Requested operation cannot be performed because the VM size {size.name} does not "
                      f"support the storage account type {info.name} of disk '{name}'. Consider updating "
                      "the VM to a size that supports Premium storage.", "storageAccountType")
    if info and avset is not None and not info.availability_set_ok:
        raise invalid(f"Disk '{name}' of type {info.name} cannot be attached to a VM in an availability set.",
                      "managedDisk.storageAccountType")
    shares = disk["properties"].get("maxShares") or 1
    if shares > 1 and (entry.get("caching") or "None") != "None":
        raise ArmError(400, "BadRequest", f"Shared disk '{name}' with maxShares {shares} supports only Disk "
                       "CachingType 'None'.", "caching")
    if shares > 1 and (entry.get("deleteOption") or "").lower() == "delete":
        raise invalid(f"Disk '{name}' is a shared disk (maxShares {shares}): its deleteOption cannot be 'Delete'; "
                      "leave it empty or set 'Detach'.", "deleteOption")
    others = [v for v in attached_vms(disk) if v.lower() != vm["id"].lower() and ctx.get(v) is not None]
    if others and shares <= 1:
        return (f"Cannot attach data disk '{name}' to VM '{vm['name']}' because the disk is already owned by VM "
                f"'{others[0]}'.")
    if len(others) + 1 > shares:
        return (f"Cannot attach disk '{name}' to VM '{vm['name']}': the disk has maxShares {shares} and is already "
                f"attached to {len(others)} VMs.")
    return None


def check_shared_start(ctx: Ctx, vm_id: str, disk_ids: list[str]) -> None:
    """Two VMs that share a disk cannot start at the same moment: refuse a start (or create, which starts
    the VM) while another VM holding one of its shared disks is inside its own start window (the first
    ``virtualmachines.shareddiskstart`` Azure seconds of its create/start operation)."""
    window = ctx.engine.profile.latency.seconds(VM_TYPE, SHARED_START_WINDOW_KEY)
    for disk_id in disk_ids:
        disk = ctx.get(disk_id)
        if disk is None or (disk["properties"].get("maxShares") or 1) <= 1:
            continue
        for other in attached_vms(disk):
            if other.lower() == vm_id.lower():
                continue
            for op in lro.in_flight(ctx, other, ("create", "start")):
                if ctx.now < op["started"] + window:
                    raise ArmError(409, "OperationNotAllowed", "Resource is being used by another operation: "
                                   f"VM '{ids.name_of(other)}' sharing disk '{disk['name']}' is starting.")
