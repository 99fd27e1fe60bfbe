"""Run a dependency graph of tasks with bounded concurrency.

Independent tasks run in parallel up to ``max_workers``. A failure stops new work; tasks already
running finish and are reported. Tasks whose dependencies failed or never ran are reported as
``skipped``. Progress is reported through a callback of :class:`Event` records, so the caller decides
how to show it (rich live table on a terminal, plain lines otherwise, nothing in tests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Task:
    key: str  # unique key in the graph
    run: Callable[[], Any]  # the work; its return value is kept in the outcome
    depends_on: tuple[str, ...] = ()  # keys that must succeed first
    label: str = ""  # what progress shows


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    state: str  # "started" | "succeeded" | "failed" | "skipped"
    elapsed_s: float = 0.0
    error: BaseException | None = None


@dataclass(frozen=True)
class TaskOutcome:
    key: str
    state: str  # "succeeded" | "failed" | "skipped"
    elapsed_s: float = 0.0
    result: Any = None
    error: BaseException | None = None


@dataclass
class _Run:
    tasks: Mapping[str, Task]
    on_event: Callable[[Event], None]
    outcomes: dict[str, TaskOutcome] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)
    stop: bool = False


def _check(tasks: Mapping[str, Task]) -> None:
    for t in tasks.values():
        for d in t.depends_on:
            if d not in tasks:
                raise ValueError(f"task {t.key} depends on unknown task {d}")
    seen: dict[str, int] = {}

    def visit(k: str) -> None:
        if seen.get(k) == 1:
            raise ValueError(f"dependency cycle through {k}")
        if seen.get(k) == 2:
            return
        seen[k] = 1
        for d in tasks[k].depends_on:
            visit(d)
        seen[k] = 2

    for k in tasks:
        visit(k)


def run_graph(
    tasks: Iterable[Task],
    *,
    max_workers: int = 8,
    on_event: Callable[[Event], None] | None = None,
    stop_event: threading.Event | None = None,
) -> dict[str, TaskOutcome]:
    """Run every task once its dependencies succeeded. Returns an outcome per task key.

    ``stop_event`` stops new work like a failure does. Ctrl-C (KeyboardInterrupt in the calling thread)
    sets it, starts nothing new and waits for running tasks; a second Ctrl-C while waiting re-raises.
    """
    by_key = {t.key: t for t in tasks}
    _check(by_key)
    run = _Run(by_key, on_event or (lambda e: None))
    pending = dict(by_key)
    running: dict[Future, str] = {}
    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="azguest") as pool:
        while pending or running:
            try:
                if stop_event is not None and stop_event.is_set():
                    run.stop = True
                if not run.stop:
                    _start_ready(run, pending, running, pool)
                if not running:
                    break
                done, _ = wait(list(running), timeout=0.5, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                if run.stop and stop_event is not None and stop_event.is_set():
                    raise  # a second Ctrl-C while draining: give up waiting
                run.stop = True  # the first Ctrl-C: start nothing new, let running work finish
                if stop_event is not None:
                    stop_event.set()
                continue
            for fut in done:
                _finish(run, running.pop(fut), fut)
    for key, task in pending.items():
        run.outcomes[key] = TaskOutcome(key, "skipped")
        run.on_event(Event(key, task.label or key, "skipped"))
    return {k: run.outcomes[k] for k in by_key}


def _start_ready(run: _Run, pending: dict[str, Task], running: dict, pool: ThreadPoolExecutor) -> None:
    for key in list(pending):
        task = pending[key]
        states = [run.outcomes[d].state if d in run.outcomes else None for d in task.depends_on]
        if any(s in ("failed", "skipped") for s in states):
            del pending[key]
            run.outcomes[key] = TaskOutcome(key, "skipped")
            run.on_event(Event(key, task.label or key, "skipped"))
            continue
        if all(s == "succeeded" for s in states):
            del pending[key]
            run.started[key] = time.monotonic()
            run.on_event(Event(key, task.label or key, "started"))
            running[pool.submit(task.run)] = key


def _finish(run: _Run, key: str, fut: Future) -> None:
    task = run.tasks[key]
    elapsed = time.monotonic() - run.started[key]
    err = fut.exception()
    if err is None:
        run.outcomes[key] = TaskOutcome(key, "succeeded", elapsed, fut.result())
        run.on_event(Event(key, task.label or key, "succeeded", elapsed))
    else:
        run.stop = True
        run.outcomes[key] = TaskOutcome(key, "failed", elapsed, error=err)
        run.on_event(Event(key, task.label or key, "failed", elapsed, err))


def critical_path(durations: Mapping[str, float], deps: Mapping[str, Iterable[str]]) -> float:
    """Length of the longest path through the graph: the physical lower bound of a makespan."""
    memo: dict[str, float] = {}

    def finish(k: str) -> float:
        if k not in memo:
            memo[k] = durations[k] + max((finish(d) for d in deps.get(k, ())), default=0.0)
        return memo[k]

    return max((finish(k) for k in durations), default=0.0)
