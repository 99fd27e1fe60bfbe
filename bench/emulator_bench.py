"""Wall-clock figures the test suite no longer asserts (tests never time themselves on a shared machine):

* ``first_deploy``: `azguest deploy --emulator examples/s2d-2node.yaml` in a fresh process and state,
  with the default profile (fast; it took 98 s when the default was realistic), and with ``bench``;
* ``throttled_http``: 4 resource groups over the loopback HTTP server through a 2-token, 2/s write
  bucket: the client really waits the hinted time (fast: the exact wait in ms; realistic: whole seconds);
* ``dag_overlap``: the DAG executor runs 6 tasks of 50 ms on 3 workers in ~100 ms, not 300 ms.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-Only-Pa55!"  # emulator only; never a real credential


def first_deploy(profile: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "AZGUEST_EMULATOR_PROFILE"}
        env.update({"AZGUEST_EMULATOR": "1", "AZGUEST_EMULATOR_STATE": str(Path(tmp) / "emu.db"),
                    "AZGUEST_ADMIN_PASSWORD": PASSWORD})
        if profile:
            env["AZGUEST_EMULATOR_PROFILE"] = profile
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "azguest", "deploy", "examples/s2d-2node.yaml", "--yes",
                               "-o", "json"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
    return {"profile": profile or "default (fast)", "wall_s": round(wall, 2), "exit": proc.returncode,
            "ok": proc.returncode == 0 and (profile is not None or wall < 10)}


def throttled_http(profile: str) -> dict:
    from azguest.azure import AzureSession, resolve_target
    from azguest.emulator import Engine, load_profile, serve
    from azguest.emulator.profile import Bucket, Throttling

    p = load_profile(profile)
    arm = {"read": Bucket(250, 25), "write": Bucket(2, 2), "delete": Bucket(200, 10)}
    engine = Engine(profile=p.replace(throttling=Throttling(
        arm=arm, retry_after_ms_header=p.throttling.retry_after_ms_header)))
    server = serve(engine)
    try:
        with AzureSession(resolve_target(endpoint=server.url, environ={})) as s:
            t0 = time.perf_counter()
            for i in range(4):
                s.resource.resource_groups.create_or_update(f"rg-bench-{i}", {"location": "westeurope"})
            wall = time.perf_counter() - t0
    finally:
        server.shutdown()
    throttled = sum(1 for e in engine.request_log if e.throttled)
    return {"profile": profile, "wall_s": round(wall, 3), "throttled": throttled, "ok": wall < 10}


def dag_overlap() -> dict:
    from azguest.execute.dag import Task, run_graph

    active, peak, lock = [0], [0], threading.Lock()

    def work() -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1

    t0 = time.perf_counter()
    run_graph([Task(str(i), work) for i in range(6)], max_workers=3)
    wall = time.perf_counter() - t0
    return {"tasks": 6, "workers": 3, "task_s": 0.05, "wall_s": round(wall, 3), "peak": peak[0],
            "ok": peak[0] == 3 and wall < 0.3}


def run() -> dict:
    return {"first_deploy": [first_deploy(), first_deploy("bench")],
            "throttled_http": [throttled_http("fast"), throttled_http("realistic")],
            "dag_overlap": dag_overlap()}


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT))
    print(json.dumps(run(), indent=2))
