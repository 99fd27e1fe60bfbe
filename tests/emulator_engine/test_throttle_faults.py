"""Throttling buckets, seeded faults, LRO failure matchers, the fast profile's InProgress poll."""

from __future__ import annotations

from azguest.emulator import Engine, load_profile
from azguest.emulator.profile import Bucket, Faults, Latency, LroFailure, Throttling
from azguest.emulator.throttle import TokenBuckets
from tests.emulator_engine.conftest import RG, FakeClock, call, disk_body


def test_bucket__refills_over_time() -> None:
    clock = FakeClock(0)
    b = TokenBuckets(clock)
    bucket = Bucket(burst=2, per_second=1)
    assert b.take(("k",), bucket).allowed and b.take(("k",), bucket).allowed
    denied = b.take(("k",), bucket)
    assert not denied.allowed and 0 < denied.retry_after <= 1
    clock.advance(1)
    assert b.take(("k",), bucket).allowed


def test_throttle__arm_writes_429_with_retry_after(clock) -> None:
    tclock = FakeClock(0)
    prof = load_profile("fast").replace(throttling=Throttling(
        arm={"read": Bucket(100, 100), "write": Bucket(2, 0.5), "delete": Bucket(2, 1)}))
    e = Engine(profile=prof, clock=clock, throttle_clock=tclock)
    statuses = [call(e, "PUT", RG, {"location": "westeurope"})[0] for _ in range(3)]
    assert [r.status for r in statuses] == [201, 200, 429]
    assert statuses[0].headers["x-ms-ratelimit-remaining-subscription-writes"] == "1"
    assert statuses[2].headers["Retry-After"] == "2"
    assert e.stats()["throttled"] == 1


def test_throttle__compute_per_vm_policy(clock) -> None:
    prof = load_profile("fast").replace(throttling=Throttling(compute_vm={"LowCostGet": Bucket(1, 0.01)}))
    e = Engine(profile=prof, clock=clock, throttle_clock=FakeClock(0))
    call(e, "PUT", RG, {"location": "westeurope"})
    vm = f"{RG}/providers/Microsoft.Compute/virtualMachines/vm1"
    assert call(e, "GET", vm)[0].status == 404
    resp, body = call(e, "GET", vm)
    assert resp.status == 429 and body["error"]["code"] == "OperationNotAllowed"
    assert body["error"]["details"][0]["target"] == "LowCostGet"


def _statuses(seed: int) -> list[int]:
    prof = load_profile("fast").replace(faults=Faults(seed=seed, transient_rate=0.3))
    e = Engine(profile=prof)
    return [call(e, "GET", f"/subscriptions/s/resourceGroups/rg{i}")[0].status for i in range(60)]


def test_faults__seeded_and_reproducible() -> None:
    a, b = _statuses(7), _statuses(7)
    assert a == b
    assert {429, 500, 503} & set(a)
    assert _statuses(8) != a


def test_faults__post_gets_only_retryable_statuses() -> None:
    prof = load_profile("fast").replace(faults=Faults(seed=1, transient_rate=1.0))
    e = Engine(profile=prof)
    codes = {call(e, "POST", f"{RG}/providers/Microsoft.Compute/virtualMachines/v/start")[0].status
             for _ in range(30)}
    assert codes <= {500, 503}


def test_faults__lro_failure_times(clock) -> None:
    prof = load_profile("fast").replace(faults=Faults(lro_failures=(
        LroFailure(type="Microsoft.Compute/disks", name="bad*", code="AllocationFailed", times=1),)))
    e = Engine(profile=prof, clock=clock)
    call(e, "PUT", RG, {"location": "westeurope"})
    path = f"{RG}/providers/Microsoft.Compute/disks/bad1"
    resp, _ = call(e, "PUT", path, disk_body())
    loc = resp.headers["Location"]
    resp, body = call(e, "GET", loc)  # fast: a finished operation answers at the first poll
    assert resp.status == 400 and body["error"]["code"] == "AllocationFailed"
    resp, _ = call(e, "PUT", path, disk_body())
    assert call(e, "GET", resp.headers["Location"])[0].status == 200  # second run succeeds


def test_in_progress_polls__held_for_min_in_progress_polls(clock) -> None:
    prof = load_profile("fast").replace(latency=Latency(time_scale=0.0, min_in_progress_polls=1))
    e = Engine(profile=prof, clock=clock)
    call(e, "PUT", RG, {"location": "westeurope"})
    resp, _ = call(e, "PUT", f"{RG}/providers/Microsoft.Compute/disks/d1", disk_body())
    assert [call(e, "GET", resp.headers["Location"])[0].status for _ in range(2)] == [202, 200]


def test_retry_detection__same_client_request_id_after_error() -> None:
    prof = load_profile("fast").replace(faults=Faults(seed=3, transient_rate=1.0))
    e = Engine(profile=prof)
    h = {"x-ms-client-request-id": "abc"}
    call(e, "GET", RG, headers=h)
    e.profile = load_profile("fast")
    call(e, "GET", RG, headers=h)  # retry of a failed request
    call(e, "GET", RG, headers=h)  # same id again, but the previous answer was not retryable
    assert [x.retry for x in e.request_log] == [False, True, False]
    assert e.stats()["retries"] == 1 and e.stats()["injected_faults"] == 1
