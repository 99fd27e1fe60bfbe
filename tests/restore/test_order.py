"""Restore order, from the emulator's request log, for every storage mode, in place and --into: the DC starts
first and `dc-health` answers before any other VM starts; the storage tier before the nodes; Start-Cluster
after every node and the workloads after the cluster is up. The restored lab then passes `azguest test`."""

from __future__ import annotations

import pytest

from azguest.guest.health import run_checks
from azguest.restore.core import Request, restore
from tests.restore.conftest import MODES, backed_up, starts, step_runs, vm_roles


@pytest.mark.parametrize("into", [None, "hv-copy"], ids=["in-place", "into"])
@pytest.mark.parametrize(("mode", "method"), MODES, ids=[m for m, _ in MODES])
def test_restore__dc_healthy_first_then_storage_then_nodes_then_cluster_then_workloads(sess, engine, mode, method,
                                                                                        into):
    lab, m = backed_up(sess, engine, mode, method)
    engine.reset_log()
    record = restore(sess, Request(m.id, into=into))
    assert record.ok and record.mode == ("into" if into else "in-place")
    target = into or lab.name
    roles = vm_roles(sess, record.resource_group)
    started = starts(engine, roles)
    dc = [i for i, r in started if r == "dc"]
    storage = [i for i, r in started if r not in ("dc", "node")]
    nodes = [i for i, r in started if r == "node"]
    assert dc and nodes and len(nodes) == sum(1 for r in roles.values() if r == "node")
    assert bool(storage) == (mode == "iscsi")
    healthy = [i for i in step_runs(engine, "dc-health") if max(dc) < i < min(storage + nodes)]
    assert healthy, "no dc-health ran between the DC's start and the first other VM's"
    assert max(storage, default=max(healthy)) < min(nodes)
    cluster_start = step_runs(engine, "cluster-start")
    workloads = step_runs(engine, "workloads-start")
    assert cluster_start and min(cluster_start) > max(nodes)
    cluster_up = [i for i in step_runs(engine, "cluster-health") if cluster_start[0] < i]
    assert workloads and cluster_up and min(cluster_up) < min(workloads)
    report = run_checks(sess, target)
    assert report.ok, [c.to_dict() for c in report.failed()]
    assert record.health and record.health["ok"]
