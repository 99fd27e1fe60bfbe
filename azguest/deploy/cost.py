"""Cost estimates of a lab: from a plan's desired graph (``plan``), or from what exists (``status``).

Prices come from the dated one-region table in :mod:`azguest.catalog.prices`; the estimate says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from azguest.catalog.prices import CostBuilder, CostEstimate

HYBRID_BENEFIT = "Windows_Server"  # a VM's licenseType under Azure Hybrid Benefit (no license in the price)


def _props(body: dict) -> dict:
    return body.get("properties") or {}


def _add_vm(b: CostBuilder, name: str, body: dict) -> None:
    props = _props(body)
    b.vm(name, str((props.get("hardwareProfile") or {}).get("vmSize", "")),
         hybrid_benefit=props.get("licenseType") == HYBRID_BENEFIT)


def graph_cost(graph: Any) -> CostEstimate:
    """The estimate of the lab as planned: every VM (and its OS disk), disk, storage account, public IP."""
    b = CostBuilder()
    for r in graph.resources:
        props = _props(r.body)
        if r.kind == "vm":
            _add_vm(b, r.name, r.body)
            os_disk = (props.get("storageProfile") or {}).get("osDisk") or {}
            b.disk(str(os_disk.get("name") or f"{r.name} OS disk"),
                   str((os_disk.get("managedDisk") or {}).get("storageAccountType", "")),
                   int(os_disk.get("diskSizeGB") or 0))
        elif r.kind == "disk":
            b.disk(r.name, str((r.body.get("sku") or {}).get("name", "")), int(props.get("diskSizeGB") or 0))
        elif r.kind == "storageAccount":
            b.storage_account(r.name)
        elif r.kind == "publicIp":
            b.public_ip(r.name)
    return b.build()


def live_cost(vms: Iterable[dict], disks: Iterable[dict], storage_accounts: Iterable[str],
              public_ips: Iterable[str]) -> CostEstimate:
    """The estimate of what exists: VM bodies, disk bodies (OS disks included), account and IP names."""
    b = CostBuilder()
    for vm in vms:
        _add_vm(b, str(vm.get("name")), vm)
    for d in disks:
        b.disk(str(d.get("name")), str((d.get("sku") or {}).get("name", "")), int(_props(d).get("diskSizeGB") or 0))
    for name in storage_accounts:
        b.storage_account(name)
    for name in public_ips:
        b.public_ip(name)
    return b.build()
