"""`destroy` and `gc`: delete only what carries the lab's tag, in dependency order.

A resource without this lab's ``azguest-lab`` tag is never deleted, even in the same group. The
group itself goes only when azguest created it (``azguest-created=true``) and it is then empty.
Backups (snapshots, restore point collections) survive unless ``with_backups``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.deploy.apply import DEFAULT_CONCURRENCY, Applier, run_deletes
from azguest.deploy.records import ApplyRecord, ResourceResult
from azguest.errors import NotFoundError, RefusedError
from azguest.execute.dag import Event, Task, run_graph
from azguest.plan.model import TAG_CREATED, TAG_EXPIRES, TAG_LAB, Change, Graph, Plan


@dataclass(frozen=True)
class Teardown:
    lab: str
    deletes: tuple[Change, ...]  # tagged resources to delete, any group
    groups: tuple[str, ...]  # groups azguest created for this lab (deleted when empty)
    kept: tuple[str, ...]  # backups kept, or tagged resources of a kind azguest can't delete

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "delete": [c.to_dict() for c in self.deletes],
                "resourceGroups": list(self.groups), "kept": list(self.kept)}


def _group_of(arm_id: str) -> str:
    parts = arm_id.split("/")
    return parts[4] if len(parts) > 4 else ""


def plan_teardown(session: Any, lab: str, *, with_backups: bool = False) -> Teardown:
    """Everything tagged ``azguest-lab=<lab>`` (one tag query for resources, one for groups)."""
    with arm_errors(target=f"resources tagged {TAG_LAB}={lab}"):
        items = K.list_tagged(session, TAG_LAB, lab)
        groups = K.list_tagged_groups(session, TAG_LAB, lab)
    deletes, kept = [], []
    for it in items:
        if (it.get("tags") or {}).get(TAG_LAB) != lab:
            continue  # defensive: the filter is ARM's, the rule is ours
        kind = K.kind_of(str(it.get("type", "")))
        if kind is None or (kind.backup and not with_backups):
            kept.append(str(it.get("id")))
            continue
        deletes.append(Change(f"{kind.key}/{it['name']}", kind.key, str(it["name"]), str(it["id"]), "delete"))
    owned = tuple(g["name"] for g in groups
                  if (g.get("tags") or {}).get(TAG_CREATED) == "true" and (g.get("tags") or {}).get(TAG_LAB) == lab)
    if not deletes and not owned:
        raise NotFoundError(f"no resources tagged {TAG_LAB}={lab} in this subscription",
                            code="AZG-LAB-NOT-FOUND", hint="check the lab name and --subscription")
    return Teardown(lab, tuple(deletes), owned, tuple(kept))


def destroy(session: Any, td: Teardown, *, confirm: Callable[[Teardown], bool],
            max_workers: int = DEFAULT_CONCURRENCY, on_event: Callable[[Event], None] | None = None,
            stop_event: threading.Event | None = None) -> ApplyRecord:
    if not confirm(td):
        raise RefusedError("destroy was not confirmed; nothing was deleted", code="AZG-NOT-CONFIRMED")
    started = time.monotonic()
    stop_event = stop_event or threading.Event()
    results: list[ResourceResult] = []
    by_group: dict[str, list[Change]] = {}
    for c in td.deletes:
        by_group.setdefault(_group_of(c.arm_id), []).append(c)
    for group, changes in sorted(by_group.items()):
        if stop_event.is_set():
            break
        plan = Plan(Graph(td.lab, session.subscription_id, group, "", ()), tuple(changes), True)
        outcomes = run_deletes(Applier(session, plan, password=None), changes, max_workers, on_event, stop_event)
        results += [_res(c, outcomes[c.key]) for c in changes]
    if not stop_event.is_set() and all(r.state == "succeeded" for r in results):
        results += _delete_empty_groups(session, td, on_event)
    return ApplyRecord(td.lab, ",".join(sorted(by_group) or td.groups), "destroy", tuple(results),
                       time.monotonic() - started, note="interrupted" if stop_event.is_set() else "")


def _res(c: Change, o: Any) -> ResourceResult:
    err = o.error.to_dict() if o.error is not None and hasattr(o.error, "to_dict") else (
        {"code": "AZG-INTERNAL", "message": str(o.error)} if o.error else None)
    return ResourceResult(c.key, c.kind, c.name, "delete", o.state, o.elapsed_s, err)


def _delete_empty_groups(session: Any, td: Teardown, on_event: Any) -> list[ResourceResult]:
    out = []
    kind = K.KINDS["resourceGroup"]
    for group in td.groups:
        with arm_errors(target=group):
            left = list(session.resource.resources.list_by_resource_group(group))
        if left:
            continue  # something azguest did not create (or a kept backup) is still inside
        c = Change(f"resourceGroup/{group}", "resourceGroup", group, group, "delete")
        task = Task(c.key, lambda g=group: _delete_group(session, kind, g), (), f"delete resourceGroup {group}")
        outcome = run_graph([task], max_workers=1, on_event=on_event)[c.key]
        out.append(_res(c, outcome))
    return out


def _delete_group(session: Any, kind: K.Kind, group: str) -> None:
    with arm_errors(target=group):
        K.delete(session, kind, group, group, "")


def expired_labs(session: Any, now: datetime | None = None) -> dict[str, str]:
    """Labs whose ``azguest-expires`` tag lies in the past: lab -> expiry (one tag query)."""
    now = now or datetime.now(UTC)
    with arm_errors(target=f"resources tagged {TAG_EXPIRES}"):
        items = K.list_tagged(session, TAG_EXPIRES) + K.list_tagged_groups(session, TAG_EXPIRES)
    out: dict[str, str] = {}
    for it in items:
        tags = it.get("tags") or {}
        lab, stamp = tags.get(TAG_LAB), tags.get(TAG_EXPIRES, "")
        try:
            when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        if lab and when <= now:
            out[lab] = min(out.get(lab, stamp), stamp)
    return out
