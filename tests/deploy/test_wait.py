"""Wait loops: a re-run waits for what another run left in flight, on the emulated clock, up to a deadline."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from azguest.azure import AzureSession
from azguest.catalog.limits import ARM_BUCKETS
from azguest.deploy.apply import Applier
from azguest.deploy.lab import make_plan
from azguest.emulator import Engine, load_profile
from azguest.errors import WaitTimeoutError
from azguest.execute.budget import TokenBucket
from azguest.execute.wait import Clock, poll_until
from tests.deploy.conftest import do_deploy
from tests.emulator_engine.conftest import FakeClock

DISK = "hv-s2d-hv01-s2d1"


def _never_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds} s in real time")


def _left_in_flight(s2d_lab) -> tuple[Engine, AzureSession]:
    """A deployed lab whose data disk another run left Updating for a minute (on a clock that stands still)."""
    engine = Engine(profile=load_profile("fast"), clock=FakeClock())
    session = AzureSession.for_engine(engine)
    assert do_deploy(session, s2d_lab).ok
    real = load_profile("realistic")
    engine.profile = real.replace(latency=replace(real.latency, durations={**real.latency.durations,
                                                                           "disks.update": 60.0}))
    rg = s2d_lab.resource_group_name
    session.compute.disks.begin_create_or_update(rg, DISK, session.compute.disks.get(rg, DISK),
                                                 polling=False)  # nobody waits for it
    assert session.compute.disks.get(rg, DISK).provisioning_state == "Updating"
    engine.reset_log()
    return engine, session


def _disk_reads(engine: Engine) -> int:
    return sum(1 for e in engine.request_log if e.method == "GET" and e.path.lower().endswith(f"/disks/{DISK}"))


def test_rerun__waits_for_a_disk_another_run_left_updating_on_the_emulated_clock(s2d_lab, monkeypatch):
    engine, session = _left_in_flight(s2d_lab)
    monkeypatch.setattr(time, "sleep", _never_sleep)
    record = do_deploy(session, s2d_lab, wait_poll_s=10.0)
    assert record.ok, [r.to_dict() for r in record.failed()]
    waited = [r for r in record.results if r.action == "wait"]
    assert [(r.name, r.state) for r in waited] == [(DISK, "succeeded")]
    assert session.compute.disks.get(s2d_lab.resource_group_name, DISK).provisioning_state == "Succeeded"
    assert engine.skipped_s >= 60  # the client slept the disk's minute on the emulated clock
    assert _disk_reads(engine) <= 2 + 60 // 10  # one read per poll interval, not a busy loop


def test_rerun__gives_up_on_a_resource_stuck_in_flight_with_a_typed_error_naming_it(s2d_lab):
    engine, session = _left_in_flight(s2d_lab)
    plan = make_plan(session, s2d_lab)
    [change] = plan.by_action("wait")
    stuck = Clock(sleep=lambda s: None, monotonic=lambda: 0.0)  # time passes for azguest, never for the disk
    applier = Applier(session, plan, password=None, clock=stuck, wait_poll_s=5, wait_timeout_s=30)
    with pytest.raises(WaitTimeoutError) as ei:
        applier.wait_then_put(plan.graph.by_key()[change.key])
    assert ei.value.code == "AZG-WAIT-TIMEOUT" and DISK in ei.value.message
    assert ei.value.details == {"waited_for": f"disk {DISK} to finish the operation another run left in flight",
                                "timeout_s": 30}
    assert _disk_reads(engine) == 1 + 30 // 5  # a read at 0, 5, ... 30 s, then it gives up


def test_poll_until__returns_the_first_done_value_without_sleeping_after_it():
    slept: list[float] = []
    values = iter([1, 2, 3, 4])
    got = poll_until(lambda: next(values), lambda v: v == 3, what="three", timeout_s=60, interval_s=2,
                     clock=Clock(sleep=slept.append, monotonic=lambda: 0.0))
    assert got == 3 and slept == [2, 2]


def test_token_bucket__a_clock_that_never_refills_hits_the_deadline():
    bucket = TokenBucket(ARM_BUCKETS["writes"], clock=lambda: 0.0, sleep=lambda s: None, name="ARM write",
                         max_wait_s=1.0)
    for _ in range(ARM_BUCKETS["writes"].burst):
        bucket.acquire()
    with pytest.raises(WaitTimeoutError, match="ARM write token"):
        bucket.acquire()


def test_session_clock__polls_a_real_time_local_emulator_at_the_sdk_interval_and_azure_as_asked(tmp_path):
    from azguest.azure import resolve_target
    from azguest.execute.wait import session_clock

    in_memory = session_clock(AzureSession.for_engine(Engine()))
    persisted = session_clock(AzureSession.for_engine(Engine(state_path=tmp_path / "emu.db"), polling_interval=0.05))
    loopback = session_clock(AzureSession(resolve_target(endpoint="http://127.0.0.1:1", environ={}),
                                          polling_interval=0.02))
    cloud = session_clock(AzureSession(resolve_target(subscription="00000000-0000-0000-0000-0000000000aa",
                                                      environ={})))
    assert (in_memory.max_interval_s, persisted.max_interval_s, loopback.max_interval_s, cloud.max_interval_s) == (
        None, 0.05, 0.02, None)
    slept: list[float] = []
    values = iter([0, 0, 1])
    poll_until(lambda: next(values), bool, what="one", timeout_s=60, interval_s=10,
               clock=Clock(sleep=slept.append, monotonic=lambda: 0.0, max_interval_s=0.02))
    assert slept == [0.02, 0.02]
