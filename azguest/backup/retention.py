"""`azguest backup list|show|delete|prune` and `destroy --with-backups`: reading and removing backups.

Prune keeps, among a lab's complete backups (newest first, restic's rules): the newest ``keepLast``, the newest
of each of the last ``keepDaily`` days and ``keepWeekly`` ISO weeks that have one; always the newest complete
backup and every labelled one; a ``running`` one (its run may be alive). Failed backups are removed. The
retention is the spec's ``backup.retention``: the given spec's, else the one stored in the newest manifest
that holds a spec, else the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from azguest.backup import store
from azguest.errors import AzguestError

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession
    from azguest.spec.models import Lab, Retention


@dataclass(frozen=True)
class Verdict:
    id: str
    keep: bool
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "keep": self.keep, "why": self.why}


def _when(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(item.get("created") or "1970-01-01T00:00:00Z").replace("Z", "+00:00"))


def _newest_per(items: list[dict[str, Any]], key: Any, count: int) -> set[str]:
    """The newest item of each of the first ``count`` distinct ``key`` values (items newest first)."""
    seen: list[Any] = []
    out = set()
    for i in items:
        k = key(_when(i))
        if k in seen:
            continue
        if len(seen) >= count:
            break
        seen.append(k)
        out.add(i["id"])
    return out


def select(items: list[dict[str, Any]], keep_last: int, keep_daily: int, keep_weekly: int) -> list[Verdict]:
    """What prune keeps and removes, with why, for one lab's backups (pure)."""
    complete = sorted((i for i in items if i["status"] == "complete"), key=lambda i: (_when(i), i["id"]), reverse=True)
    reasons: dict[str, list[str]] = {i["id"]: [] for i in items}
    if complete:
        reasons[complete[0]["id"]].append("newest complete")
    for i in complete[:keep_last]:
        reasons[i["id"]].append("keepLast")
    for bid in _newest_per(complete, lambda t: t.date(), keep_daily):
        reasons[bid].append("keepDaily")
    for bid in _newest_per(complete, lambda t: t.isocalendar()[:2], keep_weekly):
        reasons[bid].append("keepWeekly")
    for i in items:
        if i.get("label"):
            reasons[i["id"]].append(f"label {i['label']}")
        if i["status"] == "running":
            reasons[i["id"]].append("running")
    out = []
    for i in sorted(items, key=lambda i: (_when(i), i["id"])):
        why = reasons[i["id"]]
        out.append(Verdict(i["id"], bool(why), ", ".join(why) if why else
                           ("failed" if i["status"] == "failed" else "outside the retention")))
    return out


def retention_of(session: AzureSession, lab: str, spec: Lab | None, items: list[dict[str, Any]]) -> Retention:
    from azguest.spec.models import Retention

    if spec is not None:
        return spec.backup.retention
    for item in sorted(items, key=lambda i: (_when(i), i["id"]), reverse=True):
        try:
            m = store.load(session, item["id"])
        except AzguestError:
            continue
        if m.spec:
            return Retention.model_validate(((m.spec.get("backup") or {}).get("retention")) or {})
    return Retention()


def prune(session: AzureSession, lab: str, *, spec: Lab | None = None, dry_run: bool = False) -> dict[str, Any]:
    items = store.list_backups(session, lab)
    r = retention_of(session, lab, spec, items)
    verdicts = select(items, r.keep_last, r.keep_daily, r.keep_weekly)
    deleted = []
    if not dry_run:
        for v in verdicts:
            if not v.keep:
                store.delete(session, v.id)
                deleted.append(v.id)
    return {"lab": lab, "retention": {"keepLast": r.keep_last, "keepDaily": r.keep_daily, "keepWeekly": r.keep_weekly},
            "dryRun": dry_run, "backups": [v.to_dict() for v in verdicts], "deleted": deleted}


def delete_lab_backups(session: AzureSession, lab: str) -> list[str]:
    """``destroy --with-backups``: delete every backup of the lab, on purpose (pieces, then manifests)."""
    ids = [i["id"] for i in store.list_backups(session, lab)]
    for bid in ids:
        store.delete(session, bid)
    from azguest.backup.inguest import delete_targets  # in-guest's target disk wsb-<lab> goes with them

    delete_targets(session, lab)
    return ids
