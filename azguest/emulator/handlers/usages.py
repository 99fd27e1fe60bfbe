"""Microsoft.Compute/locations/{location}/usages: regional ``cores``, ``virtualMachines`` and one
entry per quota family in the catalog. Current values count every VM in the subscription and
location, deallocated ones included (ACD quotas.md, 2026-01-16); limits are set by ``Engine.set_quota``.

Not implemented: VM scale set, dedicated host, low-priority and Microsoft.Quota usages.
"""

from __future__ import annotations

from azguest.emulator.context import Ctx, Reply
from azguest.emulator.handlers.base import Handler
from azguest.emulator.handlers.computeutil import family_names, quota_limit, usage
from azguest.emulator.registry import Op, register


@register
class Usages(Handler):
    arm_type = "Microsoft.Compute/locations/usages"
    scope = "sub"
    operations = (Op("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/usages",
                     (200,)),)

    def sub_route(self, ctx: Ctx, rest: tuple[str, ...]) -> Reply | None:
        if len(rest) != 3 or rest[0].lower() != "locations" or rest[2].lower() != "usages":
            return None
        loc = rest[1].replace(" ", "").lower()
        used = usage(ctx, ctx.path.subscription, loc)
        names = [("cores", "Total Regional vCPUs"), ("virtualMachines", "Virtual Machines")] + family_names()
        extra = {n for n in ctx.state["quotas"].get(loc, {})} - {n for n, _ in names}
        names += [(n, n) for n in sorted(extra)]
        value = [{"unit": "Count", "currentValue": used.get(n, 0), "limit": quota_limit(ctx, loc, n),
                  "name": {"value": n, "localizedValue": text}} for n, text in names]
        return Reply(200, {"value": value})
