"""Pin catalogue values to the figures of ../shared/azure-facts.md, so a wrong table is caught."""

from __future__ import annotations

import pytest

from azguest.catalog import rules as R
from azguest.catalog.disks import lookup_disk_sku, max_shares_limit, tier_for
from azguest.catalog.sizes import SERIES, lookup_size


@pytest.mark.parametrize(
    ("sku", "gib", "shares"),
    [
        ("Premium_LRS", 256, 3),  # P15: P1-P20 -> 3 (§2.1)
        ("Premium_LRS", 512, 3),  # P20
        ("Premium_LRS", 1024, 5),  # P30: P30-P50 -> 5
        ("Premium_LRS", 4096, 5),  # P50
        ("Premium_LRS", 8192, 10),  # P60: P60-P80 -> 10
        ("StandardSSD_LRS", 1024, 5),  # E30
        ("UltraSSD_LRS", 64, 15),  # Ultra: any size -> 15
        ("PremiumV2_LRS", 64, 15),
        ("Standard_LRS", 1024, 1),  # Standard HDD can't be shared
    ],
)
def test_max_shares__facts_2_1(sku, gib, shares):
    assert max_shares_limit(sku, gib) == shares


def test_tiers__facts_2_1():
    assert tier_for("Premium_LRS", 1024).tier == "P30"
    assert tier_for("Premium_LRS", 1025).tier == "P40"
    assert tier_for("Premium_LRS", 8).tier == "P2"


@pytest.mark.parametrize(
    ("series", "nested", "premium", "vendor"),
    [
        ("Dsv2", False, False, "intel"),
        ("Av2", False, False, "intel"),
        ("Bsv2", False, True, "intel"),
        ("DCasv5", False, True, "amd"),
        ("Dv3", True, False, "intel"),
        ("Dsv5", True, True, "intel"),
        ("Dasv6", True, True, "amd"),
        ("Esv5", True, True, "intel"),
    ],
)
def test_series__facts_1_1(series, nested, premium, vendor):
    s = SERIES[series]
    assert (s.nested, s.premium_io, s.cpu_vendor) == (nested, premium, vendor)


def test_sizes__lookup():
    assert lookup_size("standard_d8s_v5").vcpus == 8
    assert lookup_size("Standard_DS3_v2").nested is False


def test_disk_limits__facts_2_2():
    assert lookup_disk_sku("UltraSSD_LRS").availability_set_ok is False
    assert lookup_disk_sku("PremiumV2_LRS").os_disk_ok is False
    assert lookup_disk_sku("Premium_ZRS").zrs is True


def test_storage_modes__facts_4():
    s2d = R.STORAGE_MODES["s2d"]
    assert (s2d.min_nodes, s2d.max_nodes) == (2, 3)  # S2D in VMs: 2-3 nodes
    assert s2d.zones == "no" and s2d.witnesses == ("cloud",) and s2d.min_disks_per_node == 2
    assert s2d.premium_disks and s2d.uniform_disks
    assert "vm" not in s2d.backup_modes  # no host-level snapshots of S2D disks
    assert "vm" not in R.STORAGE_MODES["shared-disk"].backup_modes  # restore points exclude shared disks
    assert R.STORAGE_MODES["shared-disk"].zones == "zrs-only"


def test_other_rules__facts_1_2():
    assert R.SECURITY_TYPES_FOR_NESTED == ("Standard",)
    assert R.AMD_MIN_WINDOWS_SERVER == 2022
    assert R.NAME_RULES["computer"].max_len == 15
    assert R.AZURE_RESERVED_FIRST + R.AZURE_RESERVED_LAST == 5


def test_rules__every_row_cites_a_source():
    assert all(r.source and r.summary and r.severity in ("error", "warning", "info") for r in R.RULES.values())
    assert all(m.source for m in R.STORAGE_MODES.values())
