"""ARM resource ids: parse request paths into subscription, resource group, type chain and names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArmPath:
    """A parsed request path.

    ``kind`` is one of: ``rg`` (a resource group), ``rg_list``, ``rg_resources`` (generic list in a
    group), ``sub_resources`` (generic list in a subscription), ``provider`` (a resource, a collection
    or an action under ``providers/``), ``sub_provider`` (subscription-level provider path),
    ``operation_results`` (ARM-level LRO monitor), ``subscription``.
    """

    kind: str
    subscription: str
    resource_group: str | None = None
    namespace: str | None = None
    types: tuple[str, ...] = ()  # resource type chain, e.g. ("virtualMachines", "runCommands")
    names: tuple[str, ...] = ()  # one name per type that has one
    tail: str | None = None  # trailing segment: a collection type or an action name
    raw: tuple[str, ...] = ()  # the path segments as sent

    @property
    def arm_type(self) -> str:
        return f"{self.namespace}/{'/'.join(self.types)}" if self.namespace else ""

    def resource_id(self) -> str:
        """The ARM id of the addressed resource (without any trailing collection/action)."""
        segs = self.raw[:-1] if self.tail is not None else self.raw
        return "/" + "/".join(segs)

    def parent_id(self) -> str | None:
        if len(self.names) < 2:
            return None
        segs = self.raw[:-1] if self.tail is not None else self.raw
        return "/" + "/".join(segs[:-2])


def parse(path: str) -> ArmPath | None:
    segs = tuple(s for s in path.split("/") if s)
    if len(segs) < 2 or segs[0].lower() != "subscriptions":
        return None
    sub = segs[1]
    rest = segs[2:]
    if not rest:
        return ArmPath("subscription", sub, raw=segs)
    head = rest[0].lower()
    if head == "resourcegroups":
        return _parse_rg(sub, rest[1:], segs)
    if head == "resources" and len(rest) == 1:
        return ArmPath("sub_resources", sub, raw=segs)
    if head == "operationresults" and len(rest) == 2:
        return ArmPath("operation_results", sub, tail=rest[1], raw=segs)
    if head == "providers" and len(rest) >= 3:
        return ArmPath("sub_provider", sub, namespace=rest[1], types=tuple(rest[2:]), raw=segs)
    return None


def _parse_rg(sub: str, rest: tuple[str, ...], segs: tuple[str, ...]) -> ArmPath | None:
    if not rest:
        return ArmPath("rg_list", sub, raw=segs)
    rg = rest[0]
    after = rest[1:]
    if not after:
        return ArmPath("rg", sub, rg, raw=segs)
    if after[0].lower() == "resources" and len(after) == 1:
        return ArmPath("rg_resources", sub, rg, raw=segs)
    if after[0].lower() != "providers" or len(after) < 3:
        return ArmPath("rg_action", sub, rg, tail=after[-1], raw=segs) if len(after) == 1 else None
    ns = after[1]
    chain = after[2:]
    types = tuple(chain[0::2])
    names = tuple(chain[1::2])
    tail = None
    if len(chain) % 2 == 1:
        tail = types[-1]
        types = types[:-1]
    return ArmPath("provider", sub, rg, ns, types, names, tail, segs)


def rg_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def key(resource_id: str) -> str:
    """State key of an ARM id: lower-cased, no trailing slash."""
    return resource_id.rstrip("/").lower()


def name_of(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def rg_of(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    for i, p in enumerate(parts):
        if p.lower() == "resourcegroups" and i + 1 < len(parts):
            return parts[i + 1]
    return None


def sub_of(resource_id: str) -> str:
    return resource_id.split("/")[2]
