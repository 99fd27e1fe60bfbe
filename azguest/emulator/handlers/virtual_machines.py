"""Microsoft.Compute/virtualMachines: PUT 201/200 + Azure-AsyncOperation; DELETE 202 + Location;
actions start / deallocate / powerOff / restart / runCommand (POST 202 + Location, final 200;
runCommand's final body is ``{"value": [StdOut, StdErr]}`` from ``engine.run_guest``);
``instanceView`` (GET) and ``$expand=instanceView``.

Enforced: referenced NICs, disks and availability set exist (an ``Aligned`` set: every VM here
has managed disks; a ``Classic`` one is 400 BadRequest); Premium disks need a PremiumIO size; shared
disks need caching None and no ``deleteOption: Delete``; no Ultra/PremV2 in an availability set;
data-disk and NIC counts per size; SKU restrictions; regional and per-family vCPU quota
(deallocated VMs count). A disk owned by another VM (not shared) or attached to maxShares VMs
already is accepted (201/200) and the operation then ends Failed with ``ConflictingUserInput``, as
ARM reports it; the disk is not attached.

Fidelity: (1) Disks the VM creates itself (``FromImage`` OS disk, ``Empty`` data disks) get the VM's
tags at creation; later VM tag changes are not copied. Microsoft documents no rule; this follows
community reports (terraform-provider-azurerm#8162 and #18981, azure-sdk-for-js#17787). (2) Two VMs
sharing a disk cannot start at the same moment (azure-docs#108246: one start fails with
``OperationNotAllowed`` "Resource is being used by another operation"). The emulator models "the same
moment" as: a start, or a create (which starts the VM), of a VM while another VM that holds one of
the same shared disks is within the first ``virtualmachines.shareddiskstart`` seconds (10 Azure
seconds, times the profile's time scale) of its own create/start operation; the refused request is
a synchronous 409. The window length and the synchronous shape are the emulator's choice.
Not implemented: unmanaged (VHD) disks, images (any imageReference is accepted), extensions,
zones, VMSS, spot, capacity reservations, redeploy/reimage/generalize/capture, attach/detach via
PATCH of individual disks (PATCH merges the whole body), boot diagnostics.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator import guest, lro
from azguest.emulator.context import Ctx, Reply, iso_offset, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.guest import content
from azguest.emulator.handlers import vm_checks
from azguest.emulator.handlers.availability_sets import members
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.handlers.computeutil import VM_TYPE, attach, check_quota, detach, power
from azguest.emulator.registry import Op, Rule, register

_POWER_TEXT = {"running": "VM running", "deallocated": "VM deallocated", "stopped": "VM stopped",
               "starting": "VM starting", "deallocating": "VM deallocating", "stopping": "VM stopping"}
_ACTIONS = {"start": ("starting", "running"), "deallocate": ("deallocating", "deallocated"),
            "poweroff": ("stopping", "stopped"), "restart": ("running", "running"),
            "runcommand": (None, None)}
_COMMAND_IDS = {"runpowershellscript", "runshellscript", "ipconfig", "enableremoteps", "enableadminaccount",
                "resetrdpcert", "setrdpport", "disablenla", "rdpsettings"}
OUTPUT_LIMIT_BYTES = 4096  # action run command keeps the last 4,096 bytes (ACD windows/run-command.md)


@register
class VirtualMachines(Handler):
    arm_type = VM_TYPE
    put_style = "async"
    operations = (
        Op("PUT", "", (201, 200), "Azure-AsyncOperation", "create (201) / update (200)"),
        Op("GET", "", (200,), summary="$expand=instanceView supported"),
        Op("PATCH", "", (200,), summary="update (synchronous here)"),
        Op("DELETE", "", (202, 204), "Location", "detaches disks and NICs; deleteOption Delete honoured"),
        Op("GET", "s", (200,), summary="list in group / subscription"),
        Op("GET", "/instanceView", (200,)),
        Op("POST", "/start", (202,), "Location", "final 200"),
        Op("POST", "/deallocate", (202,), "Location", "final 200"),
        Op("POST", "/powerOff", (202,), "Location", "final 200"),
        Op("POST", "/restart", (202,), "Location", "final 200"),
        Op("POST", "/runCommand", (202,), "Location", "final 200 {value: [StdOut, StdErr]}"),
    )
    rules = (
        Rule(409, "SkuNotAvailable", "the VM size must be in the catalog and not restricted in the location"),
        Rule(400, "InvalidParameter", "Premium disks need a PremiumIO-capable size"),
        Rule(400, "InvalidParameter", "no Ultra / Premium SSD v2 disk on a VM in an availability set"),
        Rule(400, "BadRequest", "a shared disk (maxShares > 1) must use caching None"),
        Rule(400, "InvalidParameter", "a shared disk cannot have deleteOption 'Delete' (code unverified)"),
        Rule(201, "ConflictingUserInput", "failed operation: a disk attaches to at most maxShares VMs (1 when not "
             "shared)"),
        Rule(409, "OperationNotAllowed", "no start/create of a VM while another VM sharing one of its disks is "
             "starting (window: virtualmachines.shareddiskstart)"),
        Rule(201, "-", "disks the VM creates (FromImage OS disk, Empty data disks) get the VM's tags at creation, "
             "not later: Microsoft documents no rule; community reports terraform-provider-azurerm#8162, #18981, "
             "azure-sdk-for-js#17787"),
        Rule(201, "-", "restore point PUT limits, codes and sources: azguest/catalog/restore_points.py"),
        Rule(404, "NotFound", "referenced NICs, disks and availability set must exist"),
        Rule(400, "BadRequest", "a managed-disk VM needs an 'Aligned' availability set (not 'Classic')"),
        Rule(400, "NicInUse", "a NIC already used by another VM cannot be attached"),
        Rule(400, "NetworkInterfaceCountExceeded", "no more NICs than the size allows"),
        Rule(409, "OperationNotAllowed", "no more data disks than the size allows"),
        Rule(409, "OperationNotAllowed", "regional 'cores' and per-family vCPU quota (deallocated VMs count)"),
        Rule(409, "PropertyChangeNotAllowed", "availabilitySet and securityProfile.securityType are immutable"),
        Rule(409, "PropertyChangeNotAllowed", "adminUsername, computerName, osDisk.name and osDisk.createOption "
             "are immutable (vm_checks.IMMUTABLE_PROPERTIES); osDisk.name changes with an OS disk swap"),
        Rule(409, "OperationNotAllowed", "an OS disk swap (osDisk.managedDisk.id of another disk) needs a stopped "
             "(deallocated) VM (ACD windows/os-disk-swap.md; the code is the emulator's)"),
        Rule(409, "OperationNotAllowed", "restart and runCommand need a running VM"),
        Rule(409, "Conflict", "one action run command at a time per VM (\"Run command extension execution is in "
             "progress\": MicrosoftDocs/azure-docs#43356, Azure/azure-cli#32305)"),
        Rule(400, "InvalidParameter", "runCommand commandId must be a known command"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        props.pop("instanceView", None)
        size = vm_checks.check_size(ctx, res["location"], (props.get("hardwareProfile") or {}).get("vmSize"))
        vm_checks.check_security(props, existing)
        vm_checks.check_immutable(props, existing)
        avset = vm_checks.check_avset(ctx, props, existing)
        vm_checks.check_nics(ctx, rid, size, props)
        disks = vm_checks.resolve_disks(ctx, res)
        conflicts = vm_checks.check_disks(ctx, res, size, avset, disks)
        if existing is None:
            vm_checks.check_shared_start(ctx, rid, [d["id"] for d, _ in disks])
        check_quota(ctx, ctx.path.subscription, res["location"], rid, size.name)
        if conflicts and ctx.req.method == "PATCH":  # synchronous here: no operation to fail
            raise ArmError(409, "ConflictingUserInput", next(iter(conflicts.values())))
        if conflicts:
            lro.fail_later(ctx, "ConflictingUserInput", next(iter(conflicts.values())))
            ctx.scratch["conflicts"] = set(conflicts)
        old = existing or {}
        props["vmId"] = old.get("properties", {}).get("vmId") or ctx.new_id()
        props["timeCreated"] = old.get("properties", {}).get("timeCreated") or iso_offset(ctx.now)
        _defaults(props)
        res["_power"] = old.get("_power", "starting")
        if avset is not None and "_fd" not in res:
            fd = avset["properties"].get("platformFaultDomainCount", 2)
            ud = avset["properties"].get("platformUpdateDomainCount", 5)
            n = len([m for m in members(ctx, avset["id"]) if m["id"].lower() != rid.lower()])
            res["_fd"], res["_ud"] = n % fd, n % ud
        return res

    def after_put(self, ctx: Ctx, res: dict[str, Any], existing: dict | None) -> None:
        for disk in ctx.scratch.pop("new_disks", []):
            ctx.save(disk)
        old_os, new_os = _os_disk_id(existing), _os_disk_id(res)
        if new_os.lower() != old_os.lower():  # created on an attached OS disk, or an OS disk swap: its guest boots
            content.os_disk_changed(ctx, res, ctx.get(old_os) if old_os else None, ctx.get(new_os))
        new_disks = {ref_id(d.get("managedDisk")).lower() for d in _disk_entries(res)}
        for d in _disk_entries(existing or {}):
            did = ref_id(d.get("managedDisk"))
            if did and did.lower() not in new_disks and ctx.get(did) is not None:
                detach(ctx, ctx.get(did), res["id"])
        skip = ctx.scratch.get("conflicts", set())
        for d in _disk_entries(res):
            if ref_id(d["managedDisk"]).lower() not in skip:
                attach(ctx, ctx.get(ref_id(d["managedDisk"])), res["id"])
        for i, ref in enumerate(res["properties"]["networkProfile"]["networkInterfaces"]):
            nic = ctx.get(ref_id(ref))
            nic["properties"]["virtualMachine"] = {"id": res["id"]}
            nic["properties"].setdefault("macAddress", _mac(res["id"], i))
            nic["properties"]["primary"] = i == 0
            ctx.save(nic)

    def on_succeeded(self, ctx: Ctx, res: dict[str, Any], op: dict[str, Any]) -> None:
        if res.get("_power") == "starting":
            res["_power"] = "running"
            guest.power_changed(ctx, res, "create")  # first boot: the guest takes its DHCP DNS servers
        res["_op_time"] = ctx.now  # the instance view's ProvisioningState time: when the last operation ended

    def on_deleted(self, ctx: Ctx, res: dict[str, Any]) -> None:
        guest.power_changed(ctx, res, "delete")  # a cluster node deleted is lost to its cluster
        for d in _disk_entries(res):
            disk = ctx.get(ref_id(d.get("managedDisk")))
            if disk is None:
                continue
            detach(ctx, disk, res["id"])
            if (d.get("deleteOption") or "").lower() == "delete":
                ctx.remove(disk["id"])
        for ref in (res["properties"].get("networkProfile") or {}).get("networkInterfaces") or []:
            nic = ctx.get(ref_id(ref))
            if nic is None:
                continue
            nic["properties"].pop("virtualMachine", None)
            ctx.save(nic)
            if ((ref.get("properties") or {}).get("deleteOption") or "").lower() == "delete":
                ctx.remove(nic["id"])

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        osp = out["properties"].get("osProfile")
        if isinstance(osp, dict):
            osp.pop("adminPassword", None)
            osp.pop("customData", None)
        if "instanceview" in (ctx.req.query.get("$expand") or "").lower():
            out["properties"]["instanceView"] = instance_view(ctx, res)
        return out

    # ---- actions -------------------------------------------------------------------------
    def action(self, ctx: Ctx, name: str) -> Reply:
        vm = self.load(ctx)
        key = name.lower()
        if key == "instanceview" and ctx.req.method == "GET":
            return Reply(200, instance_view(ctx, vm))
        if key not in _ACTIONS or ctx.req.method != "POST":
            return super().action(ctx, name)
        args: dict[str, Any] = {}
        if key in ("restart", "runcommand") and power(vm) != "running":
            raise ArmError(409, "OperationNotAllowed", f"Operation '{name}' is not allowed on VM '{vm['name']}' "
                           f"since the VM is {power(vm)}.")
        if key == "runcommand":
            args = self._run_command_args(ctx, vm)
        if key == "start":
            vm_checks.check_shared_start(ctx, vm["id"], [ref_id(d.get("managedDisk")) for d in _disk_entries(vm)])
        transitional = _ACTIONS[key][0]
        if transitional:
            vm["_power"] = transitional
        ctx.save(vm)
        op, headers = lro.start(ctx, vm, key, lro.LOCATION, final="result" if key == "runcommand" else "empty",
                                args=args)
        if key == "runcommand":
            vm["_run_command_op"] = op["id"]
        return Reply(202, None, headers)

    def _run_command_args(self, ctx: Ctx, vm: dict[str, Any]) -> dict[str, Any]:
        body = ctx.body
        cid = body.get("commandId") or ""
        if cid.lower() not in _COMMAND_IDS:
            raise invalid(f"Command with id '{cid}' is not found.", "commandId")
        busy = ctx.state["operations"].get(vm.get("_run_command_op") or "")
        if busy and not busy["completed"]:
            raise ArmError(409, "Conflict", "Run command extension execution is in progress. Please wait for "
                           "completion before invoking a run command.")
        params = {p.get("name"): p.get("value") for p in body.get("parameters") or []}
        return {"commandId": cid, "script": body.get("script") or [], "parameters": params}

    def complete_action(self, ctx: Ctx, op: dict[str, Any]) -> None:
        vm = ctx.get(op["resource_id"])
        if vm is None:
            return
        key = op["operation"]
        if op["fail"]:
            vm["_power"] = {"deallocating": "running", "stopping": "running", "starting": "deallocated"}.get(
                vm.get("_power"), vm.get("_power"))
        elif key == "runcommand":
            a = op["args"]
            code, out, err = ctx.engine.run_guest(ctx, vm["id"], a["script"] or a["commandId"], a["parameters"])
            op["result"] = {"value": [_status("StdOut", out), _status("StdErr", err)]}
            # kept a day with the operation: which step ran and how, not the script (kilobytes in the state)
            op["args"] = {"commandId": a["commandId"], "step": guest.parse_step_id(a["script"]), "exitCode": code}
        else:
            vm["_power"] = _ACTIONS[key][1]
            vm["_op_time"] = ctx.now  # start, restart, deallocate, power off: Azure counts them as updates
            guest.power_changed(ctx, vm, key)  # a restart (or stop + start) completes a pending reboot
        ctx.save(vm)


def _defaults(props: dict[str, Any]) -> None:
    """Read-back defaults ARM adds to a VM: ``dataDisks: []``, ``osProfile.secrets``, the OS configuration
    block (``windowsConfiguration`` / ``linuxConfiguration``) and the extension flags."""
    sp = props.setdefault("storageProfile", {})
    sp.setdefault("dataDisks", [])
    osp = props.get("osProfile")
    if not isinstance(osp, dict):
        return
    osp.setdefault("secrets", [])
    os_type = ((sp.get("osDisk") or {}).get("osType") or "Windows").lower()
    if os_type == "linux":
        cfg = osp.setdefault("linuxConfiguration", {})
        cfg.setdefault("disablePasswordAuthentication", False)
    else:
        cfg = osp.setdefault("windowsConfiguration", {})
        cfg.setdefault("enableAutomaticUpdates", True)
    cfg.setdefault("provisionVMAgent", True)
    osp.setdefault("allowExtensionOperations", True)
    osp.setdefault("requireGuestProvisionSignal", True)


def _status(stream: str, text: str) -> dict[str, str]:
    data = (text or "").encode("utf-8")[-OUTPUT_LIMIT_BYTES:].decode("utf-8", "ignore")
    return {"code": f"ComponentStatus/{stream}/succeeded", "level": "Info",
            "displayStatus": "Provisioning succeeded", "message": data}


def _os_disk_id(vm: dict[str, Any] | None) -> str:
    os_disk = (((vm or {}).get("properties") or {}).get("storageProfile") or {}).get("osDisk") or {}
    return ref_id(os_disk.get("managedDisk")) or ""


def _disk_entries(vm: dict[str, Any]) -> list[dict[str, Any]]:
    sp = (vm.get("properties") or {}).get("storageProfile") or {}
    out = [sp["osDisk"]] if sp.get("osDisk") else []
    return [d for d in out + list(sp.get("dataDisks") or []) if ref_id(d.get("managedDisk"))]


def _mac(vm_id: str, i: int) -> str:
    h = abs(hash((vm_id.lower(), i))) & 0xFFFFFFFF
    return "00-0D-3A-" + "-".join(f"{(h >> s) & 0xFF:02X}" for s in (16, 8, 0))


_OS_NAMES = {"windows": ("Windows Server 2022 Datacenter", "Microsoft Windows NT 10.0.20348.0"),
             "linux": ("ubuntu", "22.04")}


def _provisioning_status(state: str, time: str | None) -> dict[str, Any]:
    """``ProvisioningState/<state>``: "Provisioning succeeded|failed" when settled, else the state
    itself ("Creating", "Updating", "Deleting"); ``time`` as ARM gives it."""
    low = state.lower()
    settled = low in ("succeeded", "failed")
    out = {"code": f"ProvisioningState/{low}", "level": "Error" if low == "failed" else "Info",
           "displayStatus": f"Provisioning {low}" if settled else state}
    if time:
        out["time"] = time
    return out


def instance_view(ctx: Ctx, vm: dict[str, Any]) -> dict[str, Any]:
    state = vm["properties"].get("provisioningState", "Succeeded")
    created = vm["properties"].get("timeCreated")
    pw = power(vm)
    # As Azure: only the provisioning status has a time (the end of the last create, update or power
    # operation, states-billing); the power status has none (VirtualMachine_Get_InstanceView example).
    last = iso_offset(vm["_op_time"]) if vm.get("_op_time") is not None else created
    statuses = [_provisioning_status(state, last)]
    if state != "Failed":
        statuses.append({"code": f"PowerState/{pw}", "level": "Info", "displayStatus": _POWER_TEXT.get(pw, pw)})
    osp = vm["properties"].get("osProfile") or {}
    os_type = ((vm["properties"].get("storageProfile") or {}).get("osDisk") or {}).get("osType") or "Windows"
    os_name, os_version = _OS_NAMES.get(os_type.lower(), _OS_NAMES["windows"])
    view: dict[str, Any] = {
        "computerName": osp.get("computerName") or vm.get("_computer") or vm["name"],
        "osName": os_name, "osVersion": os_version,
        "hyperVGeneration": "V2",
        "disks": [{"name": d.get("name"), "statuses": [_provisioning_status("Succeeded", created)]}
                  for d in _disk_entries(vm)],
        "isVMInStandbyPool": False,
        "statuses": statuses,
    }
    if pw == "running":
        view["vmAgent"] = {"vmAgentVersion": "2.7.41491.1102", "statuses": [
            {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Ready",
             "message": "GuestAgent is running and processing the extensions.", "time": iso_offset(ctx.now)}]}
    if "_fd" in vm:
        view["platformFaultDomain"], view["platformUpdateDomain"] = vm["_fd"], vm["_ud"]
    return view
