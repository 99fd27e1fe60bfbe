"""Expensive emulator setup (deploy and configure an example lab) done once per test process.

``cached(engine, key, build)`` runs ``build()`` on a pristine in-memory engine the first time a key is asked for,
then takes a snapshot (``Engine.snapshot()``, azguest/emulator/snapshot.py) of everything an
:class:`~azguest.emulator.Engine` carries that a test can look at: the state (a JSON copy: resources, LRO table,
guest state, quotas, fault uses), the request log (every entry, so ``engine.request_log`` indexes from 0 read as
after a real run), the pending log counters (``engine.stats()``), the emulated seconds skipped, the throttling
buckets, the retry ids, the fault injector's random state; and the FakeClock's time. Later calls with the same
key on a pristine engine load a private copy instead of building.

A snapshot is only taken and only used when it cannot differ from building: the engine is in memory, has never
answered a request, uses no guest hook, the emulator's guest steps are the built-in ones (no test's
``registered`` handler), and the key holds the profile, the clock's time and the seconds already skipped.
An engine on a real clock (``clock=None``) gets the state as if the build had run a few seconds earlier; one on an
injected clock must pass it (``clock=``), else it is built for real.
``AZGUEST_TEST_NO_SETUP_CACHE=1`` builds every time (measuring, bisecting a failure).
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azguest.emulator.guest import model as guest_model
from azguest.emulator.snapshot import EngineSnapshot, SnapshotError, uncovered
from azguest.emulator.store import empty_state

NO_SETUP_CACHE = "AZGUEST_TEST_NO_SETUP_CACHE"  # set (to 1): build every time
_BUILTIN_STEPS = dict(guest_model.STEPS)  # before any test registers its own step handler
_SNAPSHOTS: dict[tuple, tuple[Snapshot, Any]] = {}


@dataclass(frozen=True)
class Snapshot:
    engine: EngineSnapshot  # Engine.snapshot(): state, logs, counters, buckets, retry ids, fault draws
    clock_t: float | None  # the injected FakeClock's time (the engine does not hold it)


def cached(engine, key: tuple, build: Callable[[], Any], *, clock=None) -> Any:
    """``build()``'s effect on ``engine``, built once per process and ``key``; returns what ``build`` returned (a
    load returns a deep copy of the first run's value)."""
    full = _key(engine, key, clock)
    if full is None or os.environ.get(NO_SETUP_CACHE):
        return build()
    if full in _SNAPSHOTS:
        snap, value = _SNAPSHOTS[full]
        _load(engine, snap, clock)
        return copy.deepcopy(value)
    value = build()
    snap = _take(engine, clock)
    if snap is not None:
        _SNAPSHOTS[full] = (snap, copy.deepcopy(value))
    return value


# tests/conftest.py's SoleUserEngine adds _shared and _own (its skipped_s, which a snapshot copies). Any other
# attribute the snapshot API does not know (azguest.emulator.snapshot.COVERED) is one a snapshot would not copy, so
# such an engine is built for real (test_engine_cache says so).
_SOLE_USER = frozenset({"_shared", "_own"})


def unknown_attributes(engine) -> dict[str, set[str]]:
    return uncovered(engine, _SOLE_USER)


def _key(engine, key: tuple, clock) -> tuple | None:
    if engine is None or engine.store.path is not None or not _pristine(engine) or unknown_attributes(engine):
        return None
    if engine.guest_hook is not None or not _builtin_steps():
        return None
    if clock is None and abs(engine.clock() - engine.skipped_s - time.time()) > 60:
        return None  # an injected clock the caller did not pass: its time can be neither keyed nor restored
    return (*key, repr(engine.profile), clock() if clock is not None else None, engine.skipped_s)


def _pristine(engine) -> bool:
    if engine.request_log:  # answered requests: no need to copy them to say so
        return False
    try:
        snap = engine.snapshot()
    except SnapshotError:  # a state JSON would not keep
        return False
    return (json.loads(snap.state) == empty_state() and not snap.log and not snap.pending_counts
            and not snap.buckets and not snap.retry_ids and snap.last_error is None)


def _builtin_steps() -> bool:
    steps = guest_model.STEPS
    return len(steps) == len(_BUILTIN_STEPS) and all(steps.get(k) is fn for k, fn in _BUILTIN_STEPS.items())


def _take(engine, clock) -> Snapshot | None:
    try:
        snap = engine.snapshot()
    except SnapshotError:  # something JSON would not keep (a tuple, a non-string key): never cache it
        return None
    return Snapshot(snap, clock() if clock is not None else None)


def _load(engine, snap: Snapshot, clock) -> None:
    engine.load_snapshot(snap.engine)
    if clock is not None:
        clock.t = snap.clock_t
