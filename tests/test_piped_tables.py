"""Piped (no terminal) and narrow (COLUMNS=20), human output never cuts a name: plan, deploy, status,
connect, lab list, destroy, gc and validate findings, as a CI log shows them. And gc of an expired lab in
JSON: ``expired`` and ``destroyed`` are both lists of objects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from azguest.azure import AzureSession, resolve_target
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from tests.deploy.conftest import from_template

ROOT = Path(__file__).resolve().parents[1]
SPEC = str(ROOT / "examples" / "shared-disk-3node.yaml")
LAB = "hv-shared"
PAST = "2020-01-01T00:00:00Z"


@pytest.fixture
def piped(tmp_path, monkeypatch, capsys):
    state = tmp_path / "emulator.db"
    for k, v in {"AZGUEST_EMULATOR": "1", "AZGUEST_EMULATOR_STATE": str(state), "AZGUEST_EMULATOR_PROFILE": "fast",
                 "AZGUEST_ADMIN_PASSWORD": "Piped-Only-Pa55!", "COLUMNS": "20"}.items():
        monkeypatch.setenv(k, v)
    for var in ("AZGUEST_ARM_ENDPOINT", "AZGUEST_OUTPUT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        rc = run(list(argv))
        out = capsys.readouterr()
        return rc, out.out, out.err

    invoke.state = state
    return invoke


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w.-]+", text))


def _json(piped, *argv: str) -> dict:
    rc, out, _ = piped(*argv, "-o", "json")
    assert rc == 0, out
    return json.loads(out)["result"]


def test_human_output__piped_at_20_columns_keeps_every_name(piped, tmp_path):
    names = {c["name"] for c in _json(piped, "plan", SPEC)["changes"]}
    assert max(len(n) for n in names) > 20  # names longer than the terminal would be
    rc, out, _ = piped("plan", SPEC)
    assert rc == 0 and names <= _words(out) and "…" not in out
    rc, _, err = piped("deploy", SPEC, "--yes")  # the plan it shows before asking, on stderr
    assert rc == 0 and names <= _words(err) and "…" not in err

    st = _json(piped, "status", LAB)
    shown = {v["name"] for v in st["vms"]} | {d["name"] for d in st["disks"]}
    rc, out, _ = piped("status", LAB)
    assert rc == 0 and shown <= _words(out) and "…" not in out
    acc = _json(piped, "connect", LAB, "--rdp-dir", str(tmp_path))
    rc, out, _ = piped("connect", LAB, "--rdp-dir", str(tmp_path))
    assert rc == 0 and {v["name"] for v in acc["vms"]} <= _words(out) and "…" not in out
    labs = _json(piped, "lab", "list")["labs"]
    rc, out, _ = piped("lab", "list")
    assert rc == 0 and {LAB, labs[0]["resourceGroup"]} <= _words(out) and "…" not in out

    rc, out, err = piped("destroy", LAB, "--yes")  # the list it shows before deleting, on stderr
    assert rc == 0 and names <= _words(err) and "…" not in err + out


def test_gc__expired_lab_listed_whole_and_json_lists(piped):
    def deploy() -> None:  # setup: the deploy's own output is test_human_output's
        assert piped("deploy", SPEC, "--yes")[0] == 0

    from_template(piped.state, SPEC, deploy)
    session = AzureSession(resolve_target(emulator=True, environ={"AZGUEST_EMULATOR_STATE": str(piped.state)}))
    with session:
        rg = next(g for g in session.resource.resource_groups.list() if (g.tags or {}).get("azguest-lab") == LAB)
        session.resource.resource_groups.update(rg.name, {"tags": {**rg.tags, "azguest-expires": PAST}})
    rc, out, _ = piped("gc", "--dry-run")
    assert rc == 0 and {LAB, rg.name} <= _words(out) and "…" not in out
    rc, out, _ = piped("gc", "--yes", "-o", "json")
    doc = json.loads(out)
    assert rc == 0 and doc["ok"], doc["error"]
    assert doc["result"]["expired"] == [{"lab": LAB, "expires": PAST}]  # was {"hv-shared": ...}
    assert [r["lab"] for r in doc["result"]["destroyed"]] == [LAB]
    assert piped("status", LAB)[0] == ExitCode.NOT_FOUND


def test_validate_findings__piped_at_20_columns_whole(piped, tmp_path):
    bad = tmp_path / "a-rather-long-spec-file-name.yaml"
    bad.write_text(Path(SPEC).read_text().replace("count: 3", "count: 99"))
    rc, out, _ = piped("validate", str(bad))
    assert rc == ExitCode.SPEC_INVALID
    line = next(x for x in out.splitlines() if "cluster.nodes.count" in x)
    assert line.startswith(f"{bad}:") and "error [" in line  # one line: location, path, code, message
