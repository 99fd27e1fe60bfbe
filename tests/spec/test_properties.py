"""Property tests: a valid spec mutated in one field is still valid or rejected with findings; never a crash."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azguest.catalog.rules import RULES
from azguest.spec import load_text
from azguest.spec.source import parse
from tests.conftest import examples
from tests.spec.conftest import BASES, base_text

SPECS = {name: parse(base_text(name))[0] for name in BASES}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 100_000), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30), st.sampled_from(["Standard_D8s_v5", "Premium_LRS", "10.20.1.4", "10.20.9.0/24",
                                           "cloud", "disk", "s2d", "iscsi", "", "0", "7d", "TrustedLaunch"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _set(doc: Any, path: tuple, value: Any, op: str) -> Any:
    import copy

    doc = copy.deepcopy(doc)
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "extra" and isinstance(parent, dict):
        parent[f"{key}x"] = value
    else:
        parent[key] = value
    return doc


def _dump(doc: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(SPECS)))
    doc = SPECS[name]
    path = draw(st.sampled_from(_paths(doc)))
    op = draw(st.sampled_from(["replace", "replace", "delete", "extra"]))
    return _dump(_set(doc, path, draw(values), op))


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_spec__valid_or_findings_never_crash(text):
    result = load_text(text, filename="m.yaml")
    for f in result.findings:
        assert f.code in RULES
        assert f.severity == RULES[f.code].severity or f.code.startswith("AZG-SPEC")
        assert f.message and f.file == "m.yaml" and f.line >= 0
    if result.lab is None:
        assert result.errors, "rejected without an error finding"
    else:
        assert not result.errors
        result.lab.spec_hash()
        result.lab.to_data()


@settings(max_examples=examples(100), deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text__never_crashes(text):
    result = load_text(text)
    assert result.lab is None or not result.errors
    assert all(f.code in RULES for f in result.findings)


def _vocabulary() -> list[str]:
    """Every YAML key the schema knows: random structures built from them get past the top level."""
    from azguest.spec.schema import json_schema

    s = json_schema()
    keys = set(s["properties"])
    for d in s["$defs"].values():
        keys |= set(d.get("properties", {}))
    return sorted(keys)


KEYS = st.sampled_from(_vocabulary())
structures = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(KEYS, inner, max_size=5)),
                          max_leaves=25)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SPECS)), st.data())
def test_random_structure_grafted_anywhere__never_crashes(name, data):
    doc = SPECS[name]
    path = data.draw(st.sampled_from(_paths(doc)))
    text = _dump(_set(doc, path, data.draw(structures), "replace"))
    result = load_text(text, filename="m.yaml")
    assert result.lab is None or not result.errors
    assert all(f.code in RULES and f.message for f in result.findings)
