"""Operations probes (azguest.guest.ops.run_step) on the emulator's windows-model guest (real SDK).

A read-only look (dc-health, cluster-health) is one action Run Command: one POST and its LRO, no run command
resource created or left behind, no VM read, one ARM write token; a look that fails is a run with its last error
line and no exit code; a second action Run Command on a busy VM is refused (409 Conflict) and waited out; a VM
that does not run is an ARM refusal, raised at once. A step that changes the guest stays a managed run command
(exit code, deleted after reading) without a VM read for its location."""

from __future__ import annotations

import pytest

from azguest.azure import AzureSession
from azguest.azure import kinds as K
from azguest.emulator import load_profile
from azguest.emulator.guest import GuestResult, registered
from azguest.errors import AzureError
from azguest.execute.budget import Budgets
from azguest.execute.wait import Clock
from azguest.guest import ops
from azguest.guest.steps import OPERATIONS, all_steps, script_text
from tests.guest.probes import step_runs
from tests.guest.test_stop_start import configured


def _shape(engine) -> list[str]:
    """Each request as "METHOD last-path-segment" (operation polls as "GET poll")."""
    return [f"{e.method} poll" if e.kind == "poll" else f"{e.method} {e.path.rstrip('/').rsplit('/', 1)[1]}"
            for e in engine.request_log]


def test_action_steps__are_operations_steps_an_action_run_command_can_carry():
    ops_steps = {s.id: s for s in OPERATIONS}
    assert ops.ACTION_STEPS == {"dc-health", "cluster-health"}  # the looks; steps that change the guest stay managed
    for step_id in ops.ACTION_STEPS:
        step = ops_steps[step_id]
        assert not step.params and not step.protected  # the action Run Command has no protected parameters
        assert step.timeout_s <= 90 * 60  # it runs 90 minutes at most
    with pytest.raises(ValueError, match="node-join"):
        ops.run_action(None, "/x", "x", all_steps()["node-join"])  # type: ignore[arg-type]  # a secret: refused


def test_probe__a_look_is_one_action_run_command_and_one_write_token_and_leaves_nothing(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    inv = ops.inventory(session, s2d_lab.name)
    dc, host = inv.dc[0], inv.nodes[0]
    before = {r["name"] for r in K.list_children(session, K.KINDS["runCommand"], host.id)}
    frozen = Clock(sleep=lambda s: None, monotonic=lambda: 0.0)  # no refill: the buckets count every request
    session.budgets = budgets = Budgets(frozen)

    engine.reset_log()
    look = ops.run_step(session, inv, dc, "dc-health")
    assert look.ok and look.exit_code is None and look.data["adws"] == "Running"
    assert _shape(engine) == ["POST runCommand"] + ["GET poll"] * (len(engine.request_log) - 1)
    assert step_runs(engine, "dc-health") == [(0, dc.name)]
    assert budgets.writes.capacity - budgets.writes.tokens == 1  # ARM counts a POST action as a write
    assert budgets.deletes.tokens == budgets.deletes.capacity

    engine.reset_log()
    cluster = ops.run_step(session, inv, host, "cluster-health")
    assert cluster.ok and cluster.data["state"] == "Running"
    assert [s for s in _shape(engine) if s != "GET poll"] == ["POST runCommand"]
    assert {r["name"] for r in K.list_children(session, K.KINDS["runCommand"], host.id)} == before

    engine.reset_log()
    stop = ops.run_step(session, inv, host, "cluster-stop")  # changes the guest: a managed run command
    assert stop.ok and stop.exit_code == 0
    shape = [s for s in _shape(engine) if s != "GET poll"]
    assert [s.split(" ")[0] for s in shape] == ["PUT", "GET", "GET", "DELETE"]  # no VM GET for the location
    assert shape[0].startswith("PUT cluster-stop-")
    assert {r["name"] for r in K.list_children(session, K.KINDS["runCommand"], host.id)} == before


def test_probe__a_failed_look_a_busy_vm_and_a_stopped_vm(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    inv = ops.inventory(session, s2d_lab.name)
    dc = inv.dc[0]

    def adws_down(run, facts):
        return GuestResult(1, "looking...\n", "Get-ADDomain : Unable to find a default server with Active "
                           "Directory Web Services running.")

    with registered("dc-health", adws_down):
        failed = ops.run_step(session, inv, dc, "dc-health")
    assert not failed.ok and failed.data is None and failed.exit_code is None
    assert failed.last_line().startswith("Get-ADDomain : Unable to find a default server")

    slow = load_profile("bench")  # emulated time runs (fast: every operation ends at once)
    slow.latency.durations["virtualmachines.runcommand"] = 60.0 / slow.latency.time_scale  # a minute's script
    engine.profile = slow
    session.compute.virtual_machines.begin_run_command(  # someone else's, not waited for: it runs a minute
        s2d_lab.resource_group_name, dc.name, {"commandId": "RunPowerShellScript", "script": script_text(
            all_steps()["dc-health"]).splitlines()}, polling=False)
    engine.reset_log()
    t0 = engine.clock()
    look = ops.run_step(session, inv, dc, "dc-health")
    assert look.ok and engine.clock() - t0 >= 60  # waited on the emulated clock
    posts = [e.status for e in engine.request_log if e.path.endswith("/runCommand")]
    assert posts[0] == 409 and posts[-1] == 202 and set(posts[:-1]) == {409}  # refused while busy, then accepted
    engine.profile = load_profile("fast")

    K.action(session, K.KINDS["vm"], dc.id, "deallocate")
    engine.reset_log()
    with pytest.raises(AzureError) as info:
        ops.run_step(session, inv, dc, "dc-health")
    assert info.value.status == 409 and info.value.code == "OperationNotAllowed"
    assert [e.status for e in engine.request_log if e.path.endswith("/runCommand")] == [409]  # no retry
