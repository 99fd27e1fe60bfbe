"""Checks more than one storage mode applies to its own disks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from azguest.catalog.disks import lookup_disk_sku
from azguest.spec.findings import Finding, Path, make


def availability_set_disks(code: str, disks: Iterable[tuple[Path, str]]) -> Iterator[Finding]:
    """``code`` for each (field path, sku) that cannot attach to VMs in an availability set (the nodes')."""
    for path, sku in disks:
        info = lookup_disk_sku(sku)
        if info is not None and not info.availability_set_ok:
            yield make(code, (*path, "sku"),
                       f"{info.name} cannot attach to VMs in an availability set (the nodes' placement); "
                       "use Premium_LRS, or placement zones: [1] with shared disks")
