"""Microsoft.Compute/skus (resourceSkus list): VM sizes from ``azguest.catalog.sizes`` and disk
SKUs/tiers from ``azguest.catalog.disks``, one entry per location, with restrictions set by
``Engine.set_sku_restriction``. ``$filter=location eq '...'`` is honoured.

Not implemented: zone details beyond "1,2,3", other resource types (availabilitySets, snapshots,
hostGroups), costs, ``includeExtendedLocations``.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from azguest.catalog.disks import DISK_SKUS, tiers
from azguest.catalog.sizes import SIZES, VmSize
from azguest.emulator.context import Ctx, Reply
from azguest.emulator.handlers.base import Handler
from azguest.emulator.registry import Op, register

LOCATIONS = ("eastus", "eastus2", "westus2", "westus3", "centralus", "northeurope", "westeurope", "uksouth",
             "swedencentral", "germanywestcentral", "francecentral", "southeastasia", "australiaeast",
             "japaneast", "canadacentral")


def _caps(pairs: list[tuple[str, Any]]) -> list[dict[str, str]]:
    return [{"name": k, "value": str(v)} for k, v in pairs]


def _vm_entry(size: VmSize, loc: str, reason: str | None) -> dict[str, Any]:
    caps = _caps([
        ("MaxResourceVolumeMB", size.vcpus * 32768), ("OSVhdSizeMB", 1047552), ("vCPUs", size.vcpus),
        ("MemoryPreservingMaintenanceSupported", True), ("HyperVGenerations", ",".join(size.generations)),
        ("MemoryGB", f"{size.memory_gb:g}"), ("MaxDataDiskCount", size.max_data_disks),
        ("CpuArchitectureType", "x64"), ("LowPriorityCapable", True), ("PremiumIO", size.premium_io),
        ("VMDeploymentTypes", "IaaS"), ("vCPUsAvailable", size.vcpus), ("vCPUsPerCore", 2),
        ("EphemeralOSDiskSupported", size.premium_io), ("EncryptionAtHostSupported", True),
        ("AcceleratedNetworkingEnabled", size.vcpus >= 2), ("RdmaEnabled", False),
        ("MaxNetworkInterfaces", size.max_nics), ("ConfidentialComputingType", "SNP")
        if size.series.confidential else ("TrustedLaunchDisabled", False),
    ])
    entry = {"resourceType": "virtualMachines", "name": size.name, "tier": "Standard",
             "size": size.name.split("_", 1)[1], "family": size.family, "locations": [loc],
             "locationInfo": [{"location": loc, "zones": ["1", "2", "3"], "zoneDetails": []}],
             "capabilities": caps, "restrictions": []}
    if reason:
        entry["restrictions"] = [{"type": "Location", "values": [loc],
                                  "restrictionInfo": {"locations": [loc]}, "reasonCode": reason}]
    return entry


@functools.lru_cache(maxsize=32)
def _encoded(loc: str) -> tuple[bytes, ...]:
    """The location's entries without restrictions, each JSON-encoded once (the catalog is constant): VM
    sizes in ``SIZES`` order, then disks. ``list`` re-encodes only a restricted size's entry."""
    entries = [_vm_entry(s, loc, None) for s in SIZES.values()] + _disk_entries(loc)
    return tuple(json.dumps(e).encode("utf-8") for e in entries)


def _disk_entries(loc: str) -> list[dict[str, Any]]:
    out = []
    for sku in DISK_SKUS.values():
        ladder = tiers(sku.tier_prefix) if sku.tier_prefix in ("P", "E") else []
        tier_name = "Premium" if sku.premium else "Standard"
        rows = [(t.tier, t.max_size_gib, t.max_shares) for t in ladder] or [(None, 65536, sku.flat_max_shares or 1)]
        for size, max_gib, shares in rows:
            caps = [("MaxSizeGiB", max_gib), ("MinSizeGiB", 1), ("MaxValueOfMaxShares", shares if sku.shareable
                                                                else 1)]
            entry = {"resourceType": "disks", "name": sku.name, "tier": tier_name, "locations": [loc],
                     "locationInfo": [{"location": loc, "zones": [], "zoneDetails": []}],
                     "capabilities": _caps(caps), "restrictions": []}
            if size:
                entry["size"] = size
            out.append(entry)
    return out


@register
class ResourceSkus(Handler):
    arm_type = "Microsoft.Compute/skus"
    scope = "sub"
    operations = (Op("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/skus", (200,),
                     summary="$filter=location eq '..'"),)

    def list(self, ctx: Ctx) -> Reply:
        flt = ctx.req.query.get("$filter") or ""
        m = re.search(r"location\s+eq\s+'([^']+)'", flt, re.I)
        locs = [m.group(1).replace(" ", "").lower()] if m else sorted(set(LOCATIONS) | _state_locations(ctx))
        parts: list[bytes] = []
        for loc in locs:
            restricted = ctx.state["sku_restrictions"].get(loc, {})
            encoded = _encoded(loc)
            for size, raw in zip(SIZES.values(), encoded, strict=False):
                reason = restricted.get(size.name.lower())
                parts.append(json.dumps(_vm_entry(size, loc, reason)).encode("utf-8") if reason else raw)
            parts += encoded[len(SIZES):]
        return Reply(200, b'{"value": [' + b", ".join(parts) + b"]}")  # as json.dumps({"value": [...]})


def _state_locations(ctx: Ctx) -> set[str]:
    return {r["location"] for r in ctx.resources.values() if r.get("location")}
