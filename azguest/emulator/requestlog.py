"""The request log: one entry per request, and counters that survive across processes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azguest.emulator.context import Request
    from azguest.emulator.routes import Route

KINDS = ("read", "write", "delete", "action", "poll")


@dataclass
class LogEntry:
    method: str
    path: str
    arm_type: str  # ARM type addressed ("" when unknown)
    kind: str  # read | write | delete | action | poll
    status: int = 0
    injected: bool = False  # answered by an injected transient fault
    throttled: bool = False  # answered 429 by the throttling buckets
    retry: bool = False  # same x-ms-client-request-id seen before (azure-core retry)
    client_request_id: str | None = None


class RequestLog:
    def __init__(self, max_entries: int = 100_000) -> None:
        self.entries: list[LogEntry] = []
        self.max_entries = max_entries

    def start(self, req: Request, route: Route) -> LogEntry:
        return LogEntry(req.method, req.path, route.arm_type, route.log_kind,
                        client_request_id=req.headers.get("x-ms-client-request-id"))

    def finish(self, entry: LogEntry, counts: Counter[str]) -> None:
        if len(self.entries) >= self.max_entries:
            del self.entries[: self.max_entries // 10]
        self.entries.append(entry)
        counts["total"] += 1
        counts[f"kind:{entry.kind}"] += 1
        counts[f"type:{entry.arm_type or '-'}"] += 1
        counts[f"type_kind:{entry.arm_type or '-'}|{entry.kind}"] += 1
        counts[f"status:{entry.status}"] += 1
        counts["injected_faults"] += int(entry.injected)
        counts["throttled"] += int(entry.throttled)
        counts["retries"] += int(entry.retry)

    @staticmethod
    def summary(saved: Mapping[str, int], pending: Mapping[str, int]) -> dict[str, Any]:
        merged: Counter[str] = Counter(saved)
        merged.update(pending)
        by_kind = {k: merged.get(f"kind:{k}", 0) for k in KINDS}
        by_type: dict[str, dict[str, int]] = {}
        for k, v in merged.items():
            if k.startswith("type_kind:"):
                t, kind = k[len("type_kind:"):].rsplit("|", 1)
                by_type.setdefault(t, {"total": 0})
                by_type[t][kind] = v
                by_type[t]["total"] += v
        by_status = {k[len("status:"):]: v for k, v in merged.items() if k.startswith("status:")}
        return {
            "total": merged.get("total", 0),
            "by_kind": by_kind,
            "by_type": dict(sorted(by_type.items())),
            "by_status": dict(sorted(by_status.items())),
            "injected_faults": merged.get("injected_faults", 0),
            "throttled": merged.get("throttled", 0),
            "retries": merged.get("retries", 0),
        }
