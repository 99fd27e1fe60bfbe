"""`azguest stop` / `azguest start` on the emulator's windows-model guest (real SDK): a graceful, ordered
stop with deallocation and an ordered start leave a healthy cluster, and the order is read back from the
emulator's request log; a lab stopped from outside starts too and says what the guest shows; a stage that
never gets healthy fails on the injected clock naming its stage and VM; another run's lease refuses both."""

from __future__ import annotations

import pytest

from azguest.azure import AzureSession
from azguest.azure import kinds as K
from azguest.deploy.lease import LeasePolicy, holding
from azguest.emulator import load_profile
from azguest.emulator.guest import GuestResult, registered
from azguest.errors import GuestError, LeaseHeldError
from azguest.guest import ops
from azguest.guest.commands import Secrets
from azguest.guest.configure import configure
from azguest.guest.health import run_checks
from azguest.guest.power import Timeouts, start, stop
from azguest.spec import load_lab
from tests.deploy.conftest import EXAMPLES, PASSWORD, do_deploy, writes
from tests.engine_cache import cached
from tests.guest.probes import step_runs


def configured(engine, lab) -> None:
    """Deploy and configure in process (virtual time: restarts and waits cost no real time), whatever
    session the test then drives (inproc or HTTP on the same engine). Done once per test process and lab on a
    fresh engine; later tests get a copy of the engine as it was then (tests.engine_cache)."""
    def build() -> None:
        session = AzureSession.for_engine(engine)
        do_deploy(session, lab)
        record = configure(session, lab, secrets=lambda need: Secrets(PASSWORD))
        assert record.ok, [o.error for o in record.failed()]
        assert run_checks(session, lab.name).ok
        engine.advance(3600)  # the lab runs for an hour: Compute's per-VM budgets refill (4 updates a minute)

    cached(engine, ("configured", repr(lab)), build)


def actions(engine, verb: str) -> list[tuple[int, str]]:
    """(log index, VM name) of every POST .../<verb> the emulator answered."""
    return [(i, e.path.split("/")[-2]) for i, e in enumerate(engine.request_log)
            if e.method == "POST" and e.path.lower().endswith("/" + verb) and e.status < 300]


def run_command_names(session, lab) -> set[str]:
    return {r["name"] for vm in K.list_in_group(session, K.KINDS["vm"], lab.resource_group_name)
            for r in K.list_children(session, K.KINDS["runCommand"], vm["id"])}


def powers(session, lab) -> dict[str, str]:
    return {v.computer: v.power for v in ops.inventory(session, lab.name).vms}


@pytest.mark.http  # this area's end-to-end over the loopback HTTP front end too
def test_stop_then_start__leaves_a_healthy_cluster_and_the_order_is_in_the_request_log(session, engine, s2d_lab):
    configured(engine, s2d_lab)
    dc, nodes = "hv-s2d-dc01", {"hv-s2d-hv01", "hv-s2d-hv02"}
    before = run_command_names(session, s2d_lab)  # configure's

    engine.reset_log()
    record = stop(session, s2d_lab.name)
    assert record.ok and set(powers(session, s2d_lab).values()) == {"deallocated"}
    dealloc = actions(engine, "deallocate")
    assert {vm for _, vm in dealloc} == nodes | {dc}
    last_node = max(i for i, vm in dealloc if vm in nodes)
    assert [i for i, vm in dealloc if vm == dc][0] > last_node  # the DC is deallocated after every node
    (wl_stop, host), = step_runs(engine, "workloads-stop")
    (cl_stop, _), = step_runs(engine, "cluster-stop")
    assert host in nodes and wl_stop < cl_stop < min(i for i, vm in dealloc if vm in nodes)
    assert step_runs(engine, "dc-health") == [] and step_runs(engine, "cluster-start") == []

    engine.advance(12 * 3600)  # the next morning
    engine.reset_log()
    record = start(session, s2d_lab.name)
    assert record.ok and set(powers(session, s2d_lab).values()) == {"running"}
    starts = actions(engine, "start")
    first_node = min(i for i, vm in starts if vm in nodes)
    (dc_start,) = [i for i, vm in starts if vm == dc]
    dc_health = [i for i, vm in step_runs(engine, "dc-health") if vm == dc]
    assert dc_start < dc_health[-1] < first_node  # the DC, then AD DS and DNS answer, then the nodes
    (cl_start, _), = step_runs(engine, "cluster-start")
    (wl_start, _), = step_runs(engine, "workloads-start")
    assert max(i for i, vm in starts if vm in nodes) < cl_start < wl_start
    cluster_up = [i for i, _ in step_runs(engine, "cluster-health")]
    assert cl_start < min(cluster_up) < wl_start < max(cluster_up)  # every node Up, then the workloads Online
    assert not [e for e in engine.request_log if ("/runCommands/" in e.path and e.method == "PUT" or
                                                  e.path.endswith("/runCommand")) and e.status >= 400
                and not e.throttled]

    report = run_checks(session, s2d_lab.name)  # what `azguest test` judges
    assert report.ok, [c for c in report.failed()]
    assert run_command_names(session, s2d_lab) == before  # every operations run was deleted after reading


@pytest.mark.parametrize("example", ["s2d-2node", "shared-disk-3node", "iscsi-2node"])
def test_stop_then_start__every_storage_mode_comes_back_healthy_with_the_storage_tier_between(engine, example):
    lab = load_lab(EXAMPLES / f"{example}.yaml")
    session = AzureSession.for_engine(engine)
    configured(engine, lab)
    inv = ops.inventory(session, lab.name)
    tier = {v.name: v.tier for v in inv.vms}
    assert bool(inv.storage) == (example == "iscsi-2node")  # the iSCSI target VM
    engine.reset_log()
    assert stop(session, lab.name).ok
    order = [tier[vm] for _, vm in actions(engine, "deallocate")]
    rank = {"node": 0, "storage": 1, "dc": 2}
    assert sorted(order, key=rank.get) == order and sorted(order) == sorted(tier.values())
    engine.advance(12 * 3600)
    engine.reset_log()
    assert start(session, lab.name).ok
    order = [tier[vm] for _, vm in actions(engine, "start")]
    rank = {"dc": 0, "storage": 1, "node": 2}
    assert sorted(order, key=rank.get) == order and sorted(order) == sorted(tier.values())
    assert run_checks(session, lab.name).ok


def test_stop__of_a_stopped_lab_writes_nothing_and_a_rerun_after_stop_cluster_goes_on(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    host = ops.inventory(session, s2d_lab.name).nodes[0]
    inv = ops.inventory(session, s2d_lab.name)
    assert ops.run_step(session, inv, host, "cluster-stop").ok  # a stop killed right after Stop-Cluster
    record = stop(session, s2d_lab.name)
    assert record.ok and {o.key: o.state for o in record.outcomes}["workloads-stop"] == "succeeded"
    assert set(powers(session, s2d_lab).values()) == {"deallocated"}

    engine.reset_log()
    again = stop(session, s2d_lab.name)
    assert again.ok and again.note == "already stopped" and writes(engine) == []


def test_start__staggers_the_nodes_that_share_a_disk(engine, shared_lab):
    """Azure refuses two VMs sharing a disk starting at once; the emulator models it (bench profile: a window
    of emulated time). azguest starts them one after another: no start is refused."""
    session = AzureSession.for_engine(engine)
    configured(engine, shared_lab)
    assert stop(session, shared_lab.name).ok
    engine.profile = load_profile("bench")
    engine.reset_log()
    assert start(session, shared_lab.name).ok
    nodes = [vm for _, vm in actions(engine, "start") if vm != "hv-shared-dc01"]
    assert nodes == sorted(nodes) and len(nodes) == 3
    refused = [e for e in engine.request_log if e.method == "POST" and e.path.endswith("/start") and e.status == 409]
    assert refused == []
    engine.profile = load_profile("fast")
    assert run_checks(session, shared_lab.name).ok


def test_start__after_nodes_were_deallocated_from_outside_reports_what_the_guest_shows(engine, s2d_lab):
    """A node deallocated from the portal (no Stop-Cluster): start brings it back, reports the hard stop, the
    failed-over role moved back apart and the S2D repair still running (bench profile, an hour's resync);
    `azguest test` passes once the repair is done."""
    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    vm = ops.inventory(session, s2d_lab.name).nodes[1]
    K.action(session, K.KINDS["vm"], vm.id, "deallocate")  # from the portal: no Stop-Cluster
    bench = load_profile("bench")
    bench.latency.durations["guest.s2d-repair"] = 360000.0  # the resync outlasts the start (3600 emulated s)
    engine.profile = bench
    record = start(session, s2d_lab.name)
    assert record.ok and {o.key: o.action for o in record.outcomes}[f"start@{vm.computer}"] == "started"
    text = "\n".join(record.findings).lower()
    assert f"node {vm.computer} went down without stop-cluster" in text
    assert "moved from" in text and "(anti-affinity)" in text  # the role that failed over went back apart
    assert "storage job repair: running" in text
    assert record.to_dict()["findings"] == list(record.findings)
    failed = {c.name for c in run_checks(session, s2d_lab.name).failed()}
    assert failed == {"storage-healthy"}  # the resync is still running
    engine.advance(3601)
    assert run_checks(session, s2d_lab.name).ok


def test_start__a_dc_that_never_answers_fails_the_dc_stage_naming_the_vm_and_starts_no_node(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    assert stop(session, s2d_lab.name).ok

    def adws_down(run, facts):
        return GuestResult(1, "", "Get-ADDomain : Unable to find a default server with Active Directory Web "
                           "Services running.")

    engine.reset_log()
    t0 = engine.clock()
    with registered("dc-health", adws_down), pytest.raises(GuestError) as info:
        start(session, s2d_lab.name, timeouts=Timeouts(dc_health_s=120))
    e = info.value
    assert e.code == "AZG-POWER-STAGE" and e.details["stage"] == "dc" and e.details["vm"] == "hv-s2d-dc01"
    assert "Active Directory Web Services" in e.message and "120 s" in e.message
    assert 120 <= engine.clock() - t0 < 300  # waited on the emulated clock, not in real time
    assert [vm for _, vm in actions(engine, "start")] == ["hv-s2d-dc01"]  # no node started
    assert e.result["ok"] is False and any(s["state"] == "skipped" for s in e.result["stages"])


@pytest.mark.parametrize("command", [stop, start])
def test_stop_and_start__refused_while_another_run_holds_the_lease(engine, s2d_lab, command):
    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    other = LeasePolicy(command="deploy", holder="ci@runner pid=1 deploy", settle_s=0, renew_every_s=None)
    with holding(session, [s2d_lab.resource_group_name], s2d_lab.name, other):
        engine.reset_log()
        with pytest.raises(LeaseHeldError) as info:
            command(session, s2d_lab.name)
        assert "ci@runner" in info.value.message
        assert [e for e in writes(engine) if "/tags/" not in e.path.lower()] == []
    assert set(powers(session, s2d_lab).values()) == {"running"}


def test_stop__ctrl_c_after_stop_cluster_starts_no_deallocation_and_releases_the_lease(engine, s2d_lab):
    """The first Ctrl-C sets the stop event: what runs finishes, nothing new starts; the re-run goes on."""
    import threading

    from azguest.azure import tags as T
    from azguest.plan.model import TAG_LEASE_HOLDER

    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    stop_event = threading.Event()

    def on_event(ev):
        if ev.key == "cluster-stop" and ev.state == "succeeded":
            stop_event.set()  # Ctrl-C, right after Stop-Cluster

    engine.reset_log()
    record = stop(session, s2d_lab.name, on_event=on_event, stop_event=stop_event)
    assert record.note == "interrupted" and not record.ok
    assert actions(engine, "deallocate") == []
    assert {o.key: o.state for o in record.outcomes}["deallocate@dc01"] == "skipped"
    assert TAG_LEASE_HOLDER not in (T.get_group(session, s2d_lab.resource_group_name) or {}).get("tags", {})
    again = stop(session, s2d_lab.name)
    assert again.ok and set(powers(session, s2d_lab).values()) == {"deallocated"}
