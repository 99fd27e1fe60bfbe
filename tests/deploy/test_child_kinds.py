"""Child resource kinds through plan, deploy, re-run and destroy on the emulator (real SDK).

A lab does not deploy run commands or restore points yet (the guest-steps and backup issues will); these
tests add them to the planned graph with :func:`azguest.plan.children.with_children`, the extension point
those issues will use, by wrapping the planner the deploy use case calls.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable

import pytest
from azure.core.exceptions import ResourceNotFoundError

from azguest.azure import kinds as K
from azguest.azure.ids import ArmId
from azguest.deploy.lab import make_plan
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.plan import desired as planner
from azguest.plan.children import child_desired, with_children
from azguest.plan.diff import diff
from azguest.plan.model import TAG_LAB, TAG_ROLE, TAG_SPEC, Desired, Graph, Live, body_hash
from tests.deploy.conftest import do_deploy, writes

STEP = "azguest-step-hello"
HELLO = "# azguest-step: hello\nWrite-Output hello"  # the emulator's guest model dispatches on the step id
CHANGED = "# azguest-step: hello\nWrite-Output changed"


def _run_command(graph: Graph, script: str = HELLO) -> list[Desired]:
    """One managed run command on each cluster node."""
    nodes = [d for d in graph.resources if d.kind == "vm" and d.role == "node"]
    return [child_desired(vm, "runCommand", STEP, {"properties": {
        "source": {"script": script}, "asyncExecution": False, "treatFailureAsDeploymentFailure": True}})
        for vm in nodes]


def _restore_point(graph: Graph) -> list[Desired]:
    """A restore point collection on the DC plus one restore point in it (a backup artefact)."""
    dc = next(d for d in graph.resources if d.kind == "vm" and d.role == "dc")
    name = f"{dc.name}-rpc"
    tags = {TAG_LAB: graph.lab, TAG_ROLE: "backup"}
    body = {"location": graph.location, "tags": tags, "properties": {"source": {"id": dc.arm_id}}}
    body["tags"][TAG_SPEC] = body_hash(body)
    arm_id = str(K.KINDS["restorePointCollection"].arm_id(graph.subscription_id, graph.resource_group, name))
    coll = Desired(f"restorePointCollection/{name}", "restorePointCollection", name, arm_id, "backup", body,
                   (f"resourceGroup/{graph.resource_group}", dc.key))
    point = child_desired(coll, "restorePoint", "rp1", {"properties": {"consistencyMode": "CrashConsistent"}})
    return [coll, point]


@pytest.fixture
def extend(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``extend(fn, ...)``: every graph the deploy use case plans gains ``fn(graph)``'s resources."""
    def install(*extras: Callable[[Graph], list[Desired]]) -> None:
        def graph_with_extras(lab, subscription_id, **kw):
            graph = planner.desired_graph(lab, subscription_id, **kw)
            for fn in extras:
                graph = with_children(graph, fn(graph))
            return graph
        monkeypatch.setattr("azguest.deploy.lab.desired_graph", graph_with_extras)
    return install


def _run_commands(session, lab) -> dict[str, dict]:
    kind = K.KINDS["runCommand"]
    rg = lab.resource_group_name
    vms = K.list_in_group(session, K.KINDS["vm"], rg)
    return {str(r["id"]).lower(): r for vm in vms for r in K.list_children(session, kind, vm["id"])}


@pytest.mark.http  # this area's end-to-end over the loopback HTTP front end too
def test_run_command__plan_deploy_rerun_with_zero_writes_then_destroy(session, engine, s2d_lab, extend):
    extend(_run_command)
    plan = make_plan(session, s2d_lab)
    rcs = [c for c in plan.changes if c.kind == "runCommand"]
    assert [c.action for c in rcs] == ["create", "create"] and rcs[0].key == f"runCommand/hv-s2d-hv01/{STEP}"

    record = do_deploy(session, s2d_lab)
    assert record.ok and record.summary()["created"] == len(plan.changes)
    puts = Counter(e.path.lower() for e in writes(engine) if e.method == "PUT")
    assert {c.arm_id.lower() for c in rcs} <= set(puts) and set(puts.values()) == {1}
    live = _run_commands(session, s2d_lab)
    assert set(live) == {c.arm_id.lower() for c in rcs}
    for rc in live.values():
        assert rc["tags"][TAG_LAB] == s2d_lab.name and rc["tags"][TAG_ROLE] == "node" and rc["tags"][TAG_SPEC]
        view = K.get(session, K.KINDS["runCommand"], rc["id"], expand="instanceView")
        assert view["properties"]["instanceView"]["executionState"] == "Succeeded"  # the script ran

    engine.reset_log()
    again = do_deploy(session, s2d_lab)
    assert again.note == "no changes" and writes(engine) == []  # from the emulator's request log
    assert {r.action for r in again.results if r.kind == "runCommand"} == {"no-change"}

    listed = {r.id.lower(): r.name for r in session.resource.resources.list_by_resource_group(
        s2d_lab.resource_group_name, filter="resourceType eq 'Microsoft.Compute/virtualMachines/runCommands'")}
    assert listed == {c.arm_id.lower(): c.name for c in rcs}  # tracked children, ARM's full name "vm/name"

    record = destroy(session, plan_teardown(session, s2d_lab.name), confirm=lambda t: True)
    assert record.ok
    assert not session.resource.resource_groups.check_existence(s2d_lab.resource_group_name)
    with pytest.raises(ResourceNotFoundError):  # the run commands went with their VMs and group
        K.get(session, K.KINDS["runCommand"], rcs[0].arm_id)


def test_run_command__changed_script_updates_only_it_and_a_dropped_one_is_deleted(session, engine, s2d_lab,
                                                                                  extend):
    extend(_run_command)
    do_deploy(session, s2d_lab)
    extend(lambda g: _run_command(g, CHANGED))
    plan = make_plan(session, s2d_lab)
    assert {c.key for c in plan.changes if c.action != "no-change"} == {
        f"runCommand/hv-s2d-hv01/{STEP}", f"runCommand/hv-s2d-hv02/{STEP}"}
    assert {c.action for c in plan.changes if c.kind == "runCommand"} == {"update"}
    assert do_deploy(session, s2d_lab).ok
    scripts = {r["properties"]["source"]["script"] for r in _run_commands(session, s2d_lab).values()}
    assert scripts == {CHANGED}

    extend()  # the spec no longer asks for the run commands
    plan = make_plan(session, s2d_lab)
    assert plan.summary() == {"no-change": len(plan.changes) - 2, "delete": 2}
    engine.reset_log()
    assert do_deploy(session, s2d_lab).ok
    deleted = {e.path.lower() for e in writes(engine) if e.method == "DELETE"}
    assert all("/runcommands/" in p for p in deleted) and len(deleted) == 2
    assert _run_commands(session, s2d_lab) == {}
    assert len(K.list_in_group(session, K.KINDS["vm"], s2d_lab.resource_group_name)) == 3  # parents stay


def test_run_command__left_in_flight_by_a_killed_run_is_waited_for_not_put_again(s2d_lab, extend):
    from dataclasses import replace

    from azguest.azure import AzureSession
    from azguest.emulator.profile import Latency
    from tests.emulator.fakeclock import fake_clock_engine

    engine, clock = fake_clock_engine()
    session = AzureSession.for_engine(engine)
    do_deploy(session, s2d_lab)  # the lab, without the run commands
    extend(_run_command)
    rc = _run_command(planner.desired_graph(s2d_lab, session.subscription_id))[0]
    rid = ArmId.parse(rc.arm_id)
    fast = engine.profile
    engine.profile = replace(fast, latency=Latency(time_scale=1.0))  # Azure-like: the script takes a while
    session.compute.virtual_machine_run_commands.begin_create_or_update(  # another run PUTs, then is killed
        rid.resource_group, *rid.names, rc.body, polling=False)
    engine.profile = fast
    plan = make_plan(session, s2d_lab)
    assert {c.key: c.action for c in plan.changes if c.kind == "runCommand"}[rc.key] == "wait"
    clock.advance(3600)  # Azure finishes the script meanwhile
    engine.reset_log()
    assert do_deploy(session, s2d_lab).ok
    puts = [e.path.lower() for e in writes(engine) if e.method == "PUT"]
    assert rid.key not in puts and len(puts) == 1 and "/runcommands/" in puts[0]  # only the other node's
    view = K.get(session, K.KINDS["runCommand"], rid, expand="instanceView")
    assert view["properties"]["instanceView"]["executionState"] == "Succeeded"


def test_restore_point__planned_as_a_backup_child_and_never_rewritten(session, engine, s2d_lab, extend):
    extend(_restore_point)
    plan = make_plan(session, s2d_lab)
    assert {c.key: c.action for c in plan.changes if c.kind.startswith("restorePoint")} == {
        "restorePointCollection/hv-s2d-dc01-rpc": "create", "restorePoint/hv-s2d-dc01-rpc/rp1": "create"}
    assert do_deploy(session, s2d_lab).ok
    engine.reset_log()
    assert do_deploy(session, s2d_lab).note == "no changes" and writes(engine) == []  # write-once: exists = done

    kept = plan_teardown(session, s2d_lab.name)
    assert any(ArmId.parse(k).arm_type == "Microsoft.Compute/restorePointCollections" for k in kept.kept)
    assert destroy(session, kept, confirm=lambda t: True).ok
    coll = K.KINDS["restorePointCollection"].arm_id(session.subscription_id, s2d_lab.resource_group_name,
                                                   "hv-s2d-dc01-rpc")
    assert [p["name"] for p in K.list_children(session, K.KINDS["restorePoint"], coll)] == ["rp1"]  # kept


# -- the diff rules for children, without Azure ------------------------------------------------------------

def _live(graph: Graph, state: str = "Succeeded") -> dict[str, Live]:
    out = {}
    for r in graph.resources:
        body = {**copy.deepcopy(r.body), "id": r.arm_id, "name": r.name.rsplit("/", 1)[-1]}
        body.setdefault("properties", {})["provisioningState"] = state if K.KINDS[r.kind].is_child else "Succeeded"
        out[r.arm_id.lower()] = Live(r.arm_id, r.kind, r.name, body)
    return out


def _graph(s2d_lab, *extras: Callable[[Graph], list[Desired]]) -> Graph:
    graph = planner.desired_graph(s2d_lab, "11111111-2222-3333-4444-555555555555")
    for fn in extras:
        graph = with_children(graph, fn(graph))
    return graph


def test_diff__a_failed_restore_point_is_refused_with_advice_not_put_again(s2d_lab):
    graph = _graph(s2d_lab, _restore_point)
    plan = diff(graph, _live(graph, "Failed"), group_exists=True)
    rp = {c.key: c for c in plan.changes}["restorePoint/hv-s2d-dc01-rpc/rp1"]
    assert rp.action == "replace" and "delete the failed one" in rp.hint


def test_diff__untagged_children_belong_to_whoever_owns_their_parent(s2d_lab):
    graph = _graph(s2d_lab, _restore_point)
    live = _live(graph)
    coll = next(r for r in graph.resources if r.kind == "restorePointCollection")
    live[coll.arm_id.lower()].body["tags"] = {}  # somebody else's collection with our name
    plan = diff(graph, live, group_exists=True)
    actions = {c.key: c.action for c in plan.changes}
    assert actions[coll.key] == "replace" and actions["restorePoint/hv-s2d-dc01-rpc/rp1"] == "replace"
    assert len(plan.foreign) == 2


def test_diff__only_this_labs_children_and_never_a_disk_held_by_a_wanted_vm_are_deleted(s2d_lab):
    with_rc = _graph(s2d_lab, _run_command)
    live = _live(with_rc)
    foreign = ArmId.parse(next(r.arm_id for r in with_rc.resources if r.kind == "vm")).child("runCommands", "theirs")
    live[foreign.key] = Live(str(foreign), "runCommand", "x/theirs", {"id": str(foreign), "tags": {}})
    vm = next(r for r in with_rc.resources if r.kind == "vm")
    os_disk = K.KINDS["disk"].arm_id(with_rc.subscription_id, with_rc.resource_group, f"{vm.name}-os")
    live[os_disk.key] = Live(str(os_disk), "disk", os_disk.name, {
        "id": str(os_disk), "tags": {TAG_LAB: s2d_lab.name}, "managedBy": vm.arm_id.upper()})
    plan = diff(_graph(s2d_lab), live, group_exists=True)
    assert sorted(c.key for c in plan.by_action("delete")) == [
        f"runCommand/hv-s2d-hv01/{STEP}", f"runCommand/hv-s2d-hv02/{STEP}"]
