"""The user's commands: `deploy --no-configure` leaves the guests alone, `configure SPEC` then runs the
steps, and a plain `deploy` configures the guests after the Azure side (persisted emulator, in process)."""

from __future__ import annotations

import json

from azguest.cli.main import run
from tests.deploy.conftest import EXAMPLES

SPEC = str(EXAMPLES / "s2d-2node.yaml")


def _json(capsys, *argv: str) -> tuple[int, dict]:
    capsys.readouterr()
    rc = run([*argv, "-o", "json"])
    return rc, json.loads(capsys.readouterr().out)


def test_deploy_no_configure_then_configure_then_deploy_changes_nothing(emulated, capsys):
    rc, doc = _json(capsys, "deploy", SPEC, "--yes", "--no-configure")
    assert rc == 0 and "configure" not in doc["result"]
    rc, doc = _json(capsys, "configure", SPEC)  # steps to run and no --yes, no terminal: refused
    assert rc != 0 and doc["error"]["code"] == "AZG-CONFIRM-NEEDED"
    rc, doc = _json(capsys, "configure", SPEC, "--yes")
    assert rc == 0 and doc["result"]["ok"] and doc["result"]["summary"]["restarted"] == 3
    assert {s["key"].split("@")[0] for s in doc["result"]["steps"]} >= {"dc-promote", "cluster-create", "workloads"}
    rc, doc = _json(capsys, "deploy", SPEC, "--yes")
    assert rc == 0 and doc["result"]["configure"]["note"] == "no changes"
    assert doc["result"]["configure"]["summary"]["ran"] == 0


def test_configure_human_output_names_each_step_and_the_restarts(emulated, capsys):
    assert run(["deploy", SPEC, "--yes", "--no-configure"]) == 0
    capsys.readouterr()
    assert run(["configure", SPEC, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "dc-promote@dc01" in out and "restart@hv01" in out and "3 VM restart(s)" in out
