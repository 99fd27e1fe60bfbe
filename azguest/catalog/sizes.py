"""VM sizes: nested virtualization, Premium IO, generations, vCPUs, memory, CPU vendor, quota family.

Source of the per-series facts: azure-facts.md §1.1 (ACD ``sizes/<category>/<series>-series.md``,
"Nested Virtualization" row). Per-size vCPU/memory/disk/NIC counts come from the same size pages.
There is no Azure API that reports nested support (§1.3), so this is an explicit allow-list.
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
    return f"azure-facts.md §1.1; ACD sizes/{page} ({date})"


SERIES: dict[str, Series] = {
    s.name: s
    for s in (
        Series("Dv3", "standardDv3Family", True, False, ("V1",), "intel", False,
               _src("general-purpose/dv3-series.md", "2024-07-29")),
        Series("Dsv3", "standardDSv3Family", True, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/dsv3-series.md", "2024-09-24")),
        Series("Dsv5", "standardDSv5Family", True, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/dsv5-series.md", "2026-02-27")),
        Series("Dsv6", "standardDSv6Family", True, True, ("V2",), "intel", False,
               _src("general-purpose/dsv6-series.md", "2024-07-29")),
        Series("Dasv6", "standardDASv6Family", True, True, ("V2",), "amd", False,
               _src("general-purpose/dasv6-series.md", "2026-03-10")),
        Series("Dasv7", "standardDASv7Family", True, True, ("V2",), "amd", False,
               _src("general-purpose/dasv7-series.md", "2026-01-21")),
        Series("Esv5", "standardESv5Family", True, True, ("V1", "V2"), "intel", False,
               _src("memory-optimized/esv5-series.md", "2026-03-10")),
        Series("Fsv2", "standardFSv2Family", True, True, ("V1", "V2"), "intel", False,
               _src("compute-optimized/fsv2-series.md", "2024-07-30")),
        Series("Av2", "standardAv2Family", False, False, ("V1",), "intel", False,
               _src("general-purpose/av2-series.md", "2024-07-29")),
        Series("Dsv2", "standardDSv2Family", False, False, ("V1",), "intel", False,
               _src("general-purpose/dsv2-series.md", "2024-07-29")),
        Series("Bsv2", "standardBsv2Family", False, True, ("V1", "V2"), "intel", False,
               _src("general-purpose/bsv2-series.md", "2026-03-10")),
        Series("DCasv5", "standardDCASv5Family", False, True, ("V2",), "amd", True,
               _src("general-purpose/dcasv5-series.md", "2026-03-10")),
    )
}

# (series, name pattern with {n} = vCPUs, [(vCPUs, memory GiB)])
_GP = [(2, 8), (4, 16), (8, 32), (16, 64), (32, 128), (48, 192), (64, 256)]
_SIZE_ROWS: list[tuple[str, str, list[tuple[int, float]]]] = [
    ("Dv3", "Standard_D{n}_v3", _GP),
    ("Dsv3", "Standard_D{n}s_v3", _GP),
    ("Dsv5", "Standard_D{n}s_v5", _GP + [(96, 384)]),
    ("Dsv6", "Standard_D{n}s_v6", _GP + [(96, 384), (128, 512)]),
    ("Dasv6", "Standard_D{n}as_v6", _GP + [(96, 384)]),
    ("Dasv7", "Standard_D{n}as_v7", _GP + [(96, 384)]),
    ("Esv5", "Standard_E{n}s_v5",
     [(2, 16), (4, 32), (8, 64), (16, 128), (20, 160), (32, 256), (48, 384), (64, 512), (96, 672)]),
    ("Fsv2", "Standard_F{n}s_v2",
     [(2, 4), (4, 8), (8, 16), (16, 32), (32, 64), (48, 96), (64, 128), (72, 144)]),
    ("Av2", "Standard_A{n}_v2", [(1, 2), (2, 4), (4, 8), (8, 16)]),
    ("Bsv2", "Standard_B{n}s_v2", [(2, 8), (4, 16), (8, 32), (16, 64), (32, 128)]),
    ("DCasv5", "Standard_DC{n}as_v5", _GP + [(96, 384)]),
]
_DSV2 = [("Standard_DS1_v2", 1, 3.5), ("Standard_DS2_v2", 2, 7), ("Standard_DS3_v2", 4, 14),
         ("Standard_DS4_v2", 8, 28), ("Standard_DS5_v2", 16, 56)]


def _disks(vcpus: int) -> int:
    return min(max(2, vcpus * 2), 32)


def _nics(vcpus: int) -> int:
    return 2 if vcpus <= 4 else 4 if vcpus <= 8 else 8


def _build() -> dict[str, VmSize]:
    out: dict[str, VmSize] = {}
    for series, pattern, rows in _SIZE_ROWS:
        for vcpus, mem in rows:
            name = pattern.format(n=vcpus)
            out[name.lower()] = VmSize(name, SERIES[series], vcpus, float(mem), _disks(vcpus), _nics(vcpus))
    for name, vcpus, mem in _DSV2:
        out[name.lower()] = VmSize(name, SERIES["Dsv2"], vcpus, float(mem), _disks(vcpus), _nics(vcpus))
    return out


SIZES: dict[str, VmSize] = _build()


def lookup_size(name: str) -> VmSize | None:
    """The catalogue entry for an ARM size name (case-insensitive), or None if unknown."""
    return SIZES.get(name.lower())


def nested_alternative(vcpus: int) -> str:
    """The smallest catalogued size with nested virtualization and Premium IO and >= ``vcpus``."""
    fits = [s for s in SIZES.values() if s.nested and s.premium_io and s.vcpus >= vcpus]
    best = min(fits, key=lambda s: (s.vcpus, s.series.name != "Dsv5", s.name), default=None)
    return best.name if best else max(SIZES.values(), key=lambda s: s.vcpus).name
