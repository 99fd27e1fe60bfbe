"""A lab's lifetime as a trainer lives it: edit ``expiresAfter`` and re-deploy, ``azguest extend``, the
nightly ``gc``, running hours in ``status``, and ``status --spec`` with another lab's spec.

Time is injected: the engine runs on a fake clock (``tests.emulator.fakeclock``), which is also the
``now`` deploy, extend and gc see on an in-process session (``execute.wait.session_now``). Tags are
read back with the raw SDK, never through azguest.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from azguest.azure import AzureSession, resolve_target
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.deploy.lab import make_plan
from azguest.deploy.lease import LeasePolicy
from azguest.deploy.lifecycle import Extension, extend
from azguest.deploy.status import lab_status
from azguest.deploy.teardown import destroy, plan_gc
from azguest.errors import LeaseHeldError, NotFoundError
from tests.deploy.conftest import EXAMPLES, cli_deployed, deployed_setup, do_deploy, lab_from, writes
from tests.emulator.fakeclock import clock, clocked, engine  # noqa: F401 - the clocked engine fixtures

LAB = "hv-s2d"
SPEC = EXAMPLES / "s2d-2node.yaml"
DAY = 86400.0
STAMP = "%Y-%m-%dT%H:%M:%SZ"
TAGS_API = "/providers/Microsoft.Resources/tags/default"


def _ts(stamp: str) -> datetime:
    return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)


def _st(t: datetime) -> str:
    return t.strftime(STAMP)


def _lab(expires_after: str = "7d"):
    return lab_from("s2d-2node.yaml", **{"expiresAfter: 7d": f"expiresAfter: {expires_after}"})


@pytest.fixture
def inproc(engine):  # noqa: F811 - the clocked engine
    with AzureSession.for_engine(engine, polling_interval=0.0) as s:
        yield s


def group_tags(session, group: str = "rg-hv-s2d") -> dict[str, str]:
    """The group's tags as Azure holds them (raw SDK read)."""
    return dict(session.resource.resource_groups.get(group).tags or {})


# ---- an edited expiresAfter ----------------------------------------------------------------------------


def test_edited_expiry__recomputed_from_the_labs_creation_and_written_to_its_group(inproc, engine, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("7d"), clock=clock).ok
    tags = group_tags(inproc)
    created = _ts(tags["azguest-created-at"])
    assert tags["azguest-expires"] == _st(created + timedelta(days=7))
    clock.advance(2 * DAY)  # two days in, the trainer wants the lab for two weeks
    engine.reset_log()
    assert do_deploy(inproc, _lab("14d")).ok
    assert group_tags(inproc)["azguest-expires"] == _st(created + timedelta(days=14))  # from creation, not now
    assert writes(engine) and all(e.path.endswith(TAGS_API) for e in writes(engine))  # no resource rewritten
    nsg = inproc.network.network_security_groups.get("rg-hv-s2d", "hv-s2d-nsg")
    assert "azguest-expires" not in nsg.tags  # the expiry lives on the group only
    assert group_tags(inproc)["azguest-expires-after"] == "14d"
    engine.reset_log()
    assert do_deploy(inproc, _lab("2w")).ok  # the same lifetime, written otherwise
    assert writes(engine) == []  # re-run: nothing changes, nothing written


def test_expiry_shortened_below_the_labs_age__the_next_gc_takes_it(inproc, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("7d"), clock=clock).ok
    clock.advance(3 * DAY)
    assert plan_gc(inproc) == []
    plan = make_plan(inproc, _lab("2d"))
    group = next(c for c in plan.changes if c.kind == "resourceGroup")
    assert group.action == "update" and group.differences[0].startswith("expiry: ")
    assert do_deploy(inproc, _lab("2d")).ok
    assert [i.lab for i in plan_gc(inproc)] == [LAB]


def test_expiry_edited_to_never__the_tag_goes_and_gc_never_takes_the_lab(inproc, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("7d"), clock=clock).ok
    assert do_deploy(inproc, _lab("never")).ok
    tags = group_tags(inproc)
    assert "azguest-expires" not in tags and tags["azguest-expires-after"] == "never"
    clock.advance(365 * DAY)
    assert plan_gc(inproc) == []


def test_lab_deployed_before_the_lifetime_tags__keeps_its_expiry_then_sees_edits(inproc, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("7d"), clock=clock).ok
    tags = group_tags(inproc)
    inproc.resource.tags.begin_update_at_scope(  # as an older azguest left it: azguest-expires only
        f"/subscriptions/{inproc.subscription_id}/resourceGroups/rg-hv-s2d",
        {"operation": "Delete", "properties": {"tags": {"azguest-created-at": "", "azguest-expires-after": ""}}}
    ).result()
    clock.advance(DAY)
    assert do_deploy(inproc, _lab("7d")).ok  # records the basis, keeps the expiry
    after = group_tags(inproc)
    assert after["azguest-expires"] == tags["azguest-expires"]
    assert after["azguest-created-at"] == tags["azguest-created-at"]
    assert do_deploy(inproc, _lab("14d")).ok  # and an edit is seen from then on
    assert group_tags(inproc)["azguest-expires"] == _st(_ts(tags["azguest-created-at"]) + timedelta(days=14))


def test_status__shows_the_groups_expiry_never_a_resources(inproc, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("7d"), clock=clock).ok
    nsgs = inproc.network.network_security_groups
    nsg = nsgs.get("rg-hv-s2d", "hv-s2d-nsg")
    nsg.tags = {**nsg.tags, "azguest-expires": "2000-01-01T00:00:00Z"}  # a tag writer's past expiry
    nsgs.begin_create_or_update("rg-hv-s2d", "hv-s2d-nsg", nsg).result()
    assert lab_status(inproc, LAB).expires == group_tags(inproc)["azguest-expires"]
    assert plan_gc(inproc) == []


def test_plan_shows_the_expiry_change_and_deploy_writes_it(emulated, tmp_path, capsys):
    assert run(["deploy", str(SPEC), "--yes"]) == 0
    edited = tmp_path / "s2d-2node.yaml"
    edited.write_text(SPEC.read_text().replace("expiresAfter: 7d", "expiresAfter: 14d"))
    raw = AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(emulated)}))
    before = group_tags(raw)
    want = _st(_ts(before["azguest-created-at"]) + timedelta(days=14))
    line = f"expiry: {before['azguest-expires']} -> {want}"
    capsys.readouterr()
    assert run(["plan", str(edited), "-o", "json"]) == 0
    changes = json.loads(capsys.readouterr().out)["result"]["changes"]
    group = next(c for c in changes if c["kind"] == "resourceGroup")
    assert group["action"] == "update" and line in group["differences"]
    assert run(["plan", str(edited)]) == 0
    assert line in capsys.readouterr().out
    assert run(["deploy", str(edited), "--yes"]) == 0
    assert group_tags(raw)["azguest-expires"] == want


# ---- azguest extend ------------------------------------------------------------------------------------


def test_extend__gc_keeps_the_lab_until_the_new_expiry_then_destroys_it(inproc, engine, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("7d"), clock=clock).ok
    first = _ts(group_tags(inproc)["azguest-expires"])
    rec = extend(inproc, LAB, Extension(by=timedelta(days=7)))
    assert (rec.previous, rec.expires) == (_st(first), _st(first + timedelta(days=7)))
    assert group_tags(inproc)["azguest-expires"] == rec.expires
    assert not any(k.startswith("azguest-lease") for k in group_tags(inproc))  # the lease was released
    engine.reset_log()
    assert do_deploy(inproc, _lab("7d")).ok  # the unchanged spec keeps the extension
    assert writes(engine) == [] and group_tags(inproc)["azguest-expires"] == rec.expires
    clock.advance((first - datetime.fromtimestamp(clock(), UTC)).total_seconds() + 3600)
    assert plan_gc(inproc) == []  # past the first expiry: kept
    clock.advance(7 * DAY)
    items = plan_gc(inproc)
    assert [i.lab for i in items] == [LAB]
    assert destroy(inproc, items[0].teardown, confirm=lambda t: True).ok
    assert not inproc.resource.resource_groups.check_existence("rg-hv-s2d")


def test_extend__an_expired_lab_gets_the_duration_from_now(inproc, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("1d"), clock=clock).ok
    clock.advance(2 * DAY)  # expired, gc has not run yet
    rec = extend(inproc, LAB, Extension(by=timedelta(hours=12)))
    assert rec.expires == _st(datetime.fromtimestamp(clock(), UTC) + timedelta(hours=12))
    assert plan_gc(inproc) == []


def test_extend__refuses_a_group_azguest_did_not_create(inproc, engine):  # noqa: F811
    inproc.resource.resource_groups.create_or_update("rg-payments", {
        "location": "westeurope", "tags": {"azguest-lab": "payments", "azguest-expires": "2020-01-01T00:00:00Z"}})
    engine.reset_log()
    with pytest.raises(NotFoundError) as e:
        extend(inproc, "payments", Extension(by=timedelta(days=7)))
    assert e.value.code == "AZG-LAB-NOT-FOUND"
    assert writes(engine) == []
    assert group_tags(inproc, "rg-payments")["azguest-expires"] == "2020-01-01T00:00:00Z"


def test_extend__waits_for_no_one_while_another_run_holds_the_lab(inproc, engine, clock):  # noqa: F811
    assert deployed_setup(inproc, _lab("7d"), clock=clock).ok
    before = group_tags(inproc)["azguest-expires"]
    held = datetime.fromtimestamp(clock(), UTC)
    inproc.resource.tags.begin_update_at_scope(
        f"/subscriptions/{inproc.subscription_id}/resourceGroups/rg-hv-s2d",
        {"operation": "Merge", "properties": {"tags": {
            "azguest-lease-holder": "ci@runner-7 pid=1 deploy", "azguest-lease-since": _st(held),
            "azguest-lease-expires": _st(held + timedelta(minutes=10)), "azguest-lease-nonce": "f" * 32}}}).result()
    with pytest.raises(LeaseHeldError):
        extend(inproc, LAB, Extension(by=timedelta(days=1)),
               lease=LeasePolicy(command="extend", settle_s=0, renew_every_s=None, clock=clock))
    assert group_tags(inproc)["azguest-expires"] == before


def test_extend_cli__json_result_and_usage_errors(emulated, capsys):
    assert run(["deploy", str(SPEC), "--yes"]) == 0
    raw = AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(emulated)}))
    first = group_tags(raw)["azguest-expires"]
    capsys.readouterr()
    assert run(["extend", LAB, "3d", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and doc["result"]["previous"] == first and doc["result"]["changed"] is True
    assert doc["result"]["expires"] == _st(_ts(first) + timedelta(days=3)) == group_tags(raw)["azguest-expires"]
    to = _st(_ts(first) + timedelta(days=30))
    assert run(["extend", LAB, "--to", to]) == 0
    assert to in capsys.readouterr().out and group_tags(raw)["azguest-expires"] == to
    for bad in (["3 days"], ["--to", "2001-01-01T00:00:00Z"], ["3d", "--to", to], []):
        assert run(["extend", LAB, *bad, "-o", "json"]) == ExitCode.USAGE, bad
        assert json.loads(capsys.readouterr().out)["error"]["code"] == "AZG-EXTEND-ARGS"
    assert group_tags(raw)["azguest-expires"] == to
    assert run(["extend", "no-such-lab", "7d"]) == ExitCode.NOT_FOUND


# ---- running hours -------------------------------------------------------------------------------------


def test_status__running_hours_from_the_instance_view(session, clock):  # noqa: F811 - inproc and http
    assert deployed_setup(session, _lab("7d"), clock=clock).ok
    clock.advance(2 * 3600)  # the lab ran two hours, then the trainer stopped and restarted one node
    vms = session.compute.virtual_machines
    vms.begin_deallocate("rg-hv-s2d", "hv-s2d-hv01").result()
    started = datetime.fromtimestamp(clock(), UTC)
    vms.begin_start("rg-hv-s2d", "hv-s2d-hv01").result()
    clock.advance(3 * 3600)
    now = datetime.fromtimestamp(clock(), UTC)
    vm = {v.name: v for v in lab_status(session, LAB, now=now).vms}["hv-s2d-hv01"]
    assert vm.power_state == "running" and vm.running_hours == 3.0
    assert abs((_ts(vm.running_since) - started).total_seconds()) < 60
    vms.begin_deallocate("rg-hv-s2d", "hv-s2d-hv01").result()
    st = lab_status(session, LAB, now=now)
    vm = {v.name: v for v in st.vms}["hv-s2d-hv01"]
    assert vm.power_state == "deallocated" and (vm.running_since, vm.running_hours) == (None, None)
    doc = st.to_dict()
    assert {v["name"]: v["runningHours"] for v in doc["vms"]}["hv-s2d-hv01"] is None
    assert doc["cost"]["runningHours"] == max(v.running_hours for v in st.vms if v.running_hours is not None)


def test_status__the_power_status_carries_no_time_as_in_azure(session, clock):  # noqa: F811
    assert deployed_setup(session, _lab("7d"), clock=clock).ok
    view = session.compute.virtual_machines.instance_view("rg-hv-s2d", "hv-s2d-hv01").as_dict()
    power = [s for s in view["statuses"] if s["code"].startswith("PowerState/")]
    prov = [s for s in view["statuses"] if s["code"].startswith("ProvisioningState/")]
    assert power and "time" not in power[0] and prov and prov[0]["time"]


# ---- status with another lab's spec --------------------------------------------------------------------


def test_status__another_labs_spec_is_refused_naming_both_labs(emulated, capsys):
    cli_deployed(emulated, SPEC)
    capsys.readouterr()
    other = str(EXAMPLES / "shared-disk-3node.yaml")
    assert run(["status", LAB, "--spec", other]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "AZG-SPEC-OTHER-LAB" in err and LAB in err and "hv-shared" in err
    assert run(["status", LAB, "--spec", other, "-o", "json"]) == ExitCode.USAGE
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "AZG-SPEC-OTHER-LAB"
    assert run(["status", LAB, "--spec", str(SPEC), "-o", "json"]) == 0  # its own spec: no drift
    assert json.loads(capsys.readouterr().out)["result"]["drift"] == []
