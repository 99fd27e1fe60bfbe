"""Frozen records passed between planning and applying."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SECRET_PLACEHOLDER = "<secret:admin-password>"  # replaced with the real value only inside the PUT call

TAG_LAB = "azguest-lab"
TAG_ROLE = "azguest-role"
TAG_SPEC = "azguest-spec"
TAG_EXPIRES = "azguest-expires"
TAG_CREATED = "azguest-created"  # on resource groups azguest created (so destroy may delete them)
# The lab's lifetime, on its resource group only (azguest.deploy.lifecycle, docs/design.md "Lifetime"):
TAG_CREATED_AT = "azguest-created-at"  # when the lab was first deployed (ISO 8601 UTC): expiry = this + expiresAfter
TAG_EXPIRES_AFTER = "azguest-expires-after"  # the spec's expiresAfter behind azguest-expires ("7d", "never")
LIFETIME_TAGS = (TAG_EXPIRES, TAG_CREATED_AT, TAG_EXPIRES_AFTER)
# The one-writer lease lives in these tags on the lab's resource group (azguest.deploy.lease).
TAG_LEASE_HOLDER = "azguest-lease-holder"
TAG_LEASE_SINCE = "azguest-lease-since"
TAG_LEASE_EXPIRES = "azguest-lease-expires"
TAG_LEASE_NONCE = "azguest-lease-nonce"
LEASE_TAGS = frozenset({TAG_LEASE_HOLDER, TAG_LEASE_SINCE, TAG_LEASE_EXPIRES, TAG_LEASE_NONCE})
STAMP = "%Y-%m-%dT%H:%M:%SZ"  # the time format of azguest's time tags (expiry, created-at, lease)
MANAGED_TAGS = frozenset({TAG_SPEC, *LIFETIME_TAGS}) | LEASE_TAGS  # excluded from the body hash and from drift
OWNERSHIP_TAGS = (TAG_LAB, TAG_ROLE, TAG_SPEC)  # the full set azguest writes on everything it creates
# Role of the guest steps' run commands: planned by azguest.guest (configure), not by the deploy graph,
# so a graph that holds none of them never deletes them (destroy takes them with their VMs).
GUEST_STEP_ROLE = "guest-step"
# A disk an in-place restore made (``<name>-r<stamp>``) stands for the desired disk named here (docs/design.md
# "Restore"): the live reader indexes it under that disk's id, honoured only with the lab's full tag set.
TAG_SLOT = "azguest-slot"
TAG_RESTORE = "azguest-restore"  # on every disk a restore creates: the restore's id (finds its leftovers)
RESTORED_TAGS = frozenset({TAG_SLOT, TAG_RESTORE})  # a restored disk keeps them through every deploy write
_HASH = re.compile(r"^[0-9a-f]{16}$")  # body_hash(): 16 lower-case hex digits
_ROLE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def carries_lab_tags(tags: dict[str, str] | None, lab: str) -> bool:
    """True when ``tags`` hold the full set azguest writes for ``lab``: its name, a role and a well-formed
    spec hash. ``azguest-lab`` alone (a hand-written tag) is not enough."""
    tags = tags or {}
    return (tags.get(TAG_LAB) == lab and bool(_ROLE.match(tags.get(TAG_ROLE) or ""))
            and bool(_HASH.match(tags.get(TAG_SPEC) or "")))


@dataclass(frozen=True)
class Desired:
    key: str  # unique in the graph, "<kind>/<name>"
    kind: str  # azguest.azure.kinds key
    name: str  # ARM resource name
    arm_id: str  # full ARM id
    role: str  # azguest-role tag: dc, node, storage, witness, network, cost...
    body: dict[str, Any]  # wire JSON for the PUT (camelCase, ARM "properties" nesting)
    depends_on: tuple[str, ...] = ()  # keys that must exist first
    vcpus: int = 0  # for VMs: vCPUs, for quota preflight
    family: str = ""  # for VMs: quota family (usage name)
    size: str = ""  # for VMs: ARM size name


@dataclass(frozen=True)
class Graph:
    lab: str  # lab name
    subscription_id: str
    resource_group: str
    location: str
    resources: tuple[Desired, ...]  # in dependency order

    def by_key(self) -> dict[str, Desired]:
        return {r.key: r for r in self.resources}


@dataclass(frozen=True)
class Live:
    arm_id: str
    kind: str
    name: str
    body: dict[str, Any]  # wire JSON as ARM returned it

    @property
    def tags(self) -> dict[str, str]:
        return self.body.get("tags") or {}

    @property
    def provisioning_state(self) -> str:
        return provisioning_state(self.body)


def provisioning_state(body: dict[str, Any]) -> str:
    """A wire body's provisioningState; a body without one (a kind that has none) counts as Succeeded."""
    return str((body.get("properties") or {}).get("provisioningState") or "Succeeded")


# create: absent; update: changed in place; retry: an earlier PUT ended Failed, PUT it again in full;
# wait: another run left it in flight; replace: Azure refuses the change in place; delete: no longer wanted.
ACTIONS = ("create", "update", "retry", "no-change", "wait", "replace", "delete")
SECRET_ACTIONS = frozenset({"create", "retry", "wait"})  # VM PUTs that carry the admin password


@dataclass(frozen=True)
class Change:
    key: str
    kind: str
    name: str
    arm_id: str
    action: str  # one of ACTIONS
    differences: tuple[str, ...] = ()  # "path: live -> desired" lines
    hint: str = ""  # for replace: what to do instead (Azure refuses the change in place)
    drift: tuple[str, ...] = ()  # no-change by hash, yet live properties differ (changed outside azguest)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "kind": self.kind, "name": self.name, "id": self.arm_id,
                               "action": self.action}
        if self.differences:
            out["differences"] = list(self.differences)
        if self.hint:
            out["hint"] = self.hint
        if self.drift:
            out["drift"] = list(self.drift)
        return out


@dataclass(frozen=True)
class LostDisk:
    """A disk a plan deletes, and the data on it (plan.protect.lost_disks)."""

    name: str
    arm_id: str
    size_gb: int | None
    sku: str
    role: str  # its azguest-role tag
    why: str  # "removed from the spec", "OS disk of VM x, deleted with it", ...

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.arm_id, "sizeGB": self.size_gb, "sku": self.sku, "role": self.role,
                "why": self.why}


@dataclass(frozen=True)
class Plan:
    graph: Graph
    changes: tuple[Change, ...]
    group_exists: bool  # the resource group exists already
    foreign: tuple[str, ...] = field(default=())  # desired names taken by resources azguest did not create
    data_loss: tuple[LostDisk, ...] = field(default=())  # disks the plan deletes: deploy needs --allow-data-loss
    # (desired disk id lower-cased, live id) of restored disks standing for a desired disk (TAG_SLOT)
    slots: tuple[tuple[str, str], ...] = field(default=())
    group_tags: dict[str, str] | None = field(default=None, compare=False)  # the live group's, as the plan read them

    def by_action(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def writes_needed(self) -> bool:
        return any(c.action != "no-change" for c in self.changes)

    def summary(self) -> dict[str, int]:
        return {a: len(self.by_action(a)) for a in ACTIONS if self.by_action(a)}

    def drifted(self) -> list[Change]:
        """Resources changed outside azguest (shown by plan and status; deploy acts on hashes only)."""
        return [c for c in self.changes if c.drift]

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.graph.lab, "resourceGroup": self.graph.resource_group,
                "location": self.graph.location,  # JSON keys are camelCase: "no-change" counts as "noChange"
                "summary": {_camel(a): n for a, n in self.summary().items()},
                "groupExists": self.group_exists, "foreign": list(self.foreign),
                "dataLoss": [d.to_dict() for d in self.data_loss],
                "changes": [c.to_dict() for c in self.changes]}


def _camel(action: str) -> str:
    head, *rest = action.split("-")
    return head + "".join(w.capitalize() for w in rest)


def body_hash(body: dict[str, Any]) -> str:
    """A stable short hash of a desired body, without the tags azguest manages itself."""
    trimmed = dict(body)
    tags = {k: v for k, v in (trimmed.get("tags") or {}).items() if k not in MANAGED_TAGS}
    trimmed["tags"] = tags
    raw = json.dumps(trimmed, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def stamp(t: datetime) -> str:
    """A time as azguest's time tags hold it (UTC, ``STAMP``)."""
    return t.astimezone(UTC).strftime(STAMP)


def parse_stamp(value: str | None) -> datetime | None:
    """A time tag's value as an aware UTC datetime, or None when absent or not in ``STAMP``."""
    try:
        return datetime.strptime(value or "", STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
