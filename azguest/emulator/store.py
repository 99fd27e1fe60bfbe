"""Emulator state and its persistence.

State is one JSON document: resources keyed by lower-cased ARM id, pending operations, quotas,
SKU restrictions, fault-matcher uses and request-log counters. With a path it is written
atomically (temp file + fsync + ``os.replace``) under an ``fcntl`` lock, and reloaded whenever
the file changed on disk since it was last read, so several processes share one world.
A killed process leaves either the old or the new file, never a torn one.

Security: the folder is created 0700, the state and lock files 0600; temp files come from
``mkstemp`` in the state's own folder (no predictable name to pre-plant a symlink at). No secret is
ever stored (``context.scrub``). The format carries a ``version``: a file that is not JSON, not an
emulator state, or of another version is refused with ``StateFileError`` (naming the file and
``azguest emulator reset``), never read as an internal error. Version 1 files are migrated.

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
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from azguest.errors import ConfigError

STATE_VERSION = 2  # 2: per-VM guest state ("guests"); no secret in any resource
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class StateFileError(ConfigError):
    """The emulator state file cannot be used: not JSON, not an emulator state, another version."""

    default_code = "AZG-EMULATOR-STATE"

    def __init__(self, path: Path | None, problem: str) -> None:
        where = str(path) if path else "the emulator state"
        reset = f"azguest emulator reset --state {path}" if path else "azguest emulator reset"
        super().__init__(f"emulator state file {where} {problem}",
                         hint=f"run `{reset}` to start again from an empty emulated world "
                              "(every emulated resource in it is lost)",
                         details={"state": where})
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
        "guests": {},  # lower-cased VM id -> guest-model state (azguest.emulator.guest)
    }


class Store:
    """Holds the state; ``session()`` brackets one request (lock, reload, save if dirty)."""

    def __init__(self, path: Path | None, *, load: bool = True) -> None:
        self.path = Path(path) if path else None
        self.state: dict[str, Any] = empty_state()
        self.dirty = False
        self.pending_counts: Counter[str] = Counter()
        self._pending_requests = 0
        self._sig: tuple | None = None
        self._held: int | None = None  # fd of the file version in memory: pins its inode number
        self._depth = 0  # nesting of session() (the engine lock makes it per thread)
        if self.path:
            ensure_private_dir(self.path.parent)
            if load:
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
    def _file_lock(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")  # type: ignore[union-attr]
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | _O_NOFOLLOW, 0o600)
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, 0o600)  # a lock file an older azguest made with the umask's mode
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        with self._file_lock():
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

    def reset(self) -> None:
        """Replace the file with an empty world under the lock, without reading it (works on a
        corrupt or foreign file)."""
        if self.path is None:
            self.state = empty_state()
            return
        with self._file_lock():
            self.state = empty_state()
            self.pending_counts.clear()
            atomic_write_json(self.path, self.state)
            self._sig = self._hold()
            self.dirty = False

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
                self.state = parse_state(f.read(), self.path)
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


def parse_state(data: bytes, path: Path | None = None) -> dict[str, Any]:
    """A state document from its bytes; ``StateFileError`` unless it is an emulator state we can read."""
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise StateFileError(path, f"is corrupt: not valid JSON ({type(e).__name__})") from None
    if not isinstance(raw, dict) or "version" not in raw or not isinstance(raw.get("resources"), dict):
        raise StateFileError(path, "is not an azguest emulator state (no 'version' and 'resources')")
    if raw["version"] == 1:
        raw = _migrate_v1(raw)
    if raw["version"] != STATE_VERSION:
        raise StateFileError(path, f"has format version {raw['version']!r}; this azguest reads version "
                             f"{STATE_VERSION} (and migrates 1)")
    state = empty_state()
    state.update(raw)
    wrong = [k for k, v in empty_state().items() if not isinstance(state[k], type(v))]
    if wrong:
        raise StateFileError(path, f"is not an azguest emulator state (wrong type for {', '.join(wrong)})")
    return state


def _migrate_v1(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2: drop every stored secret (v1 kept admin passwords and protected parameters)."""
    from azguest.emulator.context import scrub

    for res in raw["resources"].values():
        if isinstance(res, dict):
            scrub(res)
            res.pop("_protected", None)
    raw.setdefault("guests", {})
    raw["version"] = 2
    return raw


def load_file(path: Path) -> dict[str, Any]:
    return parse_state(Path(path).read_bytes(), Path(path))


def ensure_private_dir(folder: Path) -> None:
    """Create the state folder 0700 if it is missing (an existing folder is left as its owner set it)."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)


ENV_FSYNC = "AZGUEST_EMULATOR_FSYNC"  # "0": skip the fsyncs (a test suite's throwaway states; see durable())


def durable() -> bool:
    """Whether a save waits for the disk (fsync of the file and its folder), so the state survives a power loss
    or an OS crash, not only a killed process (whose writes the OS still holds). On unless ``AZGUEST_EMULATOR_FSYNC``
    is ``0``: the test suite's throwaway states skip it (thousands of saves, each waiting on the disk)."""
    return os.environ.get(ENV_FSYNC, "1").strip() != "0"


def atomic_write_json(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` atomically: a 0600 ``mkstemp`` file in the same folder, fsync,
    ``os.replace``, fsync of the folder (the fsyncs only when :func:`durable`). A failed write removes its
    temp file."""
    path = Path(path)
    sync = durable()
    payload = json.dumps(data, separators=(",", ":")).encode("utf-8")  # unsorted: 25% cheaper
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            if sync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if not sync:
        return
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
