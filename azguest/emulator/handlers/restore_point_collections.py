"""Microsoft.Compute/restorePointCollections: PUT synchronous (201 new / 200 update) with a
source VM; DELETE 202 + Location (removes its restore points).

Not implemented: the 10,000-per-region limit, instantAccess, moving collections.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx, public
from azguest.emulator.errors import ArmError
from azguest.emulator.handlers.base import Handler, base_resource, ref_id
from azguest.emulator.registry import Op, Rule, register


@register
class RestorePointCollections(Handler):
    arm_type = "Microsoft.Compute/restorePointCollections"
    operations = (
        Op("PUT", "", (201, 200)),
        Op("GET", "", (200,), summary="$expand=restorePoints lists the restore points"),
        Op("DELETE", "", (202, 204), "Location"),
        Op("GET", "s", (200,), summary="list in group / subscription"),
    )
    rules = (
        Rule(404, "NotFound", "properties.source.id must be an existing VM"),
        Rule(409, "PropertyChangeNotAllowed", "the source VM cannot change"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        props.pop("restorePoints", None)
        src = ref_id(props.get("source"))
        if existing is not None:
            old = ref_id(existing["properties"].get("source"))
            if src and old and src.lower() != old.lower():
                raise ArmError(409, "PropertyChangeNotAllowed", "Changing property 'source.id' is not allowed.")
            src = old
        vm = ctx.get(src)
        if vm is None or not vm["type"].lower().endswith("/virtualmachines"):
            raise ArmError(404, "NotFound", f"The source VM {src} was not found.", "source.id")
        props["source"] = {"id": vm["id"], "location": vm["location"]}
        props.setdefault("restorePointCollectionId", ctx.new_id())
        return res

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        if "restorepoints" in (ctx.req.query.get("$expand") or "").lower():
            rps = ctx.of_type(f"{self.arm_type}/restorePoints", parent=res["id"])
            out.setdefault("properties", {})["restorePoints"] = [ctx.engine.render(ctx, r) for r in rps]
        return out
