"""Snapshots of an in-memory engine: ``Engine.snapshot()`` and ``Engine.load_snapshot(snap)``.

A snapshot is everything an engine carries that a client or a test can observe afterwards: the state (as JSON
text: resources, LROs, guest state, quotas, fault uses, saved log counters), the request log, the pending log
counters (``Engine.stats()``), the emulated seconds skipped, the throttling buckets' levels, the retry ids, the
fault injector's random state and ``last_error``. It holds no configuration (profile, clocks, ``guest_hook``):
the engine it is loaded into keeps its own. Loading gives the engine private copies: nothing done later on either
engine shows in the other, nor in the snapshot.

Refused with :class:`SnapshotError`: a persisted engine (its state lives in its file, shared with other
processes) and a state JSON cannot keep faithfully (a tuple, a non-string key), which a load would change.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.emulator.requestlog import LogEntry
from azguest.errors import UnsupportedError

if TYPE_CHECKING:
    from azguest.emulator.engine import Engine

RetryKey = tuple[str, str, str]  # (x-ms-client-request-id, method, path)

# Every attribute of an Engine and of its parts, each copied by a snapshot or configuration it does not hold
# (lock, clocks, profile, guest hook, a persisted store's file bookkeeping). An attribute not listed here is one a
# snapshot would silently drop: ``uncovered`` names it (a test fails until the snapshot copies it).
COVERED: dict[str, frozenset[str]] = {
    "engine": frozenset({"_lock", "_virtual_time", "skipped_s", "clock", "store", "_profile", "faults", "buckets",
                         "log", "guest_hook", "last_error", "_seen_ids"}),
    "store": frozenset({"path", "state", "dirty", "pending_counts", "_pending_requests", "_sig", "_held", "_depth"}),
    "buckets": frozenset({"_clock", "_state"}),
    "log": frozenset({"entries", "max_entries"}),
    "faults": frozenset({"faults", "_rng"}),
}


class SnapshotError(UnsupportedError):
    """An engine whose state a snapshot cannot hold faithfully (persisted, or a state JSON would change)."""

    default_code = "AZG-EMULATOR-SNAPSHOT"


@dataclass(frozen=True)
class EngineSnapshot:
    state: str  # the state as JSON text
    log: tuple[LogEntry, ...]  # copies of the request-log entries (copied again on load)
    pending_counts: tuple[tuple[str, int], ...]
    skipped_s: float
    buckets: tuple[tuple[tuple, float, float], ...]  # (bucket key, tokens, stamp)
    retry_ids: tuple[tuple[RetryKey, int], ...]  # oldest first, with the status each was answered
    rng: Any  # random.Random.getstate() of the fault injector (an immutable tuple)
    last_error: str | None


def uncovered(engine: Engine, extra: frozenset[str] = frozenset()) -> dict[str, set[str]]:
    """Attributes of ``engine`` and its parts a snapshot does not know (``extra``: more engine attributes a
    subclass adds and handles itself)."""
    parts = {"engine": engine, "store": engine.store, "buckets": engine.buckets, "log": engine.log,
             "faults": engine.faults}
    known = {**COVERED, "engine": COVERED["engine"] | extra}
    return {name: left for name, obj in parts.items() if (left := set(vars(obj)) - known[name])}


def take(engine: Engine, retry_ids: OrderedDict[RetryKey, int]) -> EngineSnapshot:
    """The snapshot of ``engine`` (the caller holds its lock)."""
    _in_memory(engine, "snapshot an in-memory engine, or copy the state file")
    state = engine.store.state
    text = json.dumps(state)
    if json.loads(text) != state:
        raise SnapshotError("the emulator state holds a value JSON would not keep (a tuple, a non-string key)",
                            hint="a snapshot of it would load as a different state")
    levels = engine.buckets.state()
    return EngineSnapshot(state=text, log=tuple(copy.copy(e) for e in engine.log.entries),
                          pending_counts=tuple(engine.store.pending_counts.items()), skipped_s=engine.skipped_s,
                          buckets=tuple((k, tokens, stamp) for k, (tokens, stamp) in levels.items()),
                          retry_ids=tuple(retry_ids.items()), rng=engine.faults.getstate(),
                          last_error=engine.last_error)


def load(engine: Engine, snap: EngineSnapshot) -> OrderedDict[RetryKey, int]:
    """Load private copies of ``snap`` into ``engine`` (the caller holds its lock); returns the retry ids."""
    _in_memory(engine, "load a snapshot into an in-memory engine")
    engine.store.state = json.loads(snap.state)
    engine.store.dirty = False
    engine.store.pending_counts.clear()
    engine.store.pending_counts.update(dict(snap.pending_counts))
    engine.log.entries[:] = [copy.copy(e) for e in snap.log]
    engine.skipped_s = snap.skipped_s
    engine.buckets.restore({k: (tokens, stamp) for k, tokens, stamp in snap.buckets})
    engine.faults.setstate(snap.rng)
    engine.last_error = snap.last_error
    return OrderedDict(snap.retry_ids)


def _in_memory(engine: Engine, hint: str) -> None:
    if engine.store.path is not None:
        raise SnapshotError(f"the emulator state {engine.store.path} is persisted: it lives in its file", hint=hint,
                            details={"state": str(engine.store.path)})
