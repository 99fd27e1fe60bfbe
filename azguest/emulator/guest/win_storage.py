"""Windows storage steps: ``iscsi-target``, ``iscsi-initiator``, ``shared-disk-init``, ``cluster-disks``,
``s2d-enable``."""

from __future__ import annotations

from typing import Any

from azguest.emulator.guest import clusterstate as cs
from azguest.emulator.guest.model import GuestResult, GuestRun, step
from azguest.emulator.guest.ps import fail, not_null_or_empty, ok, split_list, split_pairs
from azguest.emulator.guest.win_cluster import eligible_s2d_disks, my_cluster
from azguest.emulator.guest.winbase import install_features
from azguest.emulator.guest.world import Peer, World

ID_TYPES = ("DNSName", "IPAddress", "IPv6Address", "IQN", "MACAddress")  # New-IscsiServerTarget -InitiatorIds
IQN_PREFIX = "iqn.1991-05.com.microsoft"  # iSCSIDsc README: Microsoft's initiator and target IQNs
S2D_MAX_NODES = 16


def _no_lun(run: GuestRun, me: Peer, lun: Any) -> GuestResult:
    return fail("Get-Disk", f"No MSFT_Disk objects found with property 'Location' equal to 'LUN {lun}' on "
                f"{me.computer}. Verify the value of the property and retry.", run.script, category="ObjectNotFound",
                exception="CimJobException", fqid="CmdletizationQuery_NotFound,Get-Disk")


def target_iqn(computer: str, name: str) -> str:
    return f"{IQN_PREFIX}:{computer.lower()}-{name.lower()}-target"


@step("iscsi-target")
def iscsi_target(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """iSCSI Target Server (`FS-iSCSITarget-Server`), one virtual disk per data disk LUN in `DiskLuns`, target
    `TargetName` with `InitiatorIds` (IdType:Value) and the LUN mappings. Fails: a malformed initiator id, a LUN
    the VM has no data disk at."""
    me = run.world.me
    p = run.parameters
    name = p.get("TargetName") or ""
    if not name:
        return not_null_or_empty("New-IscsiServerTarget", "TargetName", run.script)
    initiators = split_list(p.get("InitiatorIds"))
    for ident in initiators:
        kind, _, value = ident.partition(":")
        if kind not in ID_TYPES or not value:
            return fail("New-IscsiServerTarget", f"Cannot bind parameter 'InitiatorIds'. Cannot convert value "
                        f"\"{ident}\" to type \"Microsoft.Iscsi.Target.Commands.InitiatorId\". Error: \"The format "
                        "of the initiator ID is invalid.\"", run.script, category="InvalidArgument",
                        exception="ParameterBindingException")
    disks = me.data_disks()
    luns = []
    for raw in split_list(p.get("DiskLuns")):
        if not raw.isdigit() or int(raw) not in disks:
            return _no_lun(run, me, raw)
        d = disks[int(raw)]
        luns.append({"lun": len(luns), "dataDiskLun": int(raw), "disk": d["id"], "sizeGB": max(d["sizeGB"] - 1, 1),
                     "path": f"{chr(ord('F') + int(raw))}:\\iSCSIVirtualDisks\\lun{len(luns)}.vhdx"})
    changed, _ = install_features(facts, ["FS-iSCSITarget-Server"])
    targets = facts.setdefault("iscsiTarget", {})
    old = targets.get(name) or {}
    old_luns = old.get("luns") or []
    for i, lun in enumerate(luns):
        lun["volume"] = old_luns[i].get("volume") if i < len(old_luns) else None
    new = {"iqn": target_iqn(me.computer, name), "initiatorIds": initiators, "luns": luns}
    changed = changed or (old.get("iqn"), old.get("initiatorIds"), len(old_luns)) != (new["iqn"], initiators, len(luns))
    targets[name] = new
    return ok(run.step, changed=changed, data={"iqn": new["iqn"], "luns": len(luns), "initiatorIds": initiators})


def _allowed(me: Peer, initiator_ids: list[str], domain: str | None) -> bool:
    mine = {f"IPAddress:{ip}" for ip in me.addresses()}
    fqdn = f"{me.computer.lower()}.{domain}" if domain else me.computer.lower()
    mine |= {f"IQN:{IQN_PREFIX}:{fqdn}", f"DNSName:{fqdn}", f"DNSName:{me.computer.lower()}"}
    return bool(mine & {i if not i.lower().startswith("iqn:") else "IQN:" + i[4:].lower() for i in initiator_ids})


@step("iscsi-initiator")
def iscsi_initiator(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """MSiSCSI (Automatic, started), `New-IscsiTargetPortal TargetPortal`, `Connect-IscsiTarget -IsPersistent` to
    `TargetName`; with `InitializeDisks` (lun=label) this node initialises those LUNs once (GPT, NTFS, label).
    Fails: the portal does not answer (no VM there, stopped, no target server), the target hides itself from
    this initiator (not in its ACL)."""
    world, p = run.world, run.parameters
    me = world.me
    portal, name = p.get("TargetPortal") or "", p.get("TargetName") or ""
    target = world.by_ip(portal) if portal else None
    if target is None or not target.running or not target.facts.get("iscsiTarget"):
        return fail("New-IscsiTargetPortal", f"Connection Failed. (azguest emulator: no iSCSI Target Server answers "
                    f"at {portal or '(empty)'}:3260)", run.script, category="NotSpecified",
                    exception="CimException", fqid="HRESULT 0xefff003c,New-IscsiTargetPortal")
    tgt = target.facts["iscsiTarget"].get(name)
    from azguest.emulator.guest.win_domain import joined_domain

    if tgt is None or not _allowed(me, tgt["initiatorIds"], joined_domain(me.facts)):
        return fail("Connect-IscsiTarget", "The target name is not found or is marked as hidden from login. "
                    f"(azguest emulator: target '{name}' on {target.computer} does not list {me.computer})",
                    run.script, category="NotSpecified", exception="CimException",
                    fqid="HRESULT 0xefff0011,Connect-IscsiTarget")
    ini = facts.setdefault("iscsi", {"service": "Running", "startup": "Automatic", "portals": [], "sessions": []})
    changed = False
    if portal not in ini["portals"]:
        ini["portals"].append(portal)
        changed = True
    if tgt["iqn"] not in [s["target"] for s in ini["sessions"]]:
        ini["sessions"].append({"target": tgt["iqn"], "portal": portal, "persistent": True})
        changed = True
    for raw, label in split_pairs(p.get("InitializeDisks")).items():
        lun = next((x for x in tgt["luns"] if str(x["lun"]) == raw), None)
        if lun is None:
            return _no_lun(run, me, raw)
        if not lun.get("volume"):
            lun["volume"] = {"label": label, "fileSystem": "NTFS", "partitionStyle": "GPT", "by": me.computer}
            changed = True
    return ok(run.step, changed=changed, data={"target": tgt["iqn"], "portal": portal, "luns": len(tgt["luns"])})


@step("shared-disk-init")
def shared_disk_init(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Initialise the shared disks once, from this node (`Disks` lun=label: GPT, NTFS, volume label); a disk that
    already has a volume is left alone. Fails: a LUN the VM has no data disk at."""
    world = run.world
    me = world.me
    disks = me.data_disks()
    changed, out = False, {}
    for raw, label in split_pairs(run.parameters.get("Disks")).items():
        if not raw.isdigit() or int(raw) not in disks:
            return _no_lun(run, me, raw)
        content = world.disk_content(disks[int(raw)]["id"])
        if not content.get("volume"):
            content["volume"] = {"label": label, "fileSystem": "NTFS", "partitionStyle": "GPT", "by": me.computer}
            changed = True
        out[raw] = content["volume"]["label"]
    return ok(run.step, changed=changed, data={"disks": out})


def available_disks(world: World, rec: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """(label, source) of the disks every node sees and the cluster does not hold yet
    (`Get-ClusterAvailableDisk`): shared managed disks and iSCSI LUNs."""
    nodes = [cs.node_peer(world, rec, n) for n in rec["nodes"]]
    if not all(nodes):
        return []
    held = [d["source"] for d in (rec.get("disks") or {}).values()]
    out: list[tuple[str | None, dict[str, Any]]] = []
    shared = [{d["id"].lower(): d for d in p.data_disks().values() if d["shared"]} for p in nodes if p]
    for did in sorted(set.intersection(*[set(s) for s in shared])):
        src = {"kind": "managed", "id": shared[0][did]["id"]}
        if src not in held:
            out.append(((world.disk_content(src["id"]).get("volume") or {}).get("label"), src))
    sessions = [{s["target"] for s in (p.facts.get("iscsi") or {}).get("sessions", [])} for p in nodes if p]
    for iqn in sorted(set.intersection(*sessions)):
        target = next((t for t in world.peers() for x in (t.facts.get("iscsiTarget") or {}).values()
                       if x["iqn"] == iqn), None)
        if target is None or not target.running:
            continue
        tgt = next(x for x in target.facts["iscsiTarget"].values() if x["iqn"] == iqn)
        for lun in tgt["luns"]:
            src = {"kind": "target-lun", "target": target.id, "iqn": iqn, "lun": lun["lun"]}
            if src not in held:
                out.append(((lun.get("volume") or {}).get("label"), src))
    return out


@step("cluster-disks")
def cluster_disks(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Get-ClusterAvailableDisk | Add-ClusterDisk` (disks every node sees: shared disks, iSCSI LUNs), each
    named after its volume label; `Add-ClusterSharedVolume` for `CsvLabels`. Fails: no disk available to every
    node (shared-disk-init or iscsi-initiator missing), a CSV label no cluster disk has."""
    rec, refused = my_cluster(run, "Get-ClusterAvailableDisk")
    if refused:
        return refused
    world = run.world
    disks = rec.setdefault("disks", {})
    added = []
    for label, src in available_disks(world, rec):
        name = label or f"Cluster Disk {len(disks) + 1}"
        disks[name] = {"source": src, "owner": world.me.computer}
        added.append(name)
    if not disks:
        return fail("Add-ClusterDisk", "Cannot bind argument to parameter 'InputObject' because it is null. "
                    "(azguest emulator: Get-ClusterAvailableDisk found no disk that every node sees)", run.script,
                    category="InvalidData", exception="ParameterBindingValidationException")
    csvs = rec.setdefault("csvs", {})
    for label in split_list(run.parameters.get("CsvLabels")):
        if label not in disks:
            return fail("Add-ClusterSharedVolume", f"The cluster resource '{label}' could not be found.", run.script,
                        category="ObjectNotFound", exception="ClusterCmdletException")
        if label not in csvs:
            csvs[label] = {"disk": label, "path": f"C:\\ClusterStorage\\Volume{len(csvs) + 1}", "fileSystem": "CSVFS"}
            added.append(f"CSV {label}")
    return ok(run.step, changed=bool(added), data={"disks": sorted(disks), "csvs": sorted(csvs)})


@step("s2d-enable")
def s2d_enable(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Enable-ClusterStorageSpacesDirect` (pool "S2D on <cluster>", no cache with one media type, auto-replace
    off) and `New-Volume` `VolumeName` (CSVFS_ReFS mirror, a CSV). Fails: fewer than 2 nodes, a node down, not
    Datacenter, a node with fewer than 2 empty non-shared data disks."""
    rec, refused = my_cluster(run, "Enable-ClusterStorageSpacesDirect")
    if refused:
        return refused
    world = run.world
    vol = run.parameters.get("VolumeName") or ""
    if not vol:
        return not_null_or_empty("New-Volume", "FriendlyName", run.script)
    if rec.get("pool"):
        changed = vol not in rec["virtualDisks"]
        if changed:
            _volume(rec, vol)
        return ok(run.step, changed=changed, data={"pool": rec["pool"]["name"], "volumes": sorted(rec["virtualDisks"])})
    why = _s2d_problem(world, rec)
    if why:
        return fail("Enable-ClusterStorageSpacesDirect", f"Failed to run CIM method EnableStorageSpacesDirect on the "
                    f"root/MSCLUSTER/MSCluster_StorageSpacesDirect CIM object: {why}", run.script,
                    category="InvalidOperation", exception="CimException",
                    fqid="HRESULT 0x80070032,Enable-ClusterStorageSpacesDirect")
    total, count = 0, 0
    for n in rec["nodes"]:
        p = cs.node_peer(world, rec, n)
        for lun in eligible_s2d_disks(world, p):
            d = p.data_disks()[lun]
            world.disk_content(d["id"])["pool"] = f"S2D on {rec['name']}"
            total, count = total + d["sizeGB"], count + 1
    rec["pool"] = {"name": f"S2D on {rec['name']}", "physicalDisks": count, "sizeGB": total, "cache": "Disabled",
                   "autoReplace": False, "copies": 2 if len(rec["nodes"]) == 2 else 3}
    _volume(rec, vol)
    cs.event(world, rec, "S2DEnabled", disks=count)
    return ok(run.step, changed=True, data={"pool": rec["pool"]["name"], "physicalDisks": count,
                                            "volumes": sorted(rec["virtualDisks"])})


def _s2d_problem(world: World, rec: dict[str, Any]) -> str | None:
    if len(rec["nodes"]) < 2:
        return (f"Storage Spaces Direct needs at least 2 servers; cluster '{rec['name']}' has "
                f"{len(rec['nodes'])} ({', '.join(rec['nodes'])}).")
    if len(rec["nodes"]) > S2D_MAX_NODES:
        return f"Storage Spaces Direct supports at most {S2D_MAX_NODES} servers."
    for n in rec["nodes"]:
        p = cs.node_peer(world, rec, n)
        if p is None or not cs.node_up(world, rec, n):
            return f"node '{n}' is down."
        if p.edition != "Datacenter":
            return f"this edition of Windows on '{n}' does not support Storage Spaces Direct (Datacenter needed)."
        if len(eligible_s2d_disks(world, p)) < 2:
            return f"node '{n}' has fewer than 2 disks eligible for Storage Spaces Direct (empty, non-shared)."
    return None


def _volume(rec: dict[str, Any], vol: str) -> None:
    copies = rec["pool"]["copies"]
    rec["virtualDisks"][vol] = {"resiliency": "Mirror", "copies": copies,
                                "sizeGB": int(rec["pool"]["sizeGB"] / copies * 0.9)}
    rec.setdefault("csvs", {})[vol] = {"path": f"C:\\ClusterStorage\\{vol}", "fileSystem": "CSVFS_ReFS",
                                       "virtualDisk": vol}
