"""Fixtures for the backup tests: a clocked in-memory emulator (restore point intervals need time to pass;
nothing sleeps), a session on it, and helpers that deploy (and configure) the examples."""

from __future__ import annotations

import weakref

import pytest

from azguest.azure import AzureSession
from azguest.guest.commands import Secrets
from azguest.guest.configure import configure
from azguest.spec import load_lab
from tests.deploy.conftest import EXAMPLES, PASSWORD, do_deploy, writes  # noqa: F401
from tests.emulator.fakeclock import fake_clock_engine
from tests.engine_cache import cached

LABS = {"s2d": "s2d-2node.yaml", "shared-disk": "shared-disk-3node.yaml", "iscsi": "iscsi-2node.yaml"}


_CLOCKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its FakeClock (for ``deployed``)


@pytest.fixture
def clocked():
    engine, clock = fake_clock_engine()
    _CLOCKS[engine] = clock
    return engine, clock


@pytest.fixture
def engine(clocked):
    return clocked[0]


@pytest.fixture
def clock(clocked):
    return clocked[1]


@pytest.fixture
def sess(engine):
    with AzureSession.for_engine(engine) as s:
        yield s


def lab_of(mode: str):
    return load_lab(EXAMPLES / LABS[mode])


def deployed(session, mode: str, *, guest: bool = True):
    """The example lab of ``mode`` deployed, and configured (the guest model) when ``guest``; once per test process
    and mode on a fresh engine (``setup_once``)."""
    lab = lab_of(mode)

    def build() -> None:
        do_deploy(session, lab)
        if guest:
            record = configure(session, lab, secrets=lambda need: Secrets(PASSWORD))
            assert record.ok

    setup_once(session, ("deployed", mode, guest), build)
    return lab


def setup_once(session, key: tuple, build):
    """``build()`` (setup, not what a test is about) on the session's engine. On a fresh clocked in-memory engine
    it runs once per test process and key; later tests load a copy of the engine as it was right after
    (``tests.engine_cache``: state, request log, clocks, buckets) and get a copy of the first run's return value.
    Anything else (an engine that already answered requests, http mode, a test's own guest steps)
    builds for real."""
    engine = session.engine
    clock = _CLOCKS.get(engine) if engine is not None else None
    if clock is None:
        return build()
    return cached(engine, (*key, session.polling_interval, repr(session.retry)), build, clock=clock)


def lab_disks(engine, lab) -> set[str]:
    """Every disk id of every VM of the lab, from the emulator's stored VMs (OS and data, lower-case)."""
    out = set()
    for r in engine.store.state["resources"].values():
        if r["type"] == "Microsoft.Compute/virtualMachines" and (r.get("tags") or {}).get("azguest-lab") == lab.name:
            sp = r["properties"]["storageProfile"]
            out.add(sp["osDisk"]["managedDisk"]["id"].lower())
            out |= {d["managedDisk"]["id"].lower() for d in sp.get("dataDisks") or []}
    return out


def stored(engine, arm_type: str) -> list[dict]:
    return [r for r in engine.store.state["resources"].values() if r["type"].lower() == arm_type.lower()]
