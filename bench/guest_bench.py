"""Guest-phase benchmarks on the emulator's Windows model (figures only, no timed assertions).

* makespan of ``configure`` (the guest steps as managed run commands, ARM restarts) against the critical
  path of its step graph (azguest.guest.graph), each run weighted by the profile's ``guest.<step>`` duration
  and each restart by ``virtualMachines.restart`` (the model reports the VM agent Ready as the restart ends);
  the goal is at most 1.10x;
* end-to-end time to a validated lab (Azure resources, then the guest steps) against a sequential script
  that runs the same resources and steps one at a time (the same engine and code with one worker).

Durations are the ``realistic`` profile's Azure seconds, replayed on a compressed real-time clock
(TIME_SCALE; throttling buckets on the same clock) and reported back in Azure seconds (real / TIME_SCALE).
An in-process virtual clock cannot measure parallel work (every thread's wait would add to one clock).
"""

from __future__ import annotations

import time
from typing import Any

from azguest.azure import AzureSession
from azguest.deploy.lab import deploy
from azguest.emulator import Engine, load_profile
from azguest.emulator.profile import Latency, Profile, Throttling
from azguest.execute.dag import critical_path
from azguest.guest.commands import Secrets
from azguest.guest.configure import ConfigureRecord, configure
from azguest.guest.graph import step_graph
from azguest.spec import load_lab
from bench.deploy_bench import PASSWORD, ROOT, critical_path_seconds

TIME_SCALE = 0.004  # realistic Azure seconds -> real seconds: a 600 s DC promotion takes 2.4 s
POLL_S = 0.004  # the SDK's polling interval in real seconds (1 Azure second at TIME_SCALE)
GOAL = 1.10
EXAMPLES = ("s2d-2node.yaml", "shared-disk-3node.yaml", "iscsi-2node.yaml")


def _realistic(scale: float) -> Profile:
    """The realistic profile's durations on a compressed clock (throttling refills on the same clock)."""
    real = load_profile("realistic")
    return real.replace(name="realistic-compressed", latency=Latency(time_scale=scale,
                        durations=dict(real.latency.durations)),
                        throttling=Throttling(enabled=True, time_scaled=True))


def _engine(profile: Profile, poll_s: float = POLL_S) -> tuple[Engine, AzureSession]:
    engine = Engine(profile=profile, virtual_time=False)  # real (compressed) time: parallel waits overlap
    return engine, AzureSession.for_engine(engine, polling_interval=poll_s)


def _deploy(session: AzureSession, lab: Any, workers: int) -> None:
    record = deploy(session, lab, confirm=lambda p: True, password=lambda: PASSWORD, max_workers=workers,
                    wait_poll_s=POLL_S)
    if not record.ok:
        raise RuntimeError(f"bench deploy failed: {[r.to_dict() for r in record.failed()]}")


def _configure(session: AzureSession, lab: Any, workers: int) -> ConfigureRecord:
    record = configure(session, lab, secrets=lambda need: Secrets(PASSWORD), max_workers=workers)
    if not record.ok:
        raise RuntimeError(f"bench configure failed: {[o.to_dict() for o in record.failed()]}")
    return record


def guest_critical_path(lab: Any, profile: Profile) -> float:
    """Azure seconds: the longest path through the step graph (runs and restarts) at the profile's durations."""
    graph = step_graph(lab)
    d = profile.latency.durations
    durations = {r.key: d.get(f"guest.{r.step.id}", d["default"]) for r in graph.runs}
    durations.update({r.key: d["virtualmachines.restart"] for r in graph.restarts})
    return critical_path(durations, graph.deps())


def _restart_posts(engine: Engine) -> int:
    return sum(1 for e in engine.request_log if e.method == "POST" and e.path.lower().endswith("/restart")
               and not e.throttled and not e.injected)


def guest_makespan(spec: str, workers: int = 8, poll_azure_s: float = 1.0) -> dict[str, Any]:
    """configure alone on a lab deployed on the fast profile, then timed on the compressed realistic one;
    the VM agent and in-flight run commands polled every ``poll_azure_s`` (LRO polls follow ARM's hint)."""
    lab = load_lab(ROOT / "examples" / spec)
    engine, session = _engine(load_profile("fast"), poll_azure_s * TIME_SCALE)
    _deploy(session, lab, workers)
    engine.profile = _realistic(TIME_SCALE)
    engine.reset_log()
    t0 = time.perf_counter()
    record = _configure(session, lab, workers)
    azure_s = (time.perf_counter() - t0) / TIME_SCALE
    cp = guest_critical_path(lab, engine.profile)
    stats = engine.stats()
    return {"spec": spec, "runs": len(step_graph(lab).runs), "restarts": _restart_posts(engine),
            "criticalPathAzureS": round(cp, 1), "makespanAzureS": round(azure_s, 1),
            "makespanOverCriticalPath": round(azure_s / cp, 3), "goal": GOAL, "withinGoal": azure_s / cp <= GOAL,
            "throttled": stats.get("throttled", 0), "requests": stats.get("total", len(engine.request_log)),
            "steps": record.summary(), "pollAzureS": poll_azure_s, "timeScale": TIME_SCALE}


def _end_to_end(lab: Any, workers: int) -> float:
    _, session = _engine(_realistic(TIME_SCALE))
    t0 = time.perf_counter()
    _deploy(session, lab, workers)
    _configure(session, lab, workers)
    return (time.perf_counter() - t0) / TIME_SCALE


def end_to_end(spec: str) -> dict[str, Any]:
    """Azure seconds to a validated lab: azguest (parallel) vs one resource / one step at a time."""
    lab = load_lab(ROOT / "examples" / spec)
    par = _end_to_end(lab, 8)
    seq = _end_to_end(lab, 1)
    profile = _realistic(1.0)
    cp = critical_path_seconds(lab, profile) + guest_critical_path(lab, profile)
    return {"spec": spec, "profile": "realistic", "azguestAzureS": round(par, 1), "sequentialAzureS": round(seq, 1),
            "sequentialOverAzguest": round(seq / par, 2), "criticalPathAzureS": round(cp, 1),
            "azguestOverCriticalPath": round(par / cp, 3), "timeScale": TIME_SCALE}


def run() -> dict[str, Any]:
    makespan = [guest_makespan(s) for s in EXAMPLES]
    makespan.append(guest_makespan(EXAMPLES[0], poll_azure_s=10.0))  # configure's own 10 s agent polling
    return {"makespan": makespan, "endToEnd": [end_to_end(EXAMPLES[0])]}


if __name__ == "__main__":  # python -m bench.guest_bench (make bench runs it from bench/run.py)
    import json

    print(json.dumps(run(), indent=2))
