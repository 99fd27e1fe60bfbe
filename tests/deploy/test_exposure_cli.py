"""plan / deploy as a careless user or an attacker would run them, on the persisted embedded emulator:
RDP opened to the internet, a password pasted into the spec, a password kept in Key Vault."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from azguest.azure import AzureSession, resolve_target
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.emulator import Engine
from tests.deploy.conftest import EXAMPLES

S2D = (EXAMPLES / "s2d-2node.yaml").read_text()
DC_IP = "10.20.1.4"
PASTED = "Pasted-Pa55word!x"
KV_VALUE = "Kv-Only-Pa55word!"
KV_REF = "{fromKeyVault: {vault: kv-hv-s2d, secret: lab-admin}}"


def _spec(tmp_path: Path, **edits: str) -> str:
    text = S2D
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "lab.yaml"
    path.write_text(text)
    return str(path)


def _rdp(tmp_path: Path, cidrs: str) -> str:
    return _spec(tmp_path, **{"allowRdpFrom: []": f"allowRdpFrom: [{cidrs}]"})


def _writes(state: Path) -> int:
    """Writes the emulator ever answered (the request-log counters persisted in its state file)."""
    if not state.exists():
        return 0
    by_kind = Engine(state_path=state).stats()["by_kind"]
    return by_kind["write"] + by_kind["delete"] + by_kind["action"]


@pytest.mark.parametrize("cidrs", ["0.0.0.0/0", "0.0.0.0/1, 128.0.0.0/1"])
@pytest.mark.parametrize("command", ["deploy", "plan"])
def test_rdp_open_to_the_internet__refused_before_any_write(emulated, tmp_path, capsys, cidrs,  # noqa: F811
                                                            command):
    spec = _rdp(tmp_path, cidrs)
    args = [command, spec] + (["--yes"] if command == "deploy" else [])
    assert run(args) == ExitCode.SPEC_INVALID
    err = capsys.readouterr().err
    assert "AZG-NET-RDP-OPEN" in err and "--allow-public-rdp" in err
    assert run(args + ["-o", "json"]) == ExitCode.SPEC_INVALID
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"]["code"] == "AZG-SPEC-INVALID"
    assert "AZG-NET-RDP-OPEN" in {f["code"] for f in doc["error"]["details"]["findings"]}
    assert _writes(emulated) == 0


def test_allow_public_rdp__deploys_with_the_warning_and_rdp_reaches_only_the_dc(emulated, tmp_path,  # noqa: F811
                                                                                 capsys):
    spec = _rdp(tmp_path, "0.0.0.0/1, 128.0.0.0/1")
    assert run(["plan", spec, "--allow-public-rdp", "-o", "json"]) == 0
    assert [w["code"] for w in json.loads(capsys.readouterr().out)["warnings"]] == ["AZG-NET-RDP-OPEN"]
    assert run(["deploy", spec, "--yes", "--allow-public-rdp", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and [w["code"] for w in doc["warnings"]] == ["AZG-NET-RDP-OPEN"]
    with AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(emulated)})) as s:
        [rule] = s.network.network_security_groups.get("rg-hv-s2d", "hv-s2d-nsg").security_rules
        public = [n for n in s.network.network_interfaces.list("rg-hv-s2d")
                  if any(c.public_ip_address for c in n.ip_configurations)]
    assert rule.destination_port_range == "3389" and rule.destination_address_prefix == f"{DC_IP}/32"
    assert [n.ip_configurations[0].private_ip_address for n in public] == [DC_IP]  # the one VM with a public IP


def test_deploy_human__every_validator_warning_is_printed(emulated, tmp_path, capsys):  # noqa: F811
    spec = _spec(tmp_path, **{"allowRdpFrom: []": "allowRdpFrom: [0.0.0.0/0]", "name: hv-s2d": "name: hv-s2d\n"
                              "purpose: production"})
    assert run(["deploy", spec, "--yes", "--allow-public-rdp"]) == 0
    err = capsys.readouterr().err
    assert "warning [AZG-NET-RDP-OPEN]" in err and "warning [AZG-NESTED-PRODUCTION]" in err


@pytest.mark.parametrize("output", [[], ["-o", "json"]])
def test_password_pasted_as_from_env__refused_and_never_printed(emulated, tmp_path, capsys, output):  # noqa: F811
    spec = _spec(tmp_path, **{"{fromEnv: AZGUEST_ADMIN_PASSWORD}": f'{{fromEnv: "{PASTED}"}}'})
    for command in (["deploy", spec, "--yes"], ["plan", spec], ["validate", spec]):
        assert run(command + output) == ExitCode.SPEC_INVALID
        out = capsys.readouterr()
        assert PASTED not in out.out + out.err
        assert "AZG-SECRET-ENV-NAME" in out.out + out.err
    assert _writes(emulated) == 0


def test_from_key_vault__deploy_reads_the_secret_through_the_sdk(emulated, tmp_path, capsys,  # noqa: F811
                                                                 monkeypatch):
    spec = _spec(tmp_path, **{"{fromEnv: AZGUEST_ADMIN_PASSWORD}": KV_REF})
    assert run(["deploy", spec, "--yes", "-o", "json"]) == ExitCode.AZURE_ERROR  # not seeded: the vault says so
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"]["code"] == "SecretNotFound"
    vms = Engine(state_path=emulated).stats()["by_type"].get("Microsoft.Compute/virtualMachines", {})
    assert vms.get("write", 0) == 0  # the password is resolved before any VM is written
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    assert run(["emulator", "set-secret", "kv-hv-s2d", "lab-admin"]) == 0
    assert "weak" not in capsys.readouterr().out
    assert run(["deploy", spec, "--yes", "-o", "json"]) == ExitCode.USAGE  # the value was read and checked
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "AZG-SECRET-WEAK"
    monkeypatch.setenv("SEED", KV_VALUE)
    assert run(["emulator", "set-secret", "kv-hv-s2d", "lab-admin", "--from-env", "SEED"]) == 0
    capsys.readouterr()
    assert run(["deploy", spec, "--yes", "-o", "json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["ok"] and KV_VALUE not in out.out + out.err
    stats = Engine(state_path=emulated).stats()
    assert stats["by_type"]["Microsoft.KeyVault/vaults/secrets"]["read"] >= 3
    # the state keeps what was seeded (once), and nothing the deploy sent (the VMs' adminPassword)
    assert emulated.read_bytes().count(KV_VALUE.encode()) == 1
