"""The step graph of a lab: one run per (step, VM), plus at most one ARM restart per VM. Pure, no I/O.

A dependency on a step with the same ``targets`` is on this VM's run of it; otherwise on every run of it.
A dependency on a step after which its VM restarts (``reboot="restart"``) is on that VM's restart, so
nothing runs on a VM between its restart step and its reboot, and nothing elsewhere waits for less
than the rebooted VM. :func:`step_graph` checks that each VM restarts at most once and that every other
run on a VM with a restart is ordered before or after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from azguest.guest.steps import Step, steps_for, targets_of

if TYPE_CHECKING:
    from azguest.spec.models import Lab


@dataclass(frozen=True)
class StepRun:
    key: str  # "<step>@<computer>"
    step: Step
    computer: str
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class Restart:
    """Restart ``computer`` through ARM after ``after`` (its restart step), when a reboot is pending."""
    key: str  # "restart@<computer>"
    computer: str
    after: str  # the restart step's run key
    pending_from: tuple[str, ...]  # run keys on this VM that may leave a reboot pending (this restart clears)


@dataclass(frozen=True)
class StepGraph:
    runs: tuple[StepRun, ...]  # in dependency order
    restarts: tuple[Restart, ...]

    def deps(self) -> dict[str, tuple[str, ...]]:
        """Every node (run or restart) -> the nodes it waits for."""
        out = {r.key: r.depends_on for r in self.runs}
        out.update({r.key: (r.after,) for r in self.restarts})
        return out

    def run(self, key: str) -> StepRun:
        return next(r for r in self.runs if r.key == key)


def run_key(step_id: str, computer: str) -> str:
    return f"{step_id}@{computer}"


def restart_key(computer: str) -> str:
    return f"restart@{computer}"


def step_graph(lab: Lab) -> StepGraph:
    steps = steps_for(lab)
    by_id = {s.id: s for s in steps}
    targets = {s.id: targets_of(lab, s) for s in steps}
    restart_step: dict[str, str] = {}
    for s in steps:
        for c in targets[s.id]:
            if s.reboot == "restart":
                if c in restart_step:
                    raise ValueError(f"{c} would restart twice (after {restart_step[c]} and {s.id})")
                restart_step[c] = s.id

    def done(step_id: str, computer: str) -> str:
        """The node that marks ``step_id`` finished on ``computer``: its restart when it is the restart step."""
        return restart_key(computer) if restart_step.get(computer) == step_id else run_key(step_id, computer)

    runs: list[StepRun] = []
    for s in steps:
        for c in targets[s.id]:
            deps: list[str] = []
            for d in (x for x in s.deps if x in by_id):
                same = by_id[d].targets == s.targets
                deps += [done(d, c)] if same else [done(d, other) for other in targets[d]]
            runs.append(StepRun(run_key(s.id, c), s, c, tuple(dict.fromkeys(deps))))
    graph = StepGraph(tuple(runs), ())
    restarts = tuple(Restart(restart_key(c), c, run_key(sid, c), _pending(graph, c, run_key(sid, c)))
                     for c, sid in restart_step.items())
    graph = StepGraph(graph.runs, restarts)
    _check_one_side(graph)
    return graph


def ancestors(deps: dict[str, tuple[str, ...]], key: str) -> set[str]:
    seen: set[str] = set()
    todo = list(deps.get(key, ()))
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo += deps.get(k, ())
    return seen


def _pending(graph: StepGraph, computer: str, restart_run: str) -> tuple[str, ...]:
    deps = graph.deps()
    before = ancestors(deps, restart_run) | {restart_run}
    return tuple(r.key for r in graph.runs if r.computer == computer and r.key in before and r.step.reboot != "never")


def _check_one_side(graph: StepGraph) -> None:
    """Every run on a VM with a restart is an ancestor of its restart step or waits for the restart."""
    deps = graph.deps()
    for rs in graph.restarts:
        before = ancestors(deps, rs.after) | {rs.after}
        for r in graph.runs:
            if r.computer == rs.computer and r.key not in before and rs.key not in ancestors(deps, r.key):
                raise ValueError(f"{r.key} is ordered neither before nor after the restart of {rs.computer}")
