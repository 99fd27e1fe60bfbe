"""Storage-mode rules common to every mode, from azguest.catalog.rules.STORAGE_MODES; then each mode's
own checks, run through the storage-mode registry (azguest.storage)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from azguest.catalog import rules as R
from azguest.spec.checks import Context, check
from azguest.spec.findings import Finding, make
from azguest.storage import MODES, mode_for

ST = ("cluster", "storage")


@check
def settings_blocks(ctx: Context) -> Iterator[Finding]:
    st = ctx.lab.cluster.storage
    if mode_for(st.mode).settings(st) is None:
        yield make("AZG-STORAGE-SETTINGS", (*ST, "mode"),
                   f"mode is {st.mode} but cluster.storage.{st.mode} is missing; add its settings "
                   "(see examples/ or `azguest init --storage " + st.mode + "`)")
    for other in MODES.values():
        if other.name != st.mode and other.settings(st) is not None:
            yield make("AZG-STORAGE-OTHER-MODE", (*ST, other.name), f"settings for {other.name} are given but "
                       f"mode is {st.mode}; remove them or set mode: {other.name}")


@check
def node_range(ctx: Context) -> Iterator[Finding]:
    m = mode_for(ctx.lab.cluster.storage.mode).rules
    n = ctx.lab.cluster.nodes.count
    if n < 2:
        return  # AZG-NODES-MIN says it
    if m.max_nodes is not None and n > m.max_nodes:
        yield make(m.node_code, ("cluster", "nodes", "count"),
                   f"{m.mode} supports {m.min_nodes}-{m.max_nodes} nodes in Azure VMs, the spec has {n}; "
                   f"use {m.min_nodes}-{m.max_nodes} nodes, or storage mode shared-disk or iscsi")


@check
def zones(ctx: Context) -> Iterator[Finding]:
    m = mode_for(ctx.lab.cluster.storage.mode).rules
    if ctx.lab.cluster.placement.zones and m.zones == "no":
        yield make(m.zones_code, ("cluster", "placement", "zones"),
                   f"{m.mode} works in availability sets only, not across zones; use placement: "
                   "{availabilitySet: {faultDomains: 2, updateDomains: 5}}")


@check
def placement(ctx: Context) -> Iterator[Finding]:
    p = ctx.lab.cluster.placement
    if p.zones and p.availability_set:
        yield make("AZG-PLACEMENT", ("cluster", "placement"),
                   "give either availabilitySet or zones, not both")


@check
def witness(ctx: Context) -> Iterator[Finding]:
    m = mode_for(ctx.lab.cluster.storage.mode).rules
    c = ctx.lab.cluster
    path = ("cluster", "witness")
    if c.witness not in m.witnesses:
        yield make(m.witness_code, path, f"witness {c.witness} is not supported with {m.mode}; use "
                   + " or ".join(m.witnesses))
    elif c.witness == "none" and c.nodes.count == R.WITNESS_REQUIRED_AT_NODES:
        yield make("AZG-WITNESS-REQUIRED", path, "a 2-node cluster must have a witness; use witness: cloud")


@check
def mode_checks(ctx: Context) -> Iterator[Finding]:
    """The checks the lab's storage mode registers (its settings block, its disks, its VMs)."""
    for fn in mode_for(ctx.lab.cluster.storage.mode).checks:
        yield from fn(ctx)


def unknown_mode(raw: dict[str, Any]) -> Iterator[Finding]:
    """A pre-check on the raw YAML: a storage mode azguest has no design for, with the nearest ones named
    (Virtual Fibre Channel and the Hyper-V host designs map to Azure shared disks, iSCSI stays iSCSI)."""
    cluster = raw.get("cluster")
    storage = cluster.get("storage") if isinstance(cluster, dict) else None
    mode = storage.get("mode") if isinstance(storage, dict) else None
    if not isinstance(mode, str) or mode in MODES:
        return
    known = " | ".join(MODES)
    design = R.STORAGE_DESIGNS.get(mode.strip().lower().replace("_", "-").replace(" ", "-"))
    why = f"{design[1]}; use mode: {design[0]}" if design else f"azguest has no storage mode {mode!r}"
    yield make("AZG-STORAGE-MODE", (*ST, "mode"), f"storage mode {mode!r} is refused: {why}. On Azure VMs "
               f"{R.STORAGE_DESIGN_MAPPING}. Modes: {known}")
