"""The `plan` and `deploy` use cases: spec -> graph -> live -> plan -> preflight -> apply."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from azguest.deploy.apply import DEFAULT_CONCURRENCY, apply_plan
from azguest.deploy.preflight import preflight, raise_if_short
from azguest.deploy.records import ApplyRecord, ResourceResult
from azguest.errors import ConflictError, RefusedError
from azguest.execute.dag import Event
from azguest.plan.desired import desired_graph
from azguest.plan.diff import diff
from azguest.plan.live import complete_bodies, read_live
from azguest.plan.model import SECRET_ACTIONS, TAG_EXPIRES, TAG_LAB, Plan


def make_plan(session: Any, lab: Any, *, now: datetime | None = None) -> Plan:
    """Read the live state (one read per resource kind) and diff the spec against it."""
    probe = desired_graph(lab, session.subscription_id)
    exists, live = read_live(session, probe)
    expires = _expiry(lab, live.values(), now or datetime.now(UTC))
    graph = desired_graph(lab, session.subscription_id, expires_at=expires)
    plan = diff(graph, live, group_exists=exists)
    if complete_bodies(session, plan, live):  # kinds listed without properties: diff their full bodies
        plan = diff(graph, live, group_exists=exists)
    return plan


def _expiry(lab: Any, live: Any, now: datetime) -> str | None:
    """Keep the expiry an earlier run set; a new lab expires ``expiresAfter`` from now."""
    for item in live:
        if item.tags.get(TAG_LAB) == lab.name and item.tags.get(TAG_EXPIRES):
            return item.tags[TAG_EXPIRES]
    if lab.expires_after is None:
        return None
    return (now + lab.expires_after).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_plan(plan: Plan) -> None:
    """Refuse, before anything runs, the changes Azure would refuse."""
    blocked = plan.by_action("replace")
    if blocked:
        first = blocked[0]
        what = "; ".join(f"{c.kind} {c.name}: {c.hint}" for c in blocked)
        raise ConflictError(f"{len(blocked)} change(s) Azure refuses in place: {what}",
                            code="AZG-PLAN-IMMUTABLE", hint=first.hint,
                            details={"changes": [c.to_dict() for c in blocked]})


def deploy(session: Any, lab: Any, *, confirm: Callable[[Plan], bool], password: Callable[[], str],
           max_workers: int = DEFAULT_CONCURRENCY, on_event: Callable[[Event], None] | None = None,
           stop_event: threading.Event | None = None, wait_poll_s: float | None = None) -> ApplyRecord:
    """Plan, check, confirm and apply. An unchanged lab makes no write at all."""
    plan = make_plan(session, lab)
    check_plan(plan)
    if not plan.writes_needed:
        results = tuple(ResourceResult(c.key, c.kind, c.name, c.action, "succeeded") for c in plan.changes)
        return ApplyRecord(lab.name, plan.graph.resource_group, "deploy", results, 0.0, note="no changes")
    raise_if_short(preflight(session, plan))
    if not confirm(plan):
        raise RefusedError("deploy was not confirmed; nothing was written", code="AZG-NOT-CONFIRMED")
    needs_secret = any(c.kind == "vm" and c.action in SECRET_ACTIONS for c in plan.changes)
    secret = password() if needs_secret else None
    kwargs = {} if wait_poll_s is None else {"wait_poll_s": wait_poll_s}
    return apply_plan(session, plan, password=secret, max_workers=max_workers, on_event=on_event,
                      stop_event=stop_event, **kwargs)
