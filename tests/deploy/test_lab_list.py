"""`azguest lab list`: the trainer sees every lab azguest created, with group, location, expiry, VM count and
power states; hand-tagged groups are not labs, and reads do not grow with lab size."""

from __future__ import annotations

import json

from azguest.azure import kinds as K
from azguest.cli.main import run
from azguest.deploy.labs import list_labs
from tests.deploy.conftest import EXAMPLES, cli_deployed, do_deploy
from tests.deploy.test_ownership import fast, group  # noqa: F401  (fixture and helper)


def test_lab_list__each_lab_with_group_expiry_vm_count_and_power(fast, s2d_lab, shared_lab):  # noqa: F811
    assert do_deploy(fast, s2d_lab).ok and do_deploy(fast, shared_lab).ok
    node = K.KINDS["vm"].arm_id(fast.subscription_id, s2d_lab.resource_group_name, "hv-s2d-hv02")
    K.action(fast, K.KINDS["vm"], node, "deallocate")
    group(fast, "rg-team", {"azguest-lab": "ghost", "azguest-created": "true"})  # the lab tag alone: not a lab
    labs = {x.lab: x for x in list_labs(fast)}
    assert sorted(labs) == sorted([s2d_lab.name, shared_lab.name])
    s2d = labs[s2d_lab.name]
    expiry = fast.resource.resource_groups.get(s2d_lab.resource_group_name).tags["azguest-expires"]
    assert (s2d.resource_group, s2d.location, s2d.expires, s2d.vms) == (
        s2d_lab.resource_group_name, "westeurope", expiry, 3)
    assert dict(s2d.power) == {"running": 2, "deallocated": 1} and s2d.power_summary == "2 running, 1 deallocated"
    assert s2d.created and not s2d.ambiguous
    assert s2d.state == "mixed" and s2d.owner == "trainer@example.com"
    running_cost = labs[shared_lab.name].cost_per_hour
    for vm in fast.compute.virtual_machines.list(shared_lab.resource_group_name):
        K.action(fast, K.KINDS["vm"], vm.id, "deallocate")
    stopped = {x.lab: x for x in list_labs(fast)}[shared_lab.name]
    assert stopped.state == "deallocated" and 0 < stopped.cost_per_hour < running_cost  # disks still bill
    assert labs[shared_lab.name].vms == 1 + shared_lab.cluster.nodes.count


def test_lab_list__reads_one_tag_query_then_one_list_per_lab_whatever_its_size(fast, s2d_lab, shared_lab):  # noqa: F811
    assert do_deploy(fast, s2d_lab).ok and do_deploy(fast, shared_lab).ok
    fast.engine.reset_log()
    assert len(list_labs(fast)) == 2
    reads = [e for e in fast.engine.request_log if e.kind == "read"]
    assert len(reads) == 1 + 2, [e.path for e in reads]
    assert not [e for e in fast.engine.request_log if e.kind != "read"]


def test_lab_list__a_second_group_dressed_as_the_lab_is_shown_as_ambiguous(fast, s2d_lab):  # noqa: F811
    assert do_deploy(fast, s2d_lab).ok
    group(fast, "rg-prod", {"azguest-lab": s2d_lab.name, "azguest-role": "network",
                            "azguest-spec": "fedcba9876543210"})
    rows = list_labs(fast)
    assert [(x.resource_group, x.ambiguous, x.vms) for x in rows] == [
        (s2d_lab.resource_group_name, True, 3), ("rg-prod", True, 0)]


def test_cli_lab_list__json_and_piped_table_with_whole_names(emulated, capsys):
    assert run(["lab", "list", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["result"] == {"labs": []}
    cli_deployed(emulated, EXAMPLES / "s2d-2node.yaml")
    capsys.readouterr()
    assert run(["lab", "list", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["command"] == "lab list" and doc["error"] is None
    [row] = doc["result"]["labs"]
    assert (row["lab"], row["resourceGroup"], row["vms"], row["power"]) == ("hv-s2d", "rg-hv-s2d", 3, {"running": 3})
    assert (row["owner"], row["state"]) == ("trainer@example.com", "running") and row["costPerHour"] > 0
    assert run(["lab", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["lab", "resource", "group", "location", "expires", "owner", "state", "VMs", "power",
                                "cost/h", "now"]
    assert lines[1].split()[:2] == ["hv-s2d", "rg-hv-s2d"] and "3 running" in lines[1]
