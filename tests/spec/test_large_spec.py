"""The benchmark's large spec (16 nodes, 200 workloads) is valid and validates fast in-process."""

from __future__ import annotations

import time

from azguest.spec import load_text
from bench.spec_bench import large_spec_text


def test_large_spec__valid_and_fast():
    text = large_spec_text()
    load_text(text)  # warm imports
    t0 = time.perf_counter()
    result = load_text(text, filename="big.yaml")
    elapsed = time.perf_counter() - t0
    assert result.findings == [], [f.render() for f in result.findings[:5]]
    assert result.lab.cluster.workload_totals().count == 200
    assert len(result.lab.cluster.nodes.names()) == 16
    assert elapsed < 1.0  # measured ~0.08 s; `make bench` reports the figure


def test_large_spec__too_few_nodes_for_anti_affinity():
    result = load_text(large_spec_text(nodes=8))
    assert {f.code for f in result.findings} == {"AZG-WORKLOAD-ANTIAFFINITY"}
