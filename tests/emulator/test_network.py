"""Virtual networks, subnets, NSGs, NICs with static IPs, public IPs."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from tests.emulator.lab import LOCATION, Lab, code_of


def test_vnet__with_subnets(lab: Lab):
    rg = lab.rg()
    vnet = lab.vnet(rg, subnets={"nodes": "10.0.1.0/24", "storage": "10.0.2.0/24"})
    assert vnet.address_space.address_prefixes == ["10.0.0.0/16"]
    assert {s.name: s.address_prefix for s in vnet.subnets} == {"nodes": "10.0.1.0/24", "storage": "10.0.2.0/24"}
    assert vnet.provisioning_state == "Succeeded"
    subnet = lab.s.network.subnets.get(rg, vnet.name, "nodes")
    assert subnet.id.lower() == f"{vnet.id}/subnets/nodes".lower()
    assert {s.name for s in lab.s.network.subnets.list(rg, vnet.name)} == {"nodes", "storage"}
    assert [v.name for v in lab.s.network.virtual_networks.list(rg)] == [vnet.name]


def test_subnet__create_child(lab: Lab):
    rg = lab.rg()
    vnet = lab.vnet(rg)
    body = {"properties": {"addressPrefix": "10.0.9.0/24"}}
    sub = lab.s.network.subnets.begin_create_or_update(rg, vnet.name, "extra", body).result()
    assert sub.address_prefix == "10.0.9.0/24"
    assert "extra" in {s.name for s in lab.s.network.virtual_networks.get(rg, vnet.name).subnets}


def test_subnet__missing(lab: Lab):
    rg = lab.rg()
    vnet = lab.vnet(rg)
    with pytest.raises(ResourceNotFoundError) as ei:
        lab.s.network.subnets.get(rg, vnet.name, "nope")
    assert code_of(ei) in ("NotFound", "ResourceNotFound")


def test_nsg__rules(lab: Lab):
    rg = lab.rg()
    rule = {
        "name": "allow-rdp",
        "properties": {
            "priority": 100,
            "direction": "Inbound",
            "access": "Allow",
            "protocol": "Tcp",
            "sourceAddressPrefix": "10.0.0.0/8",
            "sourcePortRange": "*",
            "destinationAddressPrefix": "*",
            "destinationPortRange": "3389",
        },
    }
    body = {"location": LOCATION, "properties": {"securityRules": [rule]}}
    nsg = lab.s.network.network_security_groups.begin_create_or_update(rg, lab.name("nsg"), body).result()
    assert [r.name for r in nsg.security_rules] == ["allow-rdp"]
    assert nsg.security_rules[0].destination_port_range == "3389"
    assert lab.s.network.network_security_groups.get(rg, nsg.name).id == nsg.id
    lab.s.network.network_security_groups.begin_delete(rg, nsg.name).result()
    with pytest.raises(ResourceNotFoundError):
        lab.s.network.network_security_groups.get(rg, nsg.name)


def test_nic__static_ip_in_subnet(lab: Lab):
    rg = lab.rg()
    nic = lab.nic(rg, ip="10.0.0.10")
    ipconf = nic.ip_configurations[0]
    assert ipconf.private_ip_address == "10.0.0.10"
    assert ipconf.private_ip_allocation_method == "Static"
    assert nic.provisioning_state == "Succeeded"


def test_nic__dynamic_ip_is_assigned_from_subnet(lab: Lab):
    rg = lab.rg()
    a, b = lab.nic(rg), lab.nic(rg)
    ips = {a.ip_configurations[0].private_ip_address, b.ip_configurations[0].private_ip_address}
    assert len(ips) == 2 and all(ip and ip.startswith("10.0.0.") for ip in ips)


def test_nic__static_ip_outside_subnet(lab: Lab):
    rg = lab.rg()
    with pytest.raises(HttpResponseError) as ei:
        lab.nic(rg, ip="10.0.5.10")
    assert ei.value.status_code == 400
    assert code_of(ei) == "PrivateIPAddressNotInSubnet"


def test_nic__static_ip_in_use(lab: Lab):
    rg = lab.rg()
    lab.nic(rg, ip="10.0.0.20")
    with pytest.raises(HttpResponseError) as ei:
        lab.nic(rg, ip="10.0.0.20")
    assert code_of(ei) == "PrivateIPAddressInUse"


@pytest.mark.parametrize("ip", ["10.0.0.0", "10.0.0.1", "10.0.0.3", "10.0.0.255"])
def test_nic__azure_reserved_addresses(lab: Lab, ip: str):
    with pytest.raises(HttpResponseError) as ei:
        lab.nic(lab.rg(), ip=ip)
    assert code_of(ei) in ("PrivateIPAddressInReservedRange", "PrivateIPAddressNotInSubnet")


def test_nic__missing_subnet(lab: Lab):
    rg = lab.rg()
    vnet = lab.vnet(rg)
    with pytest.raises(HttpResponseError) as ei:
        lab.nic(rg, subnet_id=f"{vnet.id}/subnets/nope")
    assert code_of(ei) in ("InvalidResourceReference", "NotFound", "ResourceNotFound")


def test_public_ip__create_and_attach(lab: Lab):
    rg = lab.rg()
    body = {
        "location": LOCATION,
        "sku": {"name": "Standard"},
        "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4"},
    }
    pip = lab.s.network.public_ip_addresses.begin_create_or_update(rg, lab.name("pip"), body).result()
    assert pip.sku.name == "Standard" and pip.public_ip_allocation_method == "Static"
    assert pip.provisioning_state == "Succeeded"
    assert pip.ip_address  # static: allocated at create
    ipconf = {
        "privateIPAllocationMethod": "Dynamic",
        "subnet": {"id": lab.subnet_id(rg)},
        "publicIPAddress": {"id": pip.id},
    }
    nic_body = {"location": LOCATION, "properties": {"ipConfigurations": [{"name": "ip1", "properties": ipconf}]}}
    nic = lab.s.network.network_interfaces.begin_create_or_update(rg, lab.name("nic"), nic_body).result()
    assert nic.ip_configurations[0].public_ip_address.id.lower() == pip.id.lower()
    assert [p.name for p in lab.s.network.public_ip_addresses.list(rg)] == [pip.name]


def test_nic__delete(lab: Lab):
    rg = lab.rg()
    nic = lab.nic(rg)
    lab.s.network.network_interfaces.begin_delete(rg, nic.name).result()
    assert list(lab.s.network.network_interfaces.list(rg)) == []
