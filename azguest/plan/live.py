"""Read a lab's live state back from Azure.

Cost: one GET of the group, one list call per top-level resource kind, then for each child kind one list
(or one GET of the parent with ``$expand``) per parent of the lab that exists: run commands cost one list
per lab VM. A backup child kind (restore points, which a plan never deletes) is read only when the graph
wants one. Top-level reads grow with the number of kinds, child reads with the number of parents.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId
from azguest.errors import AzureError
from azguest.plan.model import TAG_LAB, TAG_SLOT, Desired, Graph, Live, Plan, carries_lab_tags
from azguest.plan.osdisk import os_disk_id

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

_NOT_FOUND = frozenset({"ResourceGroupNotFound", "ResourceNotFound", "NotFound", "ParentResourceNotFound"})


def live_of(kind: K.Kind, body: dict) -> Live:
    """A Live record for one resource as ARM returned it; a child's name is ARM's full name (``vm1/rc1``)."""
    arm_id = str(body.get("id", ""))
    rid = ArmId.try_parse(arm_id)
    name = "/".join(rid.names) if rid is not None and rid.names else str(body.get("name", ""))
    return Live(arm_id, kind.key, name, body)


def read_group(session: AzureSession, resource_group: str) -> Live | None:
    kind = K.KINDS["resourceGroup"]
    try:
        with arm_errors(target=resource_group):
            body = K.get(session, kind, kind.arm_id(session.subscription_id, resource_group))
    except AzureError as e:
        if e.status == 404 or e.code in _NOT_FOUND:
            return None
        raise
    return Live(body.get("id", ""), "resourceGroup", resource_group, body)


def read_live(session: AzureSession, graph: Graph, *, group_body: dict | None = None) -> tuple[bool, dict[str, Live]]:
    """(group exists, every resource in the group keyed by lower-cased ARM id, tagged or not; children of
    this lab's parents included). ``group_body``: the group as the caller has just read it (the lease's
    check after taking it): not read a second time."""
    group = read_group(session, graph.resource_group) if group_body is None else \
        Live(group_body.get("id", ""), "resourceGroup", graph.resource_group, group_body)
    if group is None:
        return False, {}
    out: dict[str, Live] = {group.arm_id.lower(): group}
    for kind in K.KINDS.values():
        if kind.key == "resourceGroup" or kind.is_child:
            continue
        with arm_errors(target=f"{kind.arm_type} in {graph.resource_group}"):
            items = K.list_in_group(session, kind, graph.resource_group)
        out.update((str(b.get("id", "")).lower(), live_of(kind, b)) for b in items)
    out = by_slot(out, graph)
    wanted = {d.kind for d in graph.resources}
    for kind in _parents_first(K.CHILD_KINDS):
        if kind.backup and kind.key not in wanted:
            continue
        for parent in [p for p in list(out.values()) if p.kind == kind.parent and owned_by(p, out, graph.lab)]:
            out.update(_read_children(session, kind, parent))
    return True, out


SUPERSEDED = "#superseded"  # key suffix of a disk whose slot a restored disk holds (kept with --keep-old-disks)


def by_slot(live: dict[str, Live], graph: Graph) -> dict[str, Live]:
    """``live`` with every restored disk (``azguest-slot=<name>`` and the lab's full tag set) keyed by the id of
    the disk it stands for, the desired name's. An old disk under that name (kept by ``--keep-old-disks``) is
    keyed ``<its id>#superseded``: not desired, so the plan deletes it (a data-loss delete, refused by default)."""
    out = dict(live)
    for key, cur in live.items():
        slot = cur.tags.get(TAG_SLOT)
        if cur.kind != "disk" or not slot or not carries_lab_tags(cur.tags, graph.lab):
            continue
        target = str(ArmId.build(graph.subscription_id, graph.resource_group, K.KINDS["disk"].arm_type, slot)).lower()
        if target == key:
            continue
        if target in live:
            out[target + SUPERSEDED] = live[target]
        out[target] = cur
        del out[key]
    return out


def slots_of(live: dict[str, Live]) -> tuple[tuple[str, str], ...]:
    """(desired disk id lower-cased, live id) of every disk ``by_slot`` keyed by another disk's id."""
    return tuple(sorted((k, v.arm_id) for k, v in live.items()
                        if v.kind == "disk" and not k.endswith(SUPERSEDED) and k != v.arm_id.lower()))


def use_slots(d: Desired, slots: dict[str, str]) -> Desired:
    """A desired VM with its disk references (data disks by id, the OS disk by name) on the restored disks
    standing for them (``slots``: desired id lower-cased -> live id). A PUT of the planner's own names would
    re-attach disks that no longer exist and rename the OS disk (Azure swaps it only on a stopped VM). The
    VM's hash (``azguest-spec``) is of the planner's body, so a restore never changes it."""
    os_id = os_disk_id(d)
    live_os = slots.get(os_id.lower()) if os_id else None
    disks = (((d.body.get("properties") or {}).get("storageProfile") or {}).get("dataDisks") or [])
    refs = [str((x.get("managedDisk") or {}).get("id") or "").lower() for x in disks]
    if d.kind != "vm" or not (live_os or any(r in slots for r in refs)):
        return d
    body = copy.deepcopy(d.body)
    sp = body["properties"]["storageProfile"]
    for disk, ref in zip(sp.get("dataDisks") or [], refs, strict=True):
        if ref in slots:
            disk["managedDisk"] = {**disk["managedDisk"], "id": slots[ref]}
            if "name" in disk:
                disk["name"] = slots[ref].rsplit("/", 1)[-1]
    if live_os:
        sp["osDisk"]["name"] = live_os.rsplit("/", 1)[-1]
        sp["osDisk"]["managedDisk"] = {**(sp["osDisk"].get("managedDisk") or {}), "id": live_os}
    return replace(d, body=body)


def _parents_first(kinds: tuple[K.Kind, ...]) -> list[K.Kind]:
    """Child kinds ordered so that a kind's parent kind (if itself a child) is read first."""
    def depth(k: K.Kind) -> int:
        return 0 if k.parent is None else 1 + depth(K.KINDS[k.parent])
    return sorted(kinds, key=depth)


def owned_by(item: Live, live: dict[str, Live], lab: str) -> bool:
    """Whether a live resource belongs to this lab: its tag, or its parent's owner for an untagged kind."""
    kind = K.KINDS.get(item.kind)
    if kind is None or kind.tagged:
        return item.tags.get(TAG_LAB) == lab
    parent = ArmId.try_parse(item.arm_id)
    parent_id = parent.parent if parent is not None else None
    owner = live.get(parent_id.key) if parent_id is not None else None
    return owner is not None and owned_by(owner, live, lab)


def _read_children(session: AzureSession, kind: K.Kind, parent: Live) -> dict[str, Live]:
    try:
        with arm_errors(target=f"{kind.arm_type} of {parent.arm_id}"):
            items = K.list_children(session, kind, parent.arm_id)
    except AzureError as e:
        if e.status == 404 or e.code in _NOT_FOUND:  # the parent went away between the two reads
            return {}
        raise
    return {str(b.get("id", "")).lower(): live_of(kind, b) for b in items}


def complete_bodies(session: AzureSession, plan: Plan, live: dict[str, Live]) -> bool:
    """ARM's generic list returns no properties: read the full body of such resources, but only of the ones
    whose hash says they changed (one GET each), so the plan shows real differences. Updates ``live``."""
    todo = [c for c in plan.changes if c.action in ("update", "replace") and K.KINDS[c.kind].generic_list]
    for c in todo:
        with arm_errors(target=c.arm_id):
            body = K.get(session, K.KINDS[c.kind], c.arm_id)
        live[c.arm_id.lower()] = Live(c.arm_id, c.kind, c.name, body)
    return bool(todo)
