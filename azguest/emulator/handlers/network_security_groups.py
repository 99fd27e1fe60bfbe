"""Microsoft.Network/networkSecurityGroups: security rules stored with ids; the six default rules
are returned. PUT 201/200 + Azure-AsyncOperation; DELETE 202 + Location.

Not implemented: rule priority/overlap validation, application security groups, flow logs.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx
from azguest.emulator.errors import ArmError
from azguest.emulator.handlers import netutil
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.handlers.virtual_networks import _NET_OPS
from azguest.emulator.registry import Rule, register

_DEFAULTS = [
    ("AllowVnetInBound", "Inbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Inbound", "Allow", 65001, "AzureLoadBalancer", "*"),
    ("DenyAllInBound", "Inbound", "Deny", 65500, "*", "*"),
    ("AllowVnetOutBound", "Outbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", "Outbound", "Allow", 65001, "*", "Internet"),
    ("DenyAllOutBound", "Outbound", "Deny", 65500, "*", "*"),
]


def _rule(nsg_id: str, kind: str, name: str, props: dict[str, Any]) -> dict[str, Any]:
    props = dict(props)
    props["provisioningState"] = "Succeeded"
    return {"id": f"{nsg_id}/{kind}/{name}", "name": name, "etag": netutil.etag(),
            "type": f"Microsoft.Network/networkSecurityGroups/{kind}", "properties": props}


@register
class NetworkSecurityGroups(Handler):
    arm_type = "Microsoft.Network/networkSecurityGroups"
    put_style = "async"
    pending_states = {"create": "Updating", "update": "Updating"}
    operations = _NET_OPS
    rules = (
        Rule(400, "SecurityRuleInvalidPriority", "rule priority must be 100-4096"),
        Rule(400, "InUseNetworkSecurityGroupCannotBeDeleted", "an NSG used by a NIC or subnet cannot be deleted"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        rules = []
        for r in props.get("securityRules") or []:
            p = r.get("properties") or {}
            prio = p.get("priority")
            if not isinstance(prio, int) or not 100 <= prio <= 4096:
                raise ArmError(400, "SecurityRuleInvalidPriority",
                               f"Security rule {r.get('name')} has invalid priority {prio}.")
            rules.append(_rule(rid, "securityRules", r.get("name", f"rule{prio}"), p))
        props["securityRules"] = rules
        props["defaultSecurityRules"] = [
            _rule(rid, "defaultSecurityRules", n, {
                "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                "sourceAddressPrefix": src, "destinationAddressPrefix": dst, "access": acc,
                "priority": prio, "direction": d})
            for n, d, acc, prio, src, dst in _DEFAULTS]
        props.setdefault("resourceGuid", ctx.new_id())
        res["etag"] = netutil.etag()
        return res

    def check_delete(self, ctx: Ctx, res: dict[str, Any]) -> None:
        users = [n["id"] for n in ctx.of_type(netutil.NIC_TYPE)
                 if (ref_id(n["properties"].get("networkSecurityGroup")) or "").lower() == res["id"].lower()]
        for vnet in ctx.of_type(netutil.VNET_TYPE):
            users += [s["id"] for s in vnet["properties"].get("subnets", [])
                      if (ref_id(s["properties"].get("networkSecurityGroup")) or "").lower() == res["id"].lower()]
        if users:
            raise ArmError(400, "InUseNetworkSecurityGroupCannotBeDeleted",
                           f"Network security group {res['id']} cannot be deleted because it is in use by "
                           f"the following resources: {', '.join(users)}.")
