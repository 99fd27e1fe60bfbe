"""Node sizes, security type, image and OS disk, read against azguest.catalog.sizes / disks / rules."""

from __future__ import annotations

from collections.abc import Iterator

from azguest.catalog import rules as R
from azguest.catalog.disks import lookup_disk_sku
from azguest.catalog.sizes import lookup_size, nested_alternative, premium_sibling
from azguest.spec.checks import Context, check
from azguest.spec.findings import Finding, disk_sku_unknown, make, unknown_size

NODES = ("cluster", "nodes")


@check
def node_count(ctx: Context) -> Iterator[Finding]:
    n = ctx.lab.cluster.nodes.count
    if n < 2:
        yield make("AZG-NODES-MIN", (*NODES, "count"),
                   f"count is {n}; a failover cluster needs at least 2 nodes")


@check
def node_size(ctx: Context) -> Iterator[Finding]:
    name = ctx.lab.cluster.nodes.size
    size = lookup_size(name)
    path = (*NODES, "size")
    if size is None:
        yield from unknown_size(path, name, "nested virtualization and Premium storage",
                                allowed=ctx.allow_unknown_size)
        return
    if not size.nested:
        yield make("AZG-SIZE-NESTED", path,
                   f"{size.name} ({size.series.name} series) does not support nested virtualization, so "
                   f"Hyper-V cannot run on the nodes; use a size that does, e.g. "
                   f"{nested_alternative(size.vcpus)} (docs/catalog.md lists them)")
    if not size.premium_io:
        yield make("AZG-SIZE-PREMIUM", path,
                   f"{size.name} ({size.series.name} series) has no Premium storage; clustered disks need "
                   f"it (SCSI reservations, S2D); use {premium_sibling(size)}")


@check
def other_sizes(ctx: Context) -> Iterator[Finding]:
    dc = ctx.lab.domain.controller
    yield from _premium_os_disk(ctx, ("domain", "controller", "size"), dc.size)
    if lookup_size(dc.size) is None:
        yield from unknown_size(("domain", "controller", "size"), dc.size, "its limits",
                                allowed=ctx.allow_unknown_size)
    layout = ctx.lab.storage_layout()
    for vm in layout.vms:  # e.g. the iSCSI target; Premium data disks on it are its mode's finding
        skus = [lookup_disk_sku(d.sku) for d in layout.disks_of(vm.computer)]
        if not any(info is not None and info.premium for info in skus):
            yield from _premium_os_disk(ctx, (*vm.path, "size"), vm.size)


def _premium_os_disk(ctx: Context, path: tuple, size_name: str) -> Iterator[Finding]:
    """Every VM gets cluster.nodes.osDisk.sku (azguest.plan.desired); Azure refuses Premium on a size without it."""
    size = lookup_size(size_name)
    os_sku = lookup_disk_sku(ctx.lab.cluster.nodes.os_disk.sku)
    if size is not None and not size.premium_io and os_sku is not None and os_sku.premium:
        yield make("AZG-SIZE-PREMIUM", path,
                   f"{size.name} ({size.series.name} series) has no Premium storage but its OS disk is "
                   f"{os_sku.name} (cluster.nodes.osDisk.sku); use {premium_sibling(size)}")


@check
def security_type(ctx: Context) -> Iterator[Finding]:
    st = ctx.lab.cluster.nodes.security_type
    if st not in R.SECURITY_TYPES_FOR_NESTED:
        yield make("AZG-SECURITY-TYPE", (*NODES, "securityType"),
                   f"securityType {st} blocks the Hyper-V role on the nodes; use securityType: Standard")


@check
def image(ctx: Context) -> Iterator[Finding]:
    img = ctx.lab.cluster.image
    version = img.windows_server_version
    path = ("cluster", "image", "sku")
    if version is None:
        yield make("AZG-IMAGE-UNKNOWN", path,
                   f"cannot read the Windows Server version from image sku {img.sku!r}; use a "
                   "MicrosoftWindowsServer sku such as 2022-datacenter-azure-edition")
        return
    size = ctx.node_size()
    if size and size.cpu_vendor == "amd" and version < R.AMD_MIN_WINDOWS_SERVER:
        yield make("AZG-IMAGE-AMD", path,
                   f"{size.name} is an AMD size; nested Hyper-V on AMD needs Windows Server "
                   f"{R.AMD_MIN_WINDOWS_SERVER} or later, the image is {version}; use e.g. "
                   "2022-datacenter-azure-edition, or an Intel size")


@check
def os_disk(ctx: Context) -> Iterator[Finding]:
    sku = ctx.lab.cluster.nodes.os_disk.sku
    path = (*NODES, "osDisk", "sku")
    info = lookup_disk_sku(sku)
    if info is None:
        yield disk_sku_unknown(path, sku)
    elif not info.os_disk_ok:
        yield make("AZG-OSDISK-SKU", path, f"{info.name} cannot be an OS disk; use Premium_LRS")



@check
def nics_and_disks(ctx: Context) -> Iterator[Finding]:
    size = ctx.node_size()
    if size is None:
        return
    subnets = len(ctx.lab.network.subnets)
    if subnets > size.max_nics:
        yield make("AZG-SIZE-NICS", ("network", "subnets"),
                   f"each node gets one NIC per subnet ({subnets}) but {size.name} allows {size.max_nics} "
                   "NICs; use fewer subnets or a larger size")
    disks = _data_disks_per_node(ctx)
    if disks > size.max_data_disks:
        yield make("AZG-SIZE-DATADISKS", (*NODES, "size"),
                   f"each node needs {disks} data disks but {size.name} allows {size.max_data_disks}; "
                   "use fewer disks or a larger size")


def _data_disks_per_node(ctx: Context) -> int:
    """The storage mode's disks the planner attaches to a node (azguest.storage)."""
    first = ctx.lab.cluster.nodes.names()[0]
    return len(ctx.lab.storage_layout().disks_of(first))


@check
def production_use(ctx: Context) -> Iterator[Finding]:
    if ctx.lab.purpose == "production":
        yield make("AZG-NESTED-PRODUCTION", ("purpose",),
                   "Microsoft states nested virtualization isn't suitable for Windows Server Failover "
                   "Clustering in production; use azguest for labs, training and tests (purpose: lab)")
