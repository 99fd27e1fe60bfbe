"""`azguest lab clone BACKUP --count N --prefix P` and `azguest lab rebuild LAB --from BACKUP`
(docs/design.md, "Restore", "Clone and rebuild").

A clone is ``restore BACKUP --into <prefix><i>`` (``azguest.restore.core``): its own group, network (the same
address space, no peering, gateway or public inbound), witness account, names, lab tag and expiry. ``clone``
runs up to ``parallel`` of them at once, all drawing on ONE set of client-side ARM token buckets
(``azguest.execute.budget.Budgets`` on the session), so N labs stay inside the subscription's write budget
together. A lab whose restore passed its health check gets the group tag ``azguest-clone-of=<backup>``; a
re-run reads the group tags once (a tag query) and skips those labs with no write, so it finishes only the
labs that failed or never ran. ``--shard I/N`` keeps clone i (1-based) when ``(i - 1) % N == I - 1``
(round robin: shard sizes differ by at most one, and each index is in exactly one shard).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from azguest.deploy.records import DEFAULT_PARALLEL
from azguest.errors import AzguestError, PartialError, UsageError
from azguest.execute.budget import Budgets
from azguest.execute.dag import Event
from azguest.execute.wait import Clock, session_clock

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

TAG_CLONE_OF = "azguest-clone-of"  # on a clone's group once it passed its health check: the backup id
MAX_COUNT = 500
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

Events = Callable[[Event], None] | None


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    total: int

    @staticmethod
    def parse(text: str | None) -> Shard:
        if not text:
            return Shard(1, 1)
        m = _SHARD.match(text)
        if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
            raise UsageError(f"--shard {text!r} is not I/N with 1 <= I <= N", code="AZG-USAGE",
                             hint="for example --shard 2/4 (the matrix job's shard number, then the shard count)")
        return Shard(int(m.group(1)), int(m.group(2)))

    def picks(self, i: int) -> bool:
        return (i - 1) % self.total == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def clone_names(prefix: str, count: int, shard: Shard) -> list[str]:
    """``<prefix><i>`` for i in 1..count that fall in ``shard``."""
    if not 1 <= count <= MAX_COUNT:
        raise UsageError(f"--count {count} is out of range 1..{MAX_COUNT}", code="AZG-USAGE")
    return [f"{prefix}{i}" for i in range(1, count + 1) if shard.picks(i)]


@dataclass(frozen=True)
class LabOutcome:
    lab: str
    state: str  # created | skipped (already a complete clone of the backup) | failed
    resource_group: str | None = None
    elapsed_s: float = 0.0
    restore: dict[str, Any] | None = None  # the RestoreRecord (as JSON) of a created or failed lab
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "state": self.state, "resourceGroup": self.resource_group,
                "elapsedS": round(self.elapsed_s, 3), "restore": self.restore, "error": self.error}


@dataclass(frozen=True)
class CloneRecord:
    backup: str
    prefix: str
    count: int
    shard: str
    labs: tuple[LabOutcome, ...]
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return all(x.state != "failed" for x in self.labs)

    def summary(self) -> dict[str, int]:
        return {s: sum(1 for x in self.labs if x.state == s) for s in ("created", "skipped", "failed")}

    def to_dict(self) -> dict[str, Any]:
        return {"backup": self.backup, "prefix": self.prefix, "count": self.count, "shard": self.shard,
                "ok": self.ok, "summary": self.summary(), "labs": [x.to_dict() for x in self.labs],
                "failed": [x.lab for x in self.labs if x.state == "failed"], "elapsedS": round(self.elapsed_s, 3)}


def shared_budgets(session: AzureSession) -> Budgets:
    """The session's ARM token buckets, made once: every request of this session draws on them."""
    budgets = getattr(session, "budgets", None)
    if budgets is None:
        budgets = Budgets(_azure_clock(session))
        session.budgets = budgets
    return budgets


class _ScaledClock(Clock):
    """Azure seconds on an emulator replaying Azure's durations at ``scale`` real seconds per Azure second
    (its throttling refills on that compressed clock too): the buckets refill as ARM's do there."""

    def __init__(self, inner: Clock, scale: float) -> None:
        super().__init__()
        self.inner, self.scale = inner, scale

    def now(self) -> float:
        return self.inner.now() / self.scale

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds * self.scale)


def _azure_clock(session: AzureSession) -> Clock:
    clock = session_clock(session)
    engine = getattr(session, "engine", None)
    if engine is None or getattr(engine, "virtual_time", False):
        return clock
    profile = engine.profile
    scale = float(profile.latency.time_scale)
    if profile.throttling.time_scaled and 0 < scale < 1:
        return _ScaledClock(clock, scale)
    return clock


def complete_clones(session: AzureSession, backup: str) -> dict[str, str]:
    """lab -> group of every lab whose group says it is a complete clone of ``backup`` (one tag query)."""
    from azguest.deploy.teardown import all_lab_groups

    out = {}
    for lab, groups in all_lab_groups(session).items():
        for g in groups:
            if (g.get("tags") or {}).get(TAG_CLONE_OF) == backup:
                out[lab] = str(g.get("name"))
    return out


def _err(e: BaseException) -> dict[str, Any]:
    if isinstance(e, AzguestError):
        return e.to_dict()
    return {"code": "AZG-INTERNAL", "message": f"{type(e).__name__}: {e}"}


class _Labs:
    """Runs the labs' restores; reports each lab (``lab/<name>``) and what runs inside it."""

    def __init__(self, session: AzureSession, backup: str, manifest: Any, expires: str | None,
                 on_event: Events, stop_event: threading.Event) -> None:
        self.session, self.backup, self.m, self.expires = session, backup, manifest, expires
        self.on_event, self.stop_event = on_event, stop_event
        self.clock = session_clock(session)
        self.lock = threading.Lock()

    def emit(self, ev: Event) -> None:
        if self.on_event is not None:
            with self.lock:
                self.on_event(ev)

    def inner(self, lab: str) -> Events:
        if self.on_event is None:
            return None
        return lambda ev: self.emit(replace(ev, key=f"{lab}:{ev.key}", label=f"{ev.label} [{lab}]"))

    def one(self, lab: str) -> LabOutcome:
        from azguest.azure import tags as T
        from azguest.restore.core import Request, restore

        key, label = f"lab/{lab}", f"clone lab {lab}"
        if self.stop_event.is_set():
            return LabOutcome(lab, "failed", error={"code": "AZG-INTERRUPTED", "message": "not started (Ctrl-C)"})
        t0 = self.clock.now()
        self.emit(Event(key, label, "started"))
        try:
            rec = restore(self.session, Request(self.backup, into=lab, expires=self.expires), manifest=self.m,
                          on_event=self.inner(lab))
            if not rec.ok:
                raise AzguestError(f"the restore of {lab} did not pass its health check", code="AZG-TEST-FAILED")
            T.merge_group_tags(self.session, rec.resource_group, {TAG_CLONE_OF: self.backup})
        except Exception as e:  # one lab's failure leaves the others going
            elapsed = self.clock.now() - t0
            self.emit(Event(key, label, "failed", elapsed, e))
            rec_d = getattr(e, "result", None)
            return LabOutcome(lab, "failed", elapsed_s=elapsed, error=_err(e),
                              restore=rec_d.to_dict() if hasattr(rec_d, "to_dict") else rec_d)
        elapsed = self.clock.now() - t0
        self.emit(Event(key, label, "succeeded", elapsed))
        return LabOutcome(lab, "created", rec.resource_group, elapsed, rec.to_dict())


def clone_labs(session: AzureSession, backup: str, *, count: int, prefix: str, expires: str | None = None,
               shard: Shard | None = None, parallel: int = DEFAULT_PARALLEL, on_event: Events = None,
               stop_event: threading.Event | None = None,
               on_plan: Callable[[list[str], dict[str, str]], None] | None = None) -> CloneRecord:
    """Clone ``backup`` into the labs ``<prefix><i>`` of ``shard``; a failed lab does not stop the others.
    Raises PartialError (``result`` = the record) when any lab failed."""
    from azguest.restore.core import load_restorable

    shard = shard or Shard(1, 1)
    names = clone_names(prefix, count, shard)
    m = load_restorable(session, backup)
    done = complete_clones(session, m.id)
    if on_plan is not None:
        on_plan(names, done)
    shared_budgets(session)
    clock = session_clock(session)
    t0 = clock.now()
    runner = _Labs(session, m.id, m, expires, on_event, stop_event or threading.Event())
    todo = [n for n in names if n not in done]
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(todo) or 1)),
                            thread_name_prefix="azguest-clone") as pool:
        results = dict(zip(todo, pool.map(runner.one, todo), strict=True))
    labs = tuple(results[n] if n in results else LabOutcome(n, "skipped", done[n]) for n in names)
    record = CloneRecord(m.id, prefix, count, str(shard), labs, clock.now() - t0)
    if not record.ok:
        failed = [x.lab for x in labs if x.state == "failed"]
        err = PartialError(f"lab clone: {len(failed)} of {len(labs)} lab(s) failed: {', '.join(failed)}",
                           code="AZG-CLONE-PARTIAL", details={"failed": failed},
                           hint="the labs that succeeded are intact; re-run the same command: it finishes only "
                                "the failed ones")
        err.result = record.to_dict()
        raise err
    return record


@dataclass(frozen=True)
class RebuildRecord:
    lab: str
    backup: str
    destroyed: dict[str, Any] | None  # destroy's record; None when there was no lab to destroy
    restore: dict[str, Any]
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return bool(self.restore.get("ok"))

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "backup": self.backup, "ok": self.ok, "destroyed": self.destroyed,
                "restore": self.restore, "elapsedS": round(self.elapsed_s, 3)}


def rebuild_lab(session: AzureSession, lab: str, backup: str, *, expires: str | None = None,
                on_event: Events = None, stop_event: threading.Event | None = None) -> RebuildRecord:
    """Destroy lab ``lab`` (if it exists), then restore ``backup`` into a lab of that name. Every run ends
    with a fresh lab from the backup; a run that failed half-way is finished by the next one."""
    from azguest.deploy.teardown import destroy, plan_teardown
    from azguest.errors import NotFoundError
    from azguest.restore.core import Request, load_restorable, restore

    m = load_restorable(session, backup)  # before any delete: a backup that cannot be restored deletes nothing
    clock = session_clock(session)
    t0 = clock.now()
    destroyed = None
    try:
        td = plan_teardown(session, lab)
    except NotFoundError:
        td = None
    if td is not None:
        rec = destroy(session, td, confirm=lambda _t: True, on_event=on_event, stop_event=stop_event)
        destroyed = rec.to_dict()
        if not rec.ok:
            err = PartialError(f"lab rebuild {lab}: the destroy did not finish, nothing was restored",
                               code="AZG-REBUILD-DESTROY", hint=f"re-run `azguest lab rebuild {lab} --from {backup}`")
            err.result = {"lab": lab, "backup": m.id, "destroyed": destroyed}
            raise err
    record = restore(session, Request(m.id, into=lab, expires=expires), manifest=m, on_event=on_event)
    from azguest.azure import tags as T
    T.merge_group_tags(session, record.resource_group, {TAG_CLONE_OF: m.id})
    return RebuildRecord(lab, m.id, destroyed, record.to_dict(), clock.now() - t0)
