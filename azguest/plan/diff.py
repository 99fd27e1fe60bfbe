"""Diff the desired graph against live state read back from Azure (state lives in Azure, by tags)."""

from __future__ import annotations

from typing import Any

from azguest.azure.kinds import KINDS, Kind
from azguest.plan.groups import adoptable, tag_removals
from azguest.plan.live import owned_by, slots_of, use_slots
from azguest.plan.model import (
    GUEST_STEP_ROLE,
    MANAGED_TAGS,
    RESTORED_TAGS,
    SECRET_PLACEHOLDER,
    TAG_ROLE,
    TAG_SPEC,
    Change,
    Desired,
    Graph,
    Live,
    Plan,
)
from azguest.plan.osdisk import os_disk_differences
from azguest.plan.protect import SIZE_PATH, grow_note, lost_disks, resize_refusal

IN_FLIGHT_STATES = frozenset({"creating", "updating", "accepted", "running", "inprogress", "migrating"})
_IGNORED_PATHS = frozenset(f"tags.{t}" for t in MANAGED_TAGS)  # lifetime tags: deploy.lifecycle shows them


def diff(graph: Graph, live: dict[str, Live], *, group_exists: bool) -> Plan:
    """One Change per desired resource, plus deletes for this lab's resources that are no longer wanted."""
    changes: list[Change] = []
    foreign: list[str] = []
    slots = slots_of(live)
    for d in graph.resources:
        cur = live.get(d.arm_id.lower())
        change = _change_for(graph, d, cur, live, dict(slots))
        if change is None:
            foreign.append(f"{KINDS[d.kind].arm_type} {d.name}")
            change = Change(d.key, d.kind, d.name, d.arm_id, "replace",
                            hint="a resource with this name exists and azguest did not create it")
        changes.append(change)
    wanted = {d.arm_id.lower() for d in graph.resources}
    guest = any(d.role == GUEST_STEP_ROLE for d in graph.resources)  # else guest steps are not this graph's
    for arm_id, cur in sorted(live.items()):
        kind = KINDS.get(cur.kind)
        if arm_id in wanted or kind is None or kind.backup or not owned_by(cur, live, graph.lab):
            continue
        if cur.tags.get(TAG_ROLE) == GUEST_STEP_ROLE and not guest:
            continue
        if _held_by(cur) & wanted:
            continue  # a disk held by a VM the lab wants (its OS disk, tagged by Azure or by azguest) stays
        changes.append(Change(f"{cur.kind}/{cur.name}", cur.kind, cur.name, cur.body.get("id", arm_id), "delete"))
    return Plan(graph, tuple(changes), group_exists, tuple(foreign), lost_disks(changes, live), slots)


def _held_by(cur: Live) -> set[str]:
    """Lower-cased ids of the VMs holding a disk (``managedBy``, ``managedByExtended``)."""
    ids = [cur.body.get("managedBy"), *(cur.body.get("managedByExtended") or [])]
    return {str(i).lower() for i in ids if i}


def _change_for(graph: Graph, d: Desired, cur: Live | None, live: dict[str, Live], slots: dict[str, str]
                ) -> Change | None:
    """A VM is compared with its disk references on the restored disks standing for them (``slots``,
    ``live.use_slots``); a restored disk's Change carries its live id, the one writes go to."""
    slotted = cur is not None and cur.arm_id.lower() != d.arm_id.lower()
    target = cur.arm_id if cur is not None and slotted else d.arm_id

    def change(action: str, diffs: tuple[str, ...] = (), hint: str = "", drift: tuple[str, ...] = ()) -> Change:
        return Change(d.key, d.kind, d.name, target, action, diffs, hint, drift)

    if cur is None:
        return change("create")
    if not owned_by(cur, live, graph.lab) and not (d.kind == "resourceGroup" and adoptable(cur.tags)):
        # A pre-existing group gets azguest's own tags merged in (plan.groups); any other resource, or a
        # group of another lab, is a conflict.
        return None
    kind = KINDS[d.kind]
    state = cur.provisioning_state.lower()
    if state in IN_FLIGHT_STATES:
        return change("wait")
    if state == "failed" and kind.write_once:
        return change("replace", ("provisioningState: Failed",),
                      f"Azure refuses to update a {kind.arm_type}: delete the failed one and re-run")
    if state == "failed":
        return change("retry", ("provisioningState: Failed",))
    if kind.write_once:
        return change("no-change")  # Azure refuses any update: it exists, so it is done
    if not kind.tagged:  # no hash to compare: the live body decides
        diffs = tuple(differences(d.body, cur.body))
        return change("update", diffs) if diffs else change("no-change")
    if cur.tags.get(TAG_SPEC) == d.body["tags"][TAG_SPEC]:
        # Same desired body as last applied. Properties that differ now were changed outside azguest:
        # reported as drift, not rewritten (ARM's own normalisation must never cause writes on a re-run).
        drift = tuple(differences(_compared(d, slotted, slots), cur.body)) if "properties" in cur.body else ()
        untagged = os_disk_differences(d, live)  # the VM's OS disk lacks the lab's tags: deploy writes them
        if untagged:
            return change("update", untagged)
        return change("no-change", drift=drift)
    kept = RESTORED_TAGS if slotted else frozenset()  # a restored disk keeps its restore tags through writes
    diffs = tuple(differences(_compared(d, slotted, slots), cur.body)) + tag_removals(
        d.kind, {**dict.fromkeys(kept, ""), **(d.body.get("tags") or {})}, cur.tags)
    if slotted and not diffs:
        return change("no-change")  # a restored disk the spec describes as it is: only its origin differs
    hints = _refusals(kind, d, cur, diffs)
    if hints:
        return change("replace", diffs, "; ".join(hints))  # each distinct advice once, however many lines
    grows = kind.key == "disk" and any(_under(line, SIZE_PATH) for line in diffs)
    return change("update", diffs, grow_note(d.body, cur.body) if grows else "")


def _compared(d: Desired, slotted: bool, slots: dict[str, str]) -> dict[str, Any]:
    """What the live body is compared with: a VM's on the restored disks; a restored disk was made
    ``Copy``/``Restore`` from its backup, not ``Empty`` (Azure never changes a disk's creationData; deploy's
    writes keep the live one)."""
    if not slotted:
        return use_slots(d, slots).body
    props = {k: v for k, v in (d.body.get("properties") or {}).items() if k != "creationData"}
    return {**d.body, "properties": props}


def _under(line: str, path: str) -> bool:
    """A difference line about ``path`` itself or anything inside it."""
    return line.startswith((path + ":", path + ".", path + "["))


def _refusals(kind: Kind, d: Desired, cur: Live, diffs: tuple[str, ...]) -> list[str]:
    """The advice of every immutable path the change touches, each once. A disk's bigger size is refused
    only where Azure does not grow it in place (plan.protect.resize_refusal)."""
    out: list[str] = []
    for path, hint in kind.immutable:
        if not any(_under(line, path) for line in diffs):
            continue
        if kind.key == "disk" and path == SIZE_PATH:
            hint = resize_refusal(d.body, cur.body) or ""
        if hint and hint not in out:
            out.append(hint)
    return out


def differences(desired: Any, live: Any, path: str = "") -> list[str]:
    """Lines ``path: live -> desired`` for every desired value the live resource does not match."""
    if path in _IGNORED_PATHS or desired == SECRET_PLACEHOLDER:
        return []
    if isinstance(desired, dict):
        live = live if isinstance(live, dict) else {}
        out: list[str] = []
        for k, v in desired.items():
            out += differences(v, live.get(k), f"{path}.{k}" if path else k)
        return out
    if isinstance(desired, list):
        live = live if isinstance(live, list) else []
        if len(desired) != len(live):
            return [f"{path}: {len(live)} items -> {len(desired)} items"]
        out = []
        for i, (dv, lv) in enumerate(zip(desired, live, strict=True)):
            out += differences(dv, lv, f"{path}[{i}]")
        return out
    if _same(desired, live):
        return []
    return [f"{path}: {live!r} -> {desired!r}"]


def _same(a: Any, b: Any) -> bool:
    """ARM echoes ids, locations and SKU names in its own case: strings compare case-insensitively."""
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return a == b
