"""Child resources in the desired graph: a managed run command under a VM, a restore point under a collection.

A child is a resource like any other: one :class:`Desired` with an ARM id under its parent's id, a key
``<kind>/<parent name>/<name>``, a dependency on its parent, and (when Azure lets the type carry tags) the
parent's lab tags plus its own ``azguest-spec`` hash, so plan, deploy, re-run and destroy treat it alike.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from azguest.azure.ids import ArmId
from azguest.azure.kinds import KINDS
from azguest.plan.model import TAG_CREATED, TAG_ROLE, TAG_SPEC, Desired, Graph, body_hash


def child_desired(parent: Desired, kind: str, name: str, body: dict[str, Any], *, role: str | None = None,
                  depends_on: tuple[str, ...] = ()) -> Desired:
    """The desired child ``name`` of kind ``kind`` under ``parent``; ``body`` without location and tags."""
    k = KINDS[kind]
    if k.parent != parent.kind:
        raise ValueError(f"a {kind} is a child of {k.parent}, not of {parent.kind}")
    full_name = f"{parent.name}/{name}"
    arm_id = ArmId.parse(parent.arm_id).child(k.arm_type.rsplit("/", 1)[1], name)
    full = dict(body)
    if k.tagged:
        tags = {t: v for t, v in (parent.body.get("tags") or {}).items() if t not in (TAG_SPEC, TAG_CREATED)}
        tags[TAG_ROLE] = role or parent.role
        full = {"location": parent.body.get("location"), "tags": tags, **body}
        full["tags"][TAG_SPEC] = body_hash(full)
    group = tuple(x for x in parent.depends_on if x.startswith("resourceGroup/"))
    deps = tuple(dict.fromkeys((*group, parent.key, *depends_on)))
    return Desired(f"{kind}/{full_name}", kind, full_name, str(arm_id), role or parent.role, full, deps)


def with_children(graph: Graph, children: list[Desired] | tuple[Desired, ...]) -> Graph:
    """The graph with these child resources appended (each after its parent, dependency order kept)."""
    keys = {d.key for d in graph.resources}
    for c in children:
        missing = [dep for dep in c.depends_on if dep not in keys]
        if missing or c.key in keys:
            raise ValueError(f"{c.key}: {'duplicate key' if c.key in keys else f'unknown dependencies {missing}'}")
        keys.add(c.key)
    return replace(graph, resources=(*graph.resources, *children))
