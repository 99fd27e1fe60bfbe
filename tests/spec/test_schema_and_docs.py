"""Generated artefacts stay current: the JSON Schema and docs/catalog.md."""

from __future__ import annotations

import json

from azguest.catalog import render
from azguest.spec.schema import PACKAGE_SCHEMA, json_schema, schema_text
from tests.spec.conftest import ROOT


def test_schema__committed_copy_is_current():
    assert PACKAGE_SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "azguest/spec/lab.schema.json is stale: run `azguest schema --out azguest/spec/lab.schema.json`"
    )


def test_schema__uses_yaml_names_and_forbids_extras():
    s = json_schema()
    props = s["properties"]
    assert {"apiVersion", "name", "network", "cluster", "lifetime"} <= set(props)
    assert s["additionalProperties"] is False
    nodes = s["$defs"]["Nodes"]["properties"]
    assert {"namePrefix", "securityType", "osDisk"} <= set(nodes)
    assert "shared-disk" in s["$defs"]["Storage"]["properties"]
    json.dumps(s)


def test_schema__referenced_by_examples_and_templates():
    files = [*(ROOT / "examples").glob("*.yaml"), *(ROOT / "azguest" / "spec" / "templates").glob("*.yaml")]
    assert len(files) >= 7
    for p in files:
        assert p.read_text().startswith("# yaml-language-server: $schema="), p


def test_catalog_docs__in_sync():
    assert render.DOC.read_text(encoding="utf-8") == render.render(), (
        "docs/catalog.md is stale: run `python -m azguest.catalog.render --write`"
    )


def test_catalog_docs__lists_every_rule_code():
    from azguest.catalog.rules import RULES

    text = render.render()
    assert all(f"`{code}`" in text for code in RULES)
