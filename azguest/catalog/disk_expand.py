"""When Azure grows a managed disk while its VM runs ("expand without downtime"), as data.

ACD includes/virtual-machines-disks-expand-without-downtime-restrictions.md (2025-05-28), included by
windows/expand-os-disk.md and linux/expand-disks.md:
- supported only for data disks (an OS disk grows only while its VM is deallocated);
- not for shared disks (maxShares > 1: every VM holding it must be deallocated, or it detached);
- a Standard HDD, Standard SSD or Premium SSD disk of 4 TiB or less cannot grow beyond 4 TiB without
  deallocating the VM and detaching the disk; one already above 4 TiB can grow online; the 4 TiB rule
  does not apply to Premium SSD v2 and Ultra disks (which grow online, but not during a background copy);
- ARM templates need api-version 2021-04-01 or newer (azguest's SDK is newer); some classic VM sizes
  lack the feature (not modelled: every catalogued size is current).
A disk that is unattached, or whose VMs are all deallocated (diskState Unattached / Reserved), can be
resized at any time; no disk ever shrinks (AZD troubleshooting/error-messages.md).
"""

from __future__ import annotations

SOURCE = "ACD includes/virtual-machines-disks-expand-without-downtime-restrictions.md (2025-05-28)"
BOUNDARY_GIB = 4096  # 4 TiB: growing across it needs the VM deallocated and the disk detached
BOUNDARY_SKUS = frozenset({"Standard_LRS", "StandardSSD_LRS", "StandardSSD_ZRS", "Premium_LRS", "Premium_ZRS"})
ONLINE_SKUS = BOUNDARY_SKUS | {"PremiumV2_LRS", "UltraSSD_LRS"}  # data disks Azure expands online


def online_refusal(sku: str, old_gib: int, new_gib: int, *, shared: bool, os_disk: bool) -> str | None:
    """Why Azure refuses to grow this attached disk while its VM runs, or None when it grows online.
    The reason is a short clause for advice ("a shared disk ..."); the caller says what to do."""
    if os_disk:
        return "an OS disk grows only while its VM is deallocated"
    if shared:
        return "a shared disk (maxShares > 1) grows only while every VM holding it is deallocated"
    if sku not in ONLINE_SKUS:
        return f"a {sku} disk does not grow while attached to a running VM"
    if sku in BOUNDARY_SKUS and old_gib <= BOUNDARY_GIB < new_gib:
        return (f"a {sku} disk of {BOUNDARY_GIB} GiB or less grows past {BOUNDARY_GIB} GiB (4 TiB) only while its "
                "VM is deallocated and the disk detached")
    return None
