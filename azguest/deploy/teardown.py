"""`destroy` and `gc`: delete only what azguest created for the lab, inside the lab's own group.

Ownership (docs/design.md, "Trust model"):
- The lab's group is the one group that carries the lab's full tag set (``azguest-lab``, a role and a
  well-formed ``azguest-spec`` hash): created by azguest (``azguest-created=true``), or a pre-existing
  group the spec named, into which deploy merged its tags. Two groups claiming one lab is a forgery or a
  mistake: nothing is deleted until ``resource_group`` says which one.
- Inside that group, a resource is the lab's only if it carries the full tag set too. A resource tagged
  for the lab anywhere else, or with ``azguest-lab`` alone, is reported as ignored and never touched.
- The group itself is deleted only when azguest created it and it is empty afterwards; a pre-existing
  group only loses azguest's own tags. Expiry (``gc``) is read from the group's tag only.
Backups (snapshots, restore point collections) survive unless ``with_backups``; the lab's backups in the
backup group (azguest.backup) are deleted only then too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure import tags as T
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId, group_of
from azguest.deploy.apply import DEFAULT_CONCURRENCY, Applier, run_deletes
from azguest.deploy.lease import LeasePolicy, holding, policy_for, refuse_if_held
from azguest.deploy.records import ApplyRecord, ResourceResult
from azguest.errors import ConflictError, NotFoundError, RefusedError
from azguest.execute.dag import Event, Task, run_graph
from azguest.execute.wait import session_now
from azguest.plan.groups import created_for
from azguest.plan.model import (
    LIFETIME_TAGS,
    TAG_EXPIRES,
    TAG_LAB,
    TAG_ROLE,
    TAG_SPEC,
    Change,
    Graph,
    Plan,
    carries_lab_tags,
    parse_stamp,
)

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

OWN_GROUP_TAGS = (TAG_LAB, TAG_ROLE, TAG_SPEC, *LIFETIME_TAGS)  # removed from a pre-existing group on destroy


@dataclass(frozen=True)
class GroupTeardown:
    name: str
    created: bool  # azguest created it for this lab: deleted when empty afterwards; else only untagged
    deletes: tuple[Change, ...]
    expires: str | None  # the group's azguest-expires tag

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "createdByAzguest": self.created, "deleteCount": len(self.deletes),
                "deleteGroupIfEmpty": self.created, "expires": self.expires}


@dataclass(frozen=True)
class Teardown:
    lab: str
    lab_groups: tuple[GroupTeardown, ...]
    kept: tuple[str, ...] = ()  # the lab's backups (without --with-backups) or kinds azguest can't delete
    ignored: tuple[str, ...] = ()  # tagged azguest-lab=<lab> but not azguest's: never touched
    with_backups: bool = False

    @property
    def deletes(self) -> tuple[Change, ...]:
        return tuple(c for g in self.lab_groups for c in g.deletes)

    @property
    def groups(self) -> tuple[str, ...]:
        """Groups azguest created for the lab (deleted when empty afterwards)."""
        return tuple(g.name for g in self.lab_groups if g.created)

    @property
    def delete_count(self) -> int:
        """What destroy announces: the resources, and each group azguest created (the record counts both)."""
        return len(self.deletes) + len(self.groups)

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "delete": [c.to_dict() for c in self.deletes],
                "resourceGroups": [g.to_dict() for g in self.lab_groups], "kept": list(self.kept),
                "ignored": list(self.ignored)}


def lab_groups(session: AzureSession, lab: str) -> list[dict]:
    """The groups that carry the lab's full tag set (one tag query on groups)."""
    with arm_errors(target=f"resource groups tagged {TAG_LAB}={lab}"):
        groups = K.list_tagged_groups(session, TAG_LAB, lab)
    return [g for g in groups if carries_lab_tags(g.get("tags"), lab)]


def lab_group(session: AzureSession, lab: str, resource_group: str | None = None) -> dict:
    """The lab's one group (rules 1-2 of the trust model): AZG-LAB-NOT-FOUND, or AZG-LAB-AMBIGUOUS for two."""
    return _pick_group(lab, lab_groups(session, lab), resource_group)


def all_lab_groups(session: AzureSession) -> dict[str, list[dict]]:
    """Every lab in the subscription -> the groups carrying its full tag set (one tag query on groups)."""
    with arm_errors(target=f"resource groups tagged {TAG_LAB}"):
        groups = K.list_tagged_groups(session, TAG_LAB)
    out: dict[str, list[dict]] = {}
    for g in groups:
        lab = (g.get("tags") or {}).get(TAG_LAB, "")
        if lab and carries_lab_tags(g.get("tags"), lab):
            out.setdefault(lab, []).append(g)
    return out


def _pick_group(lab: str, groups: list[dict], resource_group: str | None) -> dict:
    names = sorted(str(g.get("name")) for g in groups)
    if resource_group is not None:
        chosen = [g for g in groups if str(g.get("name")).lower() == resource_group.lower()]
        if not chosen:
            raise NotFoundError(f"resource group {resource_group} is not lab {lab}'s (lab groups: "
                                f"{', '.join(names) or 'none'})", code="AZG-LAB-NOT-FOUND")
        return chosen[0]
    if not groups:
        raise NotFoundError(f"no resource group carries lab {lab}'s tags in this subscription",
                            code="AZG-LAB-NOT-FOUND", hint="check the lab name and --subscription")
    if len(groups) > 1:
        raise ConflictError(
            f"{len(groups)} resource groups claim lab {lab} ({', '.join(names)}); a lab lives in one group, so "
            "one of them was tagged by hand or by mistake; nothing was deleted", code="AZG-LAB-AMBIGUOUS",
            hint="check each group's tags, then name the lab's group with --resource-group",
            details={"resourceGroups": names})
    return groups[0]


def _goes_with_parent(arm_id: str, deletes: list[Change]) -> bool:
    """Items are sorted by id, so a child's parent (a shorter prefix) was judged before it."""
    parsed = ArmId.try_parse(arm_id)
    parent = parsed.parent if parsed is not None else None
    return parent is not None and any(parent.same(c.arm_id) for c in deletes)


def plan_teardown(session: AzureSession, lab: str, *, with_backups: bool = False,
                  resource_group: str | None = None) -> Teardown:
    """What destroy would delete: two tag queries (groups, resources), whatever the lab's size."""
    group = _pick_group(lab, lab_groups(session, lab), resource_group)
    name = str(group.get("name"))
    with arm_errors(target=f"resources tagged {TAG_LAB}={lab}"):
        items = K.list_tagged(session, TAG_LAB, lab)
    deletes, kept, ignored = [], [], []
    for it in sorted(items, key=lambda i: str(i.get("id")).lower()):
        arm_id = str(it.get("id"))
        if (group_of(arm_id) or "").lower() != name.lower() or not carries_lab_tags(it.get("tags"), lab):
            ignored.append(arm_id)
            continue
        kind = K.kind_of(str(it.get("type", "")))
        if kind is not None and kind.is_child and _goes_with_parent(arm_id, deletes):
            continue  # a run command is deleted with its VM: neither kept nor a delete of its own
        if kind is None or kind.is_child or (kind.backup and not with_backups):
            kept.append(arm_id)
            continue
        deletes.append(Change(f"{kind.key}/{it['name']}", kind.key, str(it["name"]), arm_id, "delete"))
    tags = group.get("tags") or {}
    g = GroupTeardown(name, created_for(tags, lab), tuple(deletes), tags.get(TAG_EXPIRES))
    return Teardown(lab, (g,), tuple(kept), tuple(ignored), with_backups)


def destroy(session: AzureSession, td: Teardown, *, confirm: Callable[[Teardown], bool],
            max_workers: int = DEFAULT_CONCURRENCY, on_event: Callable[[Event], None] | None = None,
            stop_event: threading.Event | None = None, lease: LeasePolicy | None = None) -> ApplyRecord:
    """Confirm, take the lab's lease, re-read what to delete under it, delete by rank, then the group."""
    policy = lease or policy_for(session, "destroy")
    names = [g.name for g in td.lab_groups]
    refuse_if_held(session, names, td.lab, policy)
    if not confirm(td):
        raise RefusedError("destroy was not confirmed; nothing was deleted", code="AZG-NOT-CONFIRMED")
    started = time.monotonic()
    stop_event = stop_event or threading.Event()
    results: list[ResourceResult] = []
    with holding(session, names, td.lab, policy):
        td = plan_teardown(session, td.lab, with_backups=td.with_backups, resource_group=names[0])
        for g in td.lab_groups:
            if stop_event.is_set():
                break
            plan = Plan(Graph(td.lab, session.subscription_id, g.name, "", ()), g.deletes, True)
            outcomes = run_deletes(Applier(session, plan, password=None), list(g.deletes), max_workers, on_event,
                                   stop_event)
            results += [_res(c, outcomes[c.key]) for c in g.deletes]
        if not stop_event.is_set() and all(r.state == "succeeded" for r in results):
            if td.with_backups:
                results += _delete_backups(session, td.lab)
            results += _finish_groups(session, td, on_event)
    return ApplyRecord(td.lab, ",".join(names), "destroy", tuple(results), time.monotonic() - started,
                       note="interrupted" if stop_event.is_set() else "")


def _delete_backups(session: AzureSession, lab: str) -> list[ResourceResult]:
    """``--with-backups``: the lab's backups in the backup group too, on purpose (azguest.backup)."""
    from azguest.backup.retention import delete_lab_backups

    return [ResourceResult(f"backup/{b}", "backup", b, "delete", "succeeded", 0.0, None)
            for b in delete_lab_backups(session, lab)]


def _res(c: Change, o: Any) -> ResourceResult:
    err = o.error.to_dict() if o.error is not None and hasattr(o.error, "to_dict") else (
        {"code": "AZG-INTERNAL", "message": str(o.error)} if o.error else None)
    return ResourceResult(c.key, c.kind, c.name, c.action, o.state, o.elapsed_s, err)


def _finish_groups(session: AzureSession, td: Teardown, on_event: Any) -> list[ResourceResult]:
    """A group azguest created goes when empty; a pre-existing one loses azguest's tags and stays."""
    out = []
    for g in td.lab_groups:
        if g.created:
            with arm_errors(target=g.name):
                left = K.list_group_resources(session, g.name)
            if left:
                continue  # something azguest did not create (or a kept backup) is still inside
            c = Change(f"resourceGroup/{g.name}", "resourceGroup", g.name, g.name, "delete")
            fn: Callable[[], Any] = lambda name=g.name: _delete_group(session, name)  # noqa: E731
        else:
            c = Change(f"resourceGroup/{g.name}", "resourceGroup", g.name, g.name, "untag")
            fn = lambda name=g.name: _untag_group(session, name)  # noqa: E731
        outcome = run_graph([Task(c.key, fn, (), f"{c.action} resourceGroup {g.name}")], max_workers=1,
                            on_event=on_event)[c.key]
        out.append(_res(c, outcome))
    return out


def _delete_group(session: AzureSession, group: str) -> None:
    with arm_errors(target=group):
        K.delete(session, K.KINDS["resourceGroup"], str(ArmId.for_group(session.subscription_id, group)))


def _untag_group(session: AzureSession, group: str) -> None:
    with arm_errors(target=group):
        T.delete_group_tags(session, group, OWN_GROUP_TAGS)


def expired_labs(session: AzureSession, now: datetime | None = None) -> dict[str, str]:
    """Labs whose group's ``azguest-expires`` lies in the past: lab -> expiry (one tag query on groups).
    Only a group carrying the lab's full tag set counts; an expiry tag on a resource is never read."""
    now = now or session_now(session)
    with arm_errors(target=f"resource groups tagged {TAG_EXPIRES}"):
        groups = K.list_tagged_groups(session, TAG_EXPIRES)
    out: dict[str, str] = {}
    for g in groups:
        tags = g.get("tags") or {}
        lab, when = tags.get(TAG_LAB, ""), parse_stamp(tags.get(TAG_EXPIRES))
        if lab and when is not None and when <= now and carries_lab_tags(tags, lab):
            out[lab] = min(out.get(lab, tags[TAG_EXPIRES]), tags[TAG_EXPIRES])
    return out


@dataclass(frozen=True)
class GcItem:
    lab: str
    expires: str
    teardown: Teardown | None  # None: the lab cannot be torn down as it is (see error)
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"lab": self.lab, "expires": self.expires}
        if self.teardown is not None:
            out["resourceGroups"] = [g.to_dict() for g in self.teardown.lab_groups]
            out["ignored"] = len(self.teardown.ignored)
        if self.error is not None:
            out["error"] = self.error
        return out


def plan_gc(session: AzureSession, *, now: datetime | None = None, with_backups: bool = False) -> list[GcItem]:
    """Every expired lab with what destroy would delete in each of its groups (read-only)."""
    out = []
    for lab, expires in sorted(expired_labs(session, now).items()):
        try:
            out.append(GcItem(lab, expires, plan_teardown(session, lab, with_backups=with_backups)))
        except (ConflictError, NotFoundError) as e:  # two groups claim it: gc never guesses which
            out.append(GcItem(lab, expires, None, e.to_dict()))
    return out
