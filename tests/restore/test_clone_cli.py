"""`azguest lab clone` as a trainer runs it (human output, a persisted emulator): progress per lab and the
overall count on stderr, a table of the labs on stdout; a re-run says each lab is complete already."""

from __future__ import annotations

import json

from azguest.cli.main import run
from tests.deploy.conftest import EXAMPLES, PASSWORD, cli_deployed, emulated  # noqa: F401  (fixture)


def test_lab_clone__progress_per_lab_and_overall_then_a_rerun_skips(emulated, capsys):  # noqa: F811
    spec = str(EXAMPLES / "s2d-2node.yaml")
    cli_deployed(emulated, spec)
    capsys.readouterr()
    assert run(["backup", spec, "--mode", "cold", "-o", "json"]) == 0
    bid = json.loads(capsys.readouterr().out)["result"]["id"]
    assert run(["lab", "clone", bid, "--count", "2", "--prefix", "p-"]) == 0
    out, err = capsys.readouterr()
    assert "shard 1/1: 2 lab(s), 0 complete already, 2 to clone" in err
    assert "succeeded clone lab/p-1" in err and "succeeded clone lab/p-2" in err
    assert "labs: 1 ready, 0 failed, 1 to go" in err and "labs: 2 ready, 0 failed, 0 to go" in err
    assert "create p-1:vm/p-1-dc01" in err and "create p-2:vm/p-2-dc01" in err  # each restore's own steps, by lab
    rows = [line.split() for line in out.splitlines()]
    assert [r[:3] for r in rows if r and r[0].startswith("p-")] == [["p-1", "rg-p-1", "created"],
                                                                   ["p-2", "rg-p-2", "created"]]
    assert PASSWORD not in out + err
    assert run(["lab", "clone", bid, "--count", "2", "--prefix", "p-"]) == 0
    out, err = capsys.readouterr()
    assert "2 complete already, 0 to clone" in err and "2 skipped" not in out
    assert "0 created, 2 complete already, 0 failed" in out
