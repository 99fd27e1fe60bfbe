"""Windows steps of the nested workloads: ``workload-switch``, ``workloads``, ``workloads-stop``,
``workloads-start``."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from azguest.emulator.guest import clusterstate as cs
from azguest.emulator.guest.model import GuestResult, GuestRun, step
from azguest.emulator.guest.ps import fail, not_null_or_empty, ok
from azguest.emulator.guest.win_cluster import local_cluster, my_cluster
from azguest.emulator.guest.winbase import hyperv_unusable


@step("workload-switch")
def workload_switch(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`New-VMSwitch SwitchName -SwitchType Internal`, the gateway address, `New-NetNat NatPrefix` (one NAT per
    host). Fails: Hyper-V not installed or its restart pending, another NAT prefix on this host, a gateway
    outside the prefix."""
    me = run.world.me
    p = run.parameters
    name, prefix, gateway = p.get("SwitchName") or "", p.get("NatPrefix") or "", p.get("GatewayAddress") or ""
    if not name:
        return not_null_or_empty("New-VMSwitch", "Name", run.script)
    refused = hyperv_unusable(run, facts, "New-VMSwitch", me.computer)
    if refused:
        return refused
    try:
        inside = ipaddress.ip_address(gateway) in ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        inside = False
    if not inside:
        return fail("New-NetIPAddress", f"The gateway address '{gateway}' is not in '{prefix}'. Invalid parameter "
                    "IPAddress.", run.script, category="InvalidArgument", exception="CimException")
    nat = facts.get("nat")
    if nat and nat["prefix"] != prefix:
        return fail("New-NetNat", f"The parameter is incorrect. (azguest emulator: {me.computer} already has the NAT "
                    f"'{nat['name']}' for {nat['prefix']}; WinNAT supports one internal NAT prefix per host)",
                    run.script, category="InvalidArgument", exception="CimException",
                    fqid="Windows System Error 87,New-NetNat")
    switches = facts.setdefault("switches", {})
    changed = name not in switches or not nat
    switches[name] = {"type": "Internal", "gateway": gateway}
    facts["nat"] = {"name": name, "prefix": prefix, "gateway": gateway}
    return ok(run.step, changed=changed, data={"switch": name, "nat": facts["nat"]})


def _parse(raw: str) -> list[dict[str, Any]] | None:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return None
    return items if isinstance(items, list) and all(isinstance(i, dict) and i.get("name") for i in items) else None


@step("workloads")
def workloads(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Each nested VM (`Workloads` JSON: name, vcpus, memoryMB, diskGB, antiAffinity) on the first CSV as a
    clustered role (`Add-ClusterVirtualMachineRole`), `AntiAffinityClassNames` set (soft), placed on an up node
    away from its class. Fails: no CSV online, Hyper-V unusable here (restart pending), the switch missing."""
    rec, refused = my_cluster(run, "Add-ClusterVirtualMachineRole")
    if refused:
        return refused
    world = run.world
    me = world.me
    items = _parse(run.parameters.get("Workloads") or "")
    if items is None:
        return fail("ConvertFrom-Json", "Invalid JSON primitive.", run.script, category="NotSpecified",
                    exception="ArgumentException")
    refused = hyperv_unusable(run, facts, "New-VM", me.computer)
    if refused:
        return refused
    switch = run.parameters.get("SwitchName") or ""
    if items and switch and switch not in (facts.get("switches") or {}):
        return fail("New-VM", f"The operation failed because the virtual switch '{switch}' could not be found on "
                    f"'{me.computer}'.", run.script, category="ObjectNotFound", exception="VirtualizationException")
    csv = next((n for n, c in rec.get("csvs", {}).items() if cs.csv_state(world, rec, c) == "Online"), None)
    if items and csv is None:
        return fail("New-VM", "Cannot find path 'C:\\ClusterStorage\\Volume1' because it does not exist. (azguest "
                    "emulator: the cluster has no cluster shared volume online)", run.script,
                    category="ObjectNotFound", exception="ItemNotFoundException")
    roles = rec.setdefault("roles", {})
    added = []
    for w in items:
        name = str(w["name"])
        if name in roles:
            continue
        classes = [str(w["antiAffinity"])] if w.get("antiAffinity") else []
        path = rec["csvs"][csv]["path"]
        roles[name] = {"type": "VirtualMachine", "state": "Online", "owner": None, "antiAffinityClassNames": classes,
                       "csv": csv, "vcpus": int(w.get("vcpus") or 1), "memoryMB": int(w.get("memoryMB") or 1024),
                       "diskGB": int(w.get("diskGB") or 0), "vhd": f"{path}\\{name}\\{name}.vhdx"}
        roles[name]["owner"] = cs.place(world, rec, name)
        added.append(name)
    placed = {n: r["owner"] for n, r in roles.items()}
    return ok(run.step, changed=bool(added), data={"roles": placed})


@step("workloads-stop")
def workloads_stop(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Stop-ClusterGroup` for every clustered VM role that is not offline; they stay offline until
    workloads-start. With the Cluster service stopped here: nothing to stop."""
    world = run.world
    rec = local_cluster(world, world.me)
    stopped, off = [], []
    for name, role in sorted(((rec or {}).get("roles") or {}).items()):
        if role.get("state") == "Offline":
            off.append(name)
        else:
            role["state"] = "Offline"
            stopped.append(name)
    if rec is not None and stopped:
        cs.event(world, rec, "RolesStopped", roles=stopped)
    return ok(run.step, changed=bool(stopped), data={"stopped": stopped, "alreadyOff": off})


@step("workloads-start")
def workloads_start(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Roles of one anti-affinity class sharing a node are live-migrated apart (to an Up node without that
    class), then every VM role not online is started (`Start-ClusterGroup`) on an Up node; `failed` lists those
    that cannot come online (no quorum, no node up, their CSV not online)."""
    rec, refused = my_cluster(run, "Get-ClusterGroup")
    if refused:
        return refused
    world = run.world
    moved: list[dict[str, str]] = []
    placed: set[tuple[str, str]] = set()
    up = cs.up_nodes(world, rec)
    for name, role in sorted(rec.get("roles", {}).items()):
        owner = role.get("owner") or ""
        for cls in role.get("antiAffinityClassNames") or []:
            if (cls, owner) in placed:
                free = [n for n in up if (cls, n) not in placed]
                if free:
                    moved.append({"name": name, "from": owner, "to": free[0]})
                    role["owner"] = owner = free[0]
            placed.add((cls, owner))
    started, failed = [], []
    for name, role in sorted(rec.get("roles", {}).items()):
        if cs.role_state(world, rec, role) == "Online":
            continue
        role["state"] = "Online"
        if not cs.node_up(world, rec, role.get("owner") or ""):
            role["owner"] = cs.place(world, rec, name) or role.get("owner")
        (started if cs.role_state(world, rec, role) == "Online" else failed).append(name)
    if moved or started:
        cs.event(world, rec, "RolesStarted", roles=started, moved=len(moved))
    return ok(run.step, changed=bool(moved or started), data={"started": started, "moved": moved, "failed": failed})
