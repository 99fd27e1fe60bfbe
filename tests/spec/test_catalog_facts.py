"""Pin catalogue values to the figures of their cited Microsoft pages, so a wrong table is caught."""

from __future__ import annotations

import pytest

from azguest.catalog import rules as R
from azguest.catalog.disks import lookup_disk_sku, max_shares_limit, tier_for
from azguest.catalog.sizes import SERIES, lookup_size, premium_sibling


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
    ("series", "nested", "premium", "vendor", "generations"),
    [
        ("Dsv2", False, True, "intel", ("V1", "V2")),  # §9.1: Premium yes, Gen1+2, not nested
        ("Av2", False, False, "intel", ("V1",)),
        ("Bsv2", False, True, "intel", ("V1", "V2")),
        ("DCasv5", False, True, "amd", ("V2",)),
        ("Dv3", True, False, "intel", ("V1",)),
        ("Dsv5", True, True, "intel", ("V1", "V2")),
        ("Dasv6", True, True, "amd", ("V2",)),
        ("Esv5", True, True, "intel", ("V1", "V2")),
        # §9.1 additions
        ("Dv5", True, False, "intel", ("V1", "V2")),
        ("Ev5", True, False, "intel", ("V1", "V2")),
        ("Dsv4", True, True, "intel", ("V1", "V2")),
        ("Ddsv5", True, True, "intel", ("V1", "V2")),
        ("Dasv5", True, True, "amd", ("V1", "V2")),
        ("Esv6", True, True, "intel", ("V2",)),
    ],
)
def test_series__facts_1_1_and_9_1(series, nested, premium, vendor, generations):
    s = SERIES[series]
    assert (s.nested, s.premium_io, s.cpu_vendor, s.generations) == (nested, premium, vendor, generations)


@pytest.mark.parametrize(
    ("size", "vcpus", "memory", "disks", "nics"),
    [  # each row copied from the series' size page (Max Remote Storage Disks, Max NICs)
        ("Standard_DS1_v2", 1, 3.5, 4, 2), ("Standard_DS3_v2", 4, 14, 16, 4), ("Standard_DS5_v2", 16, 56, 64, 8),
        ("Standard_D2s_v6", 2, 8, 8, 2), ("Standard_D4s_v6", 4, 16, 12, 2), ("Standard_D8s_v6", 8, 32, 24, 4),
        ("Standard_D16s_v6", 16, 64, 48, 8), ("Standard_D32s_v6", 32, 128, 64, 8),
        ("Standard_D2as_v7", 2, 8, 10, 2), ("Standard_D8as_v7", 8, 32, 26, 4), ("Standard_D128as_v7", 128, 512, 64, 15),
        ("Standard_E2s_v6", 2, 16, 8, 2), ("Standard_E20s_v6", 20, 160, 48, 8),
        ("Standard_F16s_v2", 16, 32, 32, 4),  # Fsv2: 4 NICs at 16 vCPUs (a formula said 8)
        ("Standard_B8s_v2", 8, 32, 16, 2), ("Standard_B32s_v2", 32, 128, 32, 4),
        ("Standard_DC16as_v5", 16, 64, 32, 4), ("Standard_A8_v2", 8, 16, 16, 8),
        ("Standard_D8_v5", 8, 32, 16, 4), ("Standard_D8s_v5", 8, 32, 16, 4), ("Standard_D96ds_v5", 96, 384, 32, 8),
        ("Standard_D2as_v5", 2, 8, 4, 2), ("Standard_D64s_v4", 64, 256, 32, 8),
        ("Standard_E20_v5", 20, 160, 32, 8), ("Standard_E96s_v5", 96, 672, 32, 8),
    ],
)
def test_sizes__per_series_counts_from_the_size_pages(size, vcpus, memory, disks, nics):
    z = lookup_size(size)
    assert (z.vcpus, z.memory_gb, z.max_data_disks, z.max_nics) == (vcpus, memory, disks, nics)


def test_sizes__lookup():
    assert lookup_size("standard_d8s_v5").vcpus == 8
    assert lookup_size("Standard_DS3_v2").nested is False


@pytest.mark.parametrize(("size", "sibling"), [("Standard_D8_v5", "Standard_D8s_v5"),
                                               ("Standard_E20_v5", "Standard_E20s_v5"),
                                               ("Standard_D4_v3", "Standard_D4s_v3")])
def test_premium_sibling__names_the_s_size(size, sibling):
    assert premium_sibling(lookup_size(size)) == sibling and lookup_size(sibling).premium_io


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
    # restore points exclude shared disks: a vm backup snapshots them apart (azguest.backup), so it is allowed
    assert "vm" in R.STORAGE_MODES["shared-disk"].backup_modes
    assert R.STORAGE_MODES["shared-disk"].zones == "zrs-only"


def test_other_rules__facts_1_2():
    assert R.SECURITY_TYPES_FOR_NESTED == ("Standard",)
    assert R.AMD_MIN_WINDOWS_SERVER == 2022
    assert R.NAME_RULES["computer"].max_len == 15
    assert R.AZURE_RESERVED_FIRST + R.AZURE_RESERVED_LAST == 5


def test_rules__every_row_cites_a_source():
    assert all(r.source and r.summary and r.severity in ("error", "warning", "info") for r in R.RULES.values())
    assert all(m.source for m in R.STORAGE_MODES.values())
