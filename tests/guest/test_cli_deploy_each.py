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
