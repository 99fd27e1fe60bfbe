"""Storage-mode rules (S2D, shared disks, iSCSI), read from azguest.catalog.rules.STORAGE_MODES."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from azguest.catalog import rules as R
from azguest.catalog.disks import lookup_disk_sku, max_shares_limit, tier_for, tiers
from azguest.catalog.sizes import lookup_size
from azguest.spec.checks import Context, check
from azguest.spec.checks.compute import disk_sku_unknown, unknown_size
from azguest.spec.findings import Finding, make
from azguest.spec.models import Disk, S2dSettings, SharedDisk

ST = ("cluster", "storage")


def _mode(ctx: Context) -> R.StorageModeRules:
    return R.STORAGE_MODES[ctx.lab.cluster.storage.mode]


@check
def settings_blocks(ctx: Context) -> Iterator[Finding]:
    st = ctx.lab.cluster.storage
    blocks = {"s2d": st.s2d, "shared-disk": st.shared_disk, "iscsi": st.iscsi}
    if blocks[st.mode] is None:
        yield make("AZG-STORAGE-SETTINGS", (*ST, "mode"),
                   f"mode is {st.mode} but cluster.storage.{st.mode} is missing; add its settings "
                   "(see examples/ or `azguest init --storage " + st.mode + "`)")
    for key, block in blocks.items():
        if key != st.mode and block is not None:
            yield make("AZG-STORAGE-OTHER-MODE", (*ST, key),
                       f"settings for {key} are given but mode is {st.mode}; remove them or set mode: {key}")


@check
def node_range(ctx: Context) -> Iterator[Finding]:
    m = _mode(ctx)
    n = ctx.lab.cluster.nodes.count
    if n < 2:
        return  # AZG-NODES-MIN says it
    if m.max_nodes is not None and n > m.max_nodes:
        yield make(m.node_code, ("cluster", "nodes", "count"),
                   f"{m.mode} supports {m.min_nodes}-{m.max_nodes} nodes in Azure VMs, the spec has {n}; "
                   f"use {m.min_nodes}-{m.max_nodes} nodes, or storage mode shared-disk or iscsi")


@check
def zones(ctx: Context) -> Iterator[Finding]:
    m = _mode(ctx)
    zs = ctx.lab.cluster.placement.zones
    if not zs:
        return
    if m.zones == "no":
        yield make(m.zones_code, ("cluster", "placement", "zones"),
                   f"{m.mode} works in availability sets only, not across zones; use placement: "
                   "{availabilitySet: {faultDomains: 2, updateDomains: 5}}")
    if m.zones != "zrs-only" or len(set(zs)) < 2:
        return
    for d in _shared_specs(ctx):
        info = lookup_disk_sku(d.sku)
        if info and not info.zrs:
            yield make(m.zones_code, (*d.path, "sku"),
                       f"disk {d.name} is {info.name} but the nodes span zones {list(zs)}; sharing "
                       "across zones needs Premium_ZRS or StandardSSD_ZRS (or use one zone)")


@check
def availability_set_disks(ctx: Context) -> Iterator[Finding]:
    """Data disks attached to the nodes, which sit in the availability set unless zones are given."""
    if ctx.lab.cluster.placement.kind != "availability-set":
        return
    st = ctx.lab.cluster.storage
    local = _s2d_paths((*ST, "s2d"), st.s2d) if st.mode == "s2d" else []
    disks = [(p, d.sku, "AZG-DISK-AVSET") for p, d in local]
    disks += [(d.path, d.sku, "AZG-SHARED-AVSET") for d in _shared_specs(ctx)]
    for path, sku, code in disks:
        info = lookup_disk_sku(sku)
        if info is not None and not info.availability_set_ok:
            yield make(code, (*path, "sku"),
                       f"{info.name} cannot attach to VMs in an availability set (the nodes' placement); "
                       "use Premium_LRS, or placement zones: [1] with shared disks")


@check
def placement(ctx: Context) -> Iterator[Finding]:
    p = ctx.lab.cluster.placement
    if p.zones and p.availability_set:
        yield make("AZG-PLACEMENT", ("cluster", "placement"),
                   "give either availabilitySet or zones, not both")


@check
def witness(ctx: Context) -> Iterator[Finding]:
    m = _mode(ctx)
    c = ctx.lab.cluster
    path = ("cluster", "witness")
    if c.witness not in m.witnesses:
        yield make(m.witness_code, path, f"witness {c.witness} is not supported with {m.mode}; use "
                   + " or ".join(m.witnesses))
    elif c.witness == "none" and c.nodes.count == R.WITNESS_REQUIRED_AT_NODES:
        yield make("AZG-WITNESS-REQUIRED", path, "a 2-node cluster must have a witness; use witness: cloud")
    sd = c.storage.shared_disk
    if c.storage.mode == "shared-disk" and sd is not None:
        if c.witness == "disk" and sd.witness_disk is None:
            yield make("AZG-WITNESS-DISK", path, "witness is disk but shared-disk.witnessDisk is missing; "
                       "add witnessDisk: {sizeGB: 8}")
        elif c.witness != "disk" and sd.witness_disk is not None:
            yield make("AZG-WITNESS-DISK", (*ST, "shared-disk", "witnessDisk"),
                       f"witnessDisk is given but witness is {c.witness}; set witness: disk or remove it")


@check
def s2d_disks(ctx: Context) -> Iterator[Finding]:
    s = ctx.lab.cluster.storage.s2d
    if ctx.lab.cluster.storage.mode != "s2d" or s is None:
        return
    base = (*ST, "s2d")
    m = _mode(ctx)
    if s.disks is not None and (s.disk is not None or s.disks_per_node is not None):
        yield make("AZG-STORAGE-SETTINGS", (*base, "disks"),
                   "give either disksPerNode with disk, or a disks list, not both")
        return
    if s.disks is None and s.disk is None:
        yield make("AZG-STORAGE-SETTINGS", base, "s2d needs disk: {sku: Premium_LRS, sizeGB: 256} "
                   "with disksPerNode: 2 (or a disks list)")
        return
    disks = s.node_disks()
    if len(disks) < m.min_disks_per_node:
        where = (*base, "disksPerNode") if s.disks is None else (*base, "disks")
        yield make("AZG-S2D-DISKS", where, f"{len(disks)} data disk(s) per node; S2D needs at least "
                   f"{m.min_disks_per_node} per node (set disksPerNode: {m.min_disks_per_node})")
    if m.uniform_disks and s.disks is not None and len({(d.sku.lower(), d.size_gb) for d in s.disks}) > 1:
        kinds = sorted({f"{d.sku} {d.size_gb} GB" for d in s.disks})
        yield make("AZG-S2D-DISK-MIXED", (*base, "disks"),
                   f"S2D disks must all be the same SKU and size, found {', '.join(kinds)}; use one size")
    for path, d in _s2d_paths(base, s):
        yield from _premium(path, d, m)


def _s2d_paths(base: tuple, s: S2dSettings | None) -> list[tuple[tuple, Disk]]:
    """The S2D disks as written, each with its field path."""
    if s is None:
        return []
    if s.disks is not None:
        return [((*base, "disks", i), d) for i, d in enumerate(s.disks)]
    return [((*base, "disk"), s.disk)] if s.disk else []


def _premium(path: tuple, d: Disk, m: R.StorageModeRules) -> Iterator[Finding]:
    info = lookup_disk_sku(d.sku)
    if info is None:
        yield disk_sku_unknown((*path, "sku"), d.sku)
    elif m.premium_disks and not info.premium:
        yield make("AZG-S2D-DISK-PREMIUM", (*path, "sku"),
                   f"{info.name} is not Premium; S2D in Azure VMs requires Premium managed disks "
                   "(use Premium_LRS)")


@dataclass(frozen=True)
class _SharedSpec:
    """A disk every node attaches: one of shared-disk.disks, or the dedicated witness disk."""
    path: tuple
    name: str
    sku: str
    size_gb: int
    caching: str


def _shared_specs(ctx: Context) -> list[_SharedSpec]:
    st = ctx.lab.cluster.storage
    sd = st.shared_disk
    if st.mode != "shared-disk" or sd is None:
        return []
    base = (*ST, "shared-disk")
    out = [_SharedSpec((*base, "disks", i), d.name, d.sku, d.size_gb, d.caching) for i, d in enumerate(sd.disks)]
    wd = sd.witness_disk
    if wd is not None and wd.size_gb is not None and wd.disk is None:
        out.append(_SharedSpec((*base, "witnessDisk"), "witnessDisk", wd.sku, wd.size_gb, "None"))
    return out


@check
def shared_disks(ctx: Context) -> Iterator[Finding]:
    sd = ctx.lab.cluster.storage.shared_disk
    if ctx.lab.cluster.storage.mode != "shared-disk" or sd is None:
        return
    base = (*ST, "shared-disk", "disks")
    seen: set[str] = set()
    for i, d in enumerate(sd.disks):
        if d.name.lower() in seen:
            yield make("AZG-DUP-DISK", (*base, i, "name"), f"disk name {d.name} is used twice; rename one")
        seen.add(d.name.lower())
    for spec in _shared_specs(ctx):
        yield from _shared_disk(ctx, spec)
    yield from _witness_disk(ctx, sd.disks)


def _shared_disk(ctx: Context, d: _SharedSpec) -> Iterator[Finding]:
    info = lookup_disk_sku(d.sku)
    if info is None:
        yield disk_sku_unknown((*d.path, "sku"), d.sku)
        return
    nodes = ctx.lab.cluster.nodes.count
    if not info.shareable:
        yield make("AZG-SHARED-SKU", (*d.path, "sku"),
                   f"{info.name} cannot be shared; use Premium_LRS (or StandardSSD_LRS)")
        return
    limit = max_shares_limit(d.sku, d.size_gb)
    if nodes > limit:
        tier = tier_for(d.sku, d.size_gb)
        yield make("AZG-SHARED-MAXSHARES", (*d.path, "sizeGB"),
                   f"disk {d.name} ({tier.tier if tier else info.name}, {d.size_gb} GB) allows maxShares "
                   f"{limit} but the cluster has {nodes} nodes; use a larger tier ({_tier_hint(d.sku, nodes)})")
    if d.caching != "None":
        yield make("AZG-SHARED-CACHING", (*d.path, "caching"),
                   f"host caching {d.caching} is not supported on shared disks; use caching: None")


def _tier_hint(sku: str, nodes: int) -> str:
    """Which size would allow ``nodes`` shares, e.g. "sizeGB > 512, P30 or above"."""
    info = lookup_disk_sku(sku)
    if info is None or info.tier_prefix not in ("P", "E"):
        return "fewer nodes"
    ladder = tiers(info.tier_prefix)
    for i, t in enumerate(ladder):
        if t.max_shares >= nodes:
            below = ladder[i - 1].max_size_gib if i else 0
            return f"sizeGB > {below}, {t.tier} or above"
    return "fewer nodes"


def _witness_disk(ctx: Context, disks: tuple[SharedDisk, ...]) -> Iterator[Finding]:
    sd = ctx.lab.cluster.storage.shared_disk
    wd = sd.witness_disk if sd else None
    if wd is None:
        return
    path = (*ST, "shared-disk", "witnessDisk")
    if (wd.size_gb is None) == (wd.disk is None):
        yield make("AZG-WITNESS-DISK", path, "witnessDisk needs either sizeGB (a dedicated disk, e.g. 8) "
                   "or disk (the name of a non-CSV shared disk), not both")
        return
    if wd.disk is not None:
        ref = next((d for d in disks if d.name.lower() == wd.disk.lower()), None)
        if ref is None:
            names = ", ".join(d.name for d in disks)
            yield make("AZG-SHARED-WITNESS-REF", (*path, "disk"),
                       f"witnessDisk.disk {wd.disk!r} is not one of the shared disks ({names})")
        elif ref.csv:
            yield make("AZG-SHARED-WITNESS-CSV", (*path, "disk"),
                       f"disk {ref.name} is a cluster shared volume and cannot be the witness; use "
                       "witnessDisk: {sizeGB: 8}, or set csv: false on that disk")


@check
def iscsi_target(ctx: Context) -> Iterator[Finding]:
    isc = ctx.lab.cluster.storage.iscsi
    if ctx.lab.cluster.storage.mode != "iscsi" or isc is None:
        return
    t = isc.target
    base = (*ST, "iscsi", "target")
    size = lookup_size(t.size)
    if size is None:
        yield from unknown_size(ctx, (*base, "size"), t.size, "Premium storage and disk limits")
    premium_told = False
    for i, d in enumerate(t.disks):
        info = lookup_disk_sku(d.sku)
        if info is None:
            yield disk_sku_unknown((*base, "disks", i, "sku"), d.sku)
            continue
        if info.premium and size is not None and not size.premium_io and not premium_told:
            premium_told = True
            yield make("AZG-ISCSI-PREMIUM", (*base, "size"),
                       f"{size.name} has no Premium storage but disk {i} is {info.name}; use e.g. "
                       "Standard_D4s_v5 for the target")
        if info.zonal_vm_only:
            yield make("AZG-ISCSI-ZONAL-DISK", (*base, "disks", i, "sku"),
                       f"{info.name} attaches only to VMs in an availability zone in most regions with "
                       "zones, and the iSCSI target VM is not zonal; use Premium_LRS")
    if size is not None and len(t.disks) > size.max_data_disks:
        yield make("AZG-SIZE-DATADISKS", (*base, "disks"),
                   f"{len(t.disks)} disks but {size.name} allows {size.max_data_disks}; use a larger size")
