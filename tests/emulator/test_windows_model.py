"""The windows-model guest (issue 10 item 5), driven through the real SDK: the lab's Azure resources are built
from an example spec, then every guest step runs as a managed run command with its script from
templates/guest/ and the parameters the step contract gives it. Out-of-order steps, parameter mismatches,
pending reboots and hard deallocations fail or show as Windows would."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azguest.azure import AzureSession
from azguest.emulator import Engine
from azguest.emulator.guest.ps import bind, parse_param_block
from azguest.guest.steps import OPERATIONS, all_steps, script_text, steps_for, targets_of
from azguest.spec import load_lab
from azguest.spec.models import Lab as Spec
from tests.emulator.lab import TEST_PASSWORD

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MODES = {"s2d": "s2d-2node.yaml", "shared-disk": "shared-disk-3node.yaml", "iscsi": "iscsi-2node.yaml"}
IMAGE = {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition",
         "version": "latest"}
STEPS = {**all_steps(), **{s.id: s for s in OPERATIONS}}


class WinLab:
    """A lab's Azure resources built from its spec (one group), and its guest steps run as run commands."""

    def __init__(self, s: AzureSession, spec: Spec, uid: str) -> None:
        self.s, self.spec = s, spec
        self.rg = f"rg-win-{uid}"
        self.vm_of: dict[str, str] = {}  # computer -> VM name
        self.n = 0
        self.restarts: dict[str, int] = {}
        self.steps = {**STEPS, **{st.id: st for st in steps_for(spec)}}  # the lab's own (cluster-disks per mode)

    # -- Azure resources ------------------------------------------------------------------------------
    def build(self) -> WinLab:
        sp, loc = self.spec, self.spec.location
        self.s.resource.resource_groups.create_or_update(self.rg, {"location": loc})
        vnet = self.s.network.virtual_networks.begin_create_or_update(self.rg, "vnet", {"location": loc, "properties": {
            "addressSpace": {"addressPrefixes": [str(sp.network.address_space)]},
            "subnets": [{"name": s.name, "properties": {"addressPrefix": str(s.prefix)}} for s in sp.network.subnets]}}
        ).result()
        subnet_ids = {s.name: s.id for s in vnet.subnets}
        if sp.cluster.witness == "cloud":
            self.s.storage.storage_accounts.begin_create(self.rg, sp.witness_storage_account_name, {
                "location": loc, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}).result()
        disks: dict[str, list[str]] = {}
        for d in sp.storage_layout().disks:
            props: dict[str, Any] = {"creationData": {"createOption": "Empty"}, "diskSizeGB": d.size_gb}
            if d.max_shares > 1:
                props["maxShares"] = d.max_shares
            disk = self.s.compute.disks.begin_create_or_update(self.rg, d.name, {
                "location": loc, "sku": {"name": d.sku}, "properties": props}).result()
            for c in d.attach_to:
                disks.setdefault(c, []).append(disk.id)
        dc = sp.domain.controller
        dc_disk = self.s.compute.disks.begin_create_or_update(self.rg, "dc-data", {
            "location": loc, "sku": {"name": "Premium_LRS"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 32}}).result()
        self._vm(dc.name, dc.size, {sp.network.subnets[0].name: str(dc.ip)}, [dc_disk.id], subnet_ids)
        addresses = sp.addresses()
        for computer in sp.cluster.nodes.names():
            ips = {n: str(ip) for n, ip in addresses[computer].items()}
            self._vm(computer, sp.cluster.nodes.size, ips, disks.get(computer, []), subnet_ids)
        for vm in sp.storage_layout().vms:
            ips = ({sp.network.subnets[vm.subnet].name: str(vm.ip)} if vm.ip else
                   {n: str(ip) for n, ip in addresses[vm.computer].items()})
            self._vm(vm.computer, vm.size, ips, disks.get(vm.computer, []), subnet_ids)
        return self

    def _vm(self, computer: str, size: str, ips: dict[str, str], disk_ids: list[str],
            subnet_ids: dict[str, str]) -> None:
        loc, name = self.spec.location, f"vm-{computer}"
        nics = []
        for i, (subnet, ip) in enumerate(ips.items()):
            nic = self.s.network.network_interfaces.begin_create_or_update(self.rg, f"{name}-nic{i}", {
                "location": loc, "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                    "subnet": {"id": subnet_ids[subnet]}, "privateIPAllocationMethod": "Static",
                    "privateIPAddress": ip}}]}}).result()
            nics.append({"id": nic.id, "properties": {"primary": i == 0}})
        self.s.compute.virtual_machines.begin_create_or_update(self.rg, name, {"location": loc, "properties": {
            "hardwareProfile": {"vmSize": size},
            "storageProfile": {"imageReference": IMAGE, "osDisk": {
                "name": f"{name}-os", "createOption": "FromImage", "caching": "ReadWrite",
                "managedDisk": {"storageAccountType": "Premium_LRS"}},
                "dataDisks": [{"lun": lun, "createOption": "Attach", "caching": "None", "managedDisk": {"id": d}}
                              for lun, d in enumerate(disk_ids)]},
            "osProfile": {"computerName": computer, "adminUsername": self.spec.admin.username,
                          "adminPassword": TEST_PASSWORD},
            "networkProfile": {"networkInterfaces": nics}}}).result()
        self.vm_of[computer] = name

    # -- guest steps ------------------------------------------------------------------------------------
    def secrets(self, step_id: str) -> dict[str, str]:
        out = {"AdminPassword": TEST_PASSWORD, "SafeModePassword": TEST_PASSWORD}
        if "StorageKey" in self.steps[step_id].protected:
            out["StorageKey"] = self.storage_key()
        return {k: v for k, v in out.items() if k in self.steps[step_id].protected}

    def run(self, step_id: str, computer: str, params: dict[str, str] | None = None,
            protected: dict[str, str] | None = None, script: str | None = None) -> Any:
        """One managed run command of ``step_id`` on ``computer``; returns its instance view."""
        st = self.steps[step_id]
        params = dict(st.values(self.spec, computer)) if params is None else params
        protected = self.secrets(step_id) if protected is None else protected
        self.n += 1
        ops = self.s.compute.virtual_machine_run_commands
        vm = self.vm_of[computer]
        ops.begin_create_or_update(self.rg, vm, f"{step_id}-{self.n}", {"location": self.spec.location, "properties": {
            "source": {"script": script if script is not None else script_text(st)},
            "parameters": [{"name": k, "value": v} for k, v in params.items()],
            "protectedParameters": [{"name": k, "value": v} for k, v in protected.items()],
            "timeoutInSeconds": st.timeout_s}}).result()
        return ops.get_by_virtual_machine(self.rg, vm, f"{step_id}-{self.n}", expand="instanceView").instance_view

    def ok(self, step_id: str, computer: str, **kw: Any) -> dict[str, Any]:
        iv = self.run(step_id, computer, **kw)
        assert (iv.execution_state, iv.exit_code) == ("Succeeded", 0), f"{step_id} on {computer}: {iv.error}"
        line = json.loads(iv.output.strip().splitlines()[-1])
        assert line["step"] == step_id
        return line

    def storage_key(self) -> str:
        keys = self.s.storage.storage_accounts.list_keys(self.rg, self.spec.witness_storage_account_name)
        return str(keys.as_dict()["keys"][0]["value"])

    def restart(self, computer: str) -> None:
        self.s.compute.virtual_machines.begin_restart(self.rg, self.vm_of[computer]).result()
        self.restarts[computer] = self.restarts.get(computer, 0) + 1

    def configure(self, until: str | None = None) -> None:
        """Every step of the lab in dependency order; each VM restarts once, after its restart step, when a
        step on it reported a pending reboot (the contract's rule)."""
        steps = _topological(steps_for(self.spec))
        pending: dict[str, bool] = {}
        for st in steps:
            if st.id == until:
                return
            for computer in targets_of(self.spec, st):
                line = self.ok(st.id, computer)
                pending[computer] = pending.get(computer, False) or line["rebootRequired"]
                if st.reboot == "restart" and pending[computer]:
                    self.restart(computer)
                    pending[computer] = False

    def health(self, computer: str | None = None) -> dict[str, Any]:
        return self.ok("cluster-health", computer or self.spec.cluster.nodes.names()[0])["data"]


def _topological(steps: tuple) -> list:
    ids = {s.id for s in steps}
    done: list = []
    left = list(steps)
    while left:
        st = next(s for s in left if all(d not in ids or d in {x.id for x in done} for d in s.deps))
        done.append(st)
        left.remove(st)
    return done


def _unthrottled(engine: Engine) -> Engine:
    """These tests run more commands on one VM than a deploy does; per-VM throttling is tested elsewhere."""
    engine.profile = engine.profile.replace(throttling=dataclasses.replace(engine.profile.throttling, enabled=False))
    return engine


@pytest.fixture
def win(engine: Engine, uid: str) -> Iterator[Any]:
    """``win(mode)``: a built lab of that storage mode's example on an in-process session."""
    with AzureSession.for_engine(_unthrottled(engine)) as s:
        yield lambda mode: WinLab(s, load_lab(EXAMPLES / MODES[mode]), uid).build()


def _assert_validated_cluster(lab: WinLab, h: dict[str, Any]) -> None:
    sp = lab.spec
    assert h["state"] == "Running" and h["quorum"] is True
    assert {n["name"]: n["state"] for n in h["nodes"]} == {n.upper(): "Up" for n in sp.cluster.nodes.names()}
    assert h["validation"]["passed"] is True and h["validation"]["failed"] == []
    assert h["csvs"] and all(c["state"] == "Online" for c in h["csvs"])
    assert all(v["health"] == "Healthy" for v in h["virtualDisks"])
    assert h["witness"]["type"] == {"cloud": "Cloud", "disk": "Disk"}[sp.cluster.witness]
    assert h["witness"]["state"] == "Online"
    roles = {r["name"]: r for r in h["roles"]}
    assert set(roles) == {w.name for w in sp.cluster.workloads} and all(r["state"] == "Online" for r in roles.values())
    for cls in {w.anti_affinity for w in sp.cluster.workloads if w.anti_affinity}:
        owners = [roles[w.name]["owner"] for w in sp.cluster.workloads if w.anti_affinity == cls]
        assert len(owners) == len(set(owners)), f"anti-affinity class {cls} shares a node: {owners}"
    node_ips = {str(ip) for ips in sp.node_ips().values() for ip in ips.values()}
    assert h["dns"]["addresses"] and set(h["dns"]["addresses"]) <= node_ips


@pytest.mark.parametrize("mode", list(MODES))
def test_happy_path__every_storage_mode_reaches_a_validated_cluster(win, engine: Engine, mode: str) -> None:
    lab = win(mode)
    engine.reset_log()
    lab.configure()
    h = lab.health()
    _assert_validated_cluster(lab, h)
    if mode == "s2d":
        assert h["pool"]["name"] == f"S2D on {lab.spec.cluster.name}" and h["pool"]["health"] == "Healthy"
    restarts = [e.path for e in engine.request_log if e.kind == "action" and e.path.lower().endswith("/restart")]
    assert len(restarts) == len(set(restarts)) == 1 + len(lab.spec.cluster.nodes.names())  # each VM at most once
    dc = lab.ok("dc-health", lab.spec.domain.controller.name)["data"]
    assert dc["forest"] == lab.spec.domain.fqdn and dc["forwarders"] == ["168.63.129.16"]


def test_happy_path__over_http_too(session: AzureSession, uid: str) -> None:
    lab = WinLab(session, load_lab(EXAMPLES / MODES["s2d"]), uid).build()
    lab.configure()
    _assert_validated_cluster(lab, lab.health())


# ---- out of order ----------------------------------------------------------------------------------------

def _failed(iv: Any, *needles: str) -> None:
    assert iv.execution_state == "Failed" and iv.exit_code != 0, iv.output
    for n in needles:
        assert n in iv.error, iv.error


def test_new_cluster_before_the_domain_join__fails_naming_new_cluster_and_the_node(win) -> None:
    lab = win("s2d")
    lab.configure(until="node-join")
    first = lab.spec.cluster.nodes.names()[0]
    iv = lab.run("cluster-create", first)
    _failed(iv, "New-Cluster :", f"The computer '{first.upper()}' is not joined to a domain")
    assert iv.exit_code == 1 and "At line:" in iv.error  # a PowerShell error record, positioned in the script


def test_join_before_the_dc_answers__fails_and_leaves_dns_alone(win) -> None:
    lab = win("s2d")
    node = lab.spec.cluster.nodes.names()[0]
    lab.ok("node-features", node)
    lab.ok("s2d-node-settings", node)
    _failed(lab.run("node-join", node), "Add-Computer :", f"Computer '{node.upper()}' failed to join domain",
            "runs no DNS Server service")
    dc = lab.spec.domain.controller.name
    lab.ok("dc-promote", dc)  # promoted, but not restarted yet: its DNS does not answer
    iv = lab.run("dc-dns", dc)
    _failed(iv, "could not reach Azure storage", "has not restarted since Install-ADDSForest")
    assert iv.exit_code == 1460
    lab.restart(dc)
    _failed(lab.run("node-join", node), "Resolve-DnsName", "no forwarder")  # DC answers, dc-dns not run yet
    lab.ok("dc-dns", dc)
    assert lab.ok("node-join", node)["rebootRequired"] is True


def test_a_vm_whose_dns_server_does_not_answer__cannot_run_commands(win) -> None:
    lab = win("s2d")
    lab.configure(until="cluster-validate")
    node = lab.spec.cluster.nodes.names()[0]
    lab.s.compute.virtual_machines.begin_deallocate(lab.rg, lab.vm_of[lab.spec.domain.controller.name]).result()
    _failed(lab.run("cluster-validate", node), "no DNS server answers", "is deallocated")


def test_s2d_with_one_node__fails(win) -> None:
    lab = win("s2d")
    lab.configure(until="cluster-validate")
    first = lab.spec.cluster.nodes.names()[0]
    iv = lab.run("cluster-validate", first, params={**STEPS["cluster-validate"].values(lab.spec, first),
                                                   "Nodes": first})
    _failed(iv, "Test-Cluster :", "Validate Storage Spaces Direct Server Count")
    lab.ok("cluster-create", first, params={**STEPS["cluster-create"].values(lab.spec, first), "Nodes": first})
    _failed(lab.run("s2d-enable", first), "Enable-ClusterStorageSpacesDirect :", "at least 2 servers")


def test_hyperv_used_before_its_restart__fails_then_an_arm_restart_clears_the_pending_reboot(win) -> None:
    lab = win("s2d")
    node = lab.spec.cluster.nodes.names()[0]
    line = lab.ok("node-features", node)
    assert line["rebootRequired"] is True and line["data"]["features"]["Hyper-V"] == "InstallPending"
    _failed(lab.run("workload-switch", node), "New-VMSwitch :", "restart is pending")
    assert lab.ok("node-features", node)["rebootRequired"] is True  # a re-run does not clear it
    lab.s.compute.virtual_machines.begin_deallocate(lab.rg, lab.vm_of[node]).result()
    lab.s.compute.virtual_machines.begin_start(lab.rg, lab.vm_of[node]).result()  # stop + start is a reboot too
    line = lab.ok("node-features", node)
    assert line["rebootRequired"] is False and line["data"]["features"]["Hyper-V"] == "Installed"
    assert lab.ok("workload-switch", node)["data"]["switch"] == "InternalNAT"


def test_cluster_create_as_system__has_no_rights_on_the_nodes(win) -> None:
    lab = win("iscsi")
    lab.configure(until="cluster-create")
    first = lab.spec.cluster.nodes.names()[0]
    _failed(lab.run("cluster-create", first, protected={}), "You do not have administrative privileges")


# ---- parameters ----------------------------------------------------------------------------------------

def test_parameters_are_bound_to_the_scripts_param_block(win) -> None:
    lab = win("s2d")
    dc = lab.spec.domain.controller.name
    good = dict(STEPS["dc-promote"].values(lab.spec, dc))
    _failed(lab.run("dc-promote", dc, params={**good, "DomainFqdn": "x.test"}),
            "A parameter cannot be found that matches parameter name 'DomainFqdn'", "ParameterBindingException")
    _failed(lab.run("dc-promote", dc, params={**good, "D": "x"}), "is ambiguous", "-DomainName", "-DataDiskLun")
    mandatory = script_text(STEPS["dc-promote"]).replace("[string]$DomainName", "[Parameter(Mandatory)][string]"
                                                         "$DomainName", 1)
    _failed(lab.run("dc-promote", dc, params={k: v for k, v in good.items() if k != "DomainName"}, script=mandatory),
            "missing mandatory parameters: DomainName")
    _failed(lab.run("dc-promote", dc, protected={}), "ConvertTo-SecureString")  # no safe-mode password
    lab.ok("dc-promote", dc, params={k.lower(): v for k, v in good.items()})  # names are case-insensitive


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_every_contract_script__declares_the_contracts_parameters(step_id: str) -> None:
    block = parse_param_block(script_text(STEPS[step_id]))
    assert block is not None and block.advanced
    assert {n.lower() for n in block.names} == {n.lower() for n in (*STEPS[step_id].params, *STEPS[step_id].protected)}
    assert bind(script_text(STEPS[step_id]), step_id, {"NotAParameter": "x"})[1] is not None


# ---- hard and graceful stops -----------------------------------------------------------------------------

def test_hard_deallocation_of_a_node__degrades_storage_and_moves_its_roles(engine: Engine, uid: str) -> None:
    with AzureSession.for_engine(_unthrottled(engine)) as s:
        lab = WinLab(s, load_lab(EXAMPLES / MODES["s2d"]), uid).build()
        lab.configure()
        a, b = [n.upper() for n in lab.spec.cluster.nodes.names()]
        before = {r["name"]: r["owner"] for r in lab.health()["roles"]}
        victim = next(iter(before.values()))
        other = b if victim == a else a
        s.compute.virtual_machines.begin_deallocate(lab.rg, lab.vm_of[victim.lower()]).result()
        h = lab.health(other.lower())
        assert {n["name"]: n["state"] for n in h["nodes"]}[victim] == "Down" and h["quorum"] is True
        assert h["repairNeeded"] is True and h["virtualDisks"][0]["operational"] == "Degraded"
        assert all(r["owner"] == other and r["state"] == "Online" for r in h["roles"])  # moved, still running
        assert any(e["event"] == "NodeDown" and e["graceful"] is False for e in h["events"])
        engine.profile = engine.profile.replace(latency=dataclasses.replace(engine.profile.latency, time_scale=1.0))
        s.compute.virtual_machines.begin_start(lab.rg, lab.vm_of[victim.lower()]).result()
        h = lab.health(other.lower())
        assert h["storageJobs"][0]["name"] == "Repair" and h["virtualDisks"][0]["operational"] == "InService"
        engine.advance(400)  # the resync (guest.s2d-repair: 300 Azure seconds) completes
        h = lab.health(other.lower())
        assert h["repairNeeded"] is False and h["virtualDisks"][0]["health"] == "Healthy"
        moved = lab.ok("workloads-start", other.lower())["data"]["moved"]
        assert moved  # soft anti-affinity: the roles that failed over together are moved apart again
        _assert_validated_cluster(lab, lab.health())


def test_graceful_stop__needs_no_repair_and_starts_where_it_left(win) -> None:
    lab = win("s2d")
    lab.configure()
    first = lab.spec.cluster.nodes.names()[0]
    assert sorted(lab.ok("workloads-stop", first)["data"]["stopped"]) == ["web01", "web02"]
    assert lab.ok("cluster-stop", first)["data"]["cluster"] == lab.spec.cluster.name
    assert lab.ok("cluster-stop", first)["data"]["cluster"] == ""  # idempotent
    order = [*lab.spec.cluster.nodes.names(), lab.spec.domain.controller.name]
    for c in order:
        lab.s.compute.virtual_machines.begin_deallocate(lab.rg, lab.vm_of[c]).result()
    _failed(_node_before_dc(lab, first), "no DNS server answers")
    for c in reversed(order):
        lab.s.compute.virtual_machines.begin_start(lab.rg, lab.vm_of[c]).result()
    lab.ok("dc-health", lab.spec.domain.controller.name)
    started = lab.ok("cluster-start", first)["data"]
    assert {n["state"] for n in started["nodes"]} == {"Up"}
    h = lab.health()
    assert h["repairNeeded"] is False and all(r["state"] == "Offline" for r in h["roles"])
    assert sorted(lab.ok("workloads-start", first)["data"]["started"]) == ["web01", "web02"]
    _assert_validated_cluster(lab, lab.health())


def _node_before_dc(lab: WinLab, first: str) -> Any:
    """A node started before the DC: its DNS server (the DC) does not answer, so no command runs on it."""
    lab.s.compute.virtual_machines.begin_start(lab.rg, lab.vm_of[first]).result()
    iv = lab.run("cluster-health", first)
    lab.s.compute.virtual_machines.begin_deallocate(lab.rg, lab.vm_of[first]).result()
    return iv


def test_no_secret_reaches_the_state_output_or_log(win, engine: Engine) -> None:
    lab = win("s2d")
    lab.configure()
    key = lab.storage_key()
    dumped = json.dumps(engine.store.state)
    assert TEST_PASSWORD not in dumped and key not in dumped
    assert not [e for e in engine.request_log if TEST_PASSWORD in e.path or key in e.path]


def test_a_steps_run_command_takes_its_profile_duration(win, engine: Engine) -> None:
    lab = win("s2d")
    engine.profile = engine.profile.replace(latency=dataclasses.replace(engine.profile.latency, time_scale=1.0))
    dc = lab.spec.domain.controller.name
    t0 = engine.clock()
    lab.ok("dc-promote", dc)
    promote = engine.clock() - t0
    t0 = engine.clock()
    _failed(lab.run("dc-dns", dc), "could not reach Azure storage")  # refused at once: no restart yet
    refused = engine.clock() - t0
    durations = engine.profile.latency.durations
    assert durations["guest.dc-promote"] <= promote < durations["guest.dc-promote"] + 60
    assert durations["guest.failed"] <= refused < durations["guest.dc-promote"]


def test_treat_failure_as_deployment_failure__the_arm_error_carries_the_powershell_error(win) -> None:
    from azure.core.exceptions import HttpResponseError

    lab = win("s2d")
    node = lab.spec.cluster.nodes.names()[0]
    ops = lab.s.compute.virtual_machine_run_commands
    body = {"location": lab.spec.location, "properties": {
        "source": {"script": script_text(STEPS["cluster-create"])}, "treatFailureAsDeploymentFailure": True,
        "parameters": [{"name": k, "value": v} for k, v in STEPS["cluster-create"].values(lab.spec, node).items()],
        "protectedParameters": [{"name": "AdminPassword", "value": TEST_PASSWORD}]}}
    with pytest.raises(HttpResponseError) as err:
        ops.begin_create_or_update(lab.rg, lab.vm_of[node], "cluster-create-1", body).result()
    assert err.value.error.code == "VMExtensionProvisioningError"
    assert "exit code 1" in str(err.value) and "New-Cluster" in str(err.value) and TEST_PASSWORD not in str(err.value)


def test_iscsi_target_stopped_from_outside__fails_the_cluster_disks_until_it_returns(win) -> None:
    lab = win("iscsi")
    lab.configure()
    target = lab.vm_of[lab.spec.storage_layout().vms[0].computer]
    lab.s.compute.virtual_machines.begin_deallocate(lab.rg, target).result()
    h = lab.health()
    assert {d["state"] for d in h["disks"]} == {"Failed"} and {c["state"] for c in h["csvs"]} == {"Failed"}
    assert {r["state"] for r in h["roles"]} == {"Failed"}
    assert h["nodes"] and all(n["state"] == "Up" for n in h["nodes"])  # the nodes themselves stay up
    lab.s.compute.virtual_machines.begin_start(lab.rg, target).result()  # persistent sessions reconnect
    _assert_validated_cluster(lab, lab.health())
