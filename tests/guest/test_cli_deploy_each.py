"""The issue's first demonstration, as the user types it: `azguest deploy examples/<each>.yaml` on the emulator's
Windows model ends with a validated cluster for every storage mode, `azguest test` then passes, and no VM was
restarted more than once during the deploy, counted from the ARM requests the emulator answered."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from azguest.cli.main import run
from azguest.emulator.engine import Engine
from azguest.spec import load_lab
from tests.deploy.conftest import EXAMPLES


@pytest.mark.parametrize("example", ["s2d-2node", "shared-disk-3node", "iscsi-2node"])
def test_deploy_each_example__validated_cluster_test_passes_and_each_vm_restarted_at_most_once(
        emulated, capsys, monkeypatch, example):
    lab = load_lab(EXAMPLES / f"{example}.yaml")
    restarts: Counter = Counter()
    real = Engine.handle

    def counting(self, method, url, headers, body=None):  # the ARM requests, as the emulator receives them
        response = real(self, method, url, headers, body)
        path = url.split("?", 1)[0].lower()
        if method == "POST" and path.endswith("/restart") and response.status < 300:
            restarts[path.rsplit("/", 2)[-2]] += 1
        return response

    monkeypatch.setattr(Engine, "handle", counting)
    capsys.readouterr()
    assert run(["deploy", str(EXAMPLES / f"{example}.yaml"), "--yes", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    configured = {s["key"]: s for s in doc["result"]["configure"]["steps"]}
    first = lab.cluster.nodes.names()[0]
    assert configured[f"cluster-validate@{first}"]["data"].get("passed") is True
    assert configured[f"cluster-create@{first}"]["data"].get("managementPoint") == "Distributed"

    assert restarts and max(restarts.values()) == 1, restarts  # every VM at most once during the deploy
    assert set(restarts) >= {f"{lab.name}-{n}".lower() for n in lab.cluster.nodes.names()}

    assert run(["test", lab.name, "-o", "json"]) == 0
    checks = json.loads(capsys.readouterr().out)["result"]["checks"]
    assert checks and all(c["ok"] for c in checks), [c for c in checks if not c["ok"]]



def test_destroy_of_a_configured_lab__run_commands_go_with_their_vms_and_nothing_is_reported_kept(emulated, capsys):
    """The guest steps' run commands are children of the VMs: destroy must neither report them as 'kept' (they
    are not) nor leave any behind."""
    from azguest.azure import AzureSession, kinds
    from azguest.deploy.teardown import plan_teardown

    assert run(["deploy", str(EXAMPLES / "s2d-2node.yaml"), "--yes", "-o", "json"]) == 0
    with AzureSession.for_engine(Engine(state_path=emulated)) as session:
        run_commands = [i for i in kinds.list_tagged(session, "azguest-lab", "hv-s2d")
                        if i["type"].lower().endswith("/runcommands")]
        td = plan_teardown(session, "hv-s2d")
    assert run_commands  # the guest steps left their run commands, tagged for the lab
    assert td.kept == ()
    capsys.readouterr()
    assert run(["destroy", "hv-s2d", "--yes"]) == 0
    assert "kept:" not in capsys.readouterr().out
    with AzureSession.for_engine(Engine(state_path=emulated)) as session:
        assert kinds.list_tagged(session, "azguest-lab", "hv-s2d") == []
