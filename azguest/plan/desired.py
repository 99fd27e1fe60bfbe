"""Lab spec -> the desired Azure resources: ARM ids, wire-JSON bodies and dependencies.

This is the Azure side of a lab: resource group, NSG, VNet with subnets, one NIC per subnet for
each node, availability set, Premium managed disks for the storage mode, the DC, the nodes and the
iSCSI target, the cloud-witness storage account and the daily auto-shutdown schedules.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from azguest import naming
from azguest.azure.kinds import KINDS
from azguest.catalog.sizes import lookup_size
from azguest.plan.model import (
    SECRET_PLACEHOLDER,
    TAG_CREATED,
    TAG_EXPIRES,
    TAG_LAB,
    TAG_ROLE,
    TAG_SPEC,
    Desired,
    Graph,
    body_hash,
)
from azguest.storage import StorageLayout

if TYPE_CHECKING:
    from azguest.spec import Lab

RDP_PORT = 3389


class _Builder:
    def __init__(self, lab: Lab, subscription_id: str, lifetime: dict[str, str]):
        self.lab = lab
        self.sub = subscription_id
        self.rg = lab.resource_group_name
        self.location = lab.location
        self.lifetime = lifetime  # the lifetime tags: on the group only (gc reads the group's)
        self.items: list[Desired] = []

    def arm_id(self, kind: str, name: str) -> str:
        """A child's name is ARM's full name, parent first: ``arm_id("runCommand", "vm1/rc1")``."""
        return str(KINDS[kind].arm_id(self.sub, self.rg, name))

    def key(self, kind: str, name: str) -> str:
        return f"{kind}/{name}"

    def add(self, kind: str, name: str, role: str, body: dict, deps: tuple[str, ...] = (), **vm: Any) -> str:
        tags = {**dict(self.lab.tags or {}), TAG_LAB: self.lab.name, TAG_ROLE: role}
        if kind == "resourceGroup":
            tags[TAG_CREATED] = "true"
            tags.update(self.lifetime)
        full = {"location": self.location, "tags": tags, **body}
        full["tags"][TAG_SPEC] = body_hash(full)
        key = self.key(kind, name)
        rg_key = self.key("resourceGroup", self.rg)
        if kind != "resourceGroup" and rg_key not in deps:
            deps = (rg_key, *deps)
        self.items.append(Desired(key, kind, name, self.arm_id(kind, name), role, full, deps, **vm))
        return key


def desired_graph(lab: Lab, subscription_id: str, *, expires_at: str | None = None,
                  lifetime: dict[str, str] | None = None) -> Graph:
    """The whole Azure side of a lab as a dependency graph of resources. ``lifetime``: the lifetime tags
    (deploy.lifecycle) on the resource group, the only place expiry lives; ``expires_at`` alone sets
    ``azguest-expires`` there."""
    tags = dict(lifetime or ({TAG_EXPIRES: expires_at} if expires_at else {}))
    b = _Builder(lab, subscription_id, tags)
    b.add("resourceGroup", b.rg, "network", {})
    _network(b)
    avset = _availability_set(b)
    _domain_controller(b)
    layout = lab.storage_layout()
    disks_by_vm = _storage_disks(b, layout)
    addresses = lab.addresses()
    zones = lab.cluster.placement.zones or ()
    for i, computer in enumerate(lab.cluster.nodes.names()):
        ips = {s: str(ip) for s, ip in addresses[computer].items()}
        zone = str(zones[i % len(zones)]) if zones else None
        _vm(b, computer, lab.cluster.nodes.size, "node", ips, disks_by_vm.get(computer, []), avset, zone=zone)
    for vm in layout.vms:
        subnet = lab.network.subnets[vm.subnet].name
        ip = vm.ip or addresses[vm.computer].get(subnet)
        if ip is None:
            raise ValueError(f"subnet {subnet} has no free address for the {vm.title}")
        _vm(b, vm.computer, vm.size, vm.role, {subnet: str(ip)}, disks_by_vm.get(vm.computer, []), None)
    if lab.cluster.witness == "cloud":
        _witness_account(b)
    return Graph(lab.name, subscription_id, b.rg, lab.location, tuple(b.items))


def with_group_lifetime(graph: Graph, lab: Lab, lifetime: dict[str, str]) -> Graph:
    """``desired_graph(lab, graph.subscription_id, lifetime=lifetime)`` from a graph of the same lab built with
    another lifetime: the lifetime lives on the group only, so only the group's body (and hash) is built again."""
    b = _Builder(lab, graph.subscription_id, dict(lifetime))
    b.add("resourceGroup", b.rg, "network", {})
    group = b.items[0]
    return replace(graph, resources=tuple(group if d.key == group.key else d for d in graph.resources))


def _network(b: _Builder) -> str:
    lab = b.lab
    rules = []
    if lab.network.allow_rdp_from:
        rules.append({"name": "allow-rdp", "properties": {
            "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
            "sourceAddressPrefixes": [str(c) for c in lab.network.allow_rdp_from], "sourcePortRange": "*",
            # only the one VM with a public IP (the domain controller), never every VM in the subnets
            "destinationAddressPrefix": f"{lab.domain.controller.ip}/32", "destinationPortRange": str(RDP_PORT)}})
    nsg_name = naming.nsg_name(lab.name)
    nsg = b.add("nsg", nsg_name, "network", {"properties": {"securityRules": rules}})
    subnets = [{"name": s.name, "properties": {"addressPrefix": str(s.prefix),
                                                "networkSecurityGroup": {"id": b.arm_id("nsg", nsg_name)}}}
               for s in lab.network.subnets]
    # Azure-provided DNS, no dhcpOptions.dnsServers: every VM (the DC too) resolves Azure names before the
    # DC's DNS exists; the nodes switch to the DC in their guest once it answers (docs/design.md, Guest steps).
    body = {"properties": {"addressSpace": {"addressPrefixes": [str(lab.network.address_space)]},
                           "subnets": subnets}}
    return b.add("vnet", naming.vnet_name(lab.name), "network", body, (nsg,))


def _availability_set(b: _Builder) -> str | None:
    aset = b.lab.cluster.placement.effective_availability_set
    if aset is None:
        return None
    body = {"sku": {"name": "Aligned"}, "properties": {
        "platformFaultDomainCount": aset.fault_domains, "platformUpdateDomainCount": aset.update_domains}}
    return b.add("availabilitySet", naming.availability_set_name(b.lab.name), "node", body)


DC_DATA_DISK_GIB = 32  # AD DS database, logs and SYSVOL on a data disk with caching None (facts §7)


def _domain_controller(b: _Builder) -> None:
    dc = b.lab.domain.controller
    first = b.lab.network.subnets[0].name
    info = lookup_size(dc.size)
    sku = "Premium_LRS" if info is None or info.premium_io else "StandardSSD_LRS"
    name = naming.dc_data_disk_name(naming.vm_name(b.lab.name, dc.name))
    disk = (_disk(b, name, sku, DC_DATA_DISK_GIB, 1, "dc"), name)
    _vm(b, dc.name, dc.size, "dc", {first: str(dc.ip)}, [disk], None,
        public_rdp=bool(b.lab.network.allow_rdp_from))


def _storage_disks(b: _Builder, layout: StorageLayout) -> dict[str, list[tuple[str, str]]]:
    """Create the storage mode's data disks; returns, per computer name, the (disk key, disk name) list to attach."""
    out: dict[str, list[tuple[str, str]]] = {n: [] for n in b.lab.cluster.nodes.names()}
    for d in layout.disks:
        key = _disk(b, d.name, d.sku, d.size_gb, d.max_shares, d.role)
        for computer in d.attach_to:
            out.setdefault(computer, []).append((key, d.name))
    return out


def _disk(b: _Builder, name: str, sku: str, size_gb: int, max_shares: int, role: str) -> str:
    props: dict[str, Any] = {"creationData": {"createOption": "Empty"}, "diskSizeGB": size_gb}
    if max_shares > 1:
        props["maxShares"] = max_shares
    return b.add("disk", name, role, {"sku": {"name": sku}, "properties": props})


def _vm(b: _Builder, computer: str, size: str, role: str, ips: dict[str, str],
        disks: list[tuple[str, str]], avset: str | None, public_rdp: bool = False,
        zone: str | None = None) -> None:
    lab = b.lab
    name = naming.vm_name(lab.name, computer)
    vnet = naming.vnet_name(lab.name)
    vnet_key = b.key("vnet", vnet)
    nic_keys, nic_refs = [], []
    pip_id = _public_ip(b, name) if public_rdp else None
    for i, (subnet, ip) in enumerate(ips.items()):
        nic = naming.nic_name(name, subnet)
        ipconf: dict[str, Any] = {"privateIPAllocationMethod": "Static", "privateIPAddress": ip,
                                  "subnet": {"id": f"{b.arm_id('vnet', vnet)}/subnets/{subnet}"}}
        if pip_id and i == 0:
            ipconf["publicIPAddress"] = {"id": pip_id}
        deps = (vnet_key,) + ((b.key("publicIp", naming.public_ip_name(name)),) if pip_id and i == 0 else ())
        nic_keys.append(b.add("nic", nic, role, {"properties": {
            "enableAcceleratedNetworking": False,
            "ipConfigurations": [{"name": "ipconfig1", "properties": ipconf}]}}, deps))
        nic_refs.append({"id": b.arm_id("nic", nic), "properties": {"primary": i == 0, "deleteOption": "Detach"}})
    body = _vm_body(b, computer, size, nic_refs, disks, avset)
    if zone:
        body["zones"] = [zone]
    deps = tuple(nic_keys) + tuple(k for k, _ in disks) + ((avset,) if avset else ())
    info = lookup_size(size)
    vm_key = b.add("vm", name, role, body, deps, vcpus=info.vcpus if info else 0,
                   family=info.family if info else "", size=size)
    _schedule(b, name, vm_key)


def _vm_body(b: _Builder, computer: str, size: str, nic_refs: list, disks: list, avset: str | None) -> dict:
    lab = b.lab
    name = naming.vm_name(lab.name, computer)
    image = lab.cluster.image
    os_disk = lab.cluster.nodes.os_disk
    props: dict[str, Any] = {
        "hardwareProfile": {"vmSize": size},
        "securityProfile": {"securityType": "Standard"},
        "storageProfile": {
            "imageReference": {"publisher": image.publisher, "offer": image.offer, "sku": image.sku,
                               "version": image.version},
            "osDisk": {"name": naming.os_disk_name(name), "createOption": "FromImage", "caching": "ReadWrite",
                       "diskSizeGB": os_disk.size_gb, "deleteOption": "Delete",
                       "managedDisk": {"storageAccountType": os_disk.sku}},
            "dataDisks": [{"lun": i, "name": dname, "createOption": "Attach", "caching": "None",
                           "deleteOption": "Detach", "managedDisk": {"id": b.arm_id("disk", dname)}}
                          for i, (_, dname) in enumerate(disks)],
        },
        "osProfile": {"computerName": computer, "adminUsername": lab.admin.username,
                      "adminPassword": SECRET_PLACEHOLDER,
                      "windowsConfiguration": {"provisionVMAgent": True, "enableAutomaticUpdates": False}},
        "networkProfile": {"networkInterfaces": nic_refs},
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
    }
    if avset:
        props["availabilitySet"] = {"id": b.arm_id("availabilitySet", naming.availability_set_name(lab.name))}
    return {"properties": props}


def _public_ip(b: _Builder, vm: str) -> str:
    name = naming.public_ip_name(vm)
    b.add("publicIp", name, "network", {"sku": {"name": "Standard"}, "properties": {
        "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4"}})
    return b.arm_id("publicIp", name)


def _schedule(b: _Builder, vm: str, vm_key: str) -> None:
    shutdown = b.lab.lifetime.auto_shutdown
    if shutdown is None:
        return
    body = {"properties": {
        "status": "Enabled", "taskType": "ComputeVmShutdownTask",
        "dailyRecurrence": {"time": shutdown.time.replace(":", "")},
        "timeZoneId": shutdown.time_zone, "notificationSettings": {"status": "Disabled"},
        "targetResourceId": b.arm_id("vm", vm)}}
    b.add("schedule", naming.schedule_name(vm), "cost", body, (vm_key,))


def _witness_account(b: _Builder) -> None:
    name = b.lab.witness_storage_account_name
    body = {"kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {
        "supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
        "publicNetworkAccess": "Enabled"}}
    b.add("storageAccount", name, "witness", body)
