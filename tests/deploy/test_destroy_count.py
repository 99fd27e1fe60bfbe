"""destroy announces as many resources as it then reports deleted (the lab's group counted in both)."""

from __future__ import annotations

import json
import re

from azguest.cli.main import run
from tests.deploy.conftest import EXAMPLES, cli_deployed

SPEC = str(EXAMPLES / "s2d-2node.yaml")


def test_destroy__announced_count_is_the_deleted_count(emulated, capsys):
    cli_deployed(emulated, SPEC)
    capsys.readouterr()
    assert run(["destroy", "hv-s2d", "--yes", "-o", "json"]) == 0
    out = capsys.readouterr()
    announced = int(re.search(r"Destroy lab hv-s2d: (\d+) resources, the resource group included", out.err)[1])
    result = json.loads(out.out)["result"]
    assert {k: v for k, v in result["summary"].items() if v} == {"deleted": announced}
    assert any(r["kind"] == "resourceGroup" for r in result["resources"])
