"""Persistence: atomic writes, a killed writer never corrupts the file, shared world across
engines, LROs continue in "Azure" time across processes."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from azguest.emulator import Engine, load_profile
from azguest.emulator.store import load_file
from tests.emulator_engine.conftest import RG, call, disk_body
from tests.forkserver import ROOT, ForkServer


@pytest.fixture(scope="module")
def forks():
    """The writers below are forks of one process that has imported the emulator: separate processes,
    killed for real, without 0.2 s of imports each."""
    server = ForkServer(["azguest.emulator", "tests.emulator_engine.conftest"])
    yield server
    server.close()

_WRITER = """
import sys
from azguest.emulator import Engine, load_profile
from tests.emulator_engine.conftest import RG, call
e = Engine(state_path=sys.argv[1], profile=load_profile("fast"))
call(e, "PUT", RG, {"location": "westeurope"})
print("ready", flush=True)
i = 0
while True:
    call(e, "PUT", RG, {"location": "westeurope", "tags": {"i": str(i), **{f"p{j}": "x" * 250 for j in range(48)}}})
    i += 1
    print("wrote", flush=True)
"""


def test_state__survives_killed_writer(forks, tmp_path: Path) -> None:
    state = tmp_path / "emu.db"
    for n in range(3):
        out = tmp_path / f"out{n}"
        os.mkfifo(out)  # a pipe: the writer's lines arrive as it writes them
        p = forks.popen(["-c", _WRITER, str(state)], env=dict(os.environ), cwd=ROOT, stdout=out)
        with open(out, "rb") as lines:
            assert lines.readline().strip() == b"ready"
            for _ in range(20):  # killed while it keeps writing (its next write is under way), no sleeping
                assert lines.readline().strip() == b"wrote"
            p.kill()
            assert p.wait(timeout=30) == -signal.SIGKILL
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


def _fast_unthrottled():
    from dataclasses import replace

    p = load_profile("fast")
    return replace(p, throttling=replace(p.throttling, enabled=False))


def test_state__change_seen_with_coarse_mtime_and_same_size(tmp_path: Path) -> None:
    """On a filesystem with coarse timestamps two writes can share mtime and size; a recycled inode
    number must not make a reader keep (and later write back) its stale copy."""
    state = tmp_path / "emu.db"
    a = Engine(state_path=state, profile=_fast_unthrottled())
    b = Engine(state_path=state, profile=_fast_unthrottled())
    call(a, "PUT", RG, {"location": "westeurope", "tags": {"v": "0", "pad": "x" * 200}})  # tag values <= 256
    seen = os.stat(state)
    pad = 200
    for i in range(1, 21):  # b writes until the file looks like a's (ext4 recycles freed inodes)
        call(b, "PUT", RG, {"location": "westeurope", "tags": {"v": str(i % 10), "pad": "x" * pad}})
        os.utime(state, ns=(seen.st_atime_ns, seen.st_mtime_ns))  # coarse clock: same timestamp
        now = os.stat(state)
        if (now.st_ino, now.st_size) == (seen.st_ino, seen.st_size):
            break
        pad += seen.st_size - now.st_size
    assert call(a, "GET", RG)[1]["tags"]["v"] == str(i % 10)


def test_state__reads_and_lro_polls_do_not_rewrite_the_file(tmp_path: Path) -> None:
    state = tmp_path / "emu.db"
    e = Engine(state_path=state, profile=load_profile("realistic"), clock=lambda: 1_700_000_000.0)
    call(e, "PUT", RG, {"location": "westeurope"})
    resp, _ = call(e, "PUT", f"{RG}/providers/Microsoft.Compute/disks/d1", disk_body())
    before = os.stat(state).st_ino
    for _ in range(5):  # the disk takes 3 Azure seconds and the clock stands still: InProgress
        assert e.handle("GET", resp.headers["Location"], {}, None).status == 202
        assert call(e, "GET", f"{RG}/providers/Microsoft.Compute/disks/d1")[0].status == 200
    assert os.stat(state).st_ino == before  # every write is a new inode: none happened


_DEPLOYER = """
import sys
from dataclasses import replace
from azguest.emulator import Engine, load_profile
from tests.emulator_engine.conftest import RG, call
p = load_profile("fast")
e = Engine(state_path=sys.argv[1], profile=replace(p, throttling=replace(p.throttling, enabled=False)))
for i in range(int(sys.argv[3])):
    resp, body = call(e, "PUT", f"{RG}/providers/Microsoft.Compute/availabilitySets/{sys.argv[2]}{i}",
                      {"location": "westeurope"})
    assert resp.status == 200, body
"""


def test_state__two_processes_deploying_at_once_lose_no_write(forks, tmp_path: Path) -> None:
    state = tmp_path / "emu.db"
    e = Engine(state_path=state, profile=_fast_unthrottled())
    call(e, "PUT", RG, {"location": "westeurope"})
    procs = [forks.popen(["-c", _DEPLOYER, str(state), tag, "60"], env=dict(os.environ), cwd=ROOT,
                         stderr=tmp_path / f"err-{tag}") for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0], [(tmp_path / f"err-{t}").read_text() for t in "ab"]
    names = {r["name"] for r in call(e, "GET", f"{RG}/providers/Microsoft.Compute/availabilitySets")[1]["value"]}
    assert names == {f"{t}{i}" for t in "ab" for i in range(60)}


def test_engine__32_threads_and_two_engines_on_one_state_file(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    state = tmp_path / "emu.db"
    engines = [Engine(state_path=state, profile=_fast_unthrottled()) for _ in range(2)]
    call(engines[0], "PUT", RG, {"location": "westeurope"})

    def deploy(i: int) -> int:
        e = engines[i % 2]
        resp, _ = call(e, "PUT", f"{RG}/providers/Microsoft.Compute/disks/d{i}", disk_body(size=8))
        while e.handle("GET", resp.headers["Location"], {}, None).status == 202:
            pass
        return call(engines[(i + 1) % 2], "GET", f"{RG}/providers/Microsoft.Compute/disks/d{i}")[0].status

    with ThreadPoolExecutor(32) as pool:
        assert set(pool.map(deploy, range(96))) == {200}
    disks = load_file(state)["resources"]
    assert sum("/disks/" in k for k in disks) == 96
    assert all(d["properties"]["provisioningState"] == "Succeeded" for k, d in disks.items() if "/disks/" in k)


def test_guest_hook_may_call_the_engine_of_a_persisted_state(tmp_path: Path) -> None:
    """A guest hook runs inside a request; calling the engine from it must not deadlock on the file lock."""
    import threading

    from azguest.azure import AzureSession
    from tests.emulator.lab import Lab

    e = Engine(state_path=tmp_path / "emu.db", profile=_fast_unthrottled())
    with AzureSession.for_engine(e) as s:
        lab = Lab(s, "hook")
        rg = lab.rg()
        vm = lab.vm(rg)

        def hook(vm_id: str, script, params: dict) -> tuple[int, str, str]:
            resp = e.handle("GET", f"https://management.azure.com{vm_id}?api-version=2025-04-01", {}, None)
            return 0, f"vm answered {resp.status}", ""

        e.guest_hook = hook
        out: list = []
        body = {"commandId": "RunPowerShellScript", "script": ["hostname"]}
        t = threading.Thread(target=lambda: out.append(
            s.compute.virtual_machines.begin_run_command(rg, vm.name, body).result()), daemon=True)
        t.start()
        t.join(timeout=30)
        assert not t.is_alive(), "deadlock: the hook's request waited for the outer request's file lock"
        assert out[0].value[0].message == "vm answered 200"
