"""Emulator state and its persistence.

State is one JSON document: resources keyed by lower-cased ARM id, pending operations, quotas,
SKU restrictions, fault-matcher uses and request-log counters. With a path it is written
atomically (temp file + fsync + ``os.replace``) under an ``fcntl`` lock, and reloaded whenever
the file changed on disk since it was last read, so several processes share one world.
A killed process leaves either the old or the new file, never a torn one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STATE_VERSION = 1
_LOG_FLUSH_EVERY = 50  # read-only requests whose counters may wait for the next write


def empty_state() -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "resources": {},  # lower-cased ARM id -> ARM JSON (+ private "_" keys)
        "operations": {},  # operation id -> LRO record
        "quotas": {},  # location (lower) -> {usage name: limit}
        "sku_restrictions": {},  # location (lower) -> {sku name (lower): reason code}
        "fault_uses": {},  # fault matcher key -> times used
        "log_counts": {},  # flattened request-log counters, see Engine.stats()
    }


class Store:
    """Holds the state; ``session()`` brackets one request (lock, reload, save if dirty)."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self.state: dict[str, Any] = empty_state()
        self.dirty = False
        self.pending_counts: Counter[str] = Counter()
        self._pending_requests = 0
        self._sig: tuple | None = None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.session():
                pass

    @contextlib.contextmanager
    def session(self) -> Iterator[dict[str, Any]]:
        if self.path is None:
            yield self.state
            self.dirty = False
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                self._reload_if_changed()
                yield self.state
                self._pending_requests += 1
                if self.dirty or self._pending_requests >= _LOG_FLUSH_EVERY:
                    self._save()
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def flush(self) -> None:
        """Write pending request-log counters (and any change) now."""
        if self.path is None:
            return
        self.dirty = self.dirty or bool(self.pending_counts)
        with self.session():
            pass

    def _signature(self) -> tuple | None:
        try:
            st = os.stat(self.path)  # type: ignore[arg-type]
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _reload_if_changed(self) -> None:
        sig = self._signature()
        if sig == self._sig:
            return
        if sig is None:
            self.state = empty_state()
        else:
            self.state = load_file(self.path)  # type: ignore[arg-type]
        self._sig = sig

    def _save(self) -> None:
        counts = self.state.setdefault("log_counts", {})
        for k, v in self.pending_counts.items():
            counts[k] = counts.get(k, 0) + v
        self.pending_counts.clear()
        self._pending_requests = 0
        atomic_write_json(self.path, self.state)  # type: ignore[arg-type]
        self._sig = self._signature()
        self.dirty = False


def load_file(path: Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    state = empty_state()
    state.update(data)
    return state


def atomic_write_json(path: Path, data: Any) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
