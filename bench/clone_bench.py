"""`lab clone` benchmarks on the emulator (figures only, no timed assertions).

* makespan of ``lab clone --count 30`` under the emulator's ARM throttling against the lower bound
  max(one lab's critical path, the time ARM's write token bucket needs for every write of the 30 labs:
  (writes - burst) / refill); the goal is at most 1.2x. One lab's critical path is measured: the same
  restore of one clone alone on the same engine and profile.
* peak memory of the process (``resource.getrusage`` max RSS) before and after the 30 clones.
* time to a ready lab (passing ``azguest test``) from a golden backup (``restore --into``) against a fresh
  deploy with the guest configuration, both in Azure seconds under the realistic profile.

Durations are the realistic profile's Azure seconds replayed on a compressed real-time clock (TIME_SCALE,
throttling on the same clock) and reported back in Azure seconds (real / TIME_SCALE). The golden lab is
deployed, configured and backed up (cold) on the fast profile first.
"""

from __future__ import annotations

import resource
import time
from typing import Any

from azguest.azure import AzureSession
from azguest.backup.run import Request as BackupRequest
from azguest.backup.run import backup
from azguest.catalog.limits import ARM_BUCKETS
from azguest.emulator import Engine, load_profile
from azguest.restore.core import Request, restore
from azguest.restore.fleet import clone_labs
from azguest.spec import load_lab
from bench.deploy_bench import ROOT
from bench.guest_bench import _configure, _deploy, _realistic

TIME_SCALE = 0.05  # realistic Azure seconds -> real seconds (a 90 s VM create takes 4.5 s): the 30 clones' CPU
# (one process, ~9 s for the emulator and the SDK together) stays small against the Azure time it stands for
POLL_S = 0.05  # the SDK's polling interval in real seconds (1 Azure second)
GOAL = 1.2
SPEC = "s2d-2node.yaml"
WORKERS = 8


def _count(engine: Engine, kinds: tuple[str, ...]) -> int:
    return sum(1 for e in engine.request_log if e.kind in kinds and not e.throttled and not e.injected)


def _writes(engine: Engine) -> int:
    return _count(engine, ("write", "action", "delete"))


def _golden() -> tuple[Engine, AzureSession, Any, str]:
    lab = load_lab(ROOT / "examples" / SPEC)
    engine = Engine(profile=load_profile("fast"), virtual_time=False)
    session = AzureSession.for_engine(engine, polling_interval=POLL_S)
    for family in ("cores", "standardDSv5Family"):
        engine.set_quota(lab.location, family, 100_000)
    _deploy(session, lab, WORKERS)
    _configure(session, lab, WORKERS)
    m = backup(session, BackupRequest(lab.name, "cold", spec=lab))
    assert m.complete, m.status
    engine.profile = _realistic(TIME_SCALE)
    return engine, session, lab, m.id


def _rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def clone_makespan(count: int = 30) -> dict[str, Any]:
    engine, session, _lab, bid = _golden()
    engine.reset_log()
    t0 = time.perf_counter()
    one = restore(session, Request(bid, into="probe-1"))  # one lab alone: the critical path, and the time to a
    one_s = (time.perf_counter() - t0) / TIME_SCALE  # ready lab from the golden backup
    assert one.ok
    writes_one = _writes(engine)
    engine.reset_log()
    rss0 = _rss_mib()
    t0, cpu0 = time.perf_counter(), time.process_time()
    record = clone_labs(session, bid, count=count, prefix="student-", parallel=count)
    makespan = (time.perf_counter() - t0) / TIME_SCALE
    cpu_s = time.process_time() - cpu0
    stats = engine.stats()
    writes = _writes(engine)
    bucket = ARM_BUCKETS["writes"]
    budget_s = max(0.0, (writes - bucket.burst) / bucket.refill_per_s)
    bound = max(one_s, budget_s)
    reads = _count(engine, ("read",))
    read_bucket = ARM_BUCKETS["reads"]
    return {"spec": SPEC, "count": count, "ok": record.ok, "summary": record.summary(),
            "makespanAzureS": round(makespan, 1), "oneLabAzureS": round(one_s, 1),
            "writesOneLab": writes_one, "writes": writes, "writeBucketBoundAzureS": round(budget_s, 1),
            "boundAzureS": round(bound, 1), "makespanOverBound": round(makespan / bound, 3), "goal": GOAL,
            "withinGoal": makespan / bound <= GOAL, "throttled": stats.get("throttled", 0),
            "reads": reads,
            "readBucketAzureS": round(max(0.0, (reads - read_bucket.burst) / read_bucket.refill_per_s), 1),
            "cpuS": round(cpu_s, 1), "cpuAzureS": round(cpu_s / TIME_SCALE, 1),
            "peakRssMiBBefore": rss0, "peakRssMiB": _rss_mib(), "timeScale": TIME_SCALE}


def fresh_lab() -> float:
    """Azure seconds to a lab that passes azguest test by a fresh deploy with the guest configuration (same
    realistic profile, same compressed clock)."""
    lab = load_lab(ROOT / "examples" / SPEC)
    engine = Engine(profile=_realistic(TIME_SCALE), virtual_time=False)
    session = AzureSession.for_engine(engine, polling_interval=POLL_S)
    t0 = time.perf_counter()
    _deploy(session, lab, WORKERS)
    _configure(session, lab, WORKERS)
    return (time.perf_counter() - t0) / TIME_SCALE


def run() -> dict[str, Any]:
    clone = clone_makespan(30)
    fresh = fresh_lab()
    ready = {"spec": SPEC, "profile": "realistic", "fromBackupAzureS": clone["oneLabAzureS"],
             "freshDeployAndConfigureAzureS": round(fresh, 1),
             "freshOverFromBackup": round(fresh / clone["oneLabAzureS"], 2), "timeScale": TIME_SCALE}
    return {"clone": clone, "readyLab": ready}


if __name__ == "__main__":  # python -m bench.clone_bench (make bench runs it from bench/run.py)
    import json

    print(json.dumps(run(), indent=2))
