"""Whole-document problems: never a traceback, always a finding."""

from __future__ import annotations

import pytest

from azguest.spec import load, load_text


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "AZG-SPEC-TOP", 0),
        ("# only a comment\n", "AZG-SPEC-TOP", 0),
        ("- a\n- b\n", "AZG-SPEC-TOP", 1),
        ("just a string\n", "AZG-SPEC-TOP", 1),
        ("name: x\nname: y\n", "AZG-SPEC-YAML", 2),
        ("name: [unclosed\nlocation: x\n", "AZG-SPEC-YAML", 2),
        ("a: b: c\n", "AZG-SPEC-YAML", 1),
        ("\tname: tab\n", "AZG-SPEC-YAML", 1),
        ("name: !!python/object:os.system x\n", "AZG-SPEC-MISSING", 1),
        ("{apiVersion: azguest/v1}\n", "AZG-SPEC-MISSING", 1),
    ],
)
def test_document__finding_not_traceback(text, code, line):
    result = load_text(text, filename="x.yaml")
    assert result.lab is None
    assert any(f.code == code for f in result.findings), [f.render() for f in result.findings]
    f = next(f for f in result.findings if f.code == code)
    assert f.line == line


def test_file__missing(tmp_path):
    (f,) = load(tmp_path / "nope.yaml").findings
    assert f.code == "AZG-SPEC-FILE"


def test_file__binary(tmp_path):
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (f,) = load(p).findings
    assert f.code == "AZG-SPEC-FILE" and "binary" in f.message


def test_file__not_utf8(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes("name: caf\xe9\n".encode("latin-1"))
    (f,) = load(p).findings
    assert f.code == "AZG-SPEC-FILE" and "UTF-8" in f.message


def test_file__directory(tmp_path):
    (f,) = load(tmp_path).findings
    assert f.code == "AZG-SPEC-FILE"


def test_document__deep_nesting_is_a_finding_not_a_recursion_error():
    result = load_text("name: " + "[" * 5000 + "]" * 5000 + "\n", filename="x.yaml")
    (f,) = result.findings
    assert f.code == "AZG-SPEC-YAML" and "deeply" in f.message


def test_document__alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]  # 10^8 values
    result = load_text("\n".join(lines) + "\n", filename="x.yaml")
    (f,) = result.findings
    assert f.code == "AZG-SPEC-YAML" and "aliases" in f.message


def test_missing_field__says_what_to_add():
    text = "network: {addressSpace: 10.0.0.0/16, subnets: [{name: a}]}\n"
    findings = {f.path: f for f in load_text(text).findings}
    assert "add prefix: <a CIDR prefix" in findings["network.subnets[0].prefix"].message
    assert "add cluster: <a mapping: name, ip," in findings["cluster"].message
    mode = [f for f in load_text("cluster: {storage: {}}\n").findings if f.path == "cluster.storage.mode"]
    assert "add mode: <s2d | shared-disk | iscsi>" in mode[0].message


def test_list_with_one_bad_item__reports_the_item_not_the_length():
    text = "network: {addressSpace: 10.0.0.0/16, subnets: [{name: a}]}\n"
    paths = [f.path for f in load_text(text).findings]
    assert "network.subnets[0].prefix" in paths and "network.subnets" not in paths
    (empty,) = [f for f in load_text("network: {subnets: []}\n").findings if f.path == "network.subnets"]
    assert "the list should have at least 1 item" in empty.message
