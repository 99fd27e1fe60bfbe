"""List prices for cost estimates: ONE reference region, ONE date, pay-as-you-go, USD.

What ``plan``, ``status`` and ``init`` print is an *estimate*: Azure bills per region, per second, with
transactions, egress and discounts this table ignores. The output always says so
(:func:`estimate_note`: "estimate, eastus list prices of <date>, Windows license included").

Primary source: the Azure Retail Prices API, ``https://prices.azure.com/api/retail/prices`` (public,
unauthenticated), with the filters in :data:`SOURCES` (``armRegionName eq 'eastus' and priceType eq
'Consumption'`` plus the service and SKU), i.e. the figures on azure.microsoft.com/pricing for
*Virtual Machines* (Windows and Linux pages) and *Managed Disks*.

Verification, honestly: this table was written without internet access, so no figure was re-fetched
on :data:`PRICE_DATE`. Each row's ``basis`` says how far it is backed:

- ``corroborated``: the figure also appears, for eastus, in independent public copies of retail-prices
  API responses (test fixtures of open-source price tools, found with a code search): D2s_v3/D4s_v3/D8s_v3
  Linux 0.096/0.192/0.384 and D8s_v3 Windows 0.752 (hence the Windows license 0.046 per vCPU-hour),
  P15 38.01, P30 135.17. Secondary copies, not Microsoft's page: a refresh from the API supersedes them.
- ``recalled``: the published eastus list price as the author knew it (2024-2025); not re-checked.
- ``unverified``: a series the author had no eastus figure for (newer series: Dsv6, Dasv6, Dasv7, Esv6,
  DCasv5, Bsv2 Windows, DSv2 Windows, P50-P80): a placeholder from its nearest catalogued sibling, to be
  replaced by the API's figure. Refresh the whole table with the filters in :data:`SOURCES`.

Per-size VM prices are the series' per-vCPU rate times the size's vCPUs: Azure's list prices are linear
in vCPUs within these series (D2s_v3/D4s_v3/D8s_v3 above). Av2 and DSv2 are listed per size.
Not included: shared-disk mount charges (Premium SSD ``<tier> LRS Disk Mount`` meters, billed per
VM mount when ``maxShares`` > 1), Standard SSD/HDD transactions, bandwidth, ZRS disks, Ultra and Premium
SSD v2 (sized by IOPS/throughput): those disks are listed as unpriced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azguest.catalog.disks import lookup_disk_sku, tiers
from azguest.catalog.sizes import lookup_size

REFERENCE_REGION = "eastus"
PRICE_DATE = "2025-06"  # when the figures were recorded (see the module docstring: not re-fetched)
CURRENCY = "USD"
HOURS_PER_MONTH = 730  # Azure's pricing pages convert hourly to monthly with 730 hours
RETAIL_API = "https://prices.azure.com/api/retail/prices"
SOURCES = {
    "vm": f"{RETAIL_API}?$filter=serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and "
          "priceType eq 'Consumption' and armSkuName eq '<size>' (productName without/with ' Windows'; "
          "skuName without 'Spot'/'Low Priority')",
    "disk": f"{RETAIL_API}?$filter=serviceName eq 'Storage' and armRegionName eq 'eastus' and "
            "priceType eq 'Consumption' and meterName eq '<tier> LRS Disk' (productName 'Premium SSD Managed "
            "Disks' | 'Standard SSD Managed Disks' | 'Standard HDD Managed Disks')",
    "snapshot": f"{RETAIL_API}?$filter=serviceName eq 'Storage' and armRegionName eq 'eastus' and "
                "meterName eq 'LRS Snapshots' (productName 'Standard HDD Managed Disks')",
    "storage": f"{RETAIL_API}?$filter=serviceName eq 'Storage' and armRegionName eq 'eastus' and "
               "meterName eq 'Hot LRS Data Stored' (productName 'General Block Blob v2')",
    "publicIp": f"{RETAIL_API}?$filter=serviceName eq 'Virtual Network' and armRegionName eq 'eastus' and "
                "meterName eq 'Standard IPv4 Static Public IP'",
}
WINDOWS_LICENSE_PER_VCPU_HOUR = 0.046  # D8s_v3 Windows 0.752 - Linux 0.384 = 0.368 / 8 (corroborated)


@dataclass(frozen=True)
class SeriesRate:
    series: str  # sizes.SERIES key
    linux: float  # USD per vCPU-hour, pay-as-you-go, eastus
    windows: float  # the same with the Windows Server license
    anchor: str  # the size whose list price gives the rate
    basis: str  # corroborated | recalled | unverified


_W = WINDOWS_LICENSE_PER_VCPU_HOUR
SERIES_RATES: dict[str, SeriesRate] = {
    r.series: r
    for r in (
        SeriesRate("Dv3", 0.048, 0.094, "D2_v3 0.096 / 0.188", "recalled"),
        SeriesRate("Dsv3", 0.048, 0.094, "D8s_v3 0.384 / 0.752", "corroborated"),
        SeriesRate("Dsv4", 0.048, 0.094, "D2s_v4 0.096 / 0.188", "recalled"),
        SeriesRate("Dv5", 0.048, 0.094, "D2_v5 0.096 / 0.188", "recalled"),
        SeriesRate("Dsv5", 0.048, 0.094, "D2s_v5 0.096 / 0.188", "recalled"),
        SeriesRate("Ddsv5", 0.0565, 0.1025, "D2ds_v5 0.113 / 0.205", "recalled"),
        SeriesRate("Dasv5", 0.043, 0.089, "D2as_v5 0.086 / 0.178", "recalled"),
        SeriesRate("Dsv6", 0.048, 0.048 + _W, "placeholder: Dsv5's rate", "unverified"),
        SeriesRate("Dasv6", 0.043, 0.043 + _W, "placeholder: Dasv5's rate", "unverified"),
        SeriesRate("Dasv7", 0.043, 0.043 + _W, "placeholder: Dasv5's rate", "unverified"),
        SeriesRate("Ev5", 0.063, 0.109, "E2_v5 0.126 / 0.218", "recalled"),
        SeriesRate("Esv5", 0.063, 0.109, "E2s_v5 0.126 / 0.218", "recalled"),
        SeriesRate("Esv6", 0.063, 0.063 + _W, "placeholder: Esv5's rate", "unverified"),
        SeriesRate("Fsv2", 0.0423, 0.0883, "F2s_v2 0.0846 / 0.1766", "recalled"),
        SeriesRate("Bsv2", 0.0416, 0.0416 + _W, "B2s_v2 0.0832 Linux; Windows placeholder", "unverified"),
        SeriesRate("DCasv5", 0.048, 0.048 + _W, "placeholder: Dsv5's rate", "unverified"),
    )
}
# Sizes whose price is not linear in the series (or whose names don't follow the vCPU pattern):
# size -> (Linux, Windows) USD per hour, basis.
SIZE_PRICES: dict[str, tuple[float, float, str]] = {
    "standard_a1_v2": (0.043, 0.065, "recalled"),
    "standard_a2_v2": (0.091, 0.136, "recalled"),
    "standard_a4_v2": (0.191, 0.287, "recalled"),
    "standard_a8_v2": (0.400, 0.600, "recalled"),
    "standard_ds1_v2": (0.073, 0.073 + _W, "Linux recalled; Windows unverified"),
    "standard_ds2_v2": (0.146, 0.146 + 2 * _W, "Linux recalled; Windows unverified"),
    "standard_ds3_v2": (0.293, 0.293 + 4 * _W, "Linux recalled; Windows unverified"),
    "standard_ds4_v2": (0.585, 0.585 + 8 * _W, "Linux recalled; Windows unverified"),
    "standard_ds5_v2": (1.170, 1.170 + 16 * _W, "Linux recalled; Windows unverified"),
}

# Monthly price per disk tier (LRS), USD. Premium SSD "P", Standard SSD "E", Standard HDD "S".
DISK_TIER_PRICES: dict[str, tuple[float, str]] = {
    **{t: (p, b) for t, p, b in (
        ("P1", 0.77, "unverified"), ("P2", 1.54, "unverified"), ("P3", 3.08, "unverified"),
        ("P4", 5.28, "recalled"), ("P6", 10.21, "recalled"), ("P10", 19.71, "recalled"),
        ("P15", 38.01, "corroborated"), ("P20", 73.22, "recalled"), ("P30", 135.17, "corroborated"),
        ("P40", 259.05, "recalled"), ("P50", 495.57, "unverified"), ("P60", 946.08, "unverified"),
        ("P70", 1802.06, "unverified"), ("P80", 3604.12, "unverified"))},
    **{t: (p, "recalled") for t, p in (
        ("E1", 0.30), ("E2", 0.60), ("E3", 1.20), ("E4", 2.40), ("E6", 4.80), ("E10", 9.60), ("E15", 19.20),
        ("E20", 38.40), ("E30", 76.80), ("E40", 153.60), ("E50", 307.20), ("E60", 614.40), ("E70", 1228.80),
        ("E80", 2457.60))},
    **{t: (p, "recalled") for t, p in (
        ("S4", 1.54), ("S6", 3.01), ("S10", 5.89), ("S15", 11.33), ("S20", 21.76), ("S30", 40.96),
        ("S40", 77.83), ("S50", 143.36), ("S60", 262.14), ("S70", 524.29), ("S80", 1048.58))},
}
SNAPSHOT_PER_GIB_MONTH = 0.05  # Standard HDD LRS snapshots (incremental snapshots bill at this rate), recalled
STORAGE_PER_GIB_MONTH = 0.0184  # StorageV2 hot LRS block blob, first 50 TB, recalled
WITNESS_GIB = 1  # a cloud witness holds one small blob: priced as 1 GiB
PUBLIC_IP_PER_HOUR = 0.005  # Standard static IPv4, billed while it exists (running or not), recalled


def _money(x: float) -> float:
    return round(x, 4)


def vm_hourly(size: str, *, windows_license: bool = True) -> tuple[float, str] | None:
    """List price per hour of a catalogued size, with or without the Windows license; None if unpriced."""
    row = SIZE_PRICES.get(size.lower())
    if row is not None:
        return (row[1] if windows_license else row[0]), row[2]
    info = lookup_size(size)
    rate = SERIES_RATES.get(info.series.name) if info else None
    if info is None or rate is None:
        return None
    return _money((rate.windows if windows_license else rate.linux) * info.vcpus), rate.basis


def disk_tier(sku: str, size_gib: int) -> str | None:
    """The billing tier of a managed disk ("P30", "E10", "S4"); None for untiered SKUs (Ultra, v2)."""
    info = lookup_disk_sku(sku)
    if info is None or info.tier_prefix is None or sku.upper().endswith("_ZRS"):
        return None
    ladder = [t for t in tiers("P") if info.tier_prefix != "S" or t.max_size_gib >= 32]
    for t in ladder:
        if size_gib <= t.max_size_gib:
            return info.tier_prefix + t.tier[1:]
    return None


def disk_monthly(sku: str, size_gib: int) -> tuple[str, float, str] | None:
    """(tier, USD per month, basis) for an LRS managed disk; None when the SKU is not priced here."""
    tier = disk_tier(sku, size_gib)
    if tier is None or tier not in DISK_TIER_PRICES:
        return None
    price, basis = DISK_TIER_PRICES[tier]
    return tier, price, basis


@dataclass(frozen=True)
class CostLine:
    name: str  # the resource
    kind: str  # vm | disk | storageAccount | publicIp
    detail: str  # "Standard_D8s_v5 Windows", "P15 (256 GiB)", ...
    hourly_running: float  # USD per hour while running (VM compute only)
    monthly: float  # USD per month whatever the power state (disks, storage, static public IPs)


@dataclass(frozen=True)
class CostEstimate:
    lines: tuple[CostLine, ...]
    unpriced: tuple[str, ...] = ()  # resources this table has no price for (counted as 0)
    windows_license: bool = True  # VMs priced with the Windows Server license (no Azure Hybrid Benefit)

    @property
    def per_hour_running(self) -> float:
        return round(sum(x.hourly_running for x in self.lines) + self.per_month_deallocated / HOURS_PER_MONTH, 3)

    def per_hour_now(self, running: set[str]) -> float:
        """Per hour with only the VMs named in ``running`` running (disks and IPs bill regardless)."""
        vms = sum(x.hourly_running for x in self.lines if x.name in running)
        return round(vms + self.per_month_deallocated / HOURS_PER_MONTH, 3)

    @property
    def per_month_deallocated(self) -> float:
        return round(sum(x.monthly for x in self.lines), 2)

    @property
    def note(self) -> str:
        return estimate_note(self.windows_license)

    def to_dict(self) -> dict[str, Any]:
        return {"perHourRunning": self.per_hour_running, "perMonthDeallocated": self.per_month_deallocated,
                "currency": CURRENCY, "region": REFERENCE_REGION, "priceDate": PRICE_DATE,
                "windowsLicense": self.windows_license, "note": self.note, "unpriced": list(self.unpriced),
                "lines": [{"name": x.name, "kind": x.kind, "detail": x.detail, "hourlyRunning": x.hourly_running,
                           "monthly": x.monthly} for x in self.lines]}


def estimate_note(windows_license: bool | None = True) -> str:
    """What every printed estimate says about itself; ``None``: no VMs, so no license clause."""
    base = f"estimate, {REFERENCE_REGION} list prices of {PRICE_DATE}, pay-as-you-go"
    if windows_license is None:
        return base
    lic = "Windows license included" if windows_license else "Windows license excluded (Azure Hybrid Benefit)"
    return f"{base}, {lic}"


class CostBuilder:
    """Collects lines for one lab: VMs, managed disks, storage accounts, public IPs."""

    def __init__(self) -> None:
        self.lines: list[CostLine] = []
        self.unpriced: list[str] = []
        self.hybrid: list[bool] = []

    def vm(self, name: str, size: str, *, hybrid_benefit: bool = False) -> None:
        price = vm_hourly(size, windows_license=not hybrid_benefit)
        self.hybrid.append(hybrid_benefit)
        if price is None:
            self.unpriced.append(f"{name} ({size})")
            return
        os_label = "Linux rate (Hybrid Benefit)" if hybrid_benefit else "Windows"
        self.lines.append(CostLine(name, "vm", f"{size} {os_label}", price[0], 0.0))

    def disk(self, name: str, sku: str, size_gib: int) -> None:
        price = disk_monthly(sku, size_gib)
        if price is None:
            self.unpriced.append(f"{name} ({sku} {size_gib} GiB)")
            return
        self.lines.append(CostLine(name, "disk", f"{price[0]} {sku} {size_gib} GiB", 0.0, price[1]))

    def storage_account(self, name: str) -> None:
        self.lines.append(CostLine(name, "storageAccount", f"~{WITNESS_GIB} GiB hot LRS", 0.0,
                                   _money(WITNESS_GIB * STORAGE_PER_GIB_MONTH)))

    def public_ip(self, name: str) -> None:
        self.lines.append(CostLine(name, "publicIp", "Standard static IPv4", 0.0,
                                   _money(PUBLIC_IP_PER_HOUR * HOURS_PER_MONTH)))

    def build(self) -> CostEstimate:
        return CostEstimate(tuple(self.lines), tuple(self.unpriced), not all(self.hybrid) if self.hybrid else True)


def disk_choice_note(sku: str, size_gib: int, max_shares: int = 1) -> str:
    """One line for ``init``: the tier a disk falls in, what sharing it allows, and its monthly list price."""
    price = disk_monthly(sku, size_gib)
    tier = price[0] if price else (disk_tier(sku, size_gib) or sku)
    shared = f", shared by {max_shares} nodes" if max_shares > 1 else ""
    mounts = "; shared-disk mount charges not included" if max_shares > 1 else ""
    cost = f"about ${price[1]:,.2f}/month ({estimate_note(None)}{mounts})" if price else "not in azguest's price table"
    return f"{sku} {size_gib} GiB = {tier}{shared}: {cost}"


def storage_disk_notes(disks: Any) -> list[str]:
    """``init``'s lines for a storage layout's disks (``PlannedDisk``: sku, size_gb, max_shares), one per kind:
    "2 x Premium_LRS 256 GiB = P15: about $38.01/month each (...)"."""
    counts: dict[tuple[str, int, int], int] = {}
    for d in disks:
        key = (d.sku, d.size_gb, d.max_shares)
        counts[key] = counts.get(key, 0) + 1
    return [f"{n} x {disk_choice_note(sku, gib, shares)}" + (" each" if n > 1 else "")
            for (sku, gib, shares), n in sorted(counts.items())]
