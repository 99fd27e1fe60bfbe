"""Microsoft.Compute/restorePointCollections/restorePoints (PUT 201 + Azure-AsyncOperation;
DELETE 202 + Location) and their read-only children ``diskRestorePoints`` (GET, list).

Enforced: a shared disk (maxShares > 1) attached to the VM must be listed in ``excludeDisks``;
no concurrent restore point creation per VM; consistencyMode values. Disk restore points are
created when the operation succeeds, one per included disk, and can source ``createOption:
Restore`` disks. Not implemented: the 3-PUT-per-hour throttle and minimum intervals, the
500-per-VM limit, cross-region copies, instant access, SAS (beginGetAccess).
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx, Reply, iso_offset, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.registry import Op, Rule, register

RP_TYPE = "Microsoft.Compute/restorePointCollections/restorePoints"
DRP_TYPE = "Microsoft.Compute/restorePointCollections/restorePoints/diskRestorePoints"
_MODES = ("CrashConsistent", "FileSystemConsistent", "ApplicationConsistent")


def _disk_entries(vm: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    sp = vm["properties"].get("storageProfile") or {}
    out = [("os", sp["osDisk"])] if sp.get("osDisk") else []
    return out + [("data", d) for d in sp.get("dataDisks") or []]


@register
class RestorePoints(Handler):
    arm_type = RP_TYPE
    scope = "child"
    put_style = "async"
    requires_location = False
    operations = (
        Op("PUT", "", (201,), "Azure-AsyncOperation", "create; disk restore points appear when done"),
        Op("GET", "", (200,), summary="$expand=instanceView"),
        Op("DELETE", "", (202, 204), "Location"),
    )
    rules = (
        Rule(404, "ParentResourceNotFound", "the collection must exist"),
        Rule(409, "OperationNotAllowed", "a shared disk attached to the VM must be listed in excludeDisks"),
        Rule(409, "Conflict", "no concurrent restore point creation for one VM"),
        Rule(409, "Conflict", "an existing restore point cannot be updated"),
        Rule(400, "InvalidParameter", "consistencyMode must be CrashConsistent, FileSystemConsistent or "
             "ApplicationConsistent"),
    )

    def put(self, ctx: Ctx) -> Reply:
        self.require_parent(ctx)
        if ctx.get(ctx.path.resource_id()) is not None:
            raise ArmError(409, "Conflict", "Restore point already exists and cannot be updated.")
        return super().put(ctx)

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        res.pop("tags", None)  # a restore point is a proxy resource: no tags, no location
        coll = ctx.get(ctx.path.parent_id())
        vm = ctx.get(ref_id(coll["properties"].get("source")))
        if vm is None:
            raise ArmError(404, "NotFound", "The source VM of the restore point collection was not found.")
        props = res["properties"]
        mode = props.setdefault("consistencyMode", "ApplicationConsistent")
        if mode not in _MODES:
            raise invalid(f"consistencyMode '{mode}' is invalid.", "consistencyMode")
        self._check_concurrent(ctx, vm["id"])
        excluded = {(ref_id(d) or "").lower() for d in props.get("excludeDisks") or []}
        res["_vm"] = vm["id"]
        res["_drps"] = []
        meta = {"vmId": vm["properties"].get("vmId"), "hardwareProfile": vm["properties"].get("hardwareProfile"),
                "location": vm["location"], "hyperVGeneration": "V2",
                "osProfile": {k: v for k, v in (vm["properties"].get("osProfile") or {}).items()
                              if k not in ("adminPassword", "customData")},
                "storageProfile": {"dataDisks": []}}
        if vm["properties"].get("securityProfile"):
            meta["securityProfile"] = vm["properties"]["securityProfile"]
        for kind, entry in _disk_entries(vm):
            meta_entry = self._disk_meta(ctx, res, rid, kind, entry, excluded)
            if meta_entry is None:
                continue
            if kind == "os":
                meta["storageProfile"]["osDisk"] = meta_entry
            else:
                meta["storageProfile"]["dataDisks"].append(meta_entry)
        props["sourceMetadata"] = meta
        props["timeCreated"] = iso_offset(ctx.now)
        props.setdefault("excludeDisks", [])
        return res

    def _check_concurrent(self, ctx: Ctx, vm_id: str) -> None:
        for rp in ctx.of_type(self.arm_type):
            if (rp.get("_vm") or "").lower() == vm_id.lower() and rp["properties"].get("provisioningState") in (
                    "Creating", "Updating"):
                raise ArmError(409, "Conflict", f"A restore point for VM {vm_id} is already being created "
                               f"({rp['id']}). Retry after it completes.")

    def _disk_meta(self, ctx: Ctx, res: dict[str, Any], rid: str, kind: str, entry: dict[str, Any],
                   excluded: set[str]) -> dict[str, Any] | None:
        disk_id = ref_id(entry.get("managedDisk"))
        disk = ctx.get(disk_id)
        if disk is None or disk_id.lower() in excluded:
            return None
        if (disk["properties"].get("maxShares") or 1) > 1:
            raise ArmError(409, "OperationNotAllowed",
                           f"Restore points are not supported for shared disk {disk_id}; add it to excludeDisks.",
                           "excludeDisks")
        drp_name = f"{disk['name']}_{ctx.new_id()}"
        drp_id = f"{rid}/diskRestorePoints/{drp_name}"
        res["_drps"].append({"id": drp_id, "disk": disk["id"], "size": disk["properties"].get("diskSizeGB"),
                             "location": disk.get("location") or "",
                             "os": disk["properties"].get("osType"), "uid": disk["properties"].get("uniqueId"),
                             "sku": disk["sku"]["name"]})
        out = {k: entry.get(k) for k in ("lun", "name", "caching", "diskSizeGB", "osType") if k in entry}
        out["managedDisk"] = {"id": disk["id"], "storageAccountType": disk["sku"]["name"]}
        out["diskRestorePoint"] = {"id": drp_id}
        return out

    def on_succeeded(self, ctx: Ctx, res: dict[str, Any], op: dict[str, Any]) -> None:
        for d in res.get("_drps", []):
            props = {"timeCreated": res["properties"].get("timeCreated"), "sourceResourceId": d["disk"],
                     "sourceUniqueId": d["uid"], "familyId": d["uid"], "hyperVGeneration": "V2",
                     "networkAccessPolicy": "AllowAll", "publicNetworkAccess": "Enabled",
                     "completionPercent": 100.0, "replicationState": "Succeeded",
                     "sourceResourceLocation": d.get("location") or ""}
            if d["os"]:
                props["osType"] = d["os"]
            ctx.save({"id": d["id"], "name": d["id"].rsplit("/", 1)[-1], "type": DRP_TYPE, "properties": props,
                      "_size_gb": d["size"], "_sku": d["sku"]})

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        if "instanceview" in (ctx.req.query.get("$expand") or "").lower():
            state = res["properties"].get("provisioningState", "Succeeded")
            done = state.lower() == "succeeded"
            out["properties"]["instanceView"] = {
                "diskRestorePoints": [{"id": d["id"], "replicationStatus": {
                    "status": _replication(state), "completionPercent": 100 if done else 0}}
                    for d in res.get("_drps", [])],
                "statuses": [_replication(state)]}
        return out


def _replication(state: str) -> dict[str, str]:
    """``ReplicationState/<state>`` status (the instance view of a restore point and of its disks)."""
    failed = state.lower() == "failed"
    return {"code": f"ReplicationState/{state.lower()}", "level": "Error" if failed else "Info",
            "displayStatus": state}


@register
class DiskRestorePoints(Handler):
    """Read-only children created by a succeeded restore point.

    Not implemented: beginGetAccess / endGetAccess (SAS)."""

    arm_type = DRP_TYPE
    scope = "child"
    operations = (Op("GET", "", (200,)), Op("GET", "s", (200,), summary="list under a restore point"))
    rules = (Rule(404, "ResourceNotFound", "unknown disk restore point"),)

    def put(self, ctx: Ctx) -> Reply:
        raise ArmError(405, "MethodNotAllowed", "Disk restore points are created by their restore point.")

    def delete(self, ctx: Ctx) -> Reply:
        raise ArmError(405, "MethodNotAllowed", "Disk restore points are deleted with their restore point.")
