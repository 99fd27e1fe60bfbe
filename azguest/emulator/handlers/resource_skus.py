"""Microsoft.Compute/skus (resourceSkus list): VM sizes from ``azguest.catalog.sizes`` and disk
SKUs/tiers from ``azguest.catalog.disks``, one entry per location, with restrictions set by
``Engine.set_sku_restriction``. ``$filter=location eq '...'`` is honoured.

Not implemented: zone details beyond "1,2,3", other resource types (availabilitySets, snapshots,
hostGroups), costs, ``includeExtendedLocations``.
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=64)
def _unrestricted(loc: str) -> tuple[dict[str, Any], ...]:
    """The location's entries without restrictions, built once (the catalog is constant). Shared between
    replies, which only encode them: never change one (``list`` builds a restricted entry anew)."""
    return tuple(_vm_entry(s, loc, None) for s in SIZES.values()) + tuple(_disk_entries(loc))


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
        out: list[dict[str, Any]] = []
        for loc in locs:
            restricted = ctx.state["sku_restrictions"].get(loc, {})
            base = _unrestricted(loc)
            if not restricted:
                out += base
                continue
            vms = [_vm_entry(s, loc, restricted[s.name.lower()]) if restricted.get(s.name.lower()) else entry
                   for s, entry in zip(SIZES.values(), base, strict=False)]
            out += vms + list(base[len(vms):])
        return Reply(200, {"value": out})


def _state_locations(ctx: Ctx) -> set[str]:
    return {r["location"] for r in ctx.resources.values() if r.get("location")}
