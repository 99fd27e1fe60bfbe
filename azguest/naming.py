"""Every resource name azguest creates, and the one static-IP allocator, derived from the lab spec.

Names are derived (never random) so a re-run finds what an earlier run created. The planner
(azguest.plan.desired), the storage modes (azguest.storage) and the validator (azguest.spec.checks)
all take names from here, so the names the validator checks are exactly the names deploy creates.
Nothing else in azguest spells the name of a resource azguest creates (``connect``'s advice names a
Bastion host and its public IP, which the user creates: azguest.deploy.connect; the emulator names
what Azure would).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network

from azguest.catalog.rules import AZURE_RESERVED_FIRST, AZURE_RESERVED_LAST

STORAGE_VM_FIRST_HOST = 11  # a storage VM (iSCSI target) without a spec'd IP: first free address from .11


# --- lab-wide resources -------------------------------------------------------------------------
def resource_group_name(lab: str, explicit: str | None = None) -> str:
    return explicit or f"rg-{lab}"


def witness_account_name(lab: str, resource_group: str, explicit: str | None = None) -> str:
    """The cloud-witness storage account: explicit, or st<name><6 hex> (3-24 lowercase alnum)."""
    if explicit:
        return explicit
    clean = re.sub(r"[^a-z0-9]", "", lab.lower())[:16]
    digest = hashlib.sha256(f"{lab}/{resource_group}".encode()).hexdigest()[:6]
    return f"st{clean}{digest}"


def nsg_name(lab: str) -> str:
    return f"{lab}-nsg"


def vnet_name(lab: str) -> str:
    return f"{lab}-vnet"


def availability_set_name(lab: str) -> str:
    return f"{lab}-avset"


# --- per VM -------------------------------------------------------------------------------------
def vm_name(lab: str, computer: str) -> str:
    return f"{lab}-{computer}"


def nic_name(vm: str, subnet: str) -> str:
    return f"{vm}-nic-{subnet}"


def public_ip_name(vm: str) -> str:
    return f"{vm}-pip"


def os_disk_name(vm: str) -> str:
    return f"{vm}-os"


def dc_data_disk_name(vm: str) -> str:
    """The domain controller's data disk (AD DS database, logs, SYSVOL)."""
    return f"{vm}-adds"


def schedule_name(vm: str) -> str:
    return f"shutdown-computevm-{vm}"


# --- storage-mode disks -------------------------------------------------------------------------
def s2d_disk_name(vm: str, number: int) -> str:
    """A node's own S2D data disk, numbered from 1."""
    return f"{vm}-s2d{number}"


def lun_disk_name(vm: str, number: int) -> str:
    """A disk of the iSCSI target VM, numbered from 1."""
    return f"{vm}-lun{number}"


def shared_disk_name(lab: str, disk: str) -> str:
    return f"{lab}-{disk}"


def witness_disk_name(lab: str) -> str:
    """The dedicated shared witness disk (shared-disk mode, witness: disk)."""
    return shared_disk_name(lab, "witness")


# --- static IPs ---------------------------------------------------------------------------------
class AddressPool:
    """The one static-IP allocator: hands out each subnet's free host addresses in order, never twice.

    Azure reserves the first 4 addresses and the broadcast address of a subnet; ``start`` is the first
    host offset to consider (nodes: right after the reserved ones; storage VMs: from .11).
    """

    def __init__(self, taken: Iterable[IPv4Address] = ()):
        self._taken = set(taken)

    def take(self, subnet: IPv4Network, start: int = AZURE_RESERVED_FIRST) -> IPv4Address | None:
        """The first free address of ``subnet`` at host offset ``start`` or above, now taken; None if full."""
        for offset in range(max(start, AZURE_RESERVED_FIRST), subnet.num_addresses - AZURE_RESERVED_LAST):
            ip = subnet.network_address + offset
            if ip not in self._taken:
                self._taken.add(ip)
                return ip
        return None
