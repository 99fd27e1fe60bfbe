"""OS disks and shared-disk starts through deploy, re-run and destroy on the emulator (real SDK).

* azguest tags every VM's OS disk (created by Azure with the VM) with the lab's tag set, role os-disk, so
  cost reports by lab see it; a re-run writes nothing and never plans to delete a disk a wanted VM holds;
  a run that stopped before the tag write is repaired by the next one; destroy removes the OS disks.
* VMs sharing a disk are refused when they start at the same moment (the emulator's model of
  azure-docs#108246): deploy retries the refused create with back-off, so the lab still deploys.
"""

from __future__ import annotations

from collections import Counter

import pytest

from azguest.azure import AzureSession, resolve_target
from azguest.deploy.lab import make_plan
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.emulator import Engine, load_profile, serve
from azguest.emulator.profile import DEFAULT_DURATIONS, Latency
from azguest.plan.desired import desired_graph
from azguest.plan.model import TAG_LAB, TAG_ROLE, TAG_SPEC
from azguest.plan.osdisk import OS_DISK_ROLE, os_disk_id, os_disk_tags
from tests.deploy.conftest import do_deploy, writes


def _os_disks(session, lab) -> dict[str, dict]:
    """Desired VM name -> its live OS disk's tags."""
    graph = desired_graph(lab, session.subscription_id)
    out = {}
    for vm in (d for d in graph.resources if d.kind == "vm"):
        name = str(os_disk_id(vm)).rsplit("/", 1)[-1]
        out[vm.name] = dict(session.compute.disks.get(lab.resource_group_name, name).tags or {})
    return out


def test_os_disks__carry_the_lab_tags_rerun_writes_nothing_and_destroy_removes_them(session, engine, shared_lab):
    assert do_deploy(session, shared_lab).ok
    graph = desired_graph(shared_lab, session.subscription_id)
    vms = {d.name: d for d in graph.resources if d.kind == "vm"}
    tags = _os_disks(session, shared_lab)
    assert set(tags) == set(vms)
    for name, t in tags.items():
        assert t[TAG_LAB] == shared_lab.name and t[TAG_ROLE] == OS_DISK_ROLE
        assert t[TAG_SPEC] == os_disk_tags(vms[name])[TAG_SPEC]
    engine.reset_log()
    plan = make_plan(session, shared_lab)
    assert not plan.writes_needed and plan.by_action("delete") == []
    again = do_deploy(session, shared_lab)
    assert again.note == "no changes" and writes(engine) == []
    td = plan_teardown(session, shared_lab.name)
    assert {c.name for c in td.deletes if c.kind == "disk"} >= {str(os_disk_id(v)).rsplit("/", 1)[-1]
                                                               for v in vms.values()}
    assert destroy(session, td, confirm=lambda t: True).ok
    assert list(session.compute.disks.list()) == []


def test_os_disks__an_untagged_os_disk_is_retagged_by_the_next_run_and_never_deleted(session, engine, s2d_lab):
    assert do_deploy(session, s2d_lab).ok
    rg = s2d_lab.resource_group_name
    graph = desired_graph(s2d_lab, session.subscription_id)
    vm = next(d for d in graph.resources if d.kind == "vm")
    disk = str(os_disk_id(vm)).rsplit("/", 1)[-1]
    # As if Azure had not copied the VM's tags and the run had stopped before azguest's tag write:
    stale = {**os_disk_tags(vm), TAG_ROLE: "node", TAG_SPEC: "0"}
    session.compute.disks.begin_update(rg, disk, {"tags": stale}).result()
    plan = make_plan(session, s2d_lab)
    change = next(c for c in plan.changes if c.key == vm.key)
    assert change.action == "update" and any(line.startswith("osDisk tags.") for line in change.differences)
    assert plan.by_action("delete") == []
    assert do_deploy(session, s2d_lab).ok
    live = session.compute.disks.get(rg, disk).tags
    assert all(live.get(k) == v for k, v in os_disk_tags(vm).items())  # (plus azguest-expires, fixed by deploy)
    engine.reset_log()
    assert do_deploy(session, s2d_lab).note == "no changes" and writes(engine) == []


@pytest.mark.slow  # ~1.5 s of real time: the one test here that cannot run on a virtual clock
def test_deploy__vms_sharing_a_disk_are_retried_when_azure_refuses_a_simultaneous_start(shared_lab):
    # Azure's latencies at 1/50, in real time over HTTP (a virtual clock would be moved by every thread's
    # sleeps): the nodes' creates are issued together, inside one another's 0.2 s start window (10 Azure s).
    # A VM create takes 20 Azure seconds here, not 90: the collision happens at the start, not at the end.
    durations = {**DEFAULT_DURATIONS, "virtualmachines.create": 20.0}
    engine = Engine(profile=load_profile("fast").replace(latency=Latency(time_scale=0.02, durations=durations)))
    server = serve(engine, host="127.0.0.1", port=0)
    try:
        with AzureSession(resolve_target(endpoint=server.url, environ={}), polling_interval=0.05) as session:
            record = do_deploy(session, shared_lab, wait_poll_s=0.1)
            assert record.ok, [r.to_dict() for r in record.failed()]
            vms = [d.name for d in desired_graph(shared_lab, session.subscription_id).resources if d.kind == "vm"]
            states = {session.compute.virtual_machines.get(shared_lab.resource_group_name, vm).provisioning_state
                      for vm in vms}
    finally:
        server.shutdown()
    refused = Counter(e.path.lower() for e in engine.request_log
                      if e.method == "PUT" and e.status == 409 and "/virtualmachines/" in e.path.lower())
    assert refused, "the nodes' creates never collided: the test does not exercise the retry"
    assert states == {"Succeeded"}
