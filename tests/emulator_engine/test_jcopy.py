"""The emulator's JSON-tree copier (``context.jcopy``, what every GET and list copies stored resources with):
an independent copy equal to the original, whatever the tree."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from azguest.emulator.context import jcopy, public

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                    max_leaves=30)


def _containers(tree):
    if isinstance(tree, dict):
        yield tree
        for v in tree.values():
            yield from _containers(v)
    elif isinstance(tree, list):
        yield tree
        for v in tree:
            yield from _containers(v)


@settings(max_examples=60, deadline=None)
@given(JSON)
def test_jcopy__equal_same_types_and_shares_no_container(tree) -> None:
    before = json.dumps(tree)
    got = jcopy(tree)
    assert json.dumps(got) == before and got == tree
    assert not {id(c) for c in _containers(got)} & {id(c) for c in _containers(tree)}
    for c in _containers(got):  # changing the copy leaves the original as it was
        c.clear()
    assert json.dumps(tree) == before


def test_public__drops_private_keys_and_copies_what_is_not_json() -> None:
    stored = {"id": "/x", "properties": {"a": [1, True, None, 2.5]}, "_power": "running", "odd": (1, [2])}
    out = public(stored)
    assert out == {"id": "/x", "properties": {"a": [1, True, None, 2.5]}, "odd": (1, [2])}
    out["properties"]["a"].append(3)
    out["odd"][1].append(3)
    assert stored == {"id": "/x", "properties": {"a": [1, True, None, 2.5]}, "_power": "running",
                      "odd": (1, [2])}
    assert type(jcopy(True)) is bool and type(jcopy(1)) is int
