"""`azguest backup LAB`: the use case. Refuse or check (reads only), take the lab's lease, clean up what a dead
run left, record the backup as running, create every piece at once (``cold``: between a graceful stop and an
ordered start), then write the manifest complete, status last. A failure deletes the pieces that exist and
marks the backup failed; it is never listed as restorable. docs/design.md, "Backup".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from azguest.backup import prechecks, store
from azguest.backup.labread import LiveLab, read_lab, storage_mode
from azguest.backup.manifest import DiskConfig, Manifest, Piece, VmConfig
from azguest.backup.pieces import (
    Plan,
    Timing,
    create_all,
    holders,
    plan_pieces,
    refuse,
    snapshot_checks,
    vm_checks,
)
from azguest.backup.support import Choice, choose
from azguest.deploy.lease import LeasePolicy, holding, policy_for
from azguest.errors import AzguestError, AzureError, UnsupportedError
from azguest.execute.dag import Event
from azguest.execute.wait import session_clock, session_now

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession
    from azguest.spec.models import Lab

_STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Request:
    lab: str
    mode: str = "auto"
    label: str | None = None
    spec: Lab | None = None
    resource_group: str | None = None
    force: bool = False  # override the guest pre-checks that may be overridden (azguest.backup.prechecks)


@dataclass
class Context:
    """What the method runners share."""
    session: AzureSession
    live: LiveLab
    choice: Choice
    manifest: Manifest
    plan: Plan
    on_event: Callable[[Event], None] | None
    stop_event: threading.Event | None
    timing: Timing


Runner = Callable[[Context], Manifest]  # returns the manifest with its pieces (and timings) filled in
RUNNERS: dict[str, Runner] = {}  # method -> runner; in-guest registers its own (azguest.backup.inguest)


def _now_iso(session: AzureSession) -> str:
    return session_now(session).strftime(_STAMP)


def backup_id(lab: str, session: AzureSession, taken: set[str]) -> str:
    base = f"{lab}-{session_now(session):%Y%m%dT%H%M%SZ}"
    n, out = 1, base
    while out in taken:
        n += 1
        out = f"{base}-{n}"
    return out


def _consistency(req: Request) -> str:
    return req.spec.backup.consistency if req.spec is not None else "application"


def _spec_doc(spec: Lab | None) -> dict[str, Any] | None:
    return None if spec is None else spec.model_dump(mode="json", by_alias=True, exclude_none=True)


def prepare(session: AzureSession, req: Request) -> tuple[LiveLab, Choice]:
    """Reads only: the lab, the method (BackupUnsupported for a refused one)."""
    live = read_lab(session, req.lab, req.resource_group)
    mode = req.spec.cluster.storage.mode if req.spec is not None else storage_mode(live)
    implemented = tuple(m for m in ("vm", "cold", "in-guest") if m in RUNNERS)
    choice = choose(mode, req.mode, implemented=implemented)
    if choice.method not in RUNNERS:
        raise UnsupportedError(f"backup method {choice.method} is not available in this build",
                               code="AZG-BACKUP-METHOD")
    return live, choice


def _with_sources(vms: tuple[VmConfig, ...], held: dict[str, Any]) -> tuple[VmConfig, ...]:
    def disk(d: DiskConfig) -> DiskConfig:
        return replace(d, restore_from=held.get(d.id.lower()))
    return tuple(replace(v, os_disk=disk(v.os_disk), data_disks=tuple(disk(d) for d in v.data_disks)) for v in vms)


def finish_pieces(ctx: Context, done: dict[str, Any], errors: dict[str, BaseException]) -> Manifest:
    """The manifest with every piece's outcome; raises the first error when any piece failed."""
    pieces = tuple(done.get(p.key) or replace(p, state="failed", error=_message(errors.get(p.key)))
                   for p in ctx.plan.pieces)
    starts = [p.started_s for p in pieces if p.started_s is not None]
    m = replace(ctx.manifest, pieces=pieces, skew_s=round(max(starts) - min(starts), 3) if starts else None,
                vms=_with_sources(ctx.live.vms, holders(done, ctx.plan)))
    ctx.manifest = m
    if errors:
        first = next(iter(errors.values()))
        raise first if isinstance(first, AzguestError) else AzureError(f"backup piece failed: {first}")
    return m


def _message(err: BaseException | None) -> str | None:
    if err is None:
        return None
    return err.message if isinstance(err, AzguestError) else f"{type(err).__name__}: {err}"


def run_pieces(ctx: Context) -> Manifest:
    """Create ``ctx.plan``'s pieces all at once; the manifest with their outcomes (raises if one failed)."""
    if not ctx.plan.pieces:
        return ctx.manifest
    done, errors = create_all(ctx.session, ctx.plan, ctx.timing, on_event=ctx.on_event, stop_event=ctx.stop_event)
    return finish_pieces(ctx, done, errors)


def _vm_runner(ctx: Context) -> Manifest:
    return run_pieces(ctx)


RUNNERS["vm"] = _vm_runner


def cleanup_stale(session: AzureSession, lab: str) -> list[str]:
    """Under the lease: a backup of the lab still ``running`` belongs to a run that died. Delete its pieces and
    mark it failed (its manifest says which pieces it planned; tags find snapshots it had not recorded)."""
    cleaned = []
    for item in store.list_backups(session, lab):
        if item["status"] != "running":
            continue
        try:
            m = store.load(session, item["id"])
        except AzguestError:
            continue
        ids = sorted({p.id for p in m.pieces} | set(store.tagged_pieces(session, m.id)))
        store.delete_pieces(session, ids)
        store.write(session, replace(m, status="failed", pieces=tuple(replace(p, state="deleted") for p in m.pieces),
                                     error={"code": "AZG-BACKUP-INTERRUPTED",
                                            "message": "its run ended before it finished; pieces deleted"}))
        cleaned.append(m.id)
    return cleaned


def _fail(ctx: Context, exc: BaseException) -> None:
    """Delete every planned piece (absent ones are fine) and store the manifest as failed."""
    session, m = ctx.session, ctx.manifest
    ids = sorted({p.id for p in m.pieces} | set(store.tagged_pieces(session, m.id)))
    leftover = store.delete_pieces(session, ids)
    err = exc.to_dict() if isinstance(exc, AzguestError) else {"code": "AZG-BACKUP-FAILED", "message": str(exc)}
    if leftover:
        err["leftover"] = leftover
    pieces = tuple(replace(p, state="deleted" if p.state == "succeeded" else p.state) for p in m.pieces)
    ctx.manifest = replace(m, status="failed", pieces=pieces, error=err, finished=_now_iso(session))
    store.write(session, ctx.manifest)


def backup(session: AzureSession, req: Request, *, lease: LeasePolicy | None = None,
           on_event: Callable[[Event], None] | None = None, stop_event: threading.Event | None = None,
           on_start: Callable[[Choice], None] | None = None) -> Manifest:
    """Take a backup of ``req.lab``; returns its complete manifest, or raises (the failed manifest as the
    error's ``result``). Refusals and failed checks happen before any write."""
    clock = session_clock(session)
    t0 = clock.now()
    live, choice = prepare(session, req)
    group = store.group_name(live.location)
    bid = backup_id(req.lab, session, {i["id"] for i in store.list_backups(session, req.lab)})
    plan = plan_pieces(live, choice.method, group, bid, store.piece_tags(req.lab, bid, live.user_tags),
                       _consistency(req))
    problems = snapshot_checks(session, plan, group, session_now(session))
    if choice.method == "vm":
        problems += vm_checks(session, live, plan, _consistency(req), session_now(session))
    problems += extra_checks(session, live, choice, group, bid)
    forced: list[str] = []
    if not problems:  # Azure would refuse already: no need to look into the guest
        problems, forced = prechecks.guest_checks(session, live, choice.method, choice.storage_mode,
                                                  force=req.force)
    if problems:
        raise refuse(problems)
    with holding(session, [live.resource_group], req.lab, lease or policy_for(session, "backup")):
        if on_start is not None:
            on_start(choice)
        cleanup_stale(session, req.lab)
        store.ensure_group(session, live.location)
        m = Manifest(id=bid, lab=req.lab, status="running", method=choice.method,  # type: ignore[arg-type]
                     requested=req.mode, why=choice.why, verdict=choice.verdict,
                     consistency=_consistency_label(choice.method, _consistency(req), plan),
                     storage_mode=choice.storage_mode, location=live.location, subscription=live.subscription,
                     resource_group=live.resource_group, backup_resource_group=group, created=_now_iso(session),
                     label=req.label, restore_order=live.restore_order(), vms=live.vms, pieces=plan.pieces,
                     spec=_spec_doc(req.spec), forced=tuple(forced))
        store.write(session, m, status_last=False)
        ctx = Context(session, live, choice, m, plan, on_event, stop_event,
                      Timing(clock, clock.now(), lambda: _now_iso(session), threading.Lock()))
        try:
            m = RUNNERS[choice.method](ctx)
            if stop_event is not None and stop_event.is_set():
                raise AzguestError("backup interrupted", code="AZG-INTERRUPTED")
        except BaseException as exc:
            _fail(ctx, exc)
            if isinstance(exc, AzguestError):
                exc.result = ctx.manifest.to_dict()
            raise
        m = replace(m, status="complete", finished=_now_iso(session), elapsed_s=round(clock.now() - t0, 3))
        store.write(session, m)
    return m


def _consistency_label(method: str, consistency: str, plan: Plan) -> str:
    if method == "in-guest":
        return "crash"  # Windows Server Backup of VMs on a CSV: crash-consistent only (azguest.backup.inguest)
    if method == "cold":
        return "shutdown"  # every VM shut down gracefully first: clean disks, no writes in flight
    if method == "vm" and any(p.kind == "snapshot" for p in plan.pieces):
        return f"{consistency}+crash"  # the shared disks' own snapshots are crash-consistent
    return consistency


def piece_summary(p: Piece) -> dict[str, Any]:
    return {"key": p.key, "kind": p.kind, "id": p.id, "state": p.state, "sizeGb": p.size_gb,
            "startedS": p.started_s, "elapsedS": p.elapsed_s}


def extra_checks(session: AzureSession, live: LiveLab, choice: Choice, group: str, bid: str) -> list[str]:
    """A method's own Azure-limit checks beyond its planned pieces (in-guest: the snapshot of its target disk)."""
    check = EXTRA_CHECKS.get(choice.method)
    return check(session, live, group, bid) if check is not None else []


EXTRA_CHECKS: dict[str, Callable[[AzureSession, LiveLab, str, str], list[str]]] = {}  # method -> reads-only check

# cold and in-guest register themselves on import
from azguest.backup import cold as _cold  # noqa: E402,F401
from azguest.backup import inguest as _inguest  # noqa: E402,F401
