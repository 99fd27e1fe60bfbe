"""The `plan` and `deploy` use cases: spec -> graph -> live -> plan -> preflight -> apply."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from azguest.deploy.apply import DEFAULT_CONCURRENCY, apply_plan
from azguest.deploy.lease import LeasePolicy, holding, policy_for, refuse_if_held
from azguest.deploy.lifecycle import lab_group_tags, lifetime_tags, with_lifetime
from azguest.deploy.preflight import preflight, raise_if_short
from azguest.deploy.records import ApplyRecord, ResourceResult
from azguest.errors import ConflictError, DataLossError, RefusedError
from azguest.execute.dag import Event
from azguest.execute.wait import session_now
from azguest.plan.desired import desired_graph, with_group_lifetime
from azguest.plan.diff import diff
from azguest.plan.groups import adopt_existing_group
from azguest.plan.live import complete_bodies, read_live
from azguest.plan.model import SECRET_ACTIONS, LostDisk, Plan

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession
    from azguest.spec import Lab


def make_plan(session: AzureSession, lab: Lab, *, now: datetime | None = None, group_body: dict | None = None) -> Plan:
    """Read the live state (one read per resource kind) and diff the spec against it. ``group_body``: the lab's
    group as the caller has just read it (under the lease), used instead of a second GET."""
    probe = desired_graph(lab, session.subscription_id)
    exists, live = read_live(session, probe, group_body=group_body)
    group_tags = lab_group_tags(live, lab.name)  # the lifetime lives on the lab's group only
    lifetime = lifetime_tags(lab.expires_after, group_tags, now or session_now(session))
    group = next((v for v in live.values() if v.kind == "resourceGroup"), None)
    graph = adopt_existing_group(with_group_lifetime(probe, lab, lifetime), group)
    plan = diff(graph, live, group_exists=exists)
    if complete_bodies(session, plan, live):  # kinds listed without properties: diff their full bodies
        plan = diff(graph, live, group_exists=exists)
    return replace(with_lifetime(plan, group_tags), group_tags=None if group is None else dict(group.tags))


def check_plan(plan: Plan, *, allow_data_loss: bool = False) -> None:
    """Refuse, before anything runs, the changes Azure would refuse (each advice once, with the resources it
    concerns), then a plan that deletes disks unless ``allow_data_loss``."""
    blocked = plan.by_action("replace")
    if blocked:
        by_hint: dict[str, list[str]] = {}
        for c in blocked:
            by_hint.setdefault(c.hint, []).append(f"{c.kind} {c.name}")
        what = "; ".join(f"{', '.join(names)}: {hint}" for hint, names in by_hint.items())
        raise ConflictError(f"{len(blocked)} change(s) Azure refuses in place -- {what}",
                            code="AZG-PLAN-IMMUTABLE", hint="change the spec back, or do what the advice says, "
                            "then re-run; `azguest plan` shows every difference",
                            details={"changes": [c.to_dict() for c in blocked]})
    if plan.data_loss and not allow_data_loss:
        raise DataLossError(f"this change deletes {describe_loss(plan.data_loss)}; nothing was written",
                            hint="back up what you need, then re-run with --allow-data-loss (or restore the spec)",
                            details={"disks": [d.to_dict() for d in plan.data_loss]})


def describe_loss(disks: tuple[LostDisk, ...]) -> str:
    """One line: how many disks, how many GiB, and each with its size, SKU and why it goes."""
    total = sum(d.size_gb or 0 for d in disks)
    each = ", ".join(f"{d.name} ({d.size_gb if d.size_gb is not None else '?'} GiB{', ' + d.sku if d.sku else ''}, "
                     f"{d.why})" for d in disks)
    return f"{len(disks)} disk(s) holding data ({total:,} GiB): {each}"


def _unchanged(plan: Plan) -> ApplyRecord:
    results = tuple(ResourceResult(c.key, c.kind, c.name, c.action, "succeeded") for c in plan.changes)
    return ApplyRecord(plan.graph.lab, plan.graph.resource_group, "deploy", results, 0.0, note="no changes")


def deploy(session: AzureSession, lab: Lab, *, confirm: Callable[[Plan], bool], password: Callable[[], str],
           max_workers: int = DEFAULT_CONCURRENCY, on_event: Callable[[Event], None] | None = None,
           stop_event: threading.Event | None = None, wait_poll_s: float | None = None,
           lease: LeasePolicy | None = None, allow_data_loss: bool = False) -> ApplyRecord:
    """Plan, check, confirm and apply under the lab's lease. An unchanged lab makes no write at all.

    A lab another run holds is refused before preflight and prompt (one GET); the lease is taken after the
    confirmation, just before the first write, and the plan is read again under it (docs/design.md). A plan
    that deletes disks is refused before any write unless ``allow_data_loss`` (DataLossError)."""
    plan = make_plan(session, lab)
    check_plan(plan, allow_data_loss=allow_data_loss)
    if not plan.writes_needed:
        return _unchanged(plan)
    policy = lease or policy_for(session, "deploy")
    rg = next(d for d in plan.graph.resources if d.kind == "resourceGroup")
    refuse_if_held(session, [rg.name], lab.name, policy, known={rg.name: plan.group_tags})  # the plan's read
    raise_if_short(preflight(session, plan))
    secret = password() if _needs_secret(plan) else None  # before the question and any write: fails at once
    if not confirm(plan):
        raise RefusedError("deploy was not confirmed; nothing was written", code="AZG-NOT-CONFIRMED")
    with holding(session, [rg.name], lab.name, policy, create=(rg.body["location"], rg.body["tags"])) as leases:
        # under the lease: what an earlier holder did is seen now (the group as the lease's check just read it)
        plan = make_plan(session, lab, group_body=leases[0].group_body)
        check_plan(plan, allow_data_loss=allow_data_loss)
        if not plan.writes_needed:
            return _created_group(_unchanged(plan), leases[0].created_group)
        if secret is None and _needs_secret(plan):
            secret = password()
        kwargs = {} if wait_poll_s is None else {"wait_poll_s": wait_poll_s}
        record = apply_plan(session, plan, password=secret, max_workers=max_workers, on_event=on_event,
                            stop_event=stop_event, **kwargs)
    return _created_group(record, leases[0].created_group)


def _needs_secret(plan: Plan) -> bool:
    return any(c.kind == "vm" and c.action in SECRET_ACTIONS for c in plan.changes)


def _created_group(record: ApplyRecord, created: bool) -> ApplyRecord:
    """The lease's PUT created the group (with its desired body): record it as this run's create."""
    if not created:
        return record
    results = tuple(replace(r, action="create") if r.kind == "resourceGroup" and r.action == "no-change" else r
                    for r in record.results)
    return replace(record, results=results, note="" if record.note == "no changes" else record.note)
