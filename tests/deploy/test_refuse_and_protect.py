"""Refuse what Azure refuses, and protect data (issue 9 item 7), written as the trainer's actions.

- A changed admin.username: plan refuses it with advice (once per VM), deploy writes nothing, and the
  emulator answers a raw SDK update with Azure's 409 PropertyChangeNotAllowed.
- An IANA time zone for auto-shutdown: validate refuses it and names the Windows id; the emulator's
  schedule refuses it too.
- Growing the S2D data disks of running nodes: an update, and the disks read back bigger.
- Removing a node: without --allow-data-loss deploy writes nothing (exit 13) and names the disks; with it,
  the disks are listed and deleted.
"""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azguest.azure import AzureSession
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.deploy.lab import make_plan
from azguest.emulator import Engine
from azguest.errors import ConflictError
from tests.deploy.conftest import EXAMPLES, do_deploy, lab_from, writes

S2D = (EXAMPLES / "s2d-2node.yaml").read_text()
USERNAME_ADVICE = "the admin username is fixed when the VM is created"


def _spec(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _changes(state) -> int:
    """Writes and deletes the persisted emulator has answered so far."""
    by_kind = Engine(state_path=state).stats()["by_kind"]
    return by_kind.get("write", 0) + by_kind.get("delete", 0) + by_kind.get("action", 0)


# --- immutable properties -------------------------------------------------------------------------------
def test_admin_username_change__plan_refuses_with_advice_once_and_deploy_writes_nothing(emulated, tmp_path, capsys):
    assert run(["deploy", _spec(tmp_path, "lab.yaml", S2D), "--yes"]) == 0
    renamed = _spec(tmp_path, "renamed.yaml", S2D.replace("username: labadmin", "username: trainer"))
    capsys.readouterr()
    assert run(["plan", renamed]) == 0
    out = capsys.readouterr().out
    vms = [line for line in out.splitlines() if "replace" in line and " vm " in f" {line} "]
    assert len(vms) == 3  # the DC and both nodes
    assert out.count(USERNAME_ADVICE) == 3  # once per change, not once per difference line
    before = _changes(emulated)
    assert run(["deploy", renamed, "--yes"]) == ExitCode.CONFLICT
    err = capsys.readouterr().err
    assert "AZG-PLAN-IMMUTABLE" in err and err.count(USERNAME_ADVICE) == 1  # one advice for the three VMs
    assert _changes(emulated) == before


def test_admin_username_change__the_emulator_refuses_it_with_azures_code(session, engine):
    lab = lab_from("s2d-2node.yaml")
    do_deploy(session, lab)
    rg = lab.resource_group_name
    vm = session.compute.virtual_machines.get(rg, "hv-s2d-hv01").as_dict()
    for key, value in (("adminUsername", "trainer"), ("computerName", "hv99")):
        body = json.loads(json.dumps(vm))
        body["properties"]["osProfile"][key] = value
        with pytest.raises(HttpResponseError) as ei:
            session.compute.virtual_machines.begin_create_or_update(rg, "hv-s2d-hv01", body).result()
        assert ei.value.status_code == 409 and ei.value.error.code == "PropertyChangeNotAllowed"
    got = session.compute.virtual_machines.get(rg, "hv-s2d-hv01").os_profile
    assert (got.admin_username, got.computer_name) == ("labadmin", "hv01")


def test_os_disk_growth__plan_refuses_with_the_deallocate_advice(engine):
    session = AzureSession.for_engine(engine)
    do_deploy(session, lab_from("s2d-2node.yaml"))
    plan = make_plan(session, lab_from("s2d-2node.yaml", **{"osDisk: {sku: Premium_LRS, sizeGB: 128}":
                                                             "osDisk: {sku: Premium_LRS, sizeGB: 256}"}))
    replaced = plan.by_action("replace")
    assert [c.kind for c in replaced] == ["vm"] * 3 and all("OS disk grows only while" in c.hint for c in replaced)


# --- auto-shutdown time zones ---------------------------------------------------------------------------
@pytest.mark.parametrize(("zone", "suggested"), [("Europe/Berlin", "W. Europe Standard Time"),
                                                  ("America/New_York", "Eastern Standard Time"),
                                                  ("Mars Standard Time", None)])
def test_auto_shutdown_time_zone__validate_refuses_a_non_windows_id_and_suggests_one(tmp_path, capsys, zone,
                                                                                       suggested):
    spec = _spec(tmp_path, "lab.yaml", S2D.replace("timeZone: UTC}", f"timeZone: {zone}}}"))
    assert run(["validate", spec]) == ExitCode.SPEC_INVALID
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert "AZG-TIMEZONE" in err and "lifetime.autoShutdown.timeZone" in err
    assert "did you mean '" in err
    if suggested:
        assert f"did you mean '{suggested}'" in err
    fixed = _spec(tmp_path, "fixed.yaml", S2D.replace("timeZone: UTC}", "timeZone: W. Europe Standard Time}"))
    assert run(["validate", fixed]) == 0


def test_auto_shutdown_time_zone__the_emulator_refuses_an_iana_name(session, engine):
    lab = lab_from("s2d-2node.yaml")
    do_deploy(session, lab)
    sched = next(r for r in session.resource.resources.list_by_resource_group(
        lab.resource_group_name, filter="resourceType eq 'Microsoft.DevTestLab/schedules'"))
    body = session.resource.resources.get_by_id(sched.id, api_version="2018-09-15").as_dict()
    body["properties"]["timeZoneId"] = "Europe/Berlin"
    with pytest.raises(HttpResponseError) as ei:
        session.resource.resources.begin_create_or_update_by_id(sched.id, body, api_version="2018-09-15").result()
    assert ei.value.status_code == 400 and ei.value.error.code == "InvalidTimeZone"
    body["properties"]["timeZoneId"] = "W. Europe Standard Time"
    done = session.resource.resources.begin_create_or_update_by_id(sched.id, body, api_version="2018-09-15").result()
    assert done.properties["timeZoneId"] == "W. Europe Standard Time"


# --- growing disks in place -----------------------------------------------------------------------------
def test_growing_s2d_data_disks__deploys_as_an_update_and_the_disks_read_back_bigger(session, engine):
    lab = lab_from("s2d-2node.yaml")
    do_deploy(session, lab)
    grown = lab_from("s2d-2node.yaml", **{"sizeGB: 256": "sizeGB: 512"})
    plan = make_plan(session, grown)
    assert {c.action for c in plan.changes if c.kind == "disk" and c.differences} == {"update"}
    engine.reset_log()
    record = do_deploy(session, grown)
    assert record.ok and record.summary()["updated"] == 4 and record.summary()["deleted"] == 0
    assert not [e for e in engine.request_log if e.kind == "delete"]
    rg = grown.resource_group_name
    sizes = {d.name: d.disk_size_gb for d in session.compute.disks.list_by_resource_group(rg)
             if (d.tags or {}).get("azguest-role") == "node"}
    assert len(sizes) == 4 and set(sizes.values()) == {512}
    power = {v.name: [s.code for s in v.instance_view.statuses]
             for v in session.compute.virtual_machines.list(rg, expand="instanceView")}
    assert all("PowerState/running" in codes for codes in power.values())  # online: nothing was stopped


def test_growing_a_shared_disk_of_running_nodes__stays_refused_with_advice(engine):
    session = AzureSession.for_engine(engine)
    do_deploy(session, lab_from("shared-disk-3node.yaml"))
    text = (EXAMPLES / "shared-disk-3node.yaml").read_text()
    first = next(line for line in text.splitlines() if "sizeGB: 1024" in line)
    bigger = lab_from("shared-disk-3node.yaml", **{first: first.replace("sizeGB: 1024", "sizeGB: 2048")})
    replaced = make_plan(session, bigger).by_action("replace")
    assert len(replaced) == 1 and "shared disk" in replaced[0].hint and "deallocate" in replaced[0].hint
    engine.reset_log()
    with pytest.raises(ConflictError) as exc:
        do_deploy(session, bigger)
    assert exc.value.code == "AZG-PLAN-IMMUTABLE" and writes(engine) == []


# --- data loss ------------------------------------------------------------------------------------------
def test_removing_a_node__needs_allow_data_loss_and_lists_the_disks(emulated, tmp_path, capsys):
    three = _spec(tmp_path, "three.yaml", S2D.replace("count: 2", "count: 3"))
    assert run(["deploy", three, "--yes"]) == 0
    two = _spec(tmp_path, "two.yaml", S2D)
    capsys.readouterr()
    before = _changes(emulated)
    assert run(["deploy", two, "--yes"]) == ExitCode.DATA_LOSS
    err = capsys.readouterr().err
    assert "AZG-DATA-LOSS" in err and "--allow-data-loss" in err
    assert "hv-s2d-hv03" in err and "256 GiB" in err
    assert _changes(emulated) == before  # nothing was written
    assert run(["deploy", two, "--yes", "-o", "json"]) == ExitCode.DATA_LOSS
    doc = json.loads(capsys.readouterr().out)
    lost = doc["error"]["details"]["disks"]
    data = [d for d in lost if d["role"] == "node"]
    assert len(data) == 2 and all(d["sizeGB"] == 256 for d in data)
    assert any("OS disk" in d["why"] for d in lost)
    assert _changes(emulated) == before
    assert run(["plan", two]) == 0
    assert "DATA LOSS" in capsys.readouterr().out

    assert run(["deploy", two, "--yes", "--allow-data-loss"]) == 0
    err = capsys.readouterr().err
    assert all(d["name"] in err for d in lost)  # the plan shown before applying lists every disk
    session = AzureSession.for_engine(Engine(state_path=emulated))
    for d in lost:
        with pytest.raises(ResourceNotFoundError):
            session.compute.disks.get("rg-hv-s2d", d["name"])
    assert {v.name for v in session.compute.virtual_machines.list("rg-hv-s2d")} == {
        "hv-s2d-dc01", "hv-s2d-hv01", "hv-s2d-hv02"}
