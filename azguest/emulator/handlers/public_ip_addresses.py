"""Microsoft.Network/publicIPAddresses: an address is assigned for Static / Standard SKU.
PUT 201/200 + Azure-AsyncOperation; DELETE 202 + Location.

Not implemented: DNS labels' uniqueness, IP prefixes, zones, IPv6, Basic SKU retirement checks.
"""

from __future__ import annotations

import random
from typing import Any

from azguest.emulator.context import Ctx
from azguest.emulator.errors import ArmError
from azguest.emulator.handlers import netutil
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.handlers.virtual_networks import _NET_OPS
from azguest.emulator.registry import Rule, register


@register
class PublicIPAddresses(Handler):
    arm_type = "Microsoft.Network/publicIPAddresses"
    put_style = "async"
    pending_states = {"create": "Updating", "update": "Updating"}
    operations = _NET_OPS
    rules = (Rule(400, "PublicIPAddressInUse", "a public IP associated with a NIC cannot be deleted"),)

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        res.setdefault("sku", {"name": "Standard", "tier": "Regional"})
        props = res["properties"]
        standard = res["sku"].get("name", "").lower() == "standard"
        props.setdefault("publicIPAllocationMethod", "Static" if standard else "Dynamic")
        props.setdefault("publicIPAddressVersion", "IPv4")
        props.setdefault("idleTimeoutInMinutes", 4)
        if existing and existing["properties"].get("ipAddress"):
            props["ipAddress"] = existing["properties"]["ipAddress"]
        elif props["publicIPAllocationMethod"] == "Static":
            rng = random.Random(rid.lower())
            props["ipAddress"] = f"20.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        props.setdefault("resourceGuid", ctx.new_id())
        res["etag"] = netutil.etag()
        return res

    def check_delete(self, ctx: Ctx, res: dict[str, Any]) -> None:
        for _nic, cfg in netutil.nic_ip_configs(ctx):
            if (ref_id(cfg["properties"].get("publicIPAddress")) or "").lower() == res["id"].lower():
                raise ArmError(400, "PublicIPAddressInUse",
                               f"Public IP address {res['id']} can not be deleted since it is still allocated "
                               f"to resource {cfg['id']}.")
