"""Shared helpers of the Microsoft.Network handlers: etags, subnets, IP allocation."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from azguest.emulator.context import Ctx
from azguest.emulator.errors import ArmError

NIC_TYPE = "Microsoft.Network/networkInterfaces"
VNET_TYPE = "Microsoft.Network/virtualNetworks"


def etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def split_subnet_id(subnet_id: str) -> tuple[str, str]:
    """(vnet id, subnet name) of a subnet id."""
    vnet_id, _, name = subnet_id.rstrip("/").rpartition("/subnets/")
    return vnet_id, name


def find_subnet(ctx: Ctx, subnet_id: str | None) -> dict[str, Any] | None:
    if not subnet_id or "/subnets/" not in subnet_id.lower():
        return None
    vnet_id, name = split_subnet_id(subnet_id.replace("/Subnets/", "/subnets/"))
    vnet = ctx.get(vnet_id)
    if vnet is None:
        return None
    for s in vnet["properties"].get("subnets", []):
        if s["name"].lower() == name.lower():
            return s
    return None


def nic_ip_configs(ctx: Ctx) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(nic, ipConfiguration) pairs of every NIC in the state."""
    out = []
    for nic in ctx.of_type(NIC_TYPE):
        for cfg in nic["properties"].get("ipConfigurations", []):
            out.append((nic, cfg))
    return out


def used_ips(ctx: Ctx, subnet_id: str, except_nic: str | None = None) -> set[str]:
    out = set()
    for nic, cfg in nic_ip_configs(ctx):
        if except_nic and nic["id"].lower() == except_nic.lower():
            continue
        props = cfg.get("properties", {})
        if (props.get("subnet") or {}).get("id", "").lower() == subnet_id.lower() and props.get("privateIPAddress"):
            out.add(props["privateIPAddress"])
    return out


def check_static_ip(ip: str, prefix: str, used: set[str]) -> None:
    net = ipaddress.ip_network(prefix, strict=False)
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError as e:
        raise ArmError(400, "InvalidIPAddressFormat", f"IP address '{ip}' is invalid.") from e
    if addr not in net:
        raise ArmError(400, "PrivateIPAddressNotInSubnet",
                       f"IP address {ip} does not belong to the subnet with prefix {prefix}.")
    # Azure reserves the network address, .1 (gateway), .2-.3 (DNS) and the broadcast address.
    if int(addr) - int(net.network_address) < 4 or addr == net.broadcast_address:
        raise ArmError(400, "PrivateIPAddressInReservedRange",
                       f"IP address {ip} is reserved for the subnet with prefix {prefix}.")
    if ip in used:
        raise ArmError(400, "PrivateIPAddressInUse",
                       f"IP configuration is using the private IP address {ip} which is already in use.")


def allocate_ip(prefix: str, used: set[str]) -> str:
    net = ipaddress.ip_network(prefix, strict=False)
    for host in range(4, net.num_addresses - 1):
        ip = str(net.network_address + host)
        if ip not in used:
            return ip
    raise ArmError(400, "SubnetIsFull", f"Subnet with prefix {prefix} has no free IP addresses.")
