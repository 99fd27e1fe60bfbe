"""Windows steps of the failover cluster: ``cluster-validate``, ``cluster-create``, ``cluster-networks``,
``witness-cloud``, ``witness-disk``, ``cluster-health``, ``cluster-stop``, ``cluster-start``."""

from __future__ import annotations

from typing import Any

from azguest.emulator.guest import clusterstate as cs
from azguest.emulator.guest.model import GuestResult, GuestRun, step
from azguest.emulator.guest.ps import fail, not_null_or_empty, ok, split_list, split_pairs
from azguest.emulator.guest.win_domain import feature_installed, joined_domain
from azguest.emulator.guest.winbase import check_credential, reboot_pending
from azguest.emulator.guest.world import Peer, World

CLUSTER_NAME_MAX = 15  # a cluster name is a NetBIOS computer name
KNOWN_TESTS = ("Inventory", "Network", "System Configuration", "Storage", "Storage Spaces Direct",
               "Hyper-V Configuration")
MIN_S2D_DISKS = 2  # storage-spaces-direct-in-vm.md: at least 2 data disks per VM
CLOUD_KINDS = ("StorageV2", "Storage")  # deploy-cloud-witness.md: general-purpose, Standard


def _cluster_fail(run: GuestRun, name: str, why: str) -> GuestResult:
    return fail("New-Cluster", f"There was an error creating the cluster '{name}'. {why}", run.script,
                category="NotSpecified", exception="ClusterCmdletException",
                fqid="New-Cluster,Microsoft.FailoverClusters.PowerShell.NewClusterCommand")


def _no_admin(run: GuestRun, cmdlet: str, node: str) -> GuestResult:
    return fail(cmdlet, f"You do not have administrative privileges on the server '{node}'.", run.script,
                category="AuthenticationError", exception="ClusterCmdletException")


def _credential(run: GuestRun, world: World, me: Peer, cmdlet: str) -> GuestResult | None:
    """Cluster-wide cmdlets run as the domain admin (a scheduled task): SYSTEM has no rights on the other nodes."""
    domain = joined_domain(me.facts)
    dc = world.domain_controller(domain) if domain else None
    if not run.parameters.get("AdminUser") or not run.protected.get("AdminPassword") or dc is None:
        return _no_admin(run, cmdlet, me.computer)
    adds = dc.facts["adds"]
    admin = str(((dc.vm.get("properties") or {}).get("osProfile") or {}).get("adminUsername") or "")
    return check_credential(run, cmdlet, admin, adds["netbios"], adds["forest"])


def _nodes(run: GuestRun, world: World, cmdlet: str) -> tuple[list[Peer], GuestResult | None]:
    names = split_list(run.parameters.get("Nodes"))
    if not names:
        return [], not_null_or_empty(cmdlet, "Node", run.script)
    out = []
    for n in names:
        p = world.by_name(n)
        if p is None or not p.running:
            return [], fail(cmdlet, f"The computer '{n.upper()}' could not be reached: the RPC server is "
                            "unavailable.", run.script, category="ConnectionError", exception="ClusterCmdletException")
        out.append(p)
    return out, None


@step("cluster-validate")
def cluster_validate(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Test-Cluster -Node Nodes -Include Tests` as the domain admin; the report is kept on this node. Fails with
    its failing tests: a node not joined (or joined but not restarted), Failover-Clustering missing, no common
    subnet, for S2D fewer than 2 nodes, not Datacenter, fewer than 2 empty non-shared data disks per node;
    for Storage no disk every node sees."""
    world = run.world
    me = world.me
    nodes, refused = _nodes(run, world, "Test-Cluster")
    if refused:
        return refused
    tests = split_list(run.parameters.get("Tests")) or ["Inventory", "Network", "System Configuration"]
    unknown = [t for t in tests if t not in KNOWN_TESTS]
    if unknown:
        return fail("Test-Cluster", f"No tests matched the provided parameters: '{unknown[0]}'.", run.script,
                    category="InvalidArgument", exception="ClusterCmdletException")
    refused = _credential(run, world, me, "Test-Cluster")
    if refused:
        return refused
    failed, warnings = _validate(world, nodes, tests)
    report = {"passed": not failed, "nodes": [p.computer for p in nodes], "tests": tests, "failed": failed,
              "warnings": warnings, "time": world.iso_now()}
    facts["validation"] = report
    if failed:
        lines = "; ".join(f"{f['category']} / {f['test']} ({f['node']}): {f['reason']}" for f in failed)
        return fail("Test-Cluster", f"Cluster validation failed, {len(failed)} failing test(s): {lines}", run.script,
                    category="InvalidResult", exception="ClusterCmdletException")
    return ok(run.step, changed=True, data=report)


def _validate(world: World, nodes: list[Peer], tests: list[str]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    failed: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []

    def add(into: list, category: str, test: str, node: str, reason: str) -> None:
        into.append({"category": category, "test": test, "node": node, "reason": reason})

    domains = {joined_domain(p.facts) for p in nodes}
    for p in nodes:
        if "System Configuration" in tests:
            if not joined_domain(p.facts):
                add(failed, "System Configuration", "Validate Active Directory Configuration", p.computer,
                    "not a domain member" + (" until it restarts" if (p.facts.get("domain") or {}).get("name") else ""))
            elif len(domains) > 1:
                add(failed, "System Configuration", "Validate Active Directory Configuration", p.computer,
                    "the nodes are in different domains")
            if not feature_installed(p.facts, "Failover-Clustering"):
                add(failed, "System Configuration", "Validate Required Services", p.computer,
                    "the Failover Clustering feature is not installed")
            if reboot_pending(p.facts):
                add(warnings, "System Configuration", "Validate Software Update Levels", p.computer, "restart pending")
        if "Storage Spaces Direct" in tests:
            if p.edition != "Datacenter":
                add(failed, "Storage Spaces Direct", "Validate Storage Spaces Direct Edition", p.computer,
                    "Storage Spaces Direct needs Windows Server Datacenter")
            eligible = eligible_s2d_disks(world, p, pool=f"S2D on {p.facts.get('cluster')}")
            if len(eligible) < MIN_S2D_DISKS:
                add(failed, "Storage Spaces Direct", "List Storage Spaces Direct Disks", p.computer,
                    f"{len(eligible)} eligible disk(s); at least {MIN_S2D_DISKS} empty, non-shared data disks")
    if "Storage Spaces Direct" in tests and len(nodes) < 2:
        add(failed, "Storage Spaces Direct", "Validate Storage Spaces Direct Server Count", nodes[0].computer,
            "Storage Spaces Direct needs at least 2 servers")
    if "Network" in tests:
        subnets = [{a["prefix"] for a in p.addresses().values()} for p in nodes]
        if not set.intersection(*subnets):
            add(failed, "Network", "Validate Network Communication", nodes[0].computer, "the nodes share no subnet")
    if "Storage" in tests and not _shared_for_all(world, nodes):
        add(failed, "Storage", "Validate SCSI-3 Persistent Reservation", nodes[0].computer,
            "no disk is visible to every node")
    return failed, warnings


def eligible_s2d_disks(world: World, p: Peer, pool: str | None = None) -> list[int]:
    """LUNs of the node's non-shared data disks that hold nothing (S2D claims only empty disks), or that are
    already in ``pool`` (a re-validation of a cluster with S2D enabled)."""
    out = []
    for lun, d in p.data_disks().items():
        content = world.disk_content(d["id"])
        if not d["shared"] and not content.get("volume") and content.get("pool") in (None, pool):
            out.append(lun)
    return out


def _shared_for_all(world: World, nodes: list[Peer]) -> bool:
    ids = [{d["id"].lower() for d in p.data_disks().values() if d["shared"]} for p in nodes]
    sessions = [{s["target"] for s in (p.facts.get("iscsi") or {}).get("sessions", [])} for p in nodes]
    return bool(set.intersection(*ids)) or bool(set.intersection(*sessions))


@step("cluster-create")
def cluster_create(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`New-Cluster -Name ClusterName -Node Nodes -NoStorage -ManagementPointNetworkType Distributed` as the domain
    admin: a shared cluster record, the computer object in AD, DNS records for every node's address (a
    distributed network name). Fails: this node or another not (yet) joined, no credential (SYSTEM), a node
    without Failover-Clustering or in another cluster, the DC not answering."""
    world, p = run.world, run.parameters
    me = world.me
    name = p.get("ClusterName") or ""
    if not name:
        return not_null_or_empty("New-Cluster", "Name", run.script)
    if len(name) > CLUSTER_NAME_MAX:
        return _cluster_fail(run, name, f"The cluster name is longer than {CLUSTER_NAME_MAX} characters.")
    nodes, refused = _nodes(run, world, "New-Cluster")
    if refused:
        return refused
    for n in [me, *nodes]:
        if not joined_domain(n.facts):
            pending = " (its domain join takes effect at its next restart)" if (n.facts.get("domain") or {}) else ""
            return _cluster_fail(run, name, f"The computer '{n.computer}' is not joined to a domain{pending}.")
    refused = _credential(run, world, me, "New-Cluster")
    if refused:
        return refused
    for n in nodes:
        if not feature_installed(n.facts, "Failover-Clustering"):
            return _cluster_fail(run, name, f"The Failover Clustering feature is not installed on '{n.computer}'.")
        other = cs.member(n.facts)
        if other and other.lower() != name.lower():
            return _cluster_fail(run, name, f"The computer '{n.computer}' is joined to a cluster.")
    domain = joined_domain(me.facts) or ""
    dc = world.domain_controller(domain)
    why = world.dns_problem(next(iter(dc.addresses()), ""), me) if dc else "no domain controller in the lab"
    if dc is None or why:
        return _cluster_fail(run, name, f"Unable to contact a domain controller for '{domain}' to create the "
                             f"computer object '{name}' ({why}).")
    rec = world.cluster(name)
    wanted = [n.computer for n in nodes]
    if rec is not None:  # the script's check-then-act: an existing cluster gets its missing nodes (Add-ClusterNode)
        added = [n for n in nodes if n.computer not in rec["nodes"]]
        for n in added:
            rec["nodes"].append(n.computer)
            n.facts["cluster"] = name
            cs.event(world, rec, "NodeAdded", node=n.computer)
        return ok(run.step, changed=bool(added), data={"name": name, "nodes": rec["nodes"]})
    report = facts.get("validation") or {}
    validation = report if sorted(report.get("nodes", [])) == sorted(wanted) else None
    rec = world.new_cluster(name, {"name": name, "domain": domain, "created": world.iso_now(), "nodes": wanted,
                                   "managementPoint": "Distributed", "validation": validation, "networks": {},
                                   "pool": None, "virtualDisks": {}, "disks": {}, "csvs": {}, "witness": None,
                                   "roles": {}, "repair": None, "events": []})
    for n in nodes:
        n.facts["cluster"] = name
    adds = dc.facts["adds"]
    adds.setdefault("computers", []).append(name.upper())
    adds.setdefault("records", {})[name.lower()] = [next(iter(n.addresses()), "") for n in nodes]
    cs.event(world, rec, "ClusterCreated", nodes=wanted)
    return ok(run.step, changed=True, data={"name": name, "nodes": wanted, "managementPoint": "Distributed",
                                            "validated": bool(validation and validation.get("passed"))})


def my_cluster(run: GuestRun, cmdlet: str = "Get-Cluster") -> tuple[dict[str, Any] | None, GuestResult | None]:
    """This node's cluster record, or the error of a cluster cmdlet on a node whose Cluster service is not running."""
    world = run.world
    me = world.me
    rec = world.cluster(cs.member(me.facts))
    if rec is None or me.facts.get("clusterStopped"):
        return None, fail(cmdlet, "The cluster service is not running.  Make sure that the service is running on all "
                          f"nodes in the cluster. (azguest emulator: {me.computer} "
                          + ("is in no cluster)" if rec is None else "had its Cluster service stopped)"), run.script,
                          category="ConnectionError", exception="ClusterCmdletException")
    return rec, None


@step("cluster-networks")
def cluster_networks(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Cluster networks named after subnets, with roles (`Networks` prefix=name:role; 0 none, 1 cluster, 3
    cluster and client). Fails: a prefix no node has an address in (the NAT prefix once a node has that NAT)."""
    rec, refused = my_cluster(run, "Get-ClusterNetwork")
    if refused:
        return refused
    world = run.world
    present = set()
    for n in rec["nodes"]:
        p = cs.node_peer(world, rec, n)
        if p:
            present |= {a["prefix"] for a in p.addresses().values()}
            if p.facts.get("nat"):
                present.add(p.facts["nat"]["prefix"])
    wanted = split_pairs(run.parameters.get("Networks"))
    nets = {}
    for prefix, spec in wanted.items():
        label, _, role = spec.partition(":")
        if prefix not in present:
            return fail("Get-ClusterNetwork", f"No cluster network has the address {prefix}.", run.script,
                        category="ObjectNotFound", exception="ItemNotFoundException")
        if role not in ("0", "1", "3"):
            return fail("Set-ClusterParameter", f"The value '{role}' is not a valid cluster network role (0, 1, 3).",
                        run.script, category="InvalidArgument", exception="ClusterCmdletException")
        nets[label] = {"prefix": prefix, "role": int(role)}
    changed = rec.get("networks") != nets
    rec["networks"] = nets
    return ok(run.step, changed=changed, data={"networks": nets})


@step("witness-cloud")
def witness_cloud(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Set-ClusterQuorum -CloudWitness -AccountName -AccessKey StorageKey -Endpoint`: the key is checked against
    the account's keys, never kept. Fails: no such account (the name does not resolve), another endpoint, a
    Premium or blob-only account, a wrong key (403)."""
    rec, refused = my_cluster(run, "Set-ClusterQuorum")
    if refused:
        return refused
    world, p = run.world, run.parameters
    account, endpoint = p.get("AccountName") or "", p.get("Endpoint") or "core.windows.net"
    if not account:
        return not_null_or_empty("Set-ClusterQuorum", "AccountName", run.script)
    sa = world.storage_account(account)
    if sa is None or endpoint.lower() != "core.windows.net":
        return fail("Set-ClusterQuorum", f"There was an error configuring the cloud witness: The remote name could not "
                    f"be resolved: '{account}.blob.{endpoint}'.", run.script, category="ConnectionError",
                    exception="ClusterCmdletException")
    tier = (sa.get("sku") or {}).get("tier") or "Standard"
    if sa.get("kind") not in CLOUD_KINDS or tier != "Standard":
        return fail("Set-ClusterQuorum", f"There was an error configuring the cloud witness: '{account}' is "
                    f"{sa.get('kind')} {tier}; a cloud witness needs a general-purpose Standard account.", run.script)
    from azguest.emulator.handlers.storage_accounts import account_keys

    if run.protected.get("StorageKey") not in account_keys(sa):
        return fail("Set-ClusterQuorum", "There was an error configuring the cloud witness: The remote server returned "
                    "an error: (403) Forbidden.", run.script, category="PermissionDenied",
                    exception="ClusterCmdletException")
    witness = {"type": "Cloud", "account": sa["name"], "endpoint": endpoint, "container": "msft-cloud-witness"}
    changed = rec.get("witness") != witness
    rec["witness"] = witness
    return ok(run.step, changed=changed, data={"witness": witness})


@step("witness-disk")
def witness_disk(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Set-ClusterQuorum -DiskWitness` on the cluster disk labelled `DiskLabel`. Fails: no such cluster disk (run
    cluster-disks first), or a cluster shared volume (which cannot be a disk witness)."""
    rec, refused = my_cluster(run, "Set-ClusterQuorum")
    if refused:
        return refused
    label = run.parameters.get("DiskLabel") or ""
    disk = (rec.get("disks") or {}).get(label)
    if disk is None:
        return fail("Set-ClusterQuorum", f"The cluster resource '{label}' could not be found.", run.script,
                    category="ObjectNotFound", exception="ClusterCmdletException")
    if any(c.get("disk") == label for c in rec.get("csvs", {}).values()):
        return fail("Set-ClusterQuorum", f"The resource '{label}' is a Cluster Shared Volume and cannot be used as the "
                    "disk witness.", run.script, category="InvalidOperation", exception="ClusterCmdletException")
    witness = {"type": "Disk", "disk": label}
    changed = rec.get("witness") != witness
    rec["witness"] = witness
    return ok(run.step, changed=changed, data={"witness": witness})


def _local(run: GuestRun) -> tuple[World, Peer, dict[str, Any] | None, GuestResult | None]:
    """(world, this node, the cluster whose service runs here or None, the failure of ``Get-Service ClusSvc``
    where the Cluster service does not exist: no Failover-Clustering)."""
    world = run.world
    me = world.me
    if feature_installed(me.facts, "Failover-Clustering"):
        return world, me, local_cluster(world, me), None
    return world, me, None, fail("Get-Service", "Cannot find any service with service name 'ClusSvc'.", run.script,
                category="ObjectNotFound", exception="ServiceCommandException",
                fqid="NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand")


def local_cluster(world: World, me: Peer) -> dict[str, Any] | None:
    """The cluster whose service runs on this node, or None."""
    rec = world.cluster(cs.member(me.facts))
    return rec if rec is not None and not me.facts.get("clusterStopped") else None


@step("cluster-health")
def cluster_health(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Query (`azguest test`, stop/start): nodes Up/Down, quorum, this node's saved validation report, pool,
    virtual disks, cluster disks, CSVs, witness, roles with owners and anti-affinity classes, storage (repair)
    jobs, recent events, and what the node's DNS resolves for the cluster name. With the Cluster service
    stopped on this node: `state: Stopped` (exit code 0)."""
    world, me, rec, refused = _local(run)
    if refused:
        return refused
    validation = cs.validation_summary(facts.get("validation"))
    if rec is None:
        data: dict[str, Any] = {"cluster": "", "state": "Stopped", "quorum": False, "localNode": me.computer,
                                "nodes": [], "validation": validation, "pool": None, "virtualDisks": [], "disks": [],
                                "csvs": [], "witness": None, "roles": [], "storageJobs": [],
                                "dns": {"name": "", "server": "", "addresses": []}}
        return ok(run.step, changed=False, data=data)
    data = cs.health(world, rec, me.computer)
    data["validation"] = validation
    server, _ = world.resolver(me)
    dc = world.by_ip(server) if server else None
    records = ((dc.facts.get("adds") or {}).get("records") or {}) if dc else {}
    data["dns"] = {"name": rec["name"], "server": server or "", "addresses": records.get(rec["name"].lower(), [])}
    return ok(run.step, changed=False, data=data)


@step("cluster-stop")
def cluster_stop(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Stop-Cluster -Force` where the Cluster service runs here: it stops on every node (roles still online go
    offline with it, and come back at the next start); a node deallocated afterwards is a graceful stop (no
    repair). `data.cluster` is "" when it was stopped already."""
    world, me, rec, refused = _local(run)
    if refused:
        return refused
    if rec is None:
        return ok(run.step, changed=False, data={"cluster": ""})
    online = [n for n, r in rec.get("roles", {}).items() if cs.role_state(world, rec, r) == "Online"]
    for n in rec["nodes"]:
        p = cs.node_peer(world, rec, n)
        if p:
            p.facts["clusterStopped"] = True
    cs.event(world, rec, "ClusterStopped", rolesOnline=online)
    return ok(run.step, changed=True, data={"cluster": rec["name"]})


@step("cluster-start")
def cluster_start(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Start-Cluster` where the Cluster service is stopped here: it starts on every running node; fails without
    quorum (too few nodes running). Roles that were online come back (failed over where their owner is down)."""
    world, me, _, refused = _local(run)
    if refused:
        return refused
    rec = world.cluster(cs.member(me.facts))
    if rec is None:
        return fail("Start-Cluster", f"The computer '{me.computer}' is not a member of a cluster.", run.script,
                    category="ObjectNotFound", exception="ClusterCmdletException")
    changed = bool(me.facts.get("clusterStopped"))
    if changed:
        for n in rec["nodes"]:
            p = cs.node_peer(world, rec, n)
            if p and p.running:
                p.facts.pop("clusterStopped", None)
    if not cs.has_quorum(world, rec):
        down = [n for n in rec["nodes"] if not cs.node_up(world, rec, n)]
        return fail("Start-Cluster", f"The cluster service could not reach quorum on '{rec['name']}': nodes not "
                    f"running: {', '.join(down)}.", run.script, category="OperationTimeout",
                    exception="ClusterCmdletException")
    cs.settle(world, rec)
    if changed:
        cs.event(world, rec, "ClusterStarted")
    nodes = [{"name": n, "state": "Up" if cs.node_up(world, rec, n) else "Down"} for n in rec["nodes"]]
    return ok(run.step, changed=changed, data={"cluster": rec["name"], "nodes": nodes})
