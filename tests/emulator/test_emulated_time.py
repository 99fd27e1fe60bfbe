"""Emulated time: in-process clients wait on the engine's clock, over HTTP the hints are milliseconds,
and an engine made without a profile is ``fast``. Each test would take seconds to minutes if a wait
were real, and fails outright when the transport calls ``time.sleep``."""

from __future__ import annotations

import time

import pytest
from azure.core.exceptions import HttpResponseError

from azguest.azure import AzureSession, RetrySettings
from azguest.emulator import EmulatorTransport, Engine, load_profile
from azguest.emulator.profile import DEFAULT_PROFILE, ENV_PROFILE, Bucket, Faults, Latency, Profile, Throttling
from tests.emulator.lab import Lab
from tests.emulator_engine.conftest import FakeClock, call, disk_body


@pytest.fixture
def no_real_sleep(monkeypatch):
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s in real time")

    monkeypatch.setattr(time, "sleep", refuse)


def test_inproc_client__waits_out_a_vm_create_on_the_emulated_clock(no_real_sleep, uid):
    engine = Engine(profile=load_profile("realistic"), clock=FakeClock())  # the wall clock never moves it
    lab = Lab(AzureSession.for_engine(engine), uid)
    rg = lab.rg()
    vm = lab.vm(rg)  # 90 Azure seconds at time scale 1
    assert vm.provisioning_state == "Succeeded"
    assert engine.skipped_s >= 90


def test_inproc_client__a_throttled_write_retries_after_the_hinted_seconds(no_real_sleep, uid):
    slow = Throttling(arm={"read": Bucket(250, 25), "write": Bucket(1, 0.1), "delete": Bucket(200, 10)})
    engine = Engine(profile=load_profile("fast").replace(throttling=slow), throttle_clock=FakeClock(0))
    lab = Lab(AzureSession.for_engine(engine, retry=RetrySettings(total=3)), uid)
    names = [lab.rg() for _ in range(3)]  # the 2nd and 3rd wait Retry-After: 10 s each
    assert {g.name for g in lab.s.resource.resource_groups.list()} >= set(names)
    throttled = [e for e in engine.request_log if e.throttled]
    assert len(throttled) == 2 and engine.skipped_s >= 20


def test_persisted_engine__inproc_client_sleeps_in_real_time(tmp_path, monkeypatch):
    """A state file shares the clock with other processes: skipping ahead would desynchronise them."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    engine = Engine(state_path=tmp_path / "emu.db")
    EmulatorTransport(engine).sleep(0.5)
    assert slept == [0.5] and engine.skipped_s == 0
    EmulatorTransport(Engine(state_path=tmp_path / "emu.db", virtual_time=True)).sleep(0.5)
    assert slept == [0.5]


@pytest.mark.parametrize(("ms", "header", "value"), [(10, "retry-after-ms", "10"), (2500, "Retry-After", "3")])
def test_injected_429__hint_is_milliseconds_unless_a_second_or_more(ms, header, value):
    engine = Engine(profile=Profile(faults=Faults(transient_rate=1.0, transient_statuses=(429,), retry_after_ms=ms)))
    resp, body = call(engine, "GET", "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg1")
    assert resp.status == 429 and body["error"]["code"] == "TooManyRequests"
    hints = {k.lower() for k in resp.headers} & {"retry-after", "retry-after-ms", "x-ms-retry-after-ms"}
    assert hints == {header.lower()} and resp.headers[header] == value


def test_fast_profile__throttled_429_says_the_exact_wait_in_ms_realistic_in_whole_seconds():
    sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-"
    one_write = {"read": Bucket(250, 25), "write": Bucket(1, 4), "delete": Bucket(200, 10)}
    seen = {}
    for name in ("fast", "realistic"):
        p = load_profile(name)
        e = Engine(profile=p.replace(throttling=Throttling(arm=one_write,
                                                           retry_after_ms_header=p.throttling.retry_after_ms_header)),
                   throttle_clock=FakeClock(0))
        call(e, "PUT", f"{sub}a", {"location": "westeurope"})
        resp, _ = call(e, "PUT", f"{sub}b", {"location": "westeurope"})
        assert resp.status == 429
        seen[name] = {k: v for k, v in resp.headers.items() if "retry-after" in k.lower()}
    assert seen == {"fast": {"x-ms-retry-after-ms": "250"}, "realistic": {"Retry-After": "1"}}


def test_bench_profile__throttling_budgets_refill_on_its_compressed_clock():
    """bench runs Azure's durations at 1/100, so its clients poll 100x as often per real second: the buckets
    must refill on the same clock (a 250 ms wait becomes 2.5 ms), or a guest step waits out whole-second 429s."""
    import dataclasses

    sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-"
    one_write = {"read": Bucket(250, 25), "write": Bucket(1, 4), "delete": Bucket(200, 10)}
    seen = {}
    for name in ("bench", "realistic"):
        p = load_profile(name)
        e = Engine(profile=p.replace(throttling=dataclasses.replace(p.throttling, arm=one_write)),
                   throttle_clock=FakeClock(0))
        call(e, "PUT", f"{sub}a", {"location": "westeurope"})
        resp, _ = call(e, "PUT", f"{sub}b", {"location": "westeurope"})
        assert resp.status == 429
        seen[name] = {k.lower(): v for k, v in resp.headers.items() if "retry-after" in k.lower()}
    assert seen["realistic"] == {"retry-after": "1"}
    assert list(seen["bench"]) == ["retry-after-ms"] and int(seen["bench"]["retry-after-ms"]) <= 3


def test_client__injected_faults_are_retried_after_millisecond_hints(session, engine: Engine, uid, monkeypatch):
    """Over HTTP the client really sleeps (recorded here, not slept): each hint must be milliseconds."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    engine.profile = engine.profile.replace(faults=Faults(seed=3, transient_rate=0.3, transient_statuses=(429, 503)))
    retry = RetrySettings(total=20, status=20, backoff_factor=0.001)
    patient = AzureSession.for_engine(engine, retry=retry) if session.engine is not None \
        else AzureSession(session.target, retry=retry)
    for _ in range(5):
        Lab(patient, uid).rg()
    injected = [e for e in engine.request_log if e.injected]
    assert injected and all(e.status in (429, 503) for e in injected)
    assert max(slept, default=0) <= 0.05
    assert bool(slept) == (session.engine is None)  # in-process, the waits advanced the engine's clock


def test_default_profile__is_fast_when_the_variable_is_unset(monkeypatch):
    monkeypatch.delenv(ENV_PROFILE, raising=False)
    assert DEFAULT_PROFILE == "fast"
    assert Engine().profile.name == "fast" and Engine().profile.latency.time_scale == 0
    assert Profile.from_env().name == "fast"
    monkeypatch.setenv(ENV_PROFILE, "realistic")
    assert Profile.from_env().latency.time_scale == 1.0


def test_unknown_profile_name__is_refused_with_the_choices():
    from azguest.errors import ConfigError

    with pytest.raises(ConfigError, match="neither a built-in name nor a file"):
        load_profile("sluggish")


def test_vm_create_failure__surfaces_after_emulated_polling(no_real_sleep, uid):
    from azguest.emulator.profile import LroFailure

    fail = LroFailure(type="Microsoft.Compute/virtualMachines", operation="create", code="AllocationFailed")
    engine = Engine(profile=load_profile("realistic").replace(faults=Faults(lro_failures=(fail,))), clock=FakeClock())
    lab = Lab(AzureSession.for_engine(engine), uid)
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(lab.rg())
    assert ei.value.error.code == "AllocationFailed" and engine.skipped_s >= 90


def test_fast_profile__a_done_operation_answers_at_the_first_poll_after_a_millisecond_hint():
    """The fast profile's operations are done at once: the first answer says "poll again in 1 ms" (or the SDK
    waits its polling interval: a real wait over HTTP or on a state file) and the first poll is the result."""
    engine = Engine(profile=load_profile("fast"))
    disk = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Compute/disks/d1"
    call(engine, "PUT", "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg1",
         {"location": "westeurope"})
    first, _ = call(engine, "PUT", disk, disk_body())
    assert first.status == 202 and first.headers["retry-after-ms"] == "1"
    assert engine.handle("GET", first.headers["Location"], {}, None).status == 200


def test_held_inprogress_poll__hints_a_millisecond_even_when_the_operation_is_done():
    """A profile that holds one InProgress poll (``min_in_progress_polls``) after the work is done hints 1 ms."""
    engine = Engine(profile=load_profile("fast").replace(latency=Latency(time_scale=0.0, min_in_progress_polls=1)))
    disk = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Compute/disks/d1"
    call(engine, "PUT", "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg1",
         {"location": "westeurope"})
    first, _ = call(engine, "PUT", disk, disk_body())
    poll = engine.handle("GET", first.headers["Location"], {}, None)
    assert poll.status == 202 and poll.headers["retry-after-ms"] == "1"
    assert engine.handle("GET", first.headers["Location"], {}, None).status == 200
