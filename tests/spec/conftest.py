from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BASES = {
    "s2d": EXAMPLES / "s2d-2node.yaml",
    "shared": EXAMPLES / "shared-disk-3node.yaml",
    "iscsi": EXAMPLES / "iscsi-2node.yaml",
    "training": EXAMPLES / "training-class.yaml",
}


def base_text(name: str) -> str:
    return BASES[name].read_text(encoding="utf-8")


def mutate(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"edit anchor not unique or missing: {old!r}"
        text = text.replace(old, new)
    return text


def marked_line(text: str) -> int:
    """1-based line of the '#!' marker the case puts on the line its finding must point at."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if "#!" in line]
    assert len(lines) == 1, "each case marks exactly one line with #!"
    return lines[0]


@pytest.fixture
def write_spec(tmp_path):
    def _write(text: str, name: str = "lab.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write
