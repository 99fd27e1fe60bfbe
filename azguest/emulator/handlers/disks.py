"""Microsoft.Compute/disks: PUT 202 + Location (poll 202 until done, then 200 with the disk); the
pending ``provisioningState`` is ``Updating`` for a create too, as DiskRP reports it. Times
(``timeCreated``, ``LastOwnershipUpdateTime`` when a VM attaches or detaches it) end in ``+00:00``.

``maxShares`` is checked against the tier limits in ``azguest.catalog.disks`` (400 BadRequest, as
ARM answers: terraform-provider-azurerm#13584); resizing a disk attached to a VM that is not
deallocated is 409 Conflict (AZD troubleshooting/error-messages.md), unless Azure expands it online:
a non-shared data disk, within ``azguest.catalog.disk_expand`` (ACD expand-without-downtime
restrictions; the VM's ``dataDisks[].diskSizeGB`` shows the new size after its next PUT); ``diskState``
(Unattached / Attached / Reserved), ``managedBy``, ``managedByExtended`` and ``shareInfo`` follow
the VMs that attach the disk. Creation: Empty, Copy (from a snapshot or disk) and Restore (from a
disk restore point). Not implemented: Import/Upload, disk access / encryption sets, bursting,
performance tiers, grant/revoke access (SAS), zones, resize rules beyond "no shrink".
"""

from __future__ import annotations

import math
from typing import Any

from azguest.catalog.disk_expand import online_refusal
from azguest.catalog.disks import MAX_DISK_SIZE_GIB, lookup_disk_sku, max_shares_limit, tier_for
from azguest.emulator.context import Ctx, iso_offset, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.guest import content
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.handlers.computeutil import DISK_TYPE, OWNERSHIP_TIME, attached_vms, power
from azguest.emulator.registry import Op, Rule, register

_SOURCE_TYPES = {
    "copy": ("microsoft.compute/snapshots", "microsoft.compute/disks"),
    "restore": ("microsoft.compute/restorepointcollections/restorepoints/diskrestorepoints",),
}


def disk_state(ctx: Ctx, disk: dict[str, Any]) -> str:
    vms = [ctx.get(v) for v in attached_vms(disk)]
    vms = [v for v in vms if v is not None]
    if not vms:
        return "Unattached"
    if all(power(v) == "deallocated" for v in vms):
        return "Reserved"
    return "Attached"


def source_size(ctx: Ctx, option: str, src_id: str | None) -> tuple[dict[str, Any], int]:
    src = ctx.get(src_id)
    allowed = _SOURCE_TYPES[option]
    if src is None or src["type"].lower() not in allowed:
        raise ArmError(404, "NotFound", f"Resource {src_id} is not found.", "sourceResourceId")
    size = src["properties"].get("diskSizeGB") or src.get("_size_gb") or 0
    return src, int(size)


def _is_os_disk(ctx: Ctx, disk: dict[str, Any]) -> bool:
    """An OS disk: made from an image (``osType``), or the ``osDisk`` of a VM that holds it."""
    return bool(disk["properties"].get("osType")) or content.os_disk_vm(ctx, disk) is not None


@register
class Disks(Handler):
    arm_type = DISK_TYPE
    put_style = "location"
    pending_states = {"create": "Updating", "update": "Updating"}  # DiskRP answers a create with Updating
    operations = (
        Op("PUT", "", (202, 200), "Location", "create/update; poll 202 then 200 with the disk"),
        Op("PATCH", "", (200,), summary="update (synchronous here)"),
        Op("GET", "", (200,)),
        Op("DELETE", "", (202, 204), "Location"),
        Op("GET", "s", (200,), summary="list in group / subscription"),
    )
    rules = (
        Rule(400, "InvalidParameter", "sku.name must be a managed disk SKU"),
        Rule(400, "BadRequest", "maxShares must not exceed the tier limit (catalog.disks; Standard HDD: 1)"),
        Rule(400, "InvalidParameter", "Empty disks need diskSizeGB 1-32767; Copy/Restore cannot shrink the source"),
        Rule(404, "NotFound", "Copy needs an existing snapshot/disk, Restore an existing disk restore point"),
        Rule(409, "OperationNotAllowed", "maxShares or SKU cannot change while the disk is attached"),
        Rule(409, "Conflict", "an attached disk is resized only while its VMs are deallocated, except the online "
             "expand of a non-shared data disk (catalog.disk_expand: not an OS disk, not across 4 TiB for "
             "Standard/Premium SSD and Standard HDD)"),
        Rule(409, "PropertyChangeNotAllowed", "creationData cannot change after creation"),
        Rule(409, "OperationNotAllowed", "an attached disk cannot be deleted"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        res["sku"] = {"name": (res.get("sku") or {}).get("name") or "Standard_LRS"}
        info = lookup_disk_sku(res["sku"]["name"])
        if info is None:
            raise invalid(f"Disk sku '{res['sku']['name']}' is not supported.", "sku.name")
        res["sku"] = {"name": info.name, "tier": "Premium" if info.premium else "Standard"}
        props = res["properties"]
        for k in ("diskState", "managedByExtended", "shareInfo", "timeCreated", "uniqueId", "diskSizeBytes",
                  OWNERSHIP_TIME):
            props.pop(k, None)
        res.pop("managedBy", None)
        res.pop("managedByExtended", None)
        if existing:
            self._check_update(ctx, existing, res)
        else:
            content.seed_disk(ctx, res, content.capture(ctx, self._creation(ctx, props)))
        size = props.get("diskSizeGB")
        if not isinstance(size, int) or not 1 <= size <= MAX_DISK_SIZE_GIB:
            raise invalid(f"Disk size {size} GB is invalid: it must be between 1 and {MAX_DISK_SIZE_GIB}.",
                          "diskSizeGB")
        shares = props.setdefault("maxShares", 1) or 1
        limit = max_shares_limit(info.name, size)
        if shares > limit:
            raise ArmError(400, "BadRequest", f"MaxShares '{shares}' for disk '{res['name']}' of size '{size}' GB "
                           f"is invalid (sku {info.name}: at most {limit}).", "maxShares")
        tier = tier_for(info.name, size)
        if tier:
            props["tier"] = tier.tier
        props["diskSizeBytes"] = size * 1024**3
        props.setdefault("encryption", {"type": "EncryptionAtRestWithPlatformKey"})
        props.setdefault("networkAccessPolicy", "AllowAll")
        props.setdefault("publicNetworkAccess", "Enabled")
        old = (existing or {}).get("properties", {})
        props["timeCreated"] = old.get("timeCreated") or iso_offset(ctx.now)
        props["uniqueId"] = old.get("uniqueId") or ctx.new_id()
        if old.get(OWNERSHIP_TIME):
            props[OWNERSHIP_TIME] = old[OWNERSHIP_TIME]
        res["_attached"] = list((existing or {}).get("_attached", []))
        return res

    def _creation(self, ctx: Ctx, props: dict[str, Any]) -> dict[str, Any] | None:
        """Checks the creation; returns the source of a Copy / Restore (its content goes to the disk)."""
        cd = props.get("creationData") or {}
        src = None
        option = (cd.get("createOption") or "").lower()
        if not option:
            raise invalid("Required parameter 'creationData.createOption' is missing (null).",
                          "creationData.createOption")
        if option in _SOURCE_TYPES:
            src, size = source_size(ctx, option, cd.get("sourceResourceId"))
            requested = props.get("diskSizeGB") or size
            if requested < size:
                raise invalid(f"New disk size {requested} GB cannot be smaller than the source ({size} GB).",
                              "diskSizeGB")
            props["diskSizeGB"] = requested
            cd["sourceUniqueId"] = src["properties"].get("uniqueId") or src.get("_unique_id", "")
            for k in ("osType", "hyperVGeneration"):
                if src["properties"].get(k) and k not in props:
                    props[k] = src["properties"][k]
        elif option not in ("empty", "fromimage", "import", "upload", "attach"):
            raise invalid(f"createOption '{cd.get('createOption')}' is not supported.", "creationData.createOption")
        elif option == "fromimage" and not props.get("diskSizeGB"):
            props["diskSizeGB"] = 127
        props["creationData"] = cd
        return src

    def _check_update(self, ctx: Ctx, old: dict[str, Any], new: dict[str, Any]) -> None:
        op, np_ = old["properties"], new["properties"]
        np_.setdefault("creationData", op.get("creationData"))
        np_.setdefault("diskSizeGB", op.get("diskSizeGB"))
        if (np_.get("creationData") or {}).get("createOption", "").lower() != \
                (op.get("creationData") or {}).get("createOption", "").lower():
            raise ArmError(409, "PropertyChangeNotAllowed", "Changing property 'creationData' is not allowed.",
                           "creationData")
        if np_["diskSizeGB"] < op.get("diskSizeGB", 0):
            raise invalid("Disk size cannot be reduced.", "diskSizeGB")
        if not attached_vms(old):
            return
        for label, a, b in (("maxShares", op.get("maxShares", 1), np_.get("maxShares", op.get("maxShares", 1))),
                            ("sku", old["sku"]["name"], new["sku"]["name"])):
            if a != b:
                raise ArmError(409, "OperationNotAllowed",
                               f"Changing '{label}' of disk {old['name']} is not allowed while it is attached "
                               f"to a VM. Detach it from all VMs first.", label)
        if np_["diskSizeGB"] != op.get("diskSizeGB") and disk_state(ctx, old) == "Attached":
            # Azure expands an attached non-shared data disk online, within catalog.disk_expand's conditions
            reason = online_refusal(old["sku"]["name"], op.get("diskSizeGB", 0), np_["diskSizeGB"],
                                    shared=(op.get("maxShares") or 1) > 1, os_disk=_is_os_disk(ctx, old))
            if reason:
                raise ArmError(409, "Conflict",
                               "Disk resizing is allowed only when creating a VM or when the VM is deallocated.")

    def check_delete(self, ctx: Ctx, res: dict[str, Any]) -> None:
        vms = [v for v in attached_vms(res) if ctx.get(v) is not None]
        if vms:
            raise ArmError(409, "OperationNotAllowed",
                           f"Disk {res['name']} is attached to VM {vms[0]}.")

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        props = out["properties"]
        vms = [v for v in attached_vms(res) if ctx.get(v) is not None]
        props["diskState"] = disk_state(ctx, res)
        shared = (props.get("maxShares") or 1) > 1
        if vms:
            out["managedBy"] = vms[0]
            if shared:
                out["managedByExtended"] = vms
        if shared:
            props["shareInfo"] = [{"vmUri": v} for v in vms]
        size = props.get("diskSizeGB") or 0
        props.setdefault("diskIOPSReadWrite", min(20000, max(120, int(math.ceil(size * 5)))))
        props.setdefault("diskMBpsReadWrite", min(900, max(25, size // 4)))
        return out
