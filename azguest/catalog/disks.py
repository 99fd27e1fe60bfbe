"""Managed disk SKUs, size tiers and the shared-disk ``maxShares`` limits.

Sources: AZD includes/virtual-machines-disks-shared-sizes.md (2022-10-14) for maxShares per tier;
ACD includes/virtual-machines-disks-shared-limitations.md for which SKUs can be shared, caching and
availability-set limits. P-tier GiB sizes: the public disk pricing tiers (not stated on the shared-disk
page).
"""

from __future__ import annotations

from dataclasses import dataclass

_SRC_SHARES = "AZD includes/virtual-machines-disks-shared-sizes.md (2022-10-14)"
_SRC_LIMITS = "ACD includes/virtual-machines-disks-shared-limitations.md (2023-04-14)"
ULTRA_MAX_SHARES = 15  # Ultra / Premium SSD v2: any size -> 1-15 (AZD virtual-machines-disks-shared-sizes.md)


@dataclass(frozen=True)
class DiskSku:
    name: str  # ARM sku name, e.g. "Premium_LRS"
    tier_prefix: str | None  # "P" or "E" for tiered SKUs; None for size-independent SKUs
    premium: bool  # needs a PremiumIO-capable VM size
    ssd: bool
    shareable: bool  # may have maxShares > 1
    flat_max_shares: int | None  # maxShares limit independent of size (Ultra, PremV2)
    availability_set_ok: bool  # may attach to a VM in an availability set
    os_disk_ok: bool
    zrs: bool
    source: str
    zonal_vm_only: bool = False  # attaches only to VMs in an availability zone (most AZ regions)


@dataclass(frozen=True)
class DiskTier:
    sku: str  # ARM sku the tier belongs to
    tier: str  # e.g. "P30"
    max_size_gib: int  # largest disk size in this tier
    max_shares: int  # largest maxShares allowed for this tier
    source: str


DISK_SKUS: dict[str, DiskSku] = {
    s.name.lower(): s
    for s in (
        DiskSku("Premium_LRS", "P", True, True, True, None, True, True, False, _SRC_LIMITS),
        DiskSku("Premium_ZRS", "P", True, True, True, None, True, True, True, _SRC_LIMITS),
        DiskSku("StandardSSD_LRS", "E", False, True, True, None, True, True, False, _SRC_LIMITS),
        DiskSku("StandardSSD_ZRS", "E", False, True, True, None, True, True, True, _SRC_LIMITS),
        DiskSku("Standard_LRS", "S", False, False, False, None, True, True, False,
                _SRC_LIMITS + ": Standard HDD can't be shared"),
        DiskSku("UltraSSD_LRS", None, True, True, True, ULTRA_MAX_SHARES, False, False, False,
                _SRC_LIMITS + "; faq-for-disks.yml: Ultra can't attach to VMs in an availability set"),
        DiskSku("PremiumV2_LRS", None, True, True, True, ULTRA_MAX_SHARES, False, False, False,
                _SRC_LIMITS + "; ACD includes/disks-prem-v2-limitations.md (2026-06-05)", zonal_vm_only=True),
    )
}

# (tier number, max GiB, maxShares) shared by the P (Premium SSD) and E (Standard SSD) ladders.
_LADDER: list[tuple[int, int, int]] = [
    (1, 4, 3), (2, 8, 3), (3, 16, 3), (4, 32, 3), (6, 64, 3), (10, 128, 3), (15, 256, 3), (20, 512, 3),
    (30, 1024, 5), (40, 2048, 5), (50, 4096, 5),
    (60, 8192, 10), (70, 16384, 10), (80, 32767, 10),
]
MAX_DISK_SIZE_GIB = 32767


def tiers(prefix: str) -> list[DiskTier]:
    """The size ladder of one tiered family ("P" Premium SSD or "E" Standard SSD)."""
    sku = {"P": "Premium_LRS", "E": "StandardSSD_LRS"}[prefix]
    return [DiskTier(sku, f"{prefix}{n}", gib, shares, _SRC_SHARES) for n, gib, shares in _LADDER]


def lookup_disk_sku(name: str) -> DiskSku | None:
    return DISK_SKUS.get(name.lower())


def tier_for(sku: str, size_gib: int) -> DiskTier | None:
    """The tier a disk of this SKU and size falls in; None for untiered or unknown SKUs."""
    info = lookup_disk_sku(sku)
    if info is None or info.tier_prefix not in ("P", "E"):
        return None
    for t in tiers(info.tier_prefix):
        if size_gib <= t.max_size_gib:
            return t
    return None


def max_shares_limit(sku: str, size_gib: int) -> int:
    """The largest ``maxShares`` Azure accepts for this SKU and size (1 = cannot be shared)."""
    info = lookup_disk_sku(sku)
    if info is None or not info.shareable:
        return 1
    if info.flat_max_shares is not None:
        return info.flat_max_shares
    tier = tier_for(sku, size_gib)
    return tier.max_shares if tier else 1
