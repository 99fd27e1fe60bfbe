"""Microsoft.Network/virtualNetworks and their subnets (inline and as the child type
``virtualNetworks/subnets``). PUT 201/200 + Azure-AsyncOperation; DELETE 202 + Location.

Not implemented: peerings, DNS servers, service endpoints, delegations, subnet overlap checks,
IPv6, address-space changes with subnets outside the new range.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from azguest.emulator.context import Ctx, Reply, public
from azguest.emulator.errors import ArmError
from azguest.emulator.handlers import netutil
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.registry import Op, Rule, register

_NET_OPS = (
    Op("PUT", "", (201, 200), "Azure-AsyncOperation"),
    Op("GET", "", (200,)),
    Op("DELETE", "", (202, 204), "Location"),
    Op("GET", "s", (200,), summary="list in group / subscription"),
)


def _subnet_in_use(ctx: Ctx, subnet_id: str) -> bool:
    return any((cfg.get("properties", {}).get("subnet") or {}).get("id", "").lower() == subnet_id.lower()
               for _, cfg in netutil.nic_ip_configs(ctx))


def _in_use_error(name: str) -> ArmError:
    return ArmError(400, "InUseSubnetCannotBeDeleted",
                    f"Subnet {name} is in use by a network interface and cannot be deleted.")


def _build_subnet(vnet_id: str, spaces: list[str], sub: dict[str, Any]) -> dict[str, Any]:
    name = sub.get("name")
    props = dict(sub.get("properties") or {})
    prefix = props.get("addressPrefix") or (props.get("addressPrefixes") or [None])[0]
    if not name or not prefix:
        raise ArmError(400, "InvalidRequestFormat", "Each subnet needs a name and an addressPrefix.")
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError as e:
        raise ArmError(400, "InvalidAddressPrefixFormat", f"Address prefix {prefix} is invalid.") from e
    if not any(net.subnet_of(ipaddress.ip_network(s, strict=False)) for s in spaces):
        raise ArmError(400, "NetcfgSubnetRangeOutsideVnet",
                       f"Subnet '{name}' is not valid because its IP address range is outside the IP "
                       f"address range of virtual network.")
    props.pop("ipConfigurations", None)
    props["addressPrefix"] = prefix
    props["provisioningState"] = "Succeeded"
    return {"id": f"{vnet_id}/subnets/{name}", "name": name, "etag": netutil.etag(),
            "type": "Microsoft.Network/virtualNetworks/subnets", "properties": props}


def _render_subnet(ctx: Ctx, sub: dict[str, Any]) -> dict[str, Any]:
    out = public(sub)
    refs = [{"id": cfg["id"]} for _, cfg in netutil.nic_ip_configs(ctx)
            if (cfg.get("properties", {}).get("subnet") or {}).get("id", "").lower() == sub["id"].lower()]
    if refs:
        out["properties"]["ipConfigurations"] = refs
    return out


@register
class VirtualNetworks(Handler):
    arm_type = netutil.VNET_TYPE
    put_style = "async"
    pending_states = {"create": "Updating", "update": "Updating"}
    operations = _NET_OPS
    rules = (
        Rule(400, "NetcfgSubnetRangeOutsideVnet", "a subnet prefix must lie inside the address space"),
        Rule(400, "InUseSubnetCannotBeDeleted", "a subnet used by a NIC cannot be removed or its VNet deleted"),
        Rule(400, "InvalidAddressPrefixFormat", "address prefixes must be valid CIDR"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        spaces = (props.get("addressSpace") or {}).get("addressPrefixes") or []
        if not spaces:
            raise ArmError(400, "InvalidRequestFormat", "addressSpace.addressPrefixes is required.")
        for s in spaces:
            try:
                ipaddress.ip_network(s, strict=False)
            except ValueError as e:
                raise ArmError(400, "InvalidAddressPrefixFormat", f"Address prefix {s} is invalid.") from e
        subnets = [_build_subnet(rid, spaces, s) for s in props.get("subnets") or []]
        if existing:
            kept = {s["name"].lower() for s in subnets}
            for old in existing["properties"].get("subnets", []):
                if old["name"].lower() not in kept and _subnet_in_use(ctx, old["id"]):
                    raise _in_use_error(old["name"])
        props["subnets"] = subnets
        res["etag"] = netutil.etag()
        props.setdefault("resourceGuid", ctx.new_id())
        return res

    def check_delete(self, ctx: Ctx, res: dict[str, Any]) -> None:
        for s in res["properties"].get("subnets", []):
            if _subnet_in_use(ctx, s["id"]):
                raise _in_use_error(s["name"])

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        out["properties"]["subnets"] = [_render_subnet(ctx, s) for s in res["properties"].get("subnets", [])]
        return out


@register
class Subnets(Handler):
    """Subnets as a child type; stored inline in the parent virtual network.

    Not implemented: subnet-level NAT gateway, route tables, private endpoint policies."""

    arm_type = "Microsoft.Network/virtualNetworks/subnets"
    scope = "child"
    operations = _NET_OPS
    rules = (Rule(404, "ParentResourceNotFound", "the virtual network must exist"),)

    def _vnet(self, ctx: Ctx) -> dict[str, Any]:
        self.require_parent(ctx)
        return ctx.get(ctx.path.parent_id() if ctx.path.tail is None else ctx.path.resource_id())

    def put(self, ctx: Ctx) -> Reply:
        vnet = self._vnet(ctx)
        spaces = vnet["properties"]["addressSpace"]["addressPrefixes"]
        body = dict(ctx.body)
        body["name"] = ctx.path.names[-1]
        sub = _build_subnet(vnet["id"], spaces, body)
        subs = vnet["properties"].setdefault("subnets", [])
        existing = next((i for i, s in enumerate(subs) if s["name"].lower() == sub["name"].lower()), None)
        if existing is None:
            subs.append(sub)
        else:
            subs[existing] = sub
        ctx.save(vnet)
        return Reply(201 if existing is None else 200, _render_subnet(ctx, sub))

    def get(self, ctx: Ctx) -> Reply:
        vnet = self._vnet(ctx)
        sub = netutil.find_subnet(ctx, ctx.path.resource_id())
        if sub is None:
            raise ArmError(404, "NotFound", f"Resource {ctx.path.resource_id()} not found.")
        del vnet
        return Reply(200, _render_subnet(ctx, sub))

    def delete(self, ctx: Ctx) -> Reply:
        vnet = self._vnet(ctx)
        name = ctx.path.names[-1].lower()
        subs = vnet["properties"].get("subnets", [])
        hit = [s for s in subs if s["name"].lower() == name]
        if not hit:
            return Reply(204)
        if _subnet_in_use(ctx, hit[0]["id"]):
            raise _in_use_error(hit[0]["name"])
        vnet["properties"]["subnets"] = [s for s in subs if s["name"].lower() != name]
        ctx.save(vnet)
        return Reply(200)

    def list(self, ctx: Ctx) -> Reply:
        vnet = self._vnet(ctx)
        return Reply(200, {"value": [_render_subnet(ctx, s) for s in vnet["properties"].get("subnets", [])]})
