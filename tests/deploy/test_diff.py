"""Diffing desired against live state read back by tags."""

from __future__ import annotations

import copy
from pathlib import Path

from azguest.plan.desired import desired_graph
from azguest.plan.diff import diff, differences
from azguest.plan.model import TAG_LAB, TAG_SPEC, Live
from azguest.spec import load_lab

SPEC = Path(__file__).parents[2] / "examples" / "shared-disk-3node.yaml"
SUB = "11111111-2222-3333-4444-555555555555"


def _graph():
    return desired_graph(load_lab(SPEC), SUB)


def _live_from(graph, mutate=None):
    out = {}
    for r in graph.resources:
        body = copy.deepcopy(r.body)
        body["id"] = r.arm_id
        body["name"] = r.name
        body.setdefault("properties", {})["provisioningState"] = "Succeeded"
        if mutate:
            mutate(r, body)
        out[r.arm_id.lower()] = Live(r.arm_id, r.kind, r.name, body)
    return out


def test_diff__empty_world_creates_everything():
    g = _graph()
    plan = diff(g, {}, group_exists=False)
    assert {c.action for c in plan.changes} == {"create"} and len(plan.changes) == len(g.resources)


def test_diff__identical_world_is_no_change_and_needs_no_writes():
    g = _graph()
    plan = diff(g, _live_from(g), group_exists=True)
    assert {c.action for c in plan.changes} == {"no-change"} and not plan.writes_needed


def test_diff__in_flight_is_waited_for_and_failed_is_retried():
    g = _graph()

    def mutate(r, body):
        if r.kind == "vm" and r.name.endswith("sd01"):
            body["properties"]["provisioningState"] = "Creating"
        if r.kind == "vm" and r.name.endswith("sd02"):
            body["properties"]["provisioningState"] = "Failed"

    actions = {c.name: c.action for c in diff(g, _live_from(g, mutate), group_exists=True).changes}
    assert actions["hv-shared-sd01"] == "wait" and actions["hv-shared-sd02"] == "retry"


def test_diff__max_shares_change_on_existing_disk_is_a_replace_with_a_hint():
    g = _graph()

    def mutate(r, body):
        if r.kind == "disk" and body["properties"].get("maxShares"):
            body["properties"]["maxShares"] = 2
            body["tags"][TAG_SPEC] = "old"

    changes = [c for c in diff(g, _live_from(g, mutate), group_exists=True).changes if c.action != "no-change"]
    assert changes and all(c.action == "replace" and "detach" in c.hint for c in changes)
    assert any("properties.maxShares: 2 -> 3" in d for c in changes for d in c.differences)


def test_diff__untagged_resource_with_our_name_is_foreign_never_adopted():
    g = _graph()

    def mutate(r, body):
        if r.kind == "nsg":
            body["tags"] = {"owner": "someone-else"}

    plan = diff(g, _live_from(g, mutate), group_exists=True)
    assert len(plan.foreign) == 1 and "networkSecurityGroups" in plan.foreign[0]


def test_diff__stale_lab_resources_deleted_but_backups_and_foreign_ones_kept():
    g = _graph()
    live = _live_from(g)
    base = f"/subscriptions/{SUB}/resourceGroups/{g.resource_group}/providers"
    extra = [("nic", "Microsoft.Network/networkInterfaces/old-nic", {TAG_LAB: g.lab}),
             ("snapshot", "Microsoft.Compute/snapshots/snap1", {TAG_LAB: g.lab}),
             ("nic", "Microsoft.Network/networkInterfaces/theirs", {})]
    for kind, path, tags in extra:
        arm_id = f"{base}/{path}"
        live[arm_id.lower()] = Live(arm_id, kind, path.rsplit("/", 1)[1], {"id": arm_id, "tags": tags})
    deletes = [c.name for c in diff(g, live, group_exists=True).changes if c.action == "delete"]
    assert deletes == ["old-nic"]


def test_differences__ids_compare_case_insensitively_and_secrets_are_skipped():
    d = {"properties": {"id": "/subscriptions/A/x", "osProfile": {"adminPassword": "<secret:admin-password>"}}}
    lv = {"properties": {"id": "/SUBSCRIPTIONS/a/X", "osProfile": {}}}
    assert differences(d, lv) == []
    assert differences({"a": [1, 2]}, {"a": [1]}) == ["a: 1 items -> 2 items"]
