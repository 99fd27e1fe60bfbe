"""Findings: what ``azguest validate`` reports, with a stable code, a field path and a position."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azguest.catalog.rules import ERROR, RULES

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """("network", "subnets", 1, "prefix") -> "network.subnets[1].prefix"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Finding:
    code: str  # stable code from azguest.catalog.rules.RULES, e.g. "AZG-S2D-NODES"
    severity: str  # "error" | "warning" | "info"
    path: str  # YAML field path, e.g. "cluster.nodes.size"
    message: str  # what is wrong and what would be right
    file: str = ""
    line: int = 0  # 1-based; 0 when the finding is about the whole file
    column: int = 0  # 1-based
    raw_path: Path = field(default=(), compare=False, repr=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file

    def render(self) -> str:
        where = self.location()
        target = f" {self.path}" if self.path else ""
        return f"{where}{target}: {self.severity} [{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "severity": self.severity, "path": self.path, "message": self.message,
            "file": self.file, "line": self.line, "column": self.column,
        }


def make(code: str, path: Path, message: str, *, severity: str | None = None) -> Finding:
    """A finding for one rule; the severity comes from the rule table unless overridden."""
    return Finding(code, severity or RULES[code].severity, format_path(path), message, raw_path=path)


def disk_sku_unknown(path: Path, sku: str) -> Finding:
    from azguest.catalog.disks import DISK_SKUS

    known = ", ".join(s.name for s in DISK_SKUS.values())
    return make("AZG-DISK-SKU", path, f"unknown disk sku {sku!r}; use one of {known}")


def unknown_size(path: Path, name: str, needs: str, *, allowed: bool) -> list[Finding]:
    """AZG-SIZE-UNKNOWN for a size the catalogue lacks, unless --allow-unknown-size (``allowed``)."""
    if allowed:
        return []
    return [make("AZG-SIZE-UNKNOWN", path,
                 f"size {name!r} is not in the azguest catalogue, so {needs} cannot be checked; check it "
                 "yourself and pass --allow-unknown-size, or use a listed size (docs/catalog.md)")]


def count(findings: list[Finding], severity: str) -> int:
    return sum(1 for f in findings if f.severity == severity)
