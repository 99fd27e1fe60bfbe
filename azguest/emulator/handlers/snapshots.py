"""Microsoft.Compute/snapshots: full and incremental copies of a disk (or of a snapshot),
``networkAccessPolicy``. PUT 202 + Location (poll 202, then 200 with the snapshot); pending state
``Updating`` for a create too, as DiskRP reports it.

Not implemented: CopyStart across regions, completionPercent < 100, SAS access, the 500-per-disk and
7-per-5-minutes incremental limits, 4 TB diff-chain breaks.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx, iso_offset
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.guest import content
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.registry import Op, Rule, register

_POLICIES = ("AllowAll", "AllowPrivate", "DenyAll")
_SKUS = ("Standard_LRS", "Premium_LRS", "Standard_ZRS")


@register
class Snapshots(Handler):
    arm_type = "Microsoft.Compute/snapshots"
    put_style = "location"
    pending_states = {"create": "Updating", "update": "Updating"}  # DiskRP answers a create with Updating
    operations = (
        Op("PUT", "", (202, 200), "Location", "create; poll 202 then 200 with the snapshot"),
        Op("GET", "", (200,)),
        Op("DELETE", "", (202, 204), "Location"),
        Op("GET", "s", (200,), summary="list in group / subscription"),
    )
    rules = (
        Rule(400, "InvalidParameter", "creationData.createOption must be Copy (or Empty/Import) here"),
        Rule(404, "NotFound", "the source disk or snapshot must exist"),
        Rule(400, "InvalidParameter", "networkAccessPolicy must be AllowAll, AllowPrivate or DenyAll"),
        Rule(409, "PropertyChangeNotAllowed", "incremental / source cannot change on an existing snapshot"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        if existing:
            old = existing["properties"]
            for k in ("incremental", "creationData"):
                if k in props and props[k] != old.get(k) and not (k == "creationData" and
                                                                  _same_source(props[k], old.get(k))):
                    raise ArmError(409, "PropertyChangeNotAllowed", f"Changing property '{k}' is not allowed.", k)
            for k in ("creationData", "incremental", "diskSizeGB", "timeCreated", "uniqueId", "osType"):
                if k in old:
                    props[k] = old[k]
        else:
            self._source(ctx, props)
            res[content.KEY] = content.capture(ctx, ctx.get((props.get("creationData") or {}).get("sourceResourceId")))
        sku = (res.get("sku") or {}).get("name") or "Standard_LRS"
        if sku not in _SKUS:
            raise invalid(f"Snapshot sku '{sku}' is not supported.", "sku.name")
        res["sku"] = {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"}
        props.setdefault("incremental", False)
        policy = props.setdefault("networkAccessPolicy", "AllowAll")
        if policy not in _POLICIES:
            raise invalid(f"networkAccessPolicy '{policy}' is invalid.", "networkAccessPolicy")
        props.setdefault("publicNetworkAccess", "Enabled")
        props.setdefault("encryption", {"type": "EncryptionAtRestWithPlatformKey"})
        props.setdefault("timeCreated", iso_offset(ctx.now))
        props.setdefault("uniqueId", ctx.new_id())
        props["diskState"] = "Unattached"
        props["completionPercent"] = 100.0
        props["diskSizeBytes"] = int(props.get("diskSizeGB") or 0) * 1024**3
        return res

    def _source(self, ctx: Ctx, props: dict[str, Any]) -> None:
        cd = props.get("creationData") or {}
        option = (cd.get("createOption") or "").lower()
        if option != "copy":
            if option in ("empty", "import", "upload"):
                return
            raise invalid(f"createOption '{cd.get('createOption')}' is not supported for snapshots.",
                          "creationData.createOption")
        src = ctx.get(cd.get("sourceResourceId"))
        if src is None or src["type"].lower() not in ("microsoft.compute/disks", "microsoft.compute/snapshots"):
            raise ArmError(404, "NotFound", f"Resource {cd.get('sourceResourceId')} is not found.",
                           "sourceResourceId")
        sp = src["properties"]
        cd["sourceUniqueId"] = sp.get("uniqueId")
        props["creationData"] = cd
        props["diskSizeGB"] = sp.get("diskSizeGB")
        for k in ("osType", "hyperVGeneration"):
            if sp.get(k):
                props.setdefault(k, sp[k])


def _same_source(a: Any, b: Any) -> bool:
    a, b = a or {}, b or {}
    return (a.get("sourceResourceId") or "").lower() == (b.get("sourceResourceId") or "").lower() and \
        (a.get("createOption") or "").lower() == (b.get("createOption") or "").lower()
