"""Microsoft.Compute/availabilitySets: fault/update domain counts, ``virtualMachines`` references
filled in from the VMs that use the set. PUT is synchronous (200 for create and update, as the
SDK accepts only 200); DELETE is synchronous (200/204). ``sku`` defaults to ``Classic`` as in ARM.

A VM (always with managed disks here) can only join an ``Aligned`` set: the VM handler refuses a
``Classic`` one with 409 OperationNotAllowed, as ARM does.

Not implemented: proximity placement groups, scheduled events policy, vmSizes listing per set.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.handlers.computeutil import AVSET_TYPE, VM_TYPE
from azguest.emulator.registry import Op, Rule, register

MAX_FAULT_DOMAINS = 3
MAX_UPDATE_DOMAINS = 20


def members(ctx: Ctx, avset_id: str) -> list[dict[str, Any]]:
    return [vm for vm in ctx.of_type(VM_TYPE)
            if (ref_id(vm["properties"].get("availabilitySet")) or "").lower() == avset_id.lower()]


@register
class AvailabilitySets(Handler):
    arm_type = AVSET_TYPE
    sync_put_created = 200
    delete_style = "sync"
    operations = (
        Op("PUT", "", (200,), summary="create or update (always 200)"),
        Op("GET", "", (200,)),
        Op("DELETE", "", (200, 204)),
        Op("GET", "s", (200,), summary="list in group / subscription"),
    )
    rules = (
        Rule(400, "InvalidParameter", f"platformFaultDomainCount must be 1-{MAX_FAULT_DOMAINS}, "
             f"platformUpdateDomainCount 1-{MAX_UPDATE_DOMAINS}"),
        Rule(409, "PropertyChangeNotAllowed", "fault/update domain counts cannot change while VMs are in the set"),
        Rule(409, "OperationNotAllowed", "a set that still has VMs cannot be deleted"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        props.pop("virtualMachines", None)
        props.pop("statuses", None)
        res.setdefault("sku", {"name": "Classic"})  # ARM's default; managed-disk VMs need "Aligned"
        fd = props.setdefault("platformFaultDomainCount", 2)
        ud = props.setdefault("platformUpdateDomainCount", 5)
        if not isinstance(fd, int) or not 1 <= fd <= MAX_FAULT_DOMAINS:
            raise invalid(f"The specified fault domain count {fd} must fall in the range 1 to "
                          f"{MAX_FAULT_DOMAINS}.", "platformFaultDomainCount")
        if not isinstance(ud, int) or not 1 <= ud <= MAX_UPDATE_DOMAINS:
            raise invalid(f"The specified update domain count {ud} must fall in the range 1 to "
                          f"{MAX_UPDATE_DOMAINS}.", "platformUpdateDomainCount")
        if existing and members(ctx, rid):
            for k in ("platformFaultDomainCount", "platformUpdateDomainCount"):
                if existing["properties"].get(k) != props[k]:
                    raise ArmError(409, "PropertyChangeNotAllowed", f"Changing property '{k}' is not allowed.",
                                   k)
        return res

    def check_delete(self, ctx: Ctx, res: dict[str, Any]) -> None:
        if members(ctx, res["id"]):
            raise ArmError(409, "OperationNotAllowed",
                           f"Availability set {res['name']} cannot be deleted. Before deleting an availability "
                           "set please ensure that it does not contain any VM.")

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        out["properties"].pop("provisioningState", None)
        out["properties"]["virtualMachines"] = [{"id": vm["id"]} for vm in members(ctx, res["id"])]
        return out
