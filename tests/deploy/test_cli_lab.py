"""The lab commands end to end through azguest.cli.main.run, on the persisted embedded emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from azguest.azure import AzureSession, resolve_target
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.deploy.teardown import expired_labs
from azguest.emulator import Engine
from tests.deploy.conftest import EXAMPLES, PASSWORD

SPEC = str(EXAMPLES / "s2d-2node.yaml")


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_deploy__without_terminal_or_yes_refuses_and_writes_nothing(emulated, capsys):
    assert run(["deploy", SPEC]) == ExitCode.CONFIRM_NEEDED
    err = capsys.readouterr().err
    assert "AZG-CONFIRM-NEEDED" in err and "--yes" in err
    assert Engine(state_path=emulated).stats()["by_kind"]["write"] == 0


def test_lab_lifecycle__deploy_plan_status_destroy_in_json(emulated, capsys):
    assert run(["deploy", SPEC, "--yes", "-o", "json"]) == 0
    out = _json(capsys)
    assert out["schema"] == "azguest/v1" and out["ok"] and out["result"]["summary"]["created"] == 21
    assert PASSWORD not in json.dumps(out)
    assert run(["plan", SPEC, "-o", "json"]) == 0
    assert set(_json(capsys)["result"]["summary"]) == {"noChange"}
    assert run(["status", "hv-s2d", "-o", "json"]) == 0
    st = _json(capsys)["result"]
    assert [v["powerState"] for v in st["vms"]] == ["running"] * 3 and st["expires"]
    assert run(["destroy", "hv-s2d"]) == ExitCode.CONFIRM_NEEDED
    capsys.readouterr()
    assert run(["destroy", "hv-s2d", "--yes", "-o", "json"]) == 0
    assert _json(capsys)["result"]["ok"]
    assert run(["status", "hv-s2d", "-o", "json"]) == ExitCode.NOT_FOUND
    assert _json(capsys)["error"]["code"] == "AZG-LAB-NOT-FOUND"


def test_gc__finds_only_expired_labs(emulated, capsys):
    assert run(["deploy", SPEC, "--yes"]) == 0
    capsys.readouterr()
    assert run(["gc", "--dry-run", "-o", "json"]) == 0
    assert _json(capsys)["result"]["expired"] == []
    session = AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(emulated)}))
    later = datetime.now(UTC) + timedelta(days=8)  # the example expires after 7d
    assert list(expired_labs(session, now=later)) == ["hv-s2d"]


def test_no_subscription__one_clear_error_naming_both_ways(monkeypatch, capsys):
    for var in ("AZGUEST_EMULATOR", "AZURE_SUBSCRIPTION_ID", "AZGUEST_ARM_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    assert run(["status", "x"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "--subscription" in err and "--emulator" in err and "Traceback" not in err


def test_invalid_spec__deploy_exits_2_before_any_azure_call(emulated, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "s2d-2node.yaml").read_text().replace("count: 2", "count: 4"))
    assert run(["deploy", str(bad), "--yes"]) == ExitCode.SPEC_INVALID
    assert not emulated.exists() or Engine(state_path=emulated).stats()["total"] == 0


def test_deploy__failure_in_json_is_one_document_with_the_record_and_the_arm_code(emulated, tmp_path, capsys,
                                                                                   monkeypatch):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"base": "fast", "faults": {"lro_failures": [
        {"type": "Microsoft.Compute/virtualMachines", "name": "*hv02", "code": "AllocationFailed"}]}}))
    monkeypatch.setenv("AZGUEST_EMULATOR_PROFILE", str(profile))
    assert run(["deploy", SPEC, "--yes", "-o", "json"]) == ExitCode.PARTIAL
    doc = json.loads(capsys.readouterr().out)  # exactly one JSON document
    assert doc["ok"] is False and doc["error"]["code"] == "AllocationFailed" and doc["error"]["kind"] == "partial"
    failed = [r for r in doc["result"]["resources"] if r["state"] == "failed"]
    assert [r["name"] for r in failed] == ["hv-s2d-hv02"] and failed[0]["error"]["code"] == "AllocationFailed"
