"""`status | cat` and `status` in an 80-column terminal show every name whole (issue: `lab-iscsi-hv…` twice)."""

from __future__ import annotations

import io
import re

import pytest

from azguest.cli import render
from azguest.cli.main import run
from tests.deploy.conftest import EXAMPLES, from_template

NAMES = ("lab-iscsi-dc01", "lab-iscsi-hv01", "lab-iscsi-hv02", "lab-iscsi-iscsi01", "lab-iscsi-hv01-os")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def long_names(emulated, tmp_path, capsys):
    spec = tmp_path / "lab-iscsi.yaml"
    text = (EXAMPLES / "iscsi-2node.yaml").read_text().replace("name: hv-iscsi", "name: lab-iscsi") \
        .replace("namePrefix: is", "namePrefix: hv")
    spec.write_text(text)

    def deploy() -> None:  # once per process; later tests start from a copy of the state it left
        assert run(["deploy", str(spec), "--yes"]) == 0

    from_template(emulated, text, deploy)
    capsys.readouterr()


def _whole(out: str) -> None:
    assert "…" not in out and "..." not in out
    words = set(re.split(r"[\s│┃|,]+", ANSI.sub("", out)))
    for name in NAMES:
        assert name in words, (name, out)


@pytest.mark.parametrize("columns", [None, "80", "40"])
def test_status_piped__shows_every_vm_and_disk_name_whole(long_names, capsys, monkeypatch, columns):
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    assert run(["status", "lab-iscsi"]) == 0
    _whole(capsys.readouterr().out)


@pytest.mark.parametrize("columns", ["80"])
def test_status_in_an_80_column_terminal__names_stay_whole_and_other_columns_fold(long_names, capsys, monkeypatch,
                                                                                   columns):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: stdout is a terminal
    monkeypatch.setenv("COLUMNS", columns)
    assert run(["status", "lab-iscsi"]) == 0
    out = capsys.readouterr().out
    _whole(out)
    table_lines = [ANSI.sub("", line) for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert table_lines and max(len(line) for line in table_lines) <= int(columns)


def test_table__a_terminal_too_narrow_for_the_names_falls_back_to_plain_columns():
    from rich.console import Console

    buf = io.StringIO()
    c = Console(file=buf, force_terminal=True, width=30)
    render.table(c, ["vm", "role", "how"], [["lab-iscsi-hv01-with-a-long-tail", "node", "x" * 50]])
    assert "lab-iscsi-hv01-with-a-long-tail" in buf.getvalue() and "…" not in buf.getvalue()
