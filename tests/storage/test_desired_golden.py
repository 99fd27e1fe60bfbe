"""The planner's storage-related resources, pinned: a refactor of the storage modes, the names or the
IP allocator must not change a byte of what deploy PUTs.

Covers every example and every valid variant of tests/spec/test_valid_variants.py. When a change to
these bodies is intended, regenerate: ``AZGUEST_UPDATE_GOLDEN=1 pytest tests/storage/test_desired_golden.py``
and review the diff of tests/storage/desired_golden.json.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest

from azguest.plan.desired import desired_graph
from azguest.spec import load_lab, load_text
from tests.spec.conftest import EXAMPLES, base_text, mutate
from tests.spec.test_valid_variants import VARIANTS

GOLDEN = Path(__file__).with_name("desired_golden.json")
SUB = "11111111-2222-3333-4444-555555555555"
KINDS = ("availabilitySet", "disk", "nic", "publicIp", "storageAccount", "vm")  # what storage modes and naming shape
SHUTDOWN = ("backup:\n", "lifetime: {autoShutdown: {time: '19:30'}}\nbackup:\n")


def _labs():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        yield path.stem, load_lab(path)
    for name, base, edits in VARIANTS:
        yield name, load_text(mutate(base_text(base), edits)).lab
    yield "iscsi-planned-ip-shutdown", load_text(mutate(base_text("iscsi"), [("        ip: 10.40.3.4\n", ""),
                                                                             SHUTDOWN])).lab


def _pinned(lab) -> list[list[str]]:
    """[key, sha256 of the resource's record as JSON] in graph order."""
    graph = desired_graph(lab, SUB, expires_at="2026-12-01T00:00:00Z")
    return [[r.key, hashlib.sha256(json.dumps(asdict(r), sort_keys=True).encode()).hexdigest()]
            for r in graph.resources if r.kind in KINDS]


def test_desired_graph__storage_resources_unchanged():
    current = {name: _pinned(lab) for name, lab in _labs()}
    if os.environ.get("AZGUEST_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(current, indent=1) + "\n", encoding="utf-8")
        pytest.skip("golden file rewritten")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(current) == sorted(golden)
    for name, pinned in golden.items():
        assert [k for k, _ in current[name]] == [k for k, _ in pinned], f"{name}: resources added/removed/moved"
        changed = [k for (k, h), (_, was) in zip(current[name], pinned, strict=True) if h != was]
        assert changed == [], f"{name}: these resources' bodies, ids or dependencies changed"
