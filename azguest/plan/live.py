"""Read a lab's live state back from Azure: one read for the group, one list call per resource kind.

Reads grow with the number of resource kinds, never with the size of the lab.
"""

from __future__ import annotations

from typing import Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.errors import AzureError
from azguest.plan.model import Graph, Live, Plan

_NOT_FOUND = frozenset({"ResourceGroupNotFound", "ResourceNotFound", "NotFound"})


def read_group(session: Any, resource_group: str) -> Live | None:
    try:
        with arm_errors(target=resource_group):
            body = K.get(session, K.KINDS["resourceGroup"], resource_group, resource_group, "")
    except AzureError as e:
        if e.status == 404 or e.code in _NOT_FOUND:
            return None
        raise
    return Live(body.get("id", ""), "resourceGroup", resource_group, body)


def read_live(session: Any, graph: Graph) -> tuple[bool, dict[str, Live]]:
    """(group exists, every resource in the group keyed by lower-cased ARM id, tagged or not)."""
    group = read_group(session, graph.resource_group)
    if group is None:
        return False, {}
    out: dict[str, Live] = {group.arm_id.lower(): group}
    for kind in K.KINDS.values():
        if kind.key == "resourceGroup":
            continue
        with arm_errors(target=f"{kind.arm_type} in {graph.resource_group}"):
            items = K.list_in_group(session, kind, graph.resource_group)
        for body in items:
            arm_id = str(body.get("id", ""))
            out[arm_id.lower()] = Live(arm_id, kind.key, str(body.get("name", "")), body)
    return True, out


def complete_bodies(session: Any, plan: Plan, live: dict[str, Live]) -> bool:
    """ARM's generic list returns no properties: read the full body of such resources, but only of the ones
    whose hash says they changed (one GET each), so the plan shows real differences. Updates ``live``."""
    todo = [c for c in plan.changes if c.action in ("update", "replace") and K.KINDS[c.kind].list_in_group is None]
    for c in todo:
        with arm_errors(target=c.arm_id):
            body = K.get(session, K.KINDS[c.kind], plan.graph.resource_group, c.name, c.arm_id)
        live[c.arm_id.lower()] = Live(c.arm_id, c.kind, c.name, body)
    return bool(todo)
