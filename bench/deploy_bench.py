"""Deploy benchmarks on the emulator with its latency profile (no timed assertions: figures only).

* makespan vs the critical path of the resource graph (the physical limit), same latency profile;
* azguest (parallel) vs a sequential baseline (one resource at a time, like a straight-line script);
* ARM calls from the emulator's request log: PUTs per resource on a first deploy, writes and reads
  on a no-change re-run, and how re-run reads grow with lab size.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from azguest.azure import EMULATOR_SUBSCRIPTION_ID, AzureSession
from azguest.azure.kinds import KINDS
from azguest.deploy.lab import deploy
from azguest.deploy.records import DEFAULT_CONCURRENCY
from azguest.emulator import Engine
from azguest.emulator.profile import Latency, Profile, Throttling
from azguest.execute.dag import critical_path
from azguest.plan.desired import desired_graph
from azguest.spec import load_lab, load_text

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-Only-Pa55!"  # emulator only; never a real credential
TIME_SCALE = 0.02  # 90 s VM create -> 1.8 s
POLL_S = 0.005


def _profile(scale: float) -> Profile:
    """Azure's latencies and throttling budgets both on the compressed clock (a 90 s VM create takes 1.8 s,
    and ARM's 25 reads/s refill becomes 1,250/s); LRO responses carry the emulator's poll-again hint
    (retry-after-ms = time left, capped like ARM's Retry-After), as every profile does."""
    return Profile(name="bench", latency=Latency(time_scale=scale),
                   throttling=Throttling(enabled=True, time_scaled=True))


def _session(engine: Engine) -> AzureSession:
    return AzureSession.for_engine(engine, polling_interval=POLL_S)


def run_deploy(lab: Any, *, workers: int, scale: float = TIME_SCALE, engine: Engine | None = None
               ) -> tuple[float, Engine, Any]:
    if engine is None:
        engine = Engine(profile=_profile(scale), virtual_time=False)  # real (compressed) time: parallel waits overlap
        for family in {"cores"} | {r.family for r in desired_graph(lab, "b").resources if r.family}:
            engine.set_quota(lab.location, family, 10_000)  # a big lab must not stop at the default quota
    session = _session(engine)
    t0 = time.perf_counter()
    record = deploy(session, lab, confirm=lambda p: True, password=lambda: PASSWORD, max_workers=workers,
                    wait_poll_s=POLL_S)
    elapsed = time.perf_counter() - t0
    if not record.ok:
        raise RuntimeError(f"bench deploy failed: {[r.to_dict() for r in record.failed()]}")
    return elapsed, engine, record


def critical_path_seconds(lab: Any, profile: Profile) -> float:
    graph = desired_graph(lab, "bench")
    durations = {r.key: (profile.latency.seconds(KINDS[r.kind].arm_type, "create")
                         if KINDS[r.kind].put_lro else 0.0) for r in graph.resources}
    return critical_path(durations, {r.key: r.depends_on for r in graph.resources})


def makespan(spec: str, nodes: int | None = None) -> dict[str, Any]:
    text = (ROOT / "examples" / spec).read_text()
    if nodes:
        text = text.replace("count: 2", f"count: {nodes}", 1)
    lab = load_text(text, filename=spec).lab
    run_deploy(lab, workers=DEFAULT_CONCURRENCY, scale=0.0)  # warm-up: SDK imports, client construction
    par, _, _ = run_deploy(lab, workers=DEFAULT_CONCURRENCY)
    seq, _, _ = run_deploy(lab, workers=1)
    cp = critical_path_seconds(lab, _profile(TIME_SCALE))
    return {"spec": spec + (f" with {nodes} nodes" if nodes else ""),
            "resources": len(desired_graph(lab, "b").resources), "critical_path_s": round(cp, 3),
            "makespan_s": round(par, 3), "sequential_s": round(seq, 3),
            "makespan_over_critical_path": round(par / cp, 3), "sequential_over_parallel": round(seq / par, 2)}


def _writes(engine: Engine) -> Counter:
    return Counter(e.path.lower() for e in engine.request_log if e.method in ("PUT", "PATCH", "DELETE")
                   and not e.injected and not e.throttled and not e.retry)


def calls(spec: str, bigger_nodes: int = 3) -> dict[str, Any]:
    lab = load_lab(ROOT / "examples" / spec)
    _, engine, _ = run_deploy(lab, workers=DEFAULT_CONCURRENCY, scale=0.0)
    graph = desired_graph(lab, EMULATOR_SUBSCRIPTION_ID)
    puts = _writes(engine)
    first = engine.stats()
    engine.reset_log()
    _, _, rec = run_deploy(lab, workers=DEFAULT_CONCURRENCY, scale=0.0, engine=engine)
    rerun = engine.stats()
    text = (ROOT / "examples" / spec).read_text().replace("count: 2", f"count: {bigger_nodes}", 1)
    big = load_text(text, filename=spec).lab
    _, big_engine, _ = run_deploy(big, workers=DEFAULT_CONCURRENCY, scale=0.0)
    big_engine.reset_log()
    run_deploy(big, workers=DEFAULT_CONCURRENCY, scale=0.0, engine=big_engine)
    return {
        "spec": spec, "resources": len(graph.resources),
        "first_deploy_puts": sum(puts.values()), "max_puts_per_resource": max(puts.values()),
        "first_deploy_polls": first["by_kind"]["poll"], "first_deploy_reads": first["by_kind"]["read"],
        "rerun_writes": rerun["by_kind"]["write"] + rerun["by_kind"]["delete"] + rerun["by_kind"]["action"],
        "rerun_reads": rerun["by_kind"]["read"], "rerun_note": rec.note,
        f"rerun_reads_with_{bigger_nodes}_nodes": big_engine.stats()["by_kind"]["read"],
        "resource_kinds": len(KINDS),
    }
