"""Flags as users type them: --allow-unknown-size on plan and deploy as on validate; destroy's -j help."""

from __future__ import annotations

import json

from azguest.cli.main import run
from tests.deploy.conftest import EXAMPLES


def _unknown_size_spec(tmp_path):
    spec = tmp_path / "lab.yaml"
    text = (EXAMPLES / "s2d-2node.yaml").read_text(encoding="utf-8")
    assert text.count("size: Standard_D8s_v5") == 1
    spec.write_text(text.replace("size: Standard_D8s_v5", "size: Standard_D8s_v9"), encoding="utf-8")
    return str(spec)


def test_plan_and_deploy__accept_allow_unknown_size_as_validate_does(emulated, tmp_path, capsys):
    spec = _unknown_size_spec(tmp_path)
    for command in (["validate", spec], ["plan", spec]):
        run(command)
        assert "AZG-SIZE-UNKNOWN" in "".join(capsys.readouterr())
    for command in (["validate", spec, "--allow-unknown-size"], ["plan", spec, "--allow-unknown-size"]):
        assert run(command) == 0
        assert "AZG-SIZE-UNKNOWN" not in "".join(capsys.readouterr())
    run(["deploy", spec, "--allow-unknown-size", "--yes", "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert not [w for w in doc.get("warnings") or [] if w["code"] == "AZG-SIZE-UNKNOWN"]
    assert doc["error"]["code"] == "AZG-SKU"  # past the spec check: preflight finds no D8s_v9 in the region


def test_destroy_help__concurrency_is_about_deleting(capsys):
    assert run(["destroy", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Resources deleted in parallel" in out and "created in parallel" not in out
