"""The benchmark's large spec (16 nodes, 200 workloads) is valid. How fast it validates is measured by
`make bench` (bench/spec_bench.py, which fails its ``ok`` over 1 s), not asserted on a shared test machine."""

from __future__ import annotations

from azguest.spec import load_text
from bench.spec_bench import large_spec_text


def test_large_spec__valid():
    result = load_text(large_spec_text(), filename="big.yaml")
    assert result.findings == [], [f.render() for f in result.findings[:5]]
    assert result.lab.cluster.workload_totals().count == 200
    assert len(result.lab.cluster.nodes.names()) == 16


def test_large_spec__too_few_nodes_for_anti_affinity():
    result = load_text(large_spec_text(nodes=8))
    assert {f.code for f in result.findings} == {"AZG-WORKLOAD-ANTIAFFINITY"}
