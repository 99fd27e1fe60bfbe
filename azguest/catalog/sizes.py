"""VM sizes: nested virtualization, Premium IO, generations, vCPUs, memory, CPU vendor, quota family.

Source of the per-series facts: the size pages, ACD = MicrosoftDocs/azure-compute-docs
``articles/virtual-machines/sizes/<category>/<series>-series.md`` ("Feature support": Premium Storage,
VM generation, Nested Virtualization); where a page contradicts itself, the row says which copy wins.
Per-size vCPUs, memory, data disks ("Max Remote Storage Disks") and NICs are copied from the same
pages' tables, series by series. There is no Azure API that reports nested support (the Resource SKUs
capabilities have none: SPEC Skus/stable/2021-07-01/examples/skus/ListAvailableResourceSkus.json), so
this is an explicit allow-list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    name: str  # series as Microsoft names it, e.g. "Dsv5"
    family: str  # compute quota family (usage name.value), e.g. "standardDSv5Family"
    nested: bool  # supports nested virtualization (Hyper-V inside the VM)
    premium_io: bool  # can attach Premium SSD
    generations: tuple[str, ...]  # Hyper-V generations: "V1", "V2"
    cpu_vendor: str  # "intel" or "amd"
    confidential: bool  # confidential-computing series
    source: str  # where the row comes from
    premium_series: str | None = None  # the same sizes with Premium storage ("Dv5" -> "Dsv5"), if any


@dataclass(frozen=True)
class VmSize:
    name: str  # ARM size name, e.g. "Standard_D8s_v5"
    series: Series
    vcpus: int
    memory_gb: float
    max_data_disks: int
    max_nics: int

    @property
    def family(self) -> str:
        return self.series.family

    @property
    def nested(self) -> bool:
        return self.series.nested

    @property
    def premium_io(self) -> bool:
        return self.series.premium_io

    @property
    def cpu_vendor(self) -> str:
        return self.series.cpu_vendor

    @property
    def generations(self) -> tuple[str, ...]:
        return self.series.generations


def _src(page: str, date: str) -> str:
    return f"ACD sizes/{page} ({date})"


_DSV2_SRC = ("ACD sizes/memory-optimized/dv2-dsv2-series-memory.md (2022-12-21) and AZD "
             "dv2-dsv2-series.md: Premium yes (the 2024 general-purpose/dsv2-series.md copies Dv2's row)")

SERIES: dict[str, Series] = {
    s.name: s
    for s in (
        Series("Dv3", "standardDv3Family", True, False, ("V1",), "intel", False,
               _src("general-purpose/dv3-series.md", "2024-07-29"), "Dsv3"),
        Series("Dsv3", "standardDSv3Family", True, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/dsv3-series.md", "2024-09-24")),
        Series("Dsv4", "standardDSv4Family", True, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/dsv4-series.md", "2024-07-29")),
        Series("Dv5", "standardDv5Family", True, False, ("V1", "V2"), "intel", False,
               _src("general-purpose/dv5-series.md", "2026-03-10"), "Dsv5"),
        Series("Dsv5", "standardDSv5Family", True, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/dsv5-series.md", "2026-02-27")),
        Series("Ddsv5", "standardDDSv5Family", True, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/ddsv5-series.md", "2024-07-29")),
        Series("Dasv5", "standardDASv5Family", True, True, ("V1", "V2"), "amd", False,
               _src("general-purpose/dasv5-series.md", "2026-03-10")),
        Series("Dsv6", "standardDSv6Family", True, True, ("V2",), "intel", False,
               _src("general-purpose/dsv6-series.md", "2024-07-29")),
        Series("Dasv6", "standardDASv6Family", True, True, ("V2",), "amd", False,
               _src("general-purpose/dasv6-series.md", "2026-03-10")),
        Series("Dasv7", "standardDASv7Family", True, True, ("V2",), "amd", False,
               _src("general-purpose/dasv7-series.md", "2026-01-21")),
        Series("Ev5", "standardEv5Family", True, False, ("V1", "V2"), "intel", False,
               _src("memory-optimized/ev5-series.md", "2024-08-01"), "Esv5"),
        Series("Esv5", "standardESv5Family", True, True, ("V1", "V2"), "intel", False,
               _src("memory-optimized/esv5-series.md", "2026-03-10")),
        Series("Esv6", "standardESv6Family", True, True, ("V2",), "intel", False,
               _src("memory-optimized/esv6-series.md", "2026-03-10")),
        Series("Fsv2", "standardFSv2Family", True, True, ("V1", "V2"), "intel", False,
               _src("compute-optimized/fsv2-series.md", "2024-07-30")),
        Series("Av2", "standardAv2Family", False, False, ("V1",), "intel", False,
               _src("general-purpose/av2-series.md", "2024-07-29")),
        Series("Dsv2", "standardDSv2Family", False, True, ("V1", "V2"), "intel", False, _DSV2_SRC),
        Series("Bsv2", "standardBsv2Family", False, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/bsv2-series.md", "2026-03-10")),
        Series("DCasv5", "standardDCASv5Family", False, True, ("V2",), "amd", True,
               _src("general-purpose/dcasv5-series.md", "2026-03-10")),
    )
}

# Per series, straight from its size page's tables: (name pattern with {n} = vCPUs,
# [(vCPUs, memory GiB, max data disks ("Max Remote Storage Disks"), max NICs)]). Not a formula:
# the counts differ per series (Dsv6 takes 8 disks at 2 vCPUs, Fsv2 4 NICs at 16 vCPUs).
_V5_D = [(2, 8, 4, 2), (4, 16, 8, 2), (8, 32, 16, 4), (16, 64, 32, 8), (32, 128, 32, 8), (48, 192, 32, 8),
         (64, 256, 32, 8), (96, 384, 32, 8)]  # Dv5, Dsv5, Ddsv5, Dasv5, Dasv6 pages: same counts
_V3_D = _V5_D[:7]  # Dv3, Dsv3, Dsv4: 2-64 vCPUs, same counts
_V5_E = [(2, 16, 4, 2), (4, 32, 8, 2), (8, 64, 16, 4), (16, 128, 32, 8), (20, 160, 32, 8), (32, 256, 32, 8),
         (48, 384, 32, 8), (64, 512, 32, 8), (96, 672, 32, 8)]  # Ev5, Esv5 pages
_SIZE_ROWS: list[tuple[str, str, list[tuple[int, float, int, int]]]] = [
    ("Dv3", "Standard_D{n}_v3", _V3_D),
    ("Dsv3", "Standard_D{n}s_v3", _V3_D),
    ("Dsv4", "Standard_D{n}s_v4", _V3_D),
    ("Dv5", "Standard_D{n}_v5", _V5_D),
    ("Dsv5", "Standard_D{n}s_v5", _V5_D),
    ("Ddsv5", "Standard_D{n}ds_v5", _V5_D),
    ("Dasv5", "Standard_D{n}as_v5", _V5_D),
    ("Dsv6", "Standard_D{n}s_v6",
     [(2, 8, 8, 2), (4, 16, 12, 2), (8, 32, 24, 4), (16, 64, 48, 8), (32, 128, 64, 8), (48, 192, 64, 8),
      (64, 256, 64, 8), (96, 384, 64, 8), (128, 512, 64, 8), (192, 768, 64, 8)]),
    ("Dasv6", "Standard_D{n}as_v6", _V5_D),
    ("Dasv7", "Standard_D{n}as_v7",
     [(2, 8, 10, 2), (4, 16, 12, 2), (8, 32, 26, 4), (16, 64, 48, 8), (32, 128, 64, 8), (48, 192, 64, 8),
      (64, 256, 64, 8), (96, 384, 64, 8), (128, 512, 64, 15), (160, 640, 64, 15)]),
    ("Ev5", "Standard_E{n}_v5", _V5_E),
    ("Esv5", "Standard_E{n}s_v5", _V5_E),
    ("Esv6", "Standard_E{n}s_v6",
     [(2, 16, 8, 2), (4, 32, 12, 2), (8, 64, 24, 4), (16, 128, 48, 8), (20, 160, 48, 8), (32, 256, 64, 8),
      (48, 384, 64, 8), (64, 512, 64, 8), (96, 768, 64, 8), (128, 1024, 64, 8)]),
    ("Fsv2", "Standard_F{n}s_v2",
     [(2, 4, 4, 2), (4, 8, 8, 2), (8, 16, 16, 4), (16, 32, 32, 4), (32, 64, 32, 8), (48, 96, 32, 8),
      (64, 128, 32, 8), (72, 144, 32, 8)]),
    ("Av2", "Standard_A{n}_v2", [(1, 2, 2, 2), (2, 4, 4, 2), (4, 8, 8, 4), (8, 16, 16, 8)]),
    ("Bsv2", "Standard_B{n}s_v2", [(2, 8, 4, 2), (4, 16, 8, 2), (8, 32, 16, 2), (16, 64, 32, 4), (32, 128, 32, 4)]),
    ("DCasv5", "Standard_DC{n}as_v5",
     [(2, 8, 4, 2), (4, 16, 8, 2), (8, 32, 16, 4), (16, 64, 32, 4), (32, 128, 32, 8), (48, 192, 32, 8),
      (64, 256, 32, 8), (96, 384, 32, 8)]),
]
# DSv2 (names do not follow the vCPU pattern): data disks 4/8/16/32/64, NICs 2/2/4/8/8 (ACD dv2-dsv2-series-memory.md)
_DSV2 = [("Standard_DS1_v2", 1, 3.5, 4, 2), ("Standard_DS2_v2", 2, 7, 8, 2), ("Standard_DS3_v2", 4, 14, 16, 4),
         ("Standard_DS4_v2", 8, 28, 32, 8), ("Standard_DS5_v2", 16, 56, 64, 8)]


def _build() -> dict[str, VmSize]:
    out: dict[str, VmSize] = {}
    for series, pattern, rows in _SIZE_ROWS:
        for vcpus, mem, disks, nics in rows:
            name = pattern.format(n=vcpus)
            out[name.lower()] = VmSize(name, SERIES[series], vcpus, float(mem), disks, nics)
    for name, vcpus, mem, disks, nics in _DSV2:
        out[name.lower()] = VmSize(name, SERIES["Dsv2"], vcpus, float(mem), disks, nics)
    return out


SIZES: dict[str, VmSize] = _build()


def lookup_size(name: str) -> VmSize | None:
    """The catalogue entry for an ARM size name (case-insensitive), or None if unknown."""
    return SIZES.get(name.lower())


def premium_sibling(size: VmSize) -> str:
    """A size like ``size`` that has Premium storage: its "s" sibling (D8_v5 -> D8s_v5), else a nested one."""
    series = size.series.premium_series
    twin = next((z for z in SIZES.values() if z.series.name == series and z.vcpus == size.vcpus), None)
    return twin.name if twin else nested_alternative(size.vcpus)


def nested_alternative(vcpus: int) -> str:
    """The smallest catalogued size with nested virtualization and Premium IO and >= ``vcpus``."""
    fits = [s for s in SIZES.values() if s.nested and s.premium_io and s.vcpus >= vcpus]
    best = min(fits, key=lambda s: (s.vcpus, s.series.name != "Dsv5", s.name), default=None)
    return best.name if best else max(SIZES.values(), key=lambda s: s.vcpus).name
