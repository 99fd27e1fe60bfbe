"""The spec commands through azguest.cli.main.run: exit codes, JSON output, init, schema."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from azguest.cli.main import run
from azguest.errors import UsageError
from azguest.spec.schema import schema_text
from tests.spec.conftest import BASES, ROOT, base_text, mutate


def test_validate__valid_exit_0(capsys):
    assert run(["validate", str(BASES["s2d"])]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "hv-s2d" in out


def test_validate__errors_exit_2_with_location(capsys, write_spec):
    text = mutate(base_text("s2d"), [("    count: 2", "    count: 4")])
    line = text.splitlines().index("    count: 4") + 1
    p = write_spec(text)
    assert run(["validate", str(p)]) == 2
    out = capsys.readouterr().out
    assert f"{p}:{line}:5 cluster.nodes.count: error [AZG-S2D-NODES]" in out


def test_validate__warning_exit_0_strict_exit_2(capsys, write_spec):
    p = write_spec(mutate(base_text("s2d"), [("Standard_D8s_v5", "Standard_Q8s_v9")]))
    assert run(["validate", str(p)]) == 0
    assert run(["validate", "--strict", str(p)]) == 2
    assert run(["validate", "--strict", "--allow-unknown-size", str(p)]) == 0
    assert "AZG-SIZE-UNKNOWN" in capsys.readouterr().out


def test_validate__json(capsys, write_spec):
    p = write_spec(mutate(base_text("s2d"), [("  witness: cloud", "  witness: disk")]))
    assert run(["validate", str(p), "--output", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "azguest/v1" and doc["command"] == "validate" and doc["ok"] is False
    (f,) = doc["result"]["findings"]
    assert (f["code"], f["path"], f["severity"], f["line"]) == ("AZG-S2D-WITNESS", "cluster.witness", "error", 46)
    assert doc["result"]["counts"]["error"] == 1


def test_validate__json_valid(capsys):
    assert run(["validate", str(BASES["shared"]), "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["result"]["lab"] == "hv-shared" and len(doc["result"]["specHash"]) == 12


def test_validate__show_defaults(capsys):
    assert run(["validate", "--show-defaults", str(BASES["training"])]) == 0
    out = capsys.readouterr().out
    assert "securityType: Standard" in out and "# default" in out
    assert run(["validate", "--show-defaults", "-o", "json", str(BASES["training"])]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["result"]["effective"]["backup"]["mode"] == "auto"


def test_validate__show_defaults_fills_derived_values(capsys):
    """Omitted resourceGroup / netbios / witness account show what deploy will use, not null."""
    assert run(["validate", "--show-defaults", str(BASES["training"])]) == 0
    out = capsys.readouterr().out
    assert "resourceGroup: rg-train01" in out and "netbios: TRAIN" in out
    assert "witnessStorageAccount: sttrain01" in out
    assert run(["validate", "--show-defaults", "-o", "json", str(BASES["training"])]) == 0
    effective = json.loads(capsys.readouterr().out)["result"]["effective"]
    assert effective["resourceGroup"] == "rg-train01"


def test_validate__not_yaml_no_traceback(capsys, tmp_path):
    p = tmp_path / "x.yaml"
    p.write_bytes(b"\x00\x01\x02binary")
    assert run(["validate", str(p)]) == 2
    assert run(["validate", str(tmp_path / "missing.yaml")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "AZG-SPEC-FILE" in captured.out


def test_schema__stdout_and_file(capsys, tmp_path):
    assert run(["schema"]) == 0
    assert capsys.readouterr().out == schema_text()
    out = tmp_path / "s.json"
    assert run(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["title"] == "Lab"


def test_init__each_mode_validates_clean(capsys, tmp_path):
    for mode, nodes in (("s2d", 2), ("s2d", 3), ("shared-disk", 3), ("shared-disk", 8), ("iscsi", 4)):
        out = tmp_path / f"{mode}-{nodes}.yaml"
        assert run(["init", "--storage", mode, "--nodes", str(nodes), "lab1", "--out", str(out)]) == 0
        assert run(["validate", "--strict", str(out)]) == 0, out.read_text()
    assert "# yaml-language-server: $schema=" in out.read_text()


@pytest.mark.parametrize(("mode", "top"), [("s2d", 3), ("shared-disk", 10), ("iscsi", 16)])
def test_init__every_supported_node_count_validates_strict(mode, top):
    from azguest.spec import load_text
    from azguest.spec.starter import render_starter

    for nodes in range(2, top + 1):
        result = load_text(render_starter("lab1", storage=mode, nodes=nodes), filename=f"{mode}-{nodes}.yaml")
        assert result.findings == [], [f.render() for f in result.findings]


def test_init__refuses_invalid_combination__core(tmp_path):
    from azguest.spec.starter import render_starter

    with pytest.raises(UsageError) as e:
        render_starter("lab1", storage="s2d", nodes=4)
    assert e.value.code == "AZG-INIT-INVALID"


def test_init__refuses_invalid_combination_and_overwrite(capsys, tmp_path):
    out = tmp_path / "l.yaml"
    assert run(["init", "--storage", "s2d", "--nodes", "4", "lab1", "--out", str(out)]) == 64
    assert not out.exists()
    assert "AZG-INIT-INVALID" in capsys.readouterr().err
    assert run(["init", "lab1", "--out", str(out)]) == 0
    assert run(["init", "lab1", "--out", str(out)]) == 64
    assert run(["init", "bad_name!", "--out", str(tmp_path / "b.yaml")]) == 64


def test_init__in_repo_uses_relative_schema(tmp_path):
    from azguest.spec.starter import render_starter

    text = render_starter("lab1", out=ROOT / "examples" / "new.yaml")
    assert text.startswith("# yaml-language-server: $schema=../azguest/spec/lab.schema.json")


def test_init__outside_the_checkout_writes_the_schema_id_not_a_path(tmp_path, monkeypatch):
    from azguest.spec.schema import SCHEMA_ID

    monkeypatch.chdir(tmp_path)
    assert run(["init", "lab1"]) == 0
    first = (tmp_path / "lab1.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_ID}"
    assert str(tmp_path) not in first and str(ROOT) not in first


def test_validate__imports_no_azure_modules():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "azguest", "validate", str(BASES["s2d"])],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line]
    assert imported and not [m for m in imported if m == "azure" or m.startswith("azure.")]
