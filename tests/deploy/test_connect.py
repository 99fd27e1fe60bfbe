"""`azguest connect LAB` and the access table of `status`: the trainer finds each VM's IPs, the admin user and
the way in (an .rdp file for the VM with a public IP, Bastion/JIT advice otherwise), and never a secret."""

from __future__ import annotations

import json
from pathlib import Path

from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.deploy.connect import lab_access
from tests.deploy.conftest import EXAMPLES, PASSWORD, cli_deployed, do_deploy

S2D = (EXAMPLES / "s2d-2node.yaml").read_text()


def _spec(tmp_path: Path, rdp_from: str = "[]") -> str:
    path = tmp_path / "lab.yaml"
    path.write_text(S2D.replace("allowRdpFrom: []", f"allowRdpFrom: {rdp_from}"))
    return str(path)


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_connect__writes_an_rdp_file_for_the_dc_with_its_public_ip_and_never_a_password(
        emulated, tmp_path, capsys):
    spec = _spec(tmp_path, "[203.0.113.0/24]")
    cli_deployed(emulated, spec)
    capsys.readouterr()
    rdp_dir = tmp_path / "rdp"
    assert run(["connect", "hv-s2d", "--spec", spec, "--rdp-dir", str(rdp_dir), "-o", "json"]) == 0
    out = capsys.readouterr().out
    vms = {v["computerName"]: v for v in json.loads(out)["result"]["vms"]}
    dc = vms["dc01"]
    assert dc["role"] == "dc" and dc["privateIps"] == ["10.20.1.4"] and dc["publicIp"]
    assert dc["username"] == "LAB\\labadmin"
    text = (rdp_dir / "hv-s2d-dc01.rdp").read_text()
    assert f"full address:s:{dc['publicIp']}:3389" in text and "username:s:LAB\\labadmin" in text
    assert "password" not in text.lower() and PASSWORD not in text and PASSWORD not in out
    assert sorted(p.name for p in rdp_dir.iterdir()) == ["hv-s2d-dc01.rdp"]  # the nodes have no public IP
    node = vms["hv01"]
    assert node["publicIp"] is None and node["rdpFile"] is None and node["privateIps"] == ["10.20.1.5", "10.20.2.4"]
    assert node["bastionCommand"].startswith("az network bastion rdp --name bastion-hv-s2d --resource-group "
                                             "rg-hv-s2d --target-resource-id /subscriptions/")
    assert node["bastionCommand"].endswith("/virtualMachines/hv-s2d-hv01")


def test_connect__without_a_public_ip_gives_bastion_and_no_rdp_file(emulated, tmp_path, capsys):
    spec = _spec(tmp_path)
    cli_deployed(emulated, spec)
    capsys.readouterr()
    rdp_dir = tmp_path / "rdp"
    assert run(["connect", "hv-s2d", "--rdp-dir", str(rdp_dir)]) == 0
    out = capsys.readouterr().out
    assert not rdp_dir.exists()
    assert ".\\labadmin" in out and "az network bastion create -g rg-hv-s2d -n bastion-hv-s2d" in out
    assert "--vnet-name hv-s2d-vnet" in out and "AzureBastionSubnet" in out
    assert "Just-in-time" not in out  # JIT opens a public IP's port: no VM has one
    assert PASSWORD not in out


def test_connect__a_spec_of_another_lab_is_refused(emulated, tmp_path, capsys):
    cli_deployed(emulated, _spec(tmp_path))
    other = tmp_path / "other.yaml"
    other.write_text(S2D.replace("name: hv-s2d", "name: hv-other"))
    capsys.readouterr()
    assert run(["connect", "hv-s2d", "--spec", str(other), "--rdp-dir", str(tmp_path)]) == ExitCode.USAGE
    assert "hv-other" in capsys.readouterr().err


def test_connect__unknown_lab_is_not_found_in_json(emulated, capsys):
    assert run(["connect", "ghost", "-o", "json"]) == ExitCode.NOT_FOUND
    assert _json(capsys)["error"]["code"] == "AZG-LAB-NOT-FOUND"


def test_status__shows_the_same_access_table_with_the_domain_user_from_the_spec(emulated, tmp_path, capsys):
    spec = _spec(tmp_path, "[203.0.113.0/24]")
    cli_deployed(emulated, spec)
    capsys.readouterr()
    assert run(["status", "hv-s2d", "--spec", spec, "-o", "json"]) == 0
    access = {a["name"]: a for a in _json(capsys)["result"]["access"]}
    assert access["hv-s2d-dc01"]["publicIp"] and access["hv-s2d-dc01"]["username"] == "LAB\\labadmin"
    assert run(["status", "hv-s2d"]) == 0
    out = capsys.readouterr().out
    assert access["hv-s2d-dc01"]["publicIp"] in out and ".\\labadmin" in out and PASSWORD not in out


def test_lab_access__reads_one_tag_query_and_three_lists_whatever_the_lab_size(session, engine, shared_lab):
    assert do_deploy(session, shared_lab).ok
    engine.reset_log()
    access = lab_access(session, shared_lab.name)
    reads = [e for e in engine.request_log if e.kind == "read"]
    assert len(reads) == 4, [e.path for e in reads]
    assert [v.role for v in access.vms][:1] == ["dc"] and len(access.vms) == 1 + shared_lab.cluster.nodes.count
    assert all(v.username == f".\\{shared_lab.admin.username}" for v in access.vms)


def test_lab_access__a_vm_without_the_full_tag_set_is_not_the_labs(session, engine, s2d_lab):
    assert do_deploy(session, s2d_lab).ok
    session.compute.virtual_machines.begin_update(  # someone's hand tag, not azguest's full set
        s2d_lab.resource_group_name, "hv-s2d-hv02", {"tags": {"azguest-spec": "not-a-hash"}}).result()
    names = [v.name for v in lab_access(session, s2d_lab.name).vms]
    assert names == ["hv-s2d-dc01", "hv-s2d-hv01"]
