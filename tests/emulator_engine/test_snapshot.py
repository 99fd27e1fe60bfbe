"""Engine.snapshot() / Engine.load_snapshot(): a loaded engine is the one the snapshot was taken of, in every answer,
log, counter and bucket, and its own afterwards; what a snapshot cannot hold faithfully is refused."""

from __future__ import annotations

import dataclasses

import pytest

from azguest.emulator import Engine, EngineSnapshot, SnapshotError, load_profile
from azguest.emulator.profile import Bucket, Faults, Throttling
from azguest.emulator.snapshot import uncovered
from tests.emulator_engine.conftest import RG, SUB, FakeClock, call, disk_body

DISKS = f"{RG}/providers/Microsoft.Compute/disks"
VNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet1"
# Writes throttled (4 burst, one back every 10 s), reads not; transient faults drawn (rate 0: never injected, but
# every request draws, so the random state moves).
PROFILE = load_profile("fast").replace(
    throttling=Throttling(arm={"read": Bucket(1000, 100), "write": Bucket(4, 0.1), "delete": Bucket(4, 0.1)}),
    faults=Faults(seed=5, transient_rate=1e-9))
READS = [RG, f"{DISKS}/d1", f"{DISKS}/d2", VNET, f"/subscriptions/{SUB}/resourcegroups", DISKS, f"{RG}/resources",
         f"/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks", f"{DISKS}/missing"]


@pytest.fixture
def clocks() -> tuple[FakeClock, FakeClock]:
    return FakeClock(1_700_000_000.0), FakeClock(0.0)


def _engine(clocks) -> Engine:
    return Engine(profile=PROFILE, clock=clocks[0], throttle_clock=clocks[1])


def _deployed(clocks) -> tuple[Engine, str]:
    """A group, a disk polled to its end, a disk whose operation nobody polled yet, a virtual network, a quota,
    a throttled write with a client request id, emulated time skipped. Returns the engine and that LRO's URL."""
    e = _engine(clocks)
    call(e, "PUT", RG, {"location": "westeurope"})
    resp, _ = call(e, "PUT", f"{DISKS}/d1", disk_body())
    assert call(e, "GET", resp.headers["Location"])[0].status == 200
    pending = call(e, "PUT", f"{DISKS}/d2", disk_body(128))[0].headers["Location"]
    assert call(e, "PUT", VNET, {"location": "westeurope",
                                 "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}})[0].status < 300
    e.set_quota("westeurope", "cores", 40)
    assert call(e, "PUT", RG, {"location": "westeurope"}, {"x-ms-client-request-id": "r1"})[0].status == 429
    e.advance(3)
    return e, pending


def _raw(resp) -> tuple:
    headers = {k: v for k, v in resp.headers.items() if k not in ("x-ms-request-id", "x-ms-correlation-request-id")}
    return resp.status, headers, resp.body


def _answers(e: Engine, pending: str) -> list[tuple]:
    return [_raw(call(e, "GET", path)[0]) for path in READS] + [_raw(call(e, "GET", pending)[0])]


def _loaded(snap: EngineSnapshot, clocks) -> Engine:
    e = _engine(clocks)
    e.load_snapshot(snap)
    return e


def test_loaded_snapshot__answers_every_get_and_list_like_the_original(clocks) -> None:
    original, pending = _deployed(clocks)
    copy = _loaded(original.snapshot(), clocks)
    assert not copy.store.dirty
    ours, theirs = _answers(original, pending), _answers(copy, pending)
    assert theirs == ours
    assert [a[0] for a in ours] == [200] * 8 + [404, 200]
    assert b'"d1"' in ours[5][2] and b'"d2"' in ours[5][2]  # the disk list holds both disks
    assert _answers(_engine(clocks), pending) != ours  # a fresh engine answers otherwise: the comparison can fail


def test_loaded_snapshot__has_the_same_request_log_stats_time_and_fault_draws(clocks) -> None:
    original, _ = _deployed(clocks)
    copy = _loaded(original.snapshot(), clocks)
    assert [vars(e) for e in copy.request_log] == [vars(e) for e in original.request_log]
    assert len(copy.request_log) == 6 and copy.request_log[-1].throttled
    assert copy.stats() == original.stats() and copy.stats()["throttled"] == 1
    assert (copy.skipped_s, copy.clock()) == (original.skipped_s, original.clock()) and copy.skipped_s == 3
    assert copy.faults.getstate() == original.faults.getstate() != _engine(clocks).faults.getstate()
    assert copy.request_log[0] is not original.request_log[0]


def test_loaded_snapshot__throttles_from_the_same_bucket_levels_and_knows_the_retries(clocks) -> None:
    original, _ = _deployed(clocks)
    copy = _loaded(original.snapshot(), clocks)
    assert copy.buckets.state() == original.buckets.state()
    assert call(_engine(clocks), "PUT", RG, {"location": "westeurope"})[0].status == 201  # a fresh engine: full
    for e in (original, copy):
        resp, body = call(e, "PUT", RG, {"location": "westeurope"})
        assert resp.status == 429 and resp.headers["Retry-After"] == "7"  # 0.3 of a token back after 3 s
    clocks[1].advance(7)
    for e in (original, copy):
        assert call(e, "PUT", RG, {"location": "westeurope"}, {"x-ms-client-request-id": "r1"})[0].status == 200
        assert e.request_log[-1].retry  # the same id answered 429 before the snapshot
    assert copy.buckets.state() == original.buckets.state()


def test_engines_after_a_load__are_independent_of_each_other_and_of_the_snapshot(clocks) -> None:
    original, pending = _deployed(clocks)
    snap = original.snapshot()
    copy = _loaded(snap, clocks)
    before = _answers(_loaded(snap, clocks), pending)
    clocks[1].advance(20)  # two write tokens back
    assert call(copy, "PUT", f"{RG}2", {"location": "westeurope"})[0].status == 201
    copy.set_quota("westeurope", "cores", 1)
    assert call(original, "DELETE", f"{DISKS}/d1")[0].status in (200, 202)
    call(original, "GET", f"{DISKS}/d1")
    original.advance(100)
    assert call(original, "GET", f"{RG}2")[0].status == 404 and call(copy, "GET", f"{DISKS}/d1")[0].status == 200
    assert copy.store.state["quotas"] != original.store.state["quotas"] and copy.skipped_s == 3
    assert len(copy.request_log) != len(original.request_log) and copy.stats() != original.stats()
    assert _answers(_loaded(snap, clocks), pending) == before  # the snapshot saw neither change
    copy.request_log[0].status = 599  # a test rewriting an entry it was handed
    assert _loaded(snap, clocks).request_log[0].status == original.request_log[0].status == 201
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.skipped_s = 0  # type: ignore[misc]


def test_persisted_engine__refuses_to_snapshot_or_load(clocks, tmp_path) -> None:
    snap = _deployed(clocks)[0].snapshot()
    persisted = Engine(state_path=tmp_path / "emulator.db", profile=PROFILE)
    call(persisted, "PUT", RG, {"location": "westeurope"})
    with pytest.raises(SnapshotError) as err:
        persisted.snapshot()
    assert err.value.code == "AZG-EMULATOR-SNAPSHOT" and str(tmp_path) in err.value.message
    with pytest.raises(SnapshotError):
        persisted.load_snapshot(snap)
    assert call(persisted, "GET", f"{DISKS}/d1")[0].status == 404  # nothing was loaded


def test_state_json_would_change__refused(clocks) -> None:
    e, _ = _deployed(clocks)
    e.store.state["quotas"]["westeurope"][7] = 1  # a non-string key: JSON would load it as "7"
    with pytest.raises(SnapshotError):
        e.snapshot()


def test_every_attribute_of_an_engine__is_one_the_snapshot_knows(clocks, tmp_path) -> None:
    """A new Engine attribute fails here: copy it in azguest/emulator/snapshot.py and list it in COVERED."""
    assert uncovered(_deployed(clocks)[0]) == {}
    assert uncovered(Engine(state_path=tmp_path / "emulator.db")) == {}
    e = _engine(clocks)
    e.index, e.buckets.extra = {}, 1  # what a newer engine might carry
    assert uncovered(e) == {"engine": {"index"}, "buckets": {"extra"}}
