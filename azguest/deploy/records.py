"""Frozen records the deploy use cases return; the CLI renders them as tables or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_CONCURRENCY = 32  # tasks mostly wait on Azure; ARM allows 200 writes in a burst (catalog.limits)
DEFAULT_PARALLEL = 30  # labs cloned at once by `lab clone` (each runs its own bounded DAG; the shared
# buckets pace them); here, not in azguest.restore.fleet, so that the CLI reads it without importing that at start-up


@dataclass(frozen=True)
class ResourceResult:
    key: str  # "<kind>/<name>"
    kind: str
    name: str
    action: str  # planned action: create, update, no-change, wait, delete
    state: str  # succeeded | failed | skipped
    elapsed_s: float = 0.0
    error: dict[str, Any] | None = None  # AzguestError.to_dict() (ARM code under "code")

    def to_dict(self) -> dict[str, Any]:
        out = {"key": self.key, "kind": self.kind, "name": self.name, "action": self.action,
               "state": self.state, "elapsedSeconds": round(self.elapsed_s, 3)}
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class ApplyRecord:
    lab: str
    resource_group: str
    operation: str  # "deploy" | "destroy"
    results: tuple[ResourceResult, ...]
    elapsed_s: float
    note: str = ""  # e.g. "no changes"

    @property
    def ok(self) -> bool:
        return not any(r.state in ("failed", "skipped") for r in self.results)

    def count(self, action: str, state: str = "succeeded") -> int:
        return sum(1 for r in self.results if r.action == action and r.state == state)

    def failed(self) -> list[ResourceResult]:
        return [r for r in self.results if r.state == "failed"]

    def summary(self) -> dict[str, int]:
        return {
            "created": self.count("create"), "updated": self.count("update") + self.count("wait") + self.count("retry"),
            "unchanged": self.count("no-change"), "deleted": self.count("delete"),
            "failed": len(self.failed()), "skipped": sum(1 for r in self.results if r.state == "skipped"),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "resourceGroup": self.resource_group, "operation": self.operation,
                "ok": self.ok, "elapsedSeconds": round(self.elapsed_s, 3), "summary": self.summary(),
                "note": self.note, "resources": [r.to_dict() for r in self.results]}
