"""Run a dependency graph of tasks with bounded concurrency.

Independent tasks run in parallel up to ``max_workers``; among ready tasks the highest ``priority``
starts first (then graph order), so what makes a lab safe or cheap is never left for last. A failure
or a stop stops new work, except ``essential`` tasks (an auto-shutdown schedule of a VM that exists);
tasks already running finish and are reported. Tasks whose dependencies failed or never ran are
reported as ``skipped``. Progress is reported through a callback of :class:`Event` records, so the
caller decides how to show it (azguest.cli.progress: a live view on a terminal, plain lines otherwise).

Workers are daemon threads: when the caller gives up waiting (a second Ctrl-C raises out of
:func:`run_graph`), the process can exit at once; the operations they started keep going in Azure.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Task:
    key: str  # unique key in the graph
    run: Callable[[], Any]  # the work; its return value is kept in the outcome
    depends_on: tuple[str, ...] = ()  # keys that must succeed first
    label: str = ""  # what progress shows
    priority: int = 0  # among ready tasks, higher starts first (safety and cost before the rest)
    essential: bool = False  # started even after a stop or a failure once its dependencies succeeded


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
    running: set[str] = field(default_factory=set)
    done: queue.Queue = field(default_factory=queue.Queue)  # (key, result, error) from the workers
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

    ``stop_event`` stops new work like a failure does (``essential`` tasks still start). A
    KeyboardInterrupt in the calling thread sets it; a second one while draining re-raises at once,
    without waiting for the running tasks (their threads are daemons). The CLI handles SIGINT itself
    (azguest.cli.progress.InterruptGuard) and sets ``stop_event``, then raises on the second Ctrl-C.
    """
    by_key = {t.key: t for t in tasks}
    _check(by_key)
    order = {k: i for i, k in enumerate(by_key)}
    run = _Run(by_key, on_event or (lambda e: None))
    pending = dict(sorted(by_key.items(), key=lambda kv: (-kv[1].priority, order[kv[0]])))
    limit = max(1, max_workers)
    while pending or run.running:
        try:
            if stop_event is not None and stop_event.is_set():
                run.stop = True
            _start_ready(run, pending, limit)
            if not run.running:
                break
            key, result, err = run.done.get(timeout=0.5)
        except queue.Empty:
            continue
        except KeyboardInterrupt:
            if run.stop and stop_event is not None and stop_event.is_set():
                raise  # a second Ctrl-C while draining: give up waiting
            run.stop = True  # the first Ctrl-C: start nothing new, let running work finish
            if stop_event is not None:
                stop_event.set()
            continue
        _finish(run, key, result, err)
    for key, task in pending.items():
        run.outcomes[key] = TaskOutcome(key, "skipped")
        run.on_event(Event(key, task.label or key, "skipped"))
    return {k: run.outcomes[k] for k in by_key}


def _start_ready(run: _Run, pending: dict[str, Task], limit: int) -> None:
    """Start ready tasks, highest priority first (``pending`` is kept in that order), up to ``limit``."""
    for key in list(pending):
        task = pending[key]
        states = [run.outcomes[d].state if d in run.outcomes else None for d in task.depends_on]
        if any(s in ("failed", "skipped") for s in states):
            del pending[key]
            run.outcomes[key] = TaskOutcome(key, "skipped")
            run.on_event(Event(key, task.label or key, "skipped"))
            continue
        if len(run.running) >= limit or (run.stop and not task.essential):
            continue
        if all(s == "succeeded" for s in states):
            del pending[key]
            run.started[key] = time.monotonic()
            run.running.add(key)
            run.on_event(Event(key, task.label or key, "started"))
            threading.Thread(target=_work, args=(run.done, key, task.run), name=f"azguest {key}",
                             daemon=True).start()


def _work(done: queue.Queue, key: str, fn: Callable[[], Any]) -> None:
    try:
        result, err = fn(), None
    except BaseException as e:  # noqa: BLE001 - reported as the task's failure
        result, err = None, e
    done.put((key, result, err))


def _finish(run: _Run, key: str, result: Any, err: BaseException | None) -> None:
    task = run.tasks[key]
    run.running.discard(key)
    elapsed = time.monotonic() - run.started[key]
    if err is None:
        run.outcomes[key] = TaskOutcome(key, "succeeded", elapsed, result)
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
