"""The lab's resource group when it existed before azguest (a group the spec names).

azguest never takes over such a group: it only merges its own tags into it (the Tags API keeps
every other tag, ``owner`` or ``costcenter``), never marks it ``azguest-created``, and ``destroy``
removes only those tags again and never deletes the group. A group that carries
``azguest-created`` for another lab (or for none) is not adopted: the plan refuses it as foreign.
"""

from __future__ import annotations

from dataclasses import replace

from azguest.plan.model import (
    LEASE_TAGS,
    LIFETIME_TAGS,
    TAG_CREATED,
    TAG_LAB,
    TAG_ROLE,
    TAG_SPEC,
    Graph,
    Live,
    body_hash,
)


def created_for(tags: dict[str, str] | None, lab: str) -> bool:
    """The group was created by azguest for this lab (its PUT carried ``azguest-created=true``)."""
    tags = tags or {}
    return tags.get(TAG_CREATED) == "true" and tags.get(TAG_LAB) == lab


def adopt_existing_group(graph: Graph, group: Live | None) -> Graph:
    """When the group exists and azguest did not create it for this lab, desire only azguest's own tags on
    it (lab, role, lifetime, spec hash): the plan shows them as additions and deploy merges them."""
    if group is None or created_for(group.tags, graph.lab):
        return graph
    items = list(graph.resources)
    for i, d in enumerate(items):
        if d.kind != "resourceGroup":
            continue
        tags = {TAG_LAB: graph.lab, TAG_ROLE: d.role}
        tags.update({k: v for k, v in d.body.get("tags", {}).items() if k in LIFETIME_TAGS})
        body = {"location": d.body.get("location", graph.location), "tags": tags}
        body["tags"][TAG_SPEC] = body_hash(body)
        items[i] = replace(d, body=body)
    return replace(graph, resources=tuple(items))


def adoptable(tags: dict[str, str] | None) -> bool:
    """A pre-existing group azguest may merge its tags into: it carries no lab's tag and no created mark."""
    tags = tags or {}
    return TAG_LAB not in tags and TAG_CREATED not in tags


def tag_removals(kind: str, desired_tags: dict[str, str], live_tags: dict[str, str]) -> tuple[str, ...]:
    """``tags.<name>: 'value' -> (removed)`` for the live tags a PUT of this resource drops. A group's tags
    are merged, never replaced, and the lease tags are not the body's: neither is ever shown removed."""
    if kind == "resourceGroup":
        return ()
    gone = sorted(set(live_tags) - set(desired_tags) - LEASE_TAGS)
    return tuple(f"tags.{k}: {live_tags[k]!r} -> (removed)" for k in gone)
