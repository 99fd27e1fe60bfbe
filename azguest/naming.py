"""Resource names and static IP allocation, derived deterministically from the lab spec.

Names are derived (never random) so a re-run finds what an earlier run created. Both the planner
(azguest.plan.desired) and the validator (azguest.spec.checks) use these, so the names the validator
checks are exactly the names deploy creates.
"""

from __future__ import annotations

import ipaddress

AZURE_RESERVED_HOSTS = 4  # network address + .1 gateway + .2/.3 Azure DNS; plus the broadcast address
FIRST_FREE_HOST_OFFSET = 11  # an iSCSI target without a spec'd IP gets the first free address from .11


def vm_name(lab: str, computer: str) -> str:
    return f"{lab}-{computer}"


def nic_name(vm: str, subnet: str) -> str:
    return f"{vm}-nic-{subnet}"


def shared_disk_name(lab: str, disk: str) -> str:
    return f"{lab}-{disk}"


def schedule_name(vm: str) -> str:
    return f"shutdown-computevm-{vm}"


def usable_hosts(prefix: str) -> list[str]:
    net = ipaddress.ip_network(prefix, strict=False)
    hosts = list(net.hosts())
    # Azure reserves the first three host addresses (x.1-x.3) and the broadcast (not in hosts()).
    return [str(h) for h in hosts[AZURE_RESERVED_HOSTS - 1 :]]


def allocate(prefix: str, count: int, taken: set[str]) -> list[str]:
    """``count`` static addresses in a subnet, from host offset 11 up, skipping ``taken``."""
    net = ipaddress.ip_network(prefix, strict=False)
    start = int(net.network_address) + FIRST_FREE_HOST_OFFSET
    out: list[str] = []
    for host in usable_hosts(prefix):
        if int(ipaddress.ip_address(host)) < start or host in taken:
            continue
        out.append(host)
        if len(out) == count:
            return out
    raise ValueError(f"subnet {prefix} has no room for {count} more static addresses")
