"""Persistence: atomic writes, a killed writer never corrupts the file, shared world across
engines, LROs continue in "Azure" time across processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from azguest.emulator import Engine, load_profile
from azguest.emulator.store import load_file
from tests.emulator_engine.conftest import RG, call, disk_body

_WRITER = """
import sys
from azguest.emulator import Engine, load_profile
from tests.emulator_engine.conftest import RG, call
e = Engine(state_path=sys.argv[1], profile=load_profile("fast"))
call(e, "PUT", RG, {"location": "westeurope"})
print("ready", flush=True)
i = 0
while True:
    call(e, "PUT", RG, {"location": "westeurope", "tags": {"i": str(i), "pad": "x" * 20000}})
    i += 1
"""


def test_state__survives_killed_writer(tmp_path: Path) -> None:
    state = tmp_path / "emu.db"
    root = Path(__file__).resolve().parents[2]
    for _ in range(3):
        p = subprocess.Popen([sys.executable, "-c", _WRITER, str(state)], cwd=root, stdout=subprocess.PIPE)
        assert p.stdout.readline().strip() == b"ready"
        time.sleep(0.3)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        data = load_file(state)  # parses: never torn
        assert data["resources"]
    leftovers = [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    assert len(leftovers) <= 3  # at most one stale temp file per killed process, never the state


def test_state__two_engines_share_one_world(tmp_path: Path) -> None:
    state = tmp_path / "emu.db"
    a = Engine(state_path=state, profile=load_profile("fast"))
    b = Engine(state_path=state, profile=load_profile("fast"))
    assert call(a, "PUT", RG, {"location": "westeurope"})[0].status == 201
    assert call(b, "GET", RG)[0].status == 200
    assert call(b, "PUT", RG, {"location": "westeurope", "tags": {"x": "1"}})[0].status == 200
    assert call(a, "GET", RG)[1]["tags"] == {"x": "1"}


def test_lro__continues_in_azure_time_across_processes(tmp_path: Path, clock) -> None:
    state = tmp_path / "emu.db"
    first = Engine(state_path=state, profile=load_profile("realistic"), clock=clock)
    call(first, "PUT", RG, {"location": "westeurope"})
    resp, body = call(first, "PUT", f"{RG}/providers/Microsoft.Compute/disks/d1", disk_body())
    # DiskRP reports a disk being created as "Updating" (its REST examples do too)
    assert resp.status == 202 and body["properties"]["provisioningState"] == "Updating"
    del first  # "killed": nothing but the file remains
    clock.advance(1)
    second = Engine(state_path=state, profile=load_profile("realistic"), clock=clock)
    assert call(second, "GET", f"{RG}/providers/Microsoft.Compute/disks/d1")[1]["properties"][
        "provisioningState"] == "Updating"
    clock.advance(5)  # disk create takes 3 Azure seconds at scale 1
    third = Engine(state_path=state, profile=load_profile("realistic"), clock=clock)
    assert call(third, "GET", f"{RG}/providers/Microsoft.Compute/disks/d1")[1]["properties"][
        "provisioningState"] == "Succeeded"


def test_stats__counters_persist(tmp_path: Path) -> None:
    state = tmp_path / "emu.db"
    e = Engine(state_path=state, profile=load_profile("fast"))
    call(e, "PUT", RG, {"location": "westeurope"})
    call(e, "GET", RG)
    e.flush()
    stats = Engine(state_path=state).stats()
    assert stats["by_kind"]["write"] == 1 and stats["by_kind"]["read"] == 1
    json.dumps(stats)
