"""`azguest test LAB`: the health checks, on the emulator's windows-model guest (real SDK) and through the CLI.

A configured lab passes every check; a node deallocated from outside fails the checks that see it (and the
command exits 14 naming them, table or JSON); a cluster that lost its validation report, a witness gone or
two workloads of one class on a node are each named; the checks refuse to run while another run holds the
lab's lease."""

from __future__ import annotations

import json

import pytest

from azguest.azure import AzureSession
from azguest.azure import kinds as K
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.deploy.lease import LeasePolicy, holding
from azguest.errors import HealthError, LeaseHeldError
from azguest.guest import ops
from azguest.guest.health import CHECKS, check_lab, cluster_checks, run_checks
from tests.deploy.conftest import EXAMPLES, cli_deployed, emulated  # noqa: F401  (fixture)
from tests.guest.test_stop_start import configured

HEALTHY = {
    "cluster": "hvclu", "state": "Running", "quorum": True,
    "nodes": [{"name": "HV01", "state": "Up"}, {"name": "HV02", "state": "Up"}],
    "validation": {"passed": True, "failed": [], "time": "2026-11-30T07:00:00Z"},
    "pool": {"name": "S2D on hvclu", "health": "Healthy", "operational": "OK"},
    "virtualDisks": [{"name": "Volume1", "health": "Healthy", "operational": "OK"}], "disks": [],
    "csvs": [{"name": "Volume1", "path": "C:\\ClusterStorage\\Volume1", "state": "Online"}],
    "witness": {"type": "Cloud", "resource": "stlab", "state": "Online"},
    "roles": [{"name": "web01", "owner": "HV01", "state": "Online", "antiAffinityClassNames": ["web"]},
              {"name": "web02", "owner": "HV02", "state": "Online", "antiAffinityClassNames": ["web"]}],
    "storageJobs": [], "dns": {"name": "hvclu", "addresses": ["10.20.1.5", "10.20.1.6"]},
}
INV = ops.Inventory("hv-s2d", "rg-hv-s2d", tuple(ops.LabVm(f"hv-s2d-{c}", f"/x/{c}", c, "node", "running", ())
                                                for c in ("hv01", "hv02")))


def judged(data) -> dict[str, str]:
    """Failing check name -> its detail."""
    return {c.name: c.detail for c in cluster_checks(INV, data, "") if not c.ok}


def test_checks__healthy_data_passes_and_each_fault_is_named():
    assert judged(HEALTHY) == {}
    both_on_one = {**HEALTHY, "roles": [{**r, "owner": "HV01"} for r in HEALTHY["roles"]]}
    assert judged(both_on_one) == {"anti-affinity": "sharing a node: web01, web02 of class web on HV01"}
    failed = {**HEALTHY, "validation": {"passed": False, "failed": [
        {"test": "Validate Network Communication", "node": "HV02"}]}}
    assert "Validate Network Communication (HV02)" in judged(failed)["validation-passed"]
    assert judged({**HEALTHY, "validation": None}) == {"validation-passed": "no validation report"}
    assert set(judged({**HEALTHY, "witness": None, "dns": {"name": "hvclu", "addresses": []}})) == {
        "witness-online", "cluster-dns"}
    repairing = {**HEALTHY, "storageJobs": [{"name": "Repair", "state": "Running", "percentComplete": 40}]}
    assert "Repair Running 40%" in judged(repairing)["storage-healthy"]
    stopped = {**HEALTHY, "state": "Stopped"}
    assert judged(stopped)["nodes-in-cluster"] == "cluster hvclu is Stopped"
    assert [c.name for c in cluster_checks(INV, None, "no node runs")] == list(CHECKS[2:])


def test_test__a_configured_lab_passes_every_check_then_a_node_stopped_from_outside_fails_by_name(session, engine,
                                                                                                 s2d_lab):
    configured(engine, s2d_lab)
    report = check_lab(session, s2d_lab.name)
    assert report.ok and [c.name for c in report.checks] == list(CHECKS) and report.host
    vm = ops.inventory(session, s2d_lab.name).nodes[1]
    K.action(session, K.KINDS["vm"], vm.id, "deallocate")  # the portal, not azguest stop
    with pytest.raises(HealthError) as info:
        check_lab(session, s2d_lab.name)
    e = info.value
    failed = set(e.details["failed"])
    assert {"vms-running", "nodes-in-cluster", "storage-healthy"} <= failed
    assert "validation-passed" not in failed and "dc-answers" not in failed
    assert e.code == "AZG-TEST-FAILED" and "nodes-in-cluster" in e.message
    details = {c["name"]: c["detail"] for c in e.result["checks"]}
    assert vm.name in details["vms-running"] and f"{vm.computer} (Down)".upper() in details["nodes-in-cluster"].upper()
    assert e.result["ok"] is False and len(e.result["checks"]) == len(CHECKS)


def test_test__refused_while_another_run_holds_the_lease(engine, s2d_lab):
    session = AzureSession.for_engine(engine)
    configured(engine, s2d_lab)
    other = LeasePolicy(command="stop", holder="ops@jump pid=7 stop", settle_s=0, renew_every_s=None)
    with holding(session, [s2d_lab.resource_group_name], s2d_lab.name, other):
        with pytest.raises(LeaseHeldError, match="ops@jump"):
            run_checks(session, s2d_lab.name)


def test_cli__test_stop_start_with_a_table_json_and_exit_codes(emulated, capsys):  # noqa: F811
    """The user's commands on a persisted emulator: deploy (configures), test, stop, test fails (14), start,
    test passes again."""
    cli_deployed(emulated, EXAMPLES / "s2d-2node.yaml")
    capsys.readouterr()
    assert run(["test", "hv-s2d"]) == 0
    out = capsys.readouterr().out
    assert "cluster-dns" in out and "PASS" in out and "FAIL" not in out

    assert run(["stop", "hv-s2d", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and doc["result"]["command"] == "stop"
    assert [s["key"] for s in doc["result"]["stages"]][:2] == ["workloads-stop", "cluster-stop"]
    assert doc["result"]["stages"][-1]["key"] == "deallocate@dc01"

    assert run(["test", "hv-s2d"]) == ExitCode.TEST_FAILED == 14
    captured = capsys.readouterr()
    assert "FAIL" in captured.out and "vms-running" in captured.out and "AZG-TEST-FAILED" in captured.err

    assert run(["start", "hv-s2d", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["result"]["stages"][0]["key"] == "start@dc01" and doc["result"]["ok"]
    assert run(["test", "hv-s2d", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["result"]["ok"] and all(c["ok"] for c in doc["result"]["checks"])
