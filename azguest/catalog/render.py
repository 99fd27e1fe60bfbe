"""Render the catalogue into docs/catalog.md.

python -m azguest.catalog.render            # print
python -m azguest.catalog.render --write    # rewrite docs/catalog.md
python -m azguest.catalog.render --check    # exit 1 if docs/catalog.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from azguest.catalog import rules as R
from azguest.catalog.disks import DISK_SKUS, tiers
from azguest.catalog.sizes import SERIES, SIZES

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return out + [""]


def _yn(flag: bool) -> str:
    return "yes" if flag else "**no**"


def _series() -> list[str]:
    rows = [
        [s.name, _yn(s.nested), _yn(s.premium_io), ",".join(s.generations), s.cpu_vendor, s.family, s.source]
        for s in SERIES.values()
    ]
    return _table(["Series", "Nested", "Premium IO", "Gen", "CPU", "Quota family", "Source"], rows)


def _sizes() -> list[str]:
    rows = [
        [
            z.name,
            z.series.name,
            z.vcpus,
            f"{z.memory_gb:g}",
            z.max_data_disks,
            z.max_nics,
            "yes" if z.nested and z.premium_io else "no",
        ]
        for z in sorted(SIZES.values(), key=lambda z: (z.series.name, z.vcpus))
    ]
    return _table(["Size", "Series", "vCPUs", "Memory GiB", "Data disks", "NICs", "Usable for nodes"], rows)


def _disks() -> list[str]:
    rows = [
        [
            d.name,
            d.tier_prefix or "-",
            _yn(d.premium),
            _yn(d.shareable),
            d.flat_max_shares or "by tier",
            _yn(d.availability_set_ok),
            _yn(d.os_disk_ok),
            _yn(d.zrs),
            "yes" if d.zonal_vm_only else "-",
            d.source,
        ]
        for d in DISK_SKUS.values()
    ]
    out = _table(
        ["SKU", "Tiers", "Premium", "Shareable", "maxShares", "Availability set", "OS disk", "ZRS", "Zonal VMs only",
         "Source"],
        rows,
    )
    ladder = [
        [p.tier, e.tier, p.max_size_gib, p.max_shares] for p, e in zip(tiers("P"), tiers("E"), strict=True)
    ]
    return out + _table(["Premium SSD", "Standard SSD", "Up to GiB", "maxShares"], ladder)


def _prices() -> list[str]:
    from azguest.catalog import prices as PR

    intro = [
        f"List prices for estimates only: {PR.REFERENCE_REGION}, pay-as-you-go, {PR.CURRENCY}, recorded "
        f"{PR.PRICE_DATE}. Source: the Azure Retail Prices API (`{PR.RETAIL_API}`) with the filters below. "
        "**Not re-fetched**: written without internet access. Basis per row: *corroborated* (also in "
        "independent public copies of API responses), *recalled* (the published figure as known, not "
        "re-checked), *unverified* (a placeholder from the nearest sibling; replace it with the API's figure). "
        "Not included: shared-disk mount charges, transactions, bandwidth, ZRS/Ultra/Premium SSD v2 disks "
        "(reported as unpriced).",
        "",
        *[f"- {k}: `{v}`" for k, v in PR.SOURCES.items()],
        "",
    ]
    series = [[r.series, f"{r.linux:g}", f"{r.windows:g}", r.anchor, r.basis] for r in PR.SERIES_RATES.values()]
    sizes = [[k, f"{lin:g}", f"{win:g}", b] for k, (lin, win, b) in PR.SIZE_PRICES.items()]
    disks = [[t, f"{p:,.2f}", b] for t, (p, b) in PR.DISK_TIER_PRICES.items()]
    other = [["Windows Server license per vCPU-hour", PR.WINDOWS_LICENSE_PER_VCPU_HOUR],
             ["Snapshot per GiB-month (Standard HDD LRS)", PR.SNAPSHOT_PER_GIB_MONTH],
             ["Storage per GiB-month (hot LRS block blob)", PR.STORAGE_PER_GIB_MONTH],
             ["Standard static public IPv4 per hour", PR.PUBLIC_IP_PER_HOUR]]
    return (intro + _table(["Series", "Linux $/vCPU-h", "Windows $/vCPU-h", "Anchor", "Basis"], series)
            + _table(["Size", "Linux $/h", "Windows $/h", "Basis"], sizes)
            + _table(["Disk tier (LRS)", "$/month", "Basis"], disks) + _table(["Item", "USD"], other))


def _modes() -> list[str]:
    rows = [
        [
            m.mode,
            f"{m.min_nodes}-{m.max_nodes}" if m.max_nodes else f"{m.min_nodes}+",
            m.zones,
            ", ".join(m.witnesses),
            m.min_disks_per_node or "-",
            _yn(m.premium_disks) if m.premium_disks else "-",
            ", ".join(m.backup_modes),
            m.source,
        ]
        for m in R.STORAGE_MODES.values()
    ]
    return _table(
        ["Mode", "Nodes", "Zones", "Witness", "Disks/node", "Premium only", "Backup modes", "Source"], rows
    )


def _rules() -> list[str]:
    rows = [
        [f"`{r.code}`", r.severity, f"`{r.field}`" if r.field else "", r.summary, r.source]
        for r in R.RULES.values()
    ]
    return _table(["Code", "Severity", "Field", "Rule", "Source"], rows)


def _disk_growth() -> list[str]:
    from azguest.catalog import disk_expand as X

    return [
        f"A bigger `sizeGB` is an in-place update where Azure expands the disk ({X.SOURCE}): an unattached disk, "
        "or one whose VMs are all deallocated, at any time; an attached disk of a running VM only if it is a data "
        f"disk, not shared (maxShares 1), of {', '.join(sorted(X.ONLINE_SKUS))}, and, for "
        f"{', '.join(sorted(X.BOUNDARY_SKUS))}, not growing from {X.BOUNDARY_GIB} GiB or less to more than "
        f"{X.BOUNDARY_GIB} GiB. Anything else (a shrink, a shared disk of running nodes, an OS disk) is refused "
        "by `plan` and `deploy` with advice. A change that deletes disks needs `deploy --allow-data-loss`.",
        "",
    ]


def _time_zones() -> list[str]:
    from azguest.catalog import timezones as TZ

    by_zone: dict[str, list[str]] = {}
    for iana, zone in TZ.IANA_TO_WINDOWS.items():
        by_zone.setdefault(zone, []).append(iana)
    rows = [[z, f"UTC{off}", ", ".join(by_zone.get(z, [])[:4])] for z, off in TZ.WINDOWS_ZONES.items()]
    intro = ["`lifetime.autoShutdown.timeZone` takes a Windows time-zone id (`AZG-TIMEZONE`); an IANA name gets "
             f"the Windows id suggested. Source: {TZ.SOURCE}.", ""]
    return intro + _table(["Windows id", "Offset", "IANA names (first few)"], rows)


def _source_keys() -> list[str]:
    from azguest.catalog.sources import SOURCE_KEYS

    keys = [f"- **{k}**: [{repo}](https://github.com/{repo}) `{folder}`" for k, (repo, folder) in SOURCE_KEYS.items()]
    return [*keys, ""]


def render() -> str:
    lines = [
        "# azguest catalogue: sizes, disk tiers and spec rules",
        "",
        "Generated by `python -m azguest.catalog.render --write` from `azguest/catalog/`; do not edit",
        "by hand (tests/spec/test_schema_and_docs.py fails when this file is stale). Sources are Microsoft",
        "pages, written `KEY path (page date)` with these keys (azguest/catalog/sources.py):",
        "",
        *_source_keys(),
        "## VM series",
        "",
        "Nested virtualization is read from each series' size page; no Azure API reports it, so this is",
        "an allow-list. Sizes outside it get `AZG-SIZE-UNKNOWN` (override with `--allow-unknown-size`).",
        "",
        *_series(),
        "## Sizes",
        "",
        *_sizes(),
        "## Disk SKUs and shared-disk tiers",
        "",
        *_disks(),
        "## Prices (estimates)",
        "",
        *_prices(),
        "## Growing disks",
        "",
        *_disk_growth(),
        "## Storage modes",
        "",
        *_modes(),
        f"Other limits: nodes keep {R.HOST_RESERVE_MB} MB for the Hyper-V host (N-1 capacity check); "
        f"AMD sizes need Windows Server {R.AMD_MIN_WINDOWS_SERVER}+; securityType must be "
        f"{' or '.join(R.SECURITY_TYPES_FOR_NESTED)}; Azure reserves the first {R.AZURE_RESERVED_FIRST} "
        f"addresses and the last {R.AZURE_RESERVED_LAST} of each subnet.",
        "",
        f"Storage designs of an on-premises Hyper-V guest cluster on Azure VMs: {R.STORAGE_DESIGN_MAPPING}. "
        "`validate` refuses any other mode (AZG-STORAGE-MODE) and names the nearest:",
        "",
        *_table(["Design (mode typed)", "Use on Azure", "Why"],
                [[f"`{k}`", f"`{v[0]}`", v[1]] for k, v in R.STORAGE_DESIGNS.items()]),
        "## Validation rules",
        "",
        *_rules(),
        "## Auto-shutdown time zones",
        "",
        *_time_zones(),
    ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--write" in argv:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC}")
        return 0
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is stale: run python -m azguest.catalog.render --write", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
