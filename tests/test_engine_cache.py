"""The tests' shared setup cache (tests/engine_cache.py): an engine loaded from it is the engine the build left, in
everything a test looks at, and private to its test; anything it cannot copy faithfully is built for real."""

from __future__ import annotations

import contextlib

import pytest

from azguest.azure import AzureSession
from azguest.emulator import Engine, load_profile
from azguest.emulator.guest import GuestResult, registered
from tests import engine_cache
from tests.deploy.conftest import emulated  # noqa: F401  (fixture)
from tests.emulator.fakeclock import T0, fake_clock_engine

LOCATION = "westeurope"


@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    """These tests are about the cache: on, whatever AZGUEST_TEST_NO_SETUP_CACHE says for the rest of the run."""
    monkeypatch.delenv(engine_cache.NO_SETUP_CACHE, raising=False)


def _build(engine, clock, uid: str, counter: list) -> dict:
    """A little world: a group, a virtual network (a long-running operation, polled), a quota, time passing (the
    clients' skipped seconds and the injected clock)."""
    counter.append(1)
    with AzureSession.for_engine(engine) as s:
        s.resource.resource_groups.create_or_update(f"rg-{uid}", {"location": LOCATION})
        s.network.virtual_networks.begin_create_or_update(f"rg-{uid}", f"vnet-{uid}", {
            "location": LOCATION, "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}}).result()
    engine.set_quota(LOCATION, "cores", 40)
    engine.advance(90)
    clock.advance(30)
    return {"group": f"rg-{uid}"}


def _observed(engine, clock) -> dict:
    return {"state": engine.store.state, "log": [vars(e) for e in engine.request_log], "stats": engine.stats(),
            "skipped": engine.skipped_s, "clock": clock(), "engine clock": engine.clock(),
            "buckets": engine.buckets.state(), "retry ids": dict(engine._seen_ids),
            "rng": engine.faults.getstate(), "last error": engine.last_error}


def test_loaded_engine__is_the_built_one_and_its_own(uid):
    built, counter, values = [], [], []
    for _ in range(3):
        engine, clock = fake_clock_engine()
        values.append(engine_cache.cached(engine, ("test", uid), lambda e=engine, c=clock: _build(e, c, uid, counter),
                                          clock=clock))
        built.append((engine, clock))
    assert len(counter) == 1  # built once, loaded twice
    assert values == [{"group": f"rg-{uid}"}] * 3 and values[1] is not values[0]  # a copy: a test may change it
    first, second = _observed(*built[0]), _observed(*built[1])
    assert first["log"] and first["buckets"] and first["stats"]["total"] > 2
    assert (first["skipped"], first["clock"]) == (90, T0 + 30)
    assert second == first
    assert built[1][0].store.state is not built[0][0].store.state

    engine, _ = built[1]  # a test changes its copy: no other copy sees it
    with AzureSession.for_engine(engine) as s:
        s.resource.resource_groups.create_or_update(f"rg-{uid}-more", {"location": LOCATION})
    engine.advance(5)
    third = fake_clock_engine()
    engine_cache.cached(third[0], ("test", uid), lambda: _build(*third, uid, counter), clock=third[1])
    assert len(counter) == 1 and _observed(*third) == first


@pytest.mark.parametrize("case", ["answered a request", "guest hook", "registered step", "another profile",
                                  "persisted", "unknown attribute", "switched off", "injected clock not passed"])
def test_an_engine_the_cache_cannot_copy_faithfully__is_built_for_real(uid, tmp_path, monkeypatch, case):
    counter: list = []
    engine, clock = fake_clock_engine()
    engine_cache.cached(engine, ("test", uid), lambda: _build(engine, clock, uid, counter), clock=clock)
    with contextlib.ExitStack() as stack:
        engine, clock = fake_clock_engine(load_profile("realistic") if case == "another profile" else None)
        if case == "answered a request":
            with AzureSession.for_engine(engine) as s:
                list(s.resource.resource_groups.list())
        elif case == "guest hook":
            engine.guest_hook = lambda vm, script, params: (0, "", "")
        elif case == "registered step":
            stack.enter_context(registered("hello", lambda run, facts: GuestResult(0, "")))
        elif case == "persisted":
            engine = Engine(state_path=tmp_path / "emulator.db", profile=load_profile("fast"), virtual_time=True)
        elif case == "unknown attribute":
            engine.index = {}  # something a newer Engine carries that a snapshot would not copy
        elif case == "switched off":
            monkeypatch.setenv(engine_cache.NO_SETUP_CACHE, "1")
        passed = None if case == "injected clock not passed" else clock
        engine_cache.cached(engine, ("test", uid), lambda: _build(engine, clock, uid, counter), clock=passed)
    assert len(counter) == 2


def test_every_attribute_of_an_engine__is_one_the_snapshot_knows(engine):
    """A new Engine attribute fails here first: copy it in Engine.snapshot (azguest/emulator/snapshot.py) and list
    it in its COVERED (or the cache stops helping)."""
    assert type(engine) is not Engine  # tests/conftest.py's SoleUserEngine, as the `engine` fixture makes it
    assert engine_cache.unknown_attributes(engine) == {}
    assert engine_cache.unknown_attributes(fake_clock_engine()[0]) == {}
    assert engine_cache.unknown_attributes(Engine(profile=load_profile("fast"))) == {}


def test_cli_state_template__is_the_builds_state_with_this_tests_own_counters(emulated, tmp_path,  # noqa: F811
                                                                              monkeypatch, uid):
    """tests.deploy.conftest.from_template: a later test's state file is the one the build left (0600, a new file),
    with the counters of the commands that test ran before added; a state that holds anything else is built on."""
    from azguest.cli.main import run
    from azguest.emulator.handlers import keyvault
    from azguest.emulator.store import load_file
    from tests.deploy.conftest import STATE_ENV, from_template

    builds = []

    def build() -> None:
        builds.append(1)
        monkeypatch.setenv("SEED", "Seeded-Secret-1")
        assert run(["emulator", "set-secret", f"kv-{uid}", "admin", "--from-env", "SEED", "-o", "json"]) == 0
        assert run(["status", "nolab", "-o", "json"]) != 0  # a request: counters

    from_template(emulated, uid, build)
    built = load_file(emulated)
    assert built[keyvault.STATE_KEY] and built["log_counts"]["total"] >= 1

    second = tmp_path / "second" / "emulator.db"
    second.parent.mkdir()
    monkeypatch.setenv(STATE_ENV, str(second))
    assert run(["status", "nolab", "-o", "json"]) != 0  # this test's own requests, before the lab is there
    before = load_file(second)["log_counts"]
    from_template(second, uid, build)
    copied = load_file(second)
    assert len(builds) == 1 and (second.stat().st_mode & 0o777) == 0o600
    assert {k: v for k, v in copied.items() if k != "log_counts"} == {k: v for k, v in built.items()
                                                                      if k != "log_counts"}
    total = built["log_counts"]["total"]
    assert copied["log_counts"]["total"] == total + before["total"] > total

    from_template(second, uid, build)  # a state with a secret in it: built on, for real
    assert len(builds) == 2
