"""The DAG executor: parallelism, stop-on-failure, skipped dependents, critical path."""

from __future__ import annotations

import threading

import pytest

from azguest.execute.dag import Task, critical_path, run_graph


def test_run_graph__independent_tasks_overlap_up_to_the_bound():
    active, peak, lock = [0], [0], threading.Lock()
    together = threading.Barrier(3, timeout=10)  # passes only when 3 tasks run at once; no sleeping

    def work():
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        together.wait()
        with lock:
            active[0] -= 1

    outcomes = run_graph([Task(str(i), work) for i in range(6)], max_workers=3)
    assert peak[0] == 3 and all(o.state == "succeeded" for o in outcomes.values())


def test_run_graph__failure_stops_new_work_and_lets_running_work_finish():
    started = []
    gate = threading.Event()

    def slow():
        started.append("slow")
        gate.wait(1)
        return "done"

    def boom():
        gate.set()
        raise RuntimeError("AllocationFailed")

    tasks = [Task("slow", slow), Task("boom", boom), Task("after", lambda: started.append("after"), ("boom",)),
             Task("later", lambda: started.append("later"), ("slow",))]
    out = run_graph(tasks, max_workers=2)
    assert out["slow"].state == "succeeded" and out["slow"].result == "done"
    assert out["boom"].state == "failed" and str(out["boom"].error) == "AllocationFailed"
    assert out["after"].state == "skipped" and out["later"].state == "skipped"
    assert "after" not in started and "later" not in started


def test_run_graph__stop_event_stops_like_a_failure():
    stop = threading.Event()
    tasks = [Task("a", stop.set), Task("b", lambda: None, ("a",))]
    out = run_graph(tasks, max_workers=1, stop_event=stop)
    assert out["a"].state == "succeeded" and out["b"].state == "skipped"


def test_run_graph__rejects_cycles_and_unknown_dependencies():
    with pytest.raises(ValueError, match="cycle"):
        run_graph([Task("a", lambda: 1, ("b",)), Task("b", lambda: 1, ("a",))])
    with pytest.raises(ValueError, match="unknown"):
        run_graph([Task("a", lambda: 1, ("zz",))])


def test_critical_path__is_the_longest_chain():
    durations = {"rg": 1, "vnet": 2, "nic": 3, "disk": 3, "vm": 90, "sa": 20}
    deps = {"vnet": ["rg"], "nic": ["vnet"], "disk": ["rg"], "vm": ["nic", "disk"], "sa": ["rg"]}
    assert critical_path(durations, deps) == 96
