"""Backup benchmarks on the emulator (figures only, no timed assertions).

* skew of a ``vm`` backup of the 3-node shared-disk lab (4 restore points + 3 shared-disk snapshots): the goal
  is every piece started within one polling interval of the session;
* ``cold`` downtime (stop begun to start ended) against its critical path: the stop, then the slowest
  snapshot, then the start, each as measured in the same run; the goal is at most 1.15x.

The lab is deployed and configured on the fast profile, then the engine's profile is swapped for Azure's
latencies at TIME_SCALE (throttling budgets on the same compressed clock), in real time.
"""

from __future__ import annotations

import time
from typing import Any

from azguest.azure import AzureSession
from azguest.backup.run import Request, backup
from azguest.deploy.lab import deploy
from azguest.emulator import Engine, load_profile
from azguest.emulator.profile import Latency, Profile, Throttling
from azguest.guest.commands import Secrets
from azguest.guest.configure import configure
from azguest.spec import load_lab
from bench.deploy_bench import PASSWORD, POLL_S, ROOT, TIME_SCALE

LAB = "shared-disk-3node.yaml"


def _lab(configured: bool) -> tuple[Engine, AzureSession, Any]:
    engine = Engine(profile=load_profile("fast"), virtual_time=False)
    session = AzureSession.for_engine(engine, polling_interval=POLL_S)
    lab = load_lab(ROOT / "examples" / LAB)
    record = deploy(session, lab, confirm=lambda p: True, password=lambda: PASSWORD, wait_poll_s=POLL_S)
    assert record.ok
    if configured:
        assert configure(session, lab, secrets=lambda need: Secrets(PASSWORD)).ok
    engine.profile = Profile(name="bench", latency=Latency(time_scale=TIME_SCALE),
                             throttling=Throttling(enabled=True, time_scaled=True))
    return engine, session, lab


def skew() -> dict[str, Any]:
    _, session, lab = _lab(configured=False)
    t0 = time.perf_counter()
    m = backup(session, Request(lab.name, "vm", spec=lab))
    starts = sorted(p.started_s or 0.0 for p in m.pieces)
    return {"lab": LAB, "method": "vm", "pieces": len(m.pieces), "skewS": m.skew_s, "pollingIntervalS": POLL_S,
            "withinOnePollingInterval": (m.skew_s or 0.0) <= POLL_S, "startsS": starts,
            "wallS": round(time.perf_counter() - t0, 3), "timeScale": TIME_SCALE}


def cold_downtime() -> dict[str, Any]:
    _, session, lab = _lab(configured=True)
    m = backup(session, Request(lab.name, "cold", spec=lab))
    slowest = max(p.elapsed_s or 0.0 for p in m.pieces)
    critical = (m.stop_s or 0.0) + slowest + (m.start_s or 0.0)
    ratio = (m.downtime_s or 0.0) / critical if critical else None
    return {"lab": LAB, "method": "cold", "pieces": len(m.pieces), "downtimeS": m.downtime_s, "stopS": m.stop_s,
            "slowestSnapshotS": slowest, "startS": m.start_s, "criticalPathS": round(critical, 3),
            "ratio": None if ratio is None else round(ratio, 3), "goal": 1.15,
            "withinGoal": ratio is not None and ratio <= 1.15, "skewS": m.skew_s, "timeScale": TIME_SCALE}


def run() -> dict[str, Any]:
    return {"skew": skew(), "coldDowntime": cold_downtime()}


if __name__ == "__main__":  # python -m bench.backup_bench (make bench runs it from bench/run.py)
    import json

    print(json.dumps(run(), indent=2))
