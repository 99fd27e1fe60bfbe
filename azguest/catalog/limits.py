"""Throttling budgets as data: ARM token buckets and Microsoft.Compute policies.

Sources: learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
(AZD source 2024-06-27) and ACD compute-throttling-limits.md (2024-05-27). azguest's own clients stay
inside these budgets; the emulator enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    scope: str  # "subscription" | "vm"
    operation: str  # what the bucket limits
    burst: int  # bucket size
    refill_per_s: float  # tokens added per second
    source: str


_ARM = ("learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling "
        "(2024 token buckets; AZD source 2024-06-27)")
_CRP = "ACD compute-throttling-limits.md (2024-05-27)"

ARM_BUCKETS: dict[str, Bucket] = {
    "reads": Bucket("subscription", "reads", 250, 25.0, _ARM),
    "writes": Bucket("subscription", "writes", 200, 10.0, _ARM),
    "deletes": Bucket("subscription", "deletes", 200, 10.0, _ARM),
}

COMPUTE_VM_BUCKETS: dict[str, Bucket] = {
    "PutVM": Bucket("vm", "create", 12, 4 / 60, _CRP),
    "UpdateVM": Bucket("vm", "update/start/restart/powerOff/runCommand", 12, 4 / 60, _CRP),
    "DeleteVM": Bucket("vm", "delete/deallocate", 12, 4 / 60, _CRP),
    "LowCostGet": Bucket("vm", "get/instanceView", 36, 12 / 60, _CRP),
    "AsyncOperationStatus": Bucket("vm", "polling", 45, 15 / 60, _CRP),
}
