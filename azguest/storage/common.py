"""Checks and guest steps more than one storage mode uses for its own disks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from azguest.catalog.disks import lookup_disk_sku
from azguest.spec.findings import Finding, Path, make
from azguest.storage.registry import GuestStep

if TYPE_CHECKING:
    from azguest.spec.models import Lab


def cluster_disks_step(csv_labels: Callable[[Lab], Iterable[str]]) -> GuestStep:
    """Shared disks and iSCSI LUNs (initialised once, labelled): every available disk becomes a cluster
    disk named after its volume label; those labelled ``csv_labels(lab)`` become cluster shared volumes."""
    return GuestStep("cluster-disks", "available disks into the cluster, named by label; CSVs",
                     targets="first-node", deps=("cluster-create", "shared-disk-init", "iscsi-initiator"),
                     timeout_s=1200, params=("CsvLabels",),
                     values=lambda lab, c: {"CsvLabels": ",".join(csv_labels(lab))})


def availability_set_disks(code: str, disks: Iterable[tuple[Path, str]]) -> Iterator[Finding]:
    """``code`` for each (field path, sku) that cannot attach to VMs in an availability set (the nodes')."""
    for path, sku in disks:
        info = lookup_disk_sku(sku)
        if info is not None and not info.availability_set_ok:
            yield make(code, (*path, "sku"),
                       f"{info.name} cannot attach to VMs in an availability set (the nodes' placement); "
                       "use Premium_LRS, or placement zones: [1] with shared disks")
