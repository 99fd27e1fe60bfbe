"""Microsoft.Compute/restorePointCollections/restorePoints (PUT 201 + Azure-AsyncOperation;
DELETE 202 + Location) and their read-only children ``diskRestorePoints`` (GET, list).

Enforced (figures and codes from ``azguest.catalog.restore_points``): consistencyMode values (400);
3 restore point PUTs per VM per hour and consistency mode (429 OperationNotAllowed + Retry-After, on
the engine clock); then, as a **failed creation** (PUT 201, the operation ends Failed): a VM that is
not running (VMAgentStatusCommunicationError), a restore point of the VM still being created
(VMRestorePointClientError), one sooner than the minimum interval after the last one of that mode
(3 h application-consistent, 1 h crash-consistent; VMRestorePointClientError) and an attached shared
disk (maxShares > 1) not listed in ``excludeDisks`` (VMRestorePointClientError). Disk restore points
are created when the operation succeeds, one per included disk, and can source ``createOption:
Restore`` disks.

Fidelity: a restore point of a deallocated or stopped VM fails in both consistency modes. Azure's
troubleshooting page says such a VM "interferes" and gives no code; whether a crash-consistent point
of a deallocated VM could succeed is unconfirmed, so the emulator takes the strict reading. The
codes of the not-running, too-soon and throttled cases are the emulator's choice (unverified).

Not implemented: the 500-per-VM limit, cross-region copies, instant access, SAS (beginGetAccess).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from azguest.catalog.restore_points import ERRORS, THROTTLE_WINDOW_S, mode_limit
from azguest.emulator import lro
from azguest.emulator.context import Ctx, Reply, iso_offset, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.guest import content
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.handlers.computeutil import power
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
        Rule(409, "Conflict", "an existing restore point cannot be updated"),
        Rule(400, "InvalidParameter", "consistencyMode must be CrashConsistent, FileSystemConsistent or "
             "ApplicationConsistent"),
        Rule(429, "OperationNotAllowed", "at most 3 restore point PUTs per VM per hour and mode (Retry-After)"),
        Rule(201, "VMAgentStatusCommunicationError", "failed creation: the VM must be running"),
        Rule(201, "VMRestorePointClientError", "failed creation: no second restore point while one is being "
             "created on the VM"),
        Rule(201, "VMRestorePointClientError", "failed creation: 3 h (application-consistent) / 1 h "
             "(crash-consistent) minimum interval per VM"),
        Rule(201, "VMRestorePointClientError", "failed creation: an attached shared disk must be listed in "
             "excludeDisks"),
    )

    def put(self, ctx: Ctx) -> Reply:
        self.require_parent(ctx)
        if ctx.get(ctx.path.resource_id()) is not None:
            raise ArmError(409, "Conflict", "Restore point already exists and cannot be updated.")
        vm = _source_vm(ctx)
        mode = _mode(ctx.body.get("properties") or {})
        throttled = _throttle(ctx, vm, mode)
        if throttled is not None:
            return throttled
        reply = super().put(ctx)
        vm.setdefault("_rp_puts", []).append([ctx.now, mode])
        ctx.save(vm)
        return reply

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        res.pop("tags", None)  # a restore point is a proxy resource: no tags, no location
        vm = _source_vm(ctx)
        props = res["properties"]
        mode = props["consistencyMode"] = _mode(props)
        self._check_state(ctx, vm, mode)
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
        if lro.will_fail(ctx):
            res["_failing"] = True  # not "being created" for the concurrency rule, never a disk restore point
            res["_drps"] = []
        return res

    def _check_state(self, ctx: Ctx, vm: dict[str, Any], mode: str) -> None:
        """The causes Azure reports as a failed creation (the first that applies)."""
        mine = [rp for rp in ctx.of_type(self.arm_type) if (rp.get("_vm") or "").lower() == vm["id"].lower()]
        if power(vm) != "running":
            _fail(ctx, "not-running")
        elif any(rp["properties"].get("provisioningState") == "Creating" and not rp.get("_failing") for rp in mine):
            _fail(ctx, "concurrent")
        elif _last_of_mode(mine, mode) > ctx.now - mode_limit(mode).min_interval_s:
            _fail(ctx, "too-soon")

    def _disk_meta(self, ctx: Ctx, res: dict[str, Any], rid: str, kind: str, entry: dict[str, Any],
                   excluded: set[str]) -> dict[str, Any] | None:
        disk_id = ref_id(entry.get("managedDisk"))
        disk = ctx.get(disk_id)
        if disk is None or disk_id.lower() in excluded:
            return None
        if (disk["properties"].get("maxShares") or 1) > 1:
            _fail(ctx, "shared-disk")
        drp_name = f"{disk['name']}_{ctx.new_id()}"
        drp_id = f"{rid}/diskRestorePoints/{drp_name}"
        res["_drps"].append({"id": drp_id, "disk": disk["id"], "size": disk["properties"].get("diskSizeGB"),
                             "location": disk.get("location") or "",
                             "os": disk["properties"].get("osType"), "uid": disk["properties"].get("uniqueId"),
                             "sku": disk["sku"]["name"], "content": content.capture(ctx, disk)})
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
                      "_size_gb": d["size"], "_sku": d["sku"], content.KEY: d.get("content")})

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


def _fail(ctx: Ctx, case: str) -> None:
    err = ERRORS[case]
    lro.fail_later(ctx, err.code, err.message)


def _last_of_mode(rps: list[dict[str, Any]], mode: str) -> float:
    """When the VM's last restore point of this mode that did not fail was taken (-inf: never)."""
    times = [datetime.fromisoformat(rp["properties"]["timeCreated"]).timestamp() for rp in rps
             if not rp.get("_failing") and rp["properties"].get("provisioningState") != "Failed"
             and (rp["properties"].get("consistencyMode") or "").lower() == mode.lower()
             and rp["properties"].get("timeCreated")]
    return max(times, default=float("-inf"))


def _source_vm(ctx: Ctx) -> dict[str, Any]:
    coll = ctx.get(ctx.path.parent_id())
    vm = ctx.get(ref_id(coll["properties"].get("source")))
    if vm is None:
        raise ArmError(404, "NotFound", "The source VM of the restore point collection was not found.")
    return vm


def _mode(props: dict[str, Any]) -> str:
    mode = props.get("consistencyMode") or "ApplicationConsistent"
    if mode not in _MODES:
        raise invalid(f"consistencyMode '{mode}' is invalid.", "consistencyMode")
    return mode


def _throttle(ctx: Ctx, vm: dict[str, Any], mode: str) -> Reply | None:
    """3 PUTs per VM per hour and mode: a 429 with Retry-After until the oldest leaves the window."""
    since = ctx.now - THROTTLE_WINDOW_S
    puts = [t for t, m in vm.get("_rp_puts", []) if t > since and m.lower() == mode.lower()]
    vm["_rp_puts"] = [[t, m] for t, m in vm.get("_rp_puts", []) if t > since]
    if len(puts) < mode_limit(mode).puts_per_hour:
        return None
    wait = max(1, math.ceil(min(puts) - since))
    err = ERRORS["throttled"]
    body = ArmError(429, err.code, err.message,
                    details=[{"code": "TooManyRequests", "target": "RestorePoints", "message": err.message}]).body()
    return Reply(429, body, {"Retry-After": str(wait)})


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
