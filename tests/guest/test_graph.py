"""The step graph every example plans: one restart per VM at most, node preparation concurrent with the
DC's promotion, every run on a rebooting VM before or after its reboot, dependencies across VMs."""

from __future__ import annotations

from pathlib import Path

import pytest

from azguest.guest.graph import ancestors, step_graph
from azguest.guest.steps import COMMON, Step
from azguest.spec import load_lab

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def lab(request):
    return load_lab(request.param)


def test_every_vm_restarts_at_most_once_and_the_dc_and_every_node_exactly_once(lab):
    g = step_graph(lab)
    computers = [r.computer for r in g.restarts]
    assert len(computers) == len(set(computers))
    assert set(computers) == {lab.domain.controller.name, *lab.cluster.nodes.names()}


def test_node_preparation_does_not_wait_for_the_domain_controller(lab):
    g = step_graph(lab)
    deps = g.deps()
    dc = lab.domain.controller.name
    for node in lab.cluster.nodes.names():
        before = ancestors(deps, f"node-features@{node}")
        assert not any(k.endswith(f"@{dc}") for k in before)  # runs while dc-promote runs
        join = ancestors(deps, f"node-join@{node}")
        assert {f"dc-dns@{dc}", f"restart@{dc}", f"node-features@{node}"} <= join  # joins a DC that answers


def test_cluster_steps_wait_for_every_node_rebooted(lab):
    g = step_graph(lab)
    deps = g.deps()
    first = lab.cluster.nodes.names()[0]
    before = ancestors(deps, f"cluster-validate@{first}")
    assert {f"restart@{n}" for n in lab.cluster.nodes.names()} <= before
    assert f"cluster-validate@{first}" in ancestors(deps, f"cluster-create@{first}")


def test_nothing_runs_on_a_vm_between_its_restart_step_and_its_reboot(lab):
    g = step_graph(lab)
    deps = g.deps()
    for rs in g.restarts:
        before = ancestors(deps, rs.after) | {rs.after}
        for r in g.runs:
            if r.computer == rs.computer and r.key not in before:
                assert rs.key in ancestors(deps, r.key), r.key


def test_a_second_restart_step_on_one_vm_is_refused(monkeypatch, lab):
    import azguest.guest.graph as graph

    twice = Step("dc-twice", "reboots the DC again", targets="dc", deps=("dc-dns",), reboot="restart")
    monkeypatch.setattr(graph, "steps_for", lambda lab: (*COMMON, twice))
    with pytest.raises(ValueError, match="restart twice"):
        graph.step_graph(lab)


def test_a_run_ordered_neither_before_nor_after_the_reboot_is_refused(monkeypatch, lab):
    import azguest.guest.graph as graph

    loose = Step("node-loose", "runs whenever", targets="nodes")
    monkeypatch.setattr(graph, "steps_for", lambda lab: (*COMMON, loose))
    with pytest.raises(ValueError, match="neither before nor after"):
        graph.step_graph(lab)
