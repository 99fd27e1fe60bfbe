"""Emulator state and its persistence.

State is one JSON document: resources keyed by lower-cased ARM id, pending operations, quotas,
SKU restrictions, fault-matcher uses and request-log counters. With a path it is written
atomically (temp file + fsync + ``os.replace``) under an ``fcntl`` lock, and reloaded whenever
the file changed on disk since it was last read, so several processes share one world.
A killed process leaves either the old or the new file, never a torn one.

"Changed" is decided by the file's identity (device, inode) plus mtime and size. Every write is a
new inode, and the store keeps the file it last read or wrote open, so that inode number cannot be
recycled by another process's write: a change is seen even when timestamps are coarse and the
size is unchanged. The file is written only when a request changed the state (``dirty``) or
when enough request-log counters are pending; reads and LRO polls do not rewrite it.
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
        self._held: int | None = None  # fd of the file version in memory: pins its inode number
        self._depth = 0  # nesting of session() (the engine lock makes it per thread)
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.session():
                pass

    @contextlib.contextmanager
    def session(self) -> Iterator[dict[str, Any]]:
        """One request's access to the state. Re-entrant: a request made from inside a request (a
        guest hook calling the engine; the caller holds the engine lock) joins the outer session
        instead of waiting forever for the file lock the outer one holds."""
        if self.path is None or self._depth:
            yield self.state
            if self.path is None:
                self.dirty = False
            return
        self._depth += 1
        try:
            with self._locked() as state:
                yield state
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                self._reload_if_changed()
                yield self.state
                self._pending_requests += 1
                if self.dirty or self._pending_requests >= _LOG_FLUSH_EVERY:
                    self._save()
            except BaseException:
                self._sig = None  # an unexpected error may have left half a change: reload next time
                self.dirty = False
                raise
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
        return _sig_of(st)

    def _hold(self) -> tuple | None:
        """Open the current file, keep it open (pinning its inode) and return its signature."""
        try:
            fd = os.open(self.path, os.O_RDONLY)  # type: ignore[arg-type]
        except FileNotFoundError:
            fd = None
        if self._held is not None:
            os.close(self._held)
        self._held = fd
        return None if fd is None else _sig_of(os.fstat(fd))

    def _reload_if_changed(self) -> None:
        if self._sig is not None and self._signature() == self._sig:
            return
        sig = self._hold()
        if sig is None:
            self.state = empty_state()
        else:
            with os.fdopen(os.dup(self._held), "rb") as f:  # type: ignore[arg-type]
                f.seek(0)
                self.state = parse_state(f.read())
        self._sig = sig

    def _save(self) -> None:
        counts = self.state.setdefault("log_counts", {})
        for k, v in self.pending_counts.items():
            counts[k] = counts.get(k, 0) + v
        self.pending_counts.clear()
        self._pending_requests = 0
        atomic_write_json(self.path, self.state)  # type: ignore[arg-type]
        self._sig = self._hold()
        self.dirty = False

    def close(self) -> None:
        """Release the pinned file (the store reloads on its next session)."""
        if self._held is not None:
            os.close(self._held)
        self._held, self._sig = None, None

    def __del__(self) -> None:
        held, self._held = getattr(self, "_held", None), None
        if held is not None:
            os.close(held)


def _sig_of(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def parse_state(data: bytes) -> dict[str, Any]:
    state = empty_state()
    state.update(json.loads(data))
    return state


def load_file(path: Path) -> dict[str, Any]:
    return parse_state(Path(path).read_bytes())


def atomic_write_json(path: Path, data: Any) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    payload = json.dumps(data, separators=(",", ":")).encode("utf-8")  # unsorted: 25% cheaper
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
