"""Microsoft.Network/networkInterfaces: IP configurations on an existing subnet, static private
IPs checked against the subnet prefix, Azure's reserved addresses and addresses in use;
dynamic IPs allocated from the subnet. ``virtualMachine`` and ``macAddress`` appear once a VM
uses the NIC. PUT 201/200 + Azure-AsyncOperation; DELETE 202 + Location.

Not implemented: IPv6, multiple prefixes per subnet, load-balancer pools, application security
groups, effective routes / NSG views, accelerated-networking size checks.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx
from azguest.emulator.errors import ArmError
from azguest.emulator.handlers import netutil
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.handlers.virtual_networks import _NET_OPS
from azguest.emulator.registry import Rule, register


@register
class NetworkInterfaces(Handler):
    arm_type = netutil.NIC_TYPE
    put_style = "async"
    pending_states = {"create": "Updating", "update": "Updating"}
    operations = _NET_OPS
    rules = (
        Rule(400, "InvalidResourceReference", "the subnet (and NSG / public IP) referenced must exist"),
        Rule(400, "PrivateIPAddressNotInSubnet", "a static private IP must lie in the subnet prefix"),
        Rule(400, "PrivateIPAddressInReservedRange",
             "a static private IP must not be one of Azure's reserved addresses (.0-.3, broadcast)"),
        Rule(400, "PrivateIPAddressInUse", "a static private IP must not be used by another NIC"),
        Rule(400, "NicInUse", "a NIC attached to a VM cannot be deleted"),
        Rule(400, "IpConfigurationRequired", "at least one IP configuration is required"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        cfgs = props.get("ipConfigurations") or []
        if not cfgs:
            raise ArmError(400, "IpConfigurationRequired",
                           f"Network interface {rid} must have one or more IP configurations.")
        for ref_key in ("networkSecurityGroup",):
            self._require(ctx, ref_id(props.get(ref_key)), ref_key)
        props["ipConfigurations"] = [self._ip_config(ctx, rid, i, c) for i, c in enumerate(cfgs)]
        if existing:
            for k in ("virtualMachine", "macAddress"):
                if k in existing["properties"]:
                    props[k] = existing["properties"][k]
        props.setdefault("resourceGuid", ctx.new_id())
        props.setdefault("enableAcceleratedNetworking", False)
        props.setdefault("enableIPForwarding", False)
        dns = props.setdefault("dnsSettings", {})
        dns.setdefault("dnsServers", [])
        dns["appliedDnsServers"] = list(dns["dnsServers"])
        res["etag"] = netutil.etag()
        return res

    def _require(self, ctx: Ctx, ref: str | None, what: str) -> None:
        if ref and ctx.get(ref) is None:
            raise ArmError(400, "InvalidResourceReference",
                           f"Resource {ref} referenced by resource {ctx.path.resource_id()} was not found "
                           f"({what}).")

    def _ip_config(self, ctx: Ctx, rid: str, i: int, cfg: dict[str, Any]) -> dict[str, Any]:
        name = cfg.get("name") or f"ipconfig{i + 1}"
        props = dict(cfg.get("properties") or {})
        subnet_id = ref_id(props.get("subnet"))
        subnet = netutil.find_subnet(ctx, subnet_id)
        if subnet is None:
            raise ArmError(400, "InvalidResourceReference",
                           f"Resource {subnet_id} referenced by resource {rid} was not found.")
        self._require(ctx, ref_id(props.get("publicIPAddress")), "publicIPAddress")
        prefix = subnet["properties"]["addressPrefix"]
        used = netutil.used_ips(ctx, subnet["id"], except_nic=rid)
        method = props.get("privateIPAllocationMethod") or ("Static" if props.get("privateIPAddress") else "Dynamic")
        if method.lower() == "static":
            if not props.get("privateIPAddress"):
                raise ArmError(400, "PrivateIPAddressIsRequired", "A static IP configuration needs privateIPAddress.")
            netutil.check_static_ip(props["privateIPAddress"], prefix, used)
        else:
            existing_ip = props.get("privateIPAddress")
            props["privateIPAddress"] = existing_ip if existing_ip and existing_ip not in used else \
                netutil.allocate_ip(prefix, used)
        props["privateIPAllocationMethod"] = "Static" if method.lower() == "static" else "Dynamic"
        props["subnet"] = {"id": subnet["id"]}
        props.setdefault("primary", i == 0)
        props.setdefault("privateIPAddressVersion", "IPv4")
        props["provisioningState"] = "Succeeded"
        return {"id": f"{rid}/ipConfigurations/{name}", "name": name, "etag": netutil.etag(),
                "type": "Microsoft.Network/networkInterfaces/ipConfigurations", "properties": props}

    def check_delete(self, ctx: Ctx, res: dict[str, Any]) -> None:
        vm = ref_id(res["properties"].get("virtualMachine"))
        if vm and ctx.get(vm) is not None:
            raise ArmError(400, "NicInUse", f"Network Interface {res['id']} is used by existing resource {vm}. "
                           "In order to delete the network interface, it must be dissociated from the resource.")
