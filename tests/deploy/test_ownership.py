"""Ownership: destroy and gc delete only what azguest created for the lab, inside the lab's own group.

Each test is an attack (a tag writer dressing up a foreign resource) or a mistake (a pre-existing
group named by the spec), on the emulator through the real SDK.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from azguest.azure import AzureSession
from azguest.deploy.lab import make_plan
from azguest.deploy.teardown import destroy, expired_labs, plan_gc, plan_teardown
from azguest.emulator import Engine
from azguest.errors import ConflictError, NotFoundError
from tests.deploy.conftest import deployed_setup, do_deploy, lab_from

LAB = "hv-s2d"
PAST = "2000-01-01T00:00:00Z"
FULL = {"azguest-lab": LAB, "azguest-role": "storage", "azguest-spec": "0123456789abcdef"}  # forgeable


@pytest.fixture
def fast():
    return AzureSession.for_engine(Engine(), polling_interval=0.0)


def disk(session, rg: str, name: str, tags: dict, location: str = "westeurope") -> str:
    return session.compute.disks.begin_create_or_update(rg, name, {
        "location": location, "tags": tags, "sku": {"name": "Premium_LRS"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 8}}).result().id


def group(session, rg: str, tags: dict) -> None:
    session.resource.resource_groups.create_or_update(rg, {"location": "westeurope", "tags": tags})


def exists(session, rg: str, name: str | None = None) -> bool:
    if not session.resource.resource_groups.check_existence(rg):
        return False
    return name is None or name in {r.name for r in session.resource.resources.list_by_resource_group(rg)}


def group_tags(session, rg: str) -> dict:
    return dict(session.resource.resource_groups.get(rg).tags or {})


def test_destroy__hand_tagged_disk_in_another_teams_group_survives(fast, s2d_lab):
    assert deployed_setup(fast, s2d_lab).ok
    group(fast, "rg-prod", {"owner": "payments"})
    lab_tag_only = disk(fast, "rg-prod", "prod-db", {"azguest-lab": LAB})
    full_set = disk(fast, "rg-prod", "prod-logs", FULL)  # even the full set: not in the lab's group
    td = plan_teardown(fast, LAB)
    assert {lab_tag_only, full_set} <= set(td.ignored)
    assert destroy(fast, td, confirm=lambda t: True).ok
    assert exists(fast, "rg-prod", "prod-db") and exists(fast, "rg-prod", "prod-logs")
    assert not exists(fast, s2d_lab.resource_group_name)


def test_destroy__partial_tags_inside_the_labs_own_group_are_not_the_labs(fast, s2d_lab):
    assert deployed_setup(fast, s2d_lab).ok
    rg = s2d_lab.resource_group_name
    disk(fast, rg, "hand-made", {"azguest-lab": LAB, "azguest-role": "node"})  # no spec hash
    disk(fast, rg, "bad-hash", {**FULL, "azguest-spec": "not-a-hash"})
    assert destroy(fast, plan_teardown(fast, LAB), confirm=lambda t: True).ok
    assert exists(fast, rg, "hand-made") and exists(fast, rg, "bad-hash")  # so the group stays too


def test_destroy__a_second_group_dressed_as_the_lab_stops_destroy_before_any_delete(fast, s2d_lab):
    assert deployed_setup(fast, s2d_lab).ok
    group(fast, "rg-prod", {"azguest-lab": LAB, "azguest-role": "network", "azguest-spec": "fedcba9876543210",
                            "azguest-created": "true", "owner": "payments"})
    disk(fast, "rg-prod", "prod-db", FULL)
    fast.engine.reset_log()
    with pytest.raises(ConflictError) as exc:
        plan_teardown(fast, LAB)
    assert exc.value.code == "AZG-LAB-AMBIGUOUS" and exc.value.details["resourceGroups"] == [
        "rg-hv-s2d", "rg-prod"]
    assert not [e for e in fast.engine.request_log if e.kind == "delete"]
    td = plan_teardown(fast, LAB, resource_group=s2d_lab.resource_group_name)  # the user names the real one
    assert destroy(fast, td, confirm=lambda t: True).ok
    assert exists(fast, "rg-prod", "prod-db") and not exists(fast, s2d_lab.resource_group_name)


def test_destroy__unknown_lab_or_a_group_with_the_lab_tag_alone_is_not_found(fast):
    group(fast, "rg-prod", {"azguest-lab": "ghost", "azguest-created": "true"})
    disk(fast, "rg-prod", "prod-db", {"azguest-lab": "ghost", "azguest-role": "node", "azguest-spec": "0" * 16})
    with pytest.raises(NotFoundError) as exc:
        plan_teardown(fast, "ghost")
    assert exc.value.code == "AZG-LAB-NOT-FOUND"
    assert exists(fast, "rg-prod", "prod-db")


def test_gc__a_past_expiry_written_on_a_foreign_disk_deletes_nothing(fast, s2d_lab):
    assert deployed_setup(fast, s2d_lab).ok  # expires in 7 days
    group(fast, "rg-prod", {"owner": "payments"})
    disk(fast, "rg-prod", "prod-db", {**FULL, "azguest-expires": PAST})
    disk(fast, s2d_lab.resource_group_name, "hand-made", {"azguest-lab": LAB, "azguest-expires": PAST})
    assert expired_labs(fast) == {} and plan_gc(fast) == []
    later = datetime.now(UTC) + timedelta(days=8)
    items = plan_gc(fast, now=later)
    assert [i.lab for i in items] == [LAB]
    assert destroy(fast, items[0].teardown, confirm=lambda t: True).ok
    assert exists(fast, "rg-prod", "prod-db") and exists(fast, s2d_lab.resource_group_name, "hand-made")


def test_gc__expiry_is_read_from_the_group_only(fast, s2d_lab):
    assert deployed_setup(fast, s2d_lab).ok
    rg = s2d_lab.resource_group_name
    nsg = next(iter(fast.network.network_security_groups.list(rg)))
    nsg_body = nsg.as_dict()
    nsg_body["tags"]["azguest-expires"] = PAST  # a resource-level expiry, as a tag writer would set it
    fast.network.network_security_groups.begin_create_or_update(rg, nsg.name, nsg_body).result()
    assert expired_labs(fast) == {}
    tags = group_tags(fast, rg)
    fast.resource.resource_groups.update(rg, {"tags": {**tags, "azguest-expires": PAST}})
    assert expired_labs(fast) == {LAB: PAST}


def test_gc__a_foreign_group_with_a_past_expiry_but_not_the_full_set_is_left_alone(fast):
    group(fast, "rg-prod", {"azguest-lab": "payments", "azguest-expires": PAST, "azguest-created": "true"})
    disk(fast, "rg-prod", "prod-db", {"azguest-lab": "payments", "azguest-role": "node",
                                      "azguest-spec": "0123456789abcdef", "azguest-expires": PAST})
    assert expired_labs(fast) == {} and plan_gc(fast) == []


# -- a pre-existing resource group named by the spec ------------------------------------------------------

SHARED = {"owner": "platform-team", "costcenter": "4711"}


@pytest.fixture
def in_shared_group(fast):
    group(fast, "rg-shared", SHARED)
    return lab_from("s2d-2node.yaml", **{"resourceGroup: rg-hv-s2d": "resourceGroup: rg-shared"})


def test_plan__a_pre_existing_group_gets_azguest_tags_added_and_none_removed(fast, in_shared_group):
    plan = make_plan(fast, in_shared_group)
    rg = next(c for c in plan.changes if c.kind == "resourceGroup")
    assert rg.action == "update"
    assert "tags.azguest-lab: None -> 'hv-s2d'" in rg.differences
    assert not [d for d in rg.differences if "removed" in d or "owner" in d or "costcenter" in d]
    assert not [d for d in rg.differences if "azguest-created" in d]


def test_deploy_then_destroy__a_pre_existing_group_keeps_its_tags_and_survives(fast, in_shared_group):
    assert do_deploy(fast, in_shared_group).ok
    tags = group_tags(fast, "rg-shared")
    assert {k: tags[k] for k in SHARED} == SHARED and tags["azguest-lab"] == LAB
    assert "azguest-created" not in tags and not [k for k in tags if k.startswith("azguest-lease")]
    assert do_deploy(fast, in_shared_group).note == "no changes"  # adopted once, then stable
    td = plan_teardown(fast, LAB)
    assert [g.created for g in td.lab_groups] == [False]
    record = destroy(fast, td, confirm=lambda t: True)
    assert record.ok and [r.action for r in record.results if r.kind == "resourceGroup"] == ["untag"]
    assert exists(fast, "rg-shared") and group_tags(fast, "rg-shared") == SHARED
    assert list(fast.resource.resources.list_by_resource_group("rg-shared")) == []


def test_deploy__a_group_marked_created_for_no_lab_is_refused_not_adopted(fast):
    group(fast, "rg-shared", {**SHARED, "azguest-created": "true"})
    lab = lab_from("s2d-2node.yaml", **{"resourceGroup: rg-hv-s2d": "resourceGroup: rg-shared"})
    fast.engine.reset_log()
    with pytest.raises(ConflictError) as exc:
        do_deploy(fast, lab)
    assert "azguest did not create it" in exc.value.message
    assert not [e for e in fast.engine.request_log if e.kind != "read"]
    assert group_tags(fast, "rg-shared") == {**SHARED, "azguest-created": "true"}


def test_plan__shows_the_tags_a_put_would_remove(fast, s2d_lab):
    assert deployed_setup(fast, s2d_lab).ok
    rg = s2d_lab.resource_group_name
    nsg = next(iter(fast.network.network_security_groups.list(rg))).as_dict()
    nsg["tags"]["ticket"] = "CHG-42"  # added by hand
    fast.network.network_security_groups.begin_create_or_update(rg, nsg["name"], nsg).result()
    group(fast, rg, {**group_tags(fast, rg), "ticket": "CHG-42"})
    changed = lab_from("s2d-2node.yaml", **{"course: hyperv-101": "course: hyperv-102"})
    plan = make_plan(fast, changed)
    by_kind = {c.kind: c for c in plan.changes}
    assert "tags.ticket: 'CHG-42' -> (removed)" in by_kind["nsg"].differences
    assert "tags.course: 'hyperv-101' -> 'hyperv-102'" in by_kind["nsg"].differences
    assert not [d for d in by_kind["resourceGroup"].differences if "ticket" in d]  # merged, never dropped
    assert do_deploy(fast, changed).ok
    assert group_tags(fast, rg)["ticket"] == "CHG-42"


def test_cli_gc__lists_each_lab_and_per_group_counts_in_json_and_with_yes_and_spares_the_foreign_disk(
        emulated, capsys):
    import json

    from azguest.azure import resolve_target
    from azguest.cli.main import run
    from tests.deploy.conftest import EXAMPLES, cli_deployed

    state = emulated
    cli_deployed(state, EXAMPLES / "s2d-2node.yaml")
    with AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(state)})) as s:
        s.resource.tags.begin_update_at_scope(  # time passes: the expiry azguest wrote on the group is now past
            f"/subscriptions/{s.subscription_id}/resourceGroups/rg-hv-s2d",
            {"operation": "Merge", "properties": {"tags": {"azguest-expires": PAST}}}).result()
        group(s, "rg-prod", {"owner": "payments"})
        disk(s, "rg-prod", "prod-db", {**FULL, "azguest-expires": PAST})
    capsys.readouterr()
    assert run(["gc", "--dry-run", "-o", "json"]) == 0
    labs = json.loads(capsys.readouterr().out)["result"]["labs"]
    assert [(x["lab"], x["expires"]) for x in labs] == [(LAB, PAST)]
    count = labs[0]["resourceGroups"][0]["deleteCount"]
    assert labs[0]["resourceGroups"][0]["name"] == "rg-hv-s2d" and count >= 20
    assert run(["gc", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"{LAB}: expired {PAST}" in out and f"resource group rg-hv-s2d: {count} resources" in out
    with AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(state)})) as s:
        assert exists(s, "rg-prod", "prod-db") and not exists(s, "rg-hv-s2d")
