"""deploy / plan / status / destroy against the emulator, through the real SDK."""

from __future__ import annotations

from collections import Counter

import pytest

from azguest.azure import AzureSession
from azguest.deploy.lab import make_plan
from azguest.deploy.status import lab_status
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.errors import ConflictError, PreflightError
from azguest.plan.desired import desired_graph
from tests.deploy.conftest import PASSWORD, do_deploy, lab_from, writes


@pytest.mark.http  # this area's end-to-end over the loopback HTTP front end too
def test_deploy__first_run_puts_each_resource_once_then_rerun_writes_nothing(session, engine, s2d_lab):
    record = do_deploy(session, s2d_lab)
    graph = desired_graph(s2d_lab, session.subscription_id)
    assert record.ok and record.summary()["created"] == len(graph.resources)
    puts = Counter(e.path.lower() for e in writes(engine) if e.method == "PUT")
    assert set(puts) == {r.arm_id.lower() for r in graph.resources} and set(puts.values()) == {1}
    engine.reset_log()
    again = do_deploy(session, s2d_lab)
    assert again.note == "no changes" and writes(engine) == []
    vms = sum(1 for r in graph.resources if r.kind == "vm")  # one run-command list per VM (child kind)
    assert engine.stats()["by_kind"]["read"] <= 12 + vms  # one per top-level resource kind plus the group


def test_deploy__vms_run_with_the_secret_sent_but_never_returned(session, engine, s2d_lab):
    do_deploy(session, s2d_lab)
    st = lab_status(session, s2d_lab.name)
    assert {v.power_state for v in st.vms} == {"running"} and len(st.vms) == 3
    rg = s2d_lab.resource_group_name
    for vm in session.compute.virtual_machines.list(rg):
        assert PASSWORD not in str(vm.as_dict())


def test_status__shows_which_vms_hold_each_shared_disk(session, engine, shared_lab):
    do_deploy(session, shared_lab)
    st = lab_status(session, shared_lab.name)
    shared = [d for d in st.disks if d.max_shares > 1]
    nodes = {v.name for v in st.vms if v.role == "node"}
    assert shared and all(set(d.held_by) == nodes and d.max_shares == len(nodes) for d in shared)


def test_plan__max_shares_change_on_attached_disk_is_refused_before_any_write(engine, shared_lab):
    session = AzureSession.for_engine(engine)
    do_deploy(session, shared_lab)
    assert make_plan(session, shared_lab).summary() == {"no-change": len(desired_graph(shared_lab, "s").resources)}
    two_nodes = lab_from("shared-disk-3node.yaml", **{"count: 3": "count: 2"})
    plan = make_plan(session, two_nodes)
    replaced = plan.by_action("replace")
    assert replaced and all(c.kind == "disk" for c in replaced)
    engine.reset_log()
    with pytest.raises(ConflictError) as exc:
        do_deploy(session, two_nodes)
    assert exc.value.code == "AZG-PLAN-IMMUTABLE" and writes(engine) == []


def test_preflight__quota_shortfall_names_family_and_writes_nothing(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    engine.set_quota(s2d_lab.location, "standardDSv5Family", 8)
    with pytest.raises(PreflightError) as exc:
        do_deploy(session, s2d_lab)
    assert exc.value.code == "AZG-QUOTA"
    assert "needs 18 standardDSv5Family vCPUs, 8 free" in exc.value.message
    assert writes(engine) == []


def test_preflight__restricted_sku_is_refused(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    engine.set_sku_restriction(s2d_lab.location, "Standard_D8s_v5")
    with pytest.raises(PreflightError) as exc:
        do_deploy(session, s2d_lab)
    assert exc.value.code == "AZG-SKU" and "Standard_D8s_v5" in exc.value.message
    assert writes(engine) == []


def test_destroy__removes_the_lab_and_its_group_but_keeps_backups_unless_asked(session, engine, s2d_lab):
    do_deploy(session, s2d_lab)
    rg = s2d_lab.resource_group_name
    disk = next(iter(session.compute.disks.list_by_resource_group(rg)))
    snap = {"location": s2d_lab.location, "tags": {"azguest-lab": s2d_lab.name, "azguest-role": "backup",
                                                   "azguest-spec": "0123456789abcdef"},  # the full set: azguest's
            "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": disk.id},
                           "incremental": True}}
    session.compute.snapshots.begin_create_or_update(rg, "snap1", snap).result()
    record = destroy(session, plan_teardown(session, s2d_lab.name), confirm=lambda t: True)
    assert record.ok
    left = [r.name for r in session.resource.resources.list_by_resource_group(rg)]
    assert left == ["snap1"]  # the backup survives, so the group stays
    record = destroy(session, plan_teardown(session, s2d_lab.name, with_backups=True), confirm=lambda t: True)
    assert record.ok and not session.resource.resource_groups.check_existence(rg)


def test_deploy__stays_inside_arm_and_compute_throttling_budgets(shared_lab):
    from azguest.emulator import Engine
    from azguest.emulator.profile import Latency, Profile, Throttling

    engine = Engine(profile=Profile(latency=Latency(time_scale=0.01), throttling=Throttling(enabled=True)))
    record = do_deploy(AzureSession.for_engine(engine), shared_lab, max_workers=16)
    stats = engine.stats()
    lease = sum(1 for e in engine.request_log if e.arm_type == "Microsoft.Resources/tags")  # lease release
    os_disk_tags = sum(1 for r in record.results if r.kind == "vm")  # one tag write per VM's OS disk
    assert record.ok and stats["throttled"] == 0
    refused = sum(1 for e in engine.request_log if e.kind == "write" and e.status == 409)  # simultaneous starts of
    assert stats["by_kind"]["write"] - lease - refused == len(record.results) + os_disk_tags  # nodes, retried


def test_deploy__tag_change_updates_in_place_without_asking_for_the_password(engine):
    from azguest.deploy.lab import deploy

    session = AzureSession.for_engine(engine)
    do_deploy(session, lab_from("s2d-2node.yaml"))
    retagged = lab_from("s2d-2node.yaml", **{"course: hyperv-101": "course: hyperv-102"})
    plan = make_plan(session, retagged)
    assert plan.summary() == {"update": len(plan.changes)}, [c.key for c in plan.changes if c.action != "update"]
    assert {d for c in plan.changes for d in c.differences} == {"tags.course: 'hyperv-101' -> 'hyperv-102'"}

    def no_password() -> str:
        raise AssertionError("an update must not need the admin password")

    record = deploy(session, retagged, confirm=lambda p: True, password=no_password)
    assert record.ok and record.summary()["updated"] == len(plan.changes)
    vm = session.compute.virtual_machines.get(retagged.resource_group_name, "hv-s2d-hv01")
    assert vm.tags["course"] == "hyperv-102" and vm.properties.os_profile.computer_name == "hv01"
    assert make_plan(session, retagged).summary() == {"no-change": len(plan.changes)}


def test_plan__growing_attached_disks_is_an_update_and_shrinking_them_is_refused_with_advice(engine):
    session = AzureSession.for_engine(engine)
    do_deploy(session, lab_from("s2d-2node.yaml"))
    grown = make_plan(session, lab_from("s2d-2node.yaml", **{"sizeGB: 256": "sizeGB: 512"}))
    assert grown.by_action("replace") == [] and len(grown.by_action("update")) == 4
    assert all("adding disks of the same size" in c.hint for c in grown.by_action("update"))
    shrunk = make_plan(session, lab_from("s2d-2node.yaml", **{"sizeGB: 256": "sizeGB: 128"}))
    replaced = shrunk.by_action("replace")
    assert len(replaced) == 4 and all("never shrinks" in c.hint for c in replaced)


def test_plan__fresh_lab_shows_no_drift_and_outside_changes_show_as_drift_without_writes(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    do_deploy(session, s2d_lab)
    assert make_plan(session, s2d_lab).drifted() == []  # ARM's echo of our bodies is not mistaken for drift
    rg = s2d_lab.resource_group_name
    nsg = session.network.network_security_groups.get(rg, "hv-s2d-nsg").as_dict()
    nsg["properties"]["securityRules"] = [{"name": "someone", "properties": {
        "priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*",
        "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]
    session.network.network_security_groups.begin_create_or_update(rg, "hv-s2d-nsg", nsg).result()
    drifted = make_plan(session, s2d_lab).drifted()
    assert [c.name for c in drifted] == ["hv-s2d-nsg"]
    assert drifted[0].drift == ("properties.securityRules: 1 items -> 0 items",)
    engine.reset_log()
    assert do_deploy(session, s2d_lab).note == "no changes" and writes(engine) == []


def test_preflight__same_lab_name_in_another_group_is_refused(engine):
    session = AzureSession.for_engine(engine)
    do_deploy(session, lab_from("s2d-2node.yaml"))
    twin = lab_from("s2d-2node.yaml", **{"resourceGroup: rg-hv-s2d": "resourceGroup: rg-hv-s2d-copy"})
    engine.reset_log()
    with pytest.raises(PreflightError) as exc:
        do_deploy(session, twin)
    assert exc.value.code == "AZG-LAB-NAME-TAKEN" and "rg-hv-s2d" in exc.value.message
    assert writes(engine) == []


def test_status__reads_do_not_grow_with_the_lab(engine):
    session = AzureSession.for_engine(engine)
    big = lab_from("iscsi-2node.yaml", **{"count: 2": "count: 8"})
    for f in {"cores", "standardDSv5Family"}:
        engine.set_quota(big.location, f, 1000)
    do_deploy(session, big)
    engine.reset_log()
    st = lab_status(session, big.name)
    assert len(st.vms) == 10 and {v.power_state for v in st.vms} == {"running"}
    # the tag queries (resources; groups, for the expiry), then VMs, disks, NICs, public IPs of the group
    assert engine.stats()["by_kind"]["read"] == 6
