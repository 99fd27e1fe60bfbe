"""A lab's lifetime: when it expires, and how an edited ``expiresAfter`` and ``azguest extend`` move it.

The state is three tags on the lab's resource group, never on its resources (``gc`` reads the group's
tag only, docs/design.md "Trust model"):

- ``azguest-created-at``: when the lab was first deployed;
- ``azguest-expires-after``: the spec's ``expiresAfter`` the expiry was last computed from ("7d", "never");
- ``azguest-expires``: the expiry ``gc`` honours (absent: never).

Rules (docs/design.md, "Lifetime"):

- First deploy: ``created-at = now``, ``expires = now + expiresAfter``.
- Re-deploy with the same ``expiresAfter``: everything is kept as it is, an ``extend`` included (0 writes).
- Re-deploy with an edited ``expiresAfter``: ``expires = created-at + expiresAfter``. The spec states the
  lab's lifetime, so 7d -> 14d means "this lab lives 14 days", counted from its creation, the same answer
  whenever the edit is deployed; "N more days from now" is what ``extend`` is for. The plan shows
  ``expiry: A -> B``; a result already in the past is shown too (the next ``gc`` takes the lab).
- A group from before these tags (``azguest-expires`` only) keeps its expiry; deploy records the basis
  (``created-at = expires - expiresAfter``) once, so later edits are seen.
- ``extend LAB 7d``: ``expires = max(now, current expiry) + 7d`` ("7 more days": never shortens, and an
  expired lab that gc has not taken yet gets 7 days from now, not a date still in the past); ``--to``
  sets it exactly (a future time); ``never`` removes it. Under the lab's lease; only a group that
  carries the lab's full tag set (teardown's ownership rules) is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from azguest.azure import tags as T
from azguest.azure.errors import arm_errors
from azguest.deploy.lease import LeasePolicy, holding, policy_for
from azguest.deploy.teardown import lab_group
from azguest.errors import NotFoundError, UsageError
from azguest.execute.wait import session_now
from azguest.plan.model import (
    TAG_CREATED_AT,
    TAG_EXPIRES,
    TAG_EXPIRES_AFTER,
    Change,
    Live,
    Plan,
    carries_lab_tags,
    parse_stamp,
    stamp,
)

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

NEVER = "never"
def _duration_text(expires_after: timedelta | None) -> str:
    """Canonical, so that only a real edit counts: whole days, else hours, else minutes (2w and 14d are 14d)."""
    if expires_after is None:
        return NEVER
    minutes = int(expires_after.total_seconds() // 60)
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def _tags(created: datetime, applied: str, expires: str | None) -> dict[str, str]:
    out = {TAG_CREATED_AT: stamp(created), TAG_EXPIRES_AFTER: applied}
    if expires:
        out[TAG_EXPIRES] = expires
    return out


def lifetime_tags(expires_after: timedelta | None, group_tags: dict[str, str] | None, now: datetime) -> dict[str, str]:
    """The lifetime tags the lab's group should carry. ``group_tags``: the live group's tags when it carries
    the lab's full tag set (an existing lab), else None (a new lab, or a pre-existing group not yet adopted)."""
    applied = _duration_text(expires_after)
    if group_tags is None:
        return _tags(now, applied, stamp(now + expires_after) if expires_after else None)
    current = group_tags.get(TAG_EXPIRES)
    created = parse_stamp(group_tags.get(TAG_CREATED_AT))
    if created is None:  # deployed before these tags: keep its expiry, record the basis it was computed from
        was = parse_stamp(current)
        created = was - expires_after if was is not None and expires_after else now
        return _tags(created, applied, current)
    if group_tags.get(TAG_EXPIRES_AFTER) == applied:
        return _tags(created, applied, current)  # unchanged spec: the expiry stays (an extend survives)
    return _tags(created, applied, stamp(created + expires_after) if expires_after else None)


def expiry_lines(live_tags: dict[str, str], wanted: dict[str, str]) -> tuple[str, ...]:
    """``expiry: A -> B`` and the other lifetime tags that change, as plan difference lines."""
    lines = []
    if live_tags.get(TAG_EXPIRES) != wanted.get(TAG_EXPIRES):
        lines.append(f"expiry: {live_tags.get(TAG_EXPIRES) or NEVER} -> {wanted.get(TAG_EXPIRES) or NEVER}")
    for k in (TAG_EXPIRES_AFTER, TAG_CREATED_AT):
        if live_tags.get(k) != wanted.get(k):
            lines.append(f"tags.{k}: {live_tags.get(k)!r} -> {wanted.get(k)!r}")
    return tuple(lines)


def lab_group_tags(live: dict[str, Live], lab: str) -> dict[str, str] | None:
    """The live group's tags when it is this lab's (full tag set), else None."""
    group = next((v for v in live.values() if v.kind == "resourceGroup"), None)
    return dict(group.tags) if group is not None and carries_lab_tags(group.tags, lab) else None


def with_lifetime(plan: Plan, group_tags: dict[str, str] | None) -> Plan:
    """The group's change also carries the lifetime: a changed expiry makes an unchanged group an update
    (a Tags API merge of the group's tags), shown as ``expiry: A -> B``."""
    if group_tags is None:
        return plan  # a new or adopted group: created or merged with every desired tag anyway
    rg = next(d for d in plan.graph.resources if d.kind == "resourceGroup")
    lines = expiry_lines(group_tags, rg.body.get("tags") or {})
    if not lines:
        return plan
    return replace(plan, changes=tuple(_with_lines(c, lines) if c.key == rg.key else c for c in plan.changes))


def _with_lines(c: Change, lines: tuple[str, ...]) -> Change:
    if c.action == "no-change":
        return replace(c, action="update", differences=lines)
    if c.action == "update":
        return replace(c, differences=c.differences + lines)
    return c


# ---- azguest extend ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtendRecord:
    lab: str
    resource_group: str
    previous: str | None  # azguest-expires before (None: never)
    expires: str | None  # after
    now: str

    @property
    def changed(self) -> bool:
        return self.previous != self.expires

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "resourceGroup": self.resource_group, "previous": self.previous,
                "expires": self.expires, "changed": self.changed, "now": self.now}


@dataclass(frozen=True)
class Extension:
    """What ``extend`` asks: ``by`` (from max(now, current expiry)), exactly ``to``, or ``never``."""

    by: timedelta | None = None
    to: datetime | None = None
    never: bool = False

    def apply(self, current: str | None, now: datetime) -> str | None:
        if self.never:
            return None
        if self.to is not None:
            return stamp(self.to)
        assert self.by is not None
        base = parse_stamp(current)
        return stamp(max(now, base) + self.by if base is not None else now + self.by)


def parse_extension(duration: str | None, to: str | None, now: datetime) -> Extension:
    """The command line's ``DURATION`` (as ``lifetime.expiresAfter`` takes it) or ``--to ISO``: one of them."""
    from azguest.spec.models import parse_duration

    if (duration is None) == (to is None):
        raise UsageError("give a duration (7d, 12h, 2w, never) or --to <ISO time>, not both or neither",
                         code="AZG-EXTEND-ARGS", hint="e.g. `azguest extend LAB 7d` or `--to 2026-12-24T18:00Z`")
    if duration is not None:
        try:
            by = parse_duration(duration)
        except ValueError as e:
            raise UsageError(f"duration {duration!r}: {e}", code="AZG-EXTEND-ARGS") from None
        return Extension(never=True) if by is None else Extension(by=by)
    try:
        when = datetime.fromisoformat(str(to).replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--to {to!r} is not an ISO 8601 time", code="AZG-EXTEND-ARGS",
                         hint="e.g. 2026-12-24T18:00Z (UTC) or 2026-12-24T18:00+01:00") from None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when  # a time without offset is UTC
    if when <= now:
        raise UsageError(f"--to {stamp(when)} is not in the future (now {stamp(now)})", code="AZG-EXTEND-ARGS",
                         hint="to remove the lab now, use `azguest destroy`")
    return Extension(to=when)


def extend(session: AzureSession, lab: str, ext: Extension, *, now: datetime | None = None,
           resource_group: str | None = None, lease: LeasePolicy | None = None) -> ExtendRecord:
    """Move the lab's expiry (its group's ``azguest-expires``) under the lab's lease. A group without the
    lab's full tag set is not the lab's (AZG-LAB-NOT-FOUND); two are refused (AZG-LAB-AMBIGUOUS). An
    unchanged expiry writes nothing and takes no lease."""
    now = now or session_now(session)
    group = lab_group(session, lab, resource_group)
    name = str(group.get("name"))
    current = (group.get("tags") or {}).get(TAG_EXPIRES)
    if ext.apply(current, now) == current:
        return ExtendRecord(lab, name, current, current, stamp(now))
    with holding(session, [name], lab, lease or policy_for(session, "extend")):
        with arm_errors(target=name):
            tags = (T.get_group(session, name) or {}).get("tags") or {}  # again, under the lease
        if not carries_lab_tags(tags, lab):
            raise NotFoundError(f"resource group {name} no longer carries lab {lab}'s tags; nothing was written",
                                code="AZG-LAB-NOT-FOUND")
        current = tags.get(TAG_EXPIRES)
        wanted = ext.apply(current, now)
        with arm_errors(target=name):
            if wanted is None and current is not None:
                T.delete_group_tags(session, name, [TAG_EXPIRES])
            elif wanted is not None and wanted != current:
                T.merge_group_tags(session, name, {TAG_EXPIRES: wanted})
    return ExtendRecord(lab, name, current, wanted, stamp(now))
