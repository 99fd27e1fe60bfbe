"""Microsoft.Resources/resourceGroups: create/update (201/200), get, check existence (HEAD),
PATCH tags, list with tag filter, delete (202 + Location, cascades to every resource inside).

Not implemented: managedBy, exportTemplate, resource locks, deployments.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator import ids, lro
from azguest.emulator.context import Ctx, Reply, public
from azguest.emulator.errors import ArmError, invalid, rg_being_deleted, rg_not_found
from azguest.emulator.handlers import filters
from azguest.emulator.handlers.base import Handler
from azguest.emulator.registry import Op, Rule, register


@register
class ResourceGroups(Handler):
    arm_type = "Microsoft.Resources/resourceGroups"
    scope = "sub"
    operations = (
        Op("PUT", "", (201, 200), summary="create (201) or update (200)"),
        Op("GET", "", (200,)),
        Op("HEAD", "", (204, 404), summary="check existence"),
        Op("PATCH", "", (200,), summary="update tags"),
        Op("DELETE", "", (202,), "Location", "cascades to every resource in the group; poll 202 then 200"),
        Op("GET", "s", (200,), summary="list; $filter tagName/tagValue"),
    )
    rules = (
        Rule(404, "ResourceGroupNotFound", "any request under a resource group that does not exist"),
        Rule(400, "LocationRequired", "a new resource group needs a location"),
        Rule(409, "InvalidResourceGroupLocation", "an existing group cannot change location"),
        Rule(409, "ResourceGroupBeingDeleted", "no PUT/PATCH of the group or of anything in it while it is being "
             "deleted"),
    )

    def _id(self, ctx: Ctx) -> str:
        return ids.rg_id(ctx.path.subscription, ctx.path.resource_group)

    def put(self, ctx: Ctx) -> Reply:
        existing = ctx.get(self._id(ctx))
        body = ctx.body
        loc = (body.get("location") or "").replace(" ", "").lower()
        if existing is None and not loc:
            raise invalid("The 'location' property is required for a resource group.", "location",
                          "LocationRequired")
        if existing is not None:
            if existing["properties"]["provisioningState"] == "Deleting":
                raise rg_being_deleted(existing["name"])
            if loc and loc != existing["location"]:
                raise ArmError(409, "InvalidResourceGroupLocation",
                               f"Invalid resource group location '{loc}'. The Resource group already exists "
                               f"in location '{existing['location']}'.")
        res = dict(existing or {"id": self._id(ctx), "name": ctx.path.resource_group, "type": self.arm_type,
                                "location": loc, "properties": {"provisioningState": "Succeeded"}})
        res["tags"] = dict(body.get("tags") or {})
        ctx.save(res)
        return Reply(200 if existing else 201, public(res))

    def get(self, ctx: Ctx) -> Reply:
        return Reply(200, public(self._load(ctx)))

    def head(self, ctx: Ctx) -> Reply:
        return Reply(204 if ctx.get(self._id(ctx)) else 404)

    def patch(self, ctx: Ctx) -> Reply:
        res = self._load(ctx)
        if res["properties"]["provisioningState"] == "Deleting":
            raise rg_being_deleted(res["name"])
        if "tags" in ctx.body:
            res["tags"] = dict(ctx.body.get("tags") or {})
        ctx.save(res)
        return Reply(200, public(res))

    def delete(self, ctx: Ctx) -> Reply:
        res = self._load(ctx)
        res["properties"]["provisioningState"] = "Deleting"
        ctx.save(res)
        _, headers = lro.start(ctx, res, "delete", lro.LOCATION, final="empty")
        return Reply(202, None, headers)

    def list(self, ctx: Ctx) -> Reply:
        flt = filters.parse(ctx.req.query.get("$filter"))
        items = [public(r) for r in ctx.of_type(self.arm_type, sub=ctx.path.subscription)
                 if filters.matches(r, flt)]
        return Reply(200, {"value": items})

    def action(self, ctx: Ctx, name: str) -> Reply:
        raise ArmError(404, "InvalidResourceType", f"Action '{name}' is not supported by the emulator.")

    def complete(self, ctx: Ctx, op: dict[str, Any]) -> None:
        if op["operation"] == "delete" and not op["fail"]:
            _cascade_delete(ctx, op["resource_id"])

    def _load(self, ctx: Ctx) -> dict[str, Any]:
        res = ctx.get(self._id(ctx))
        if res is None:
            raise rg_not_found(ctx.path.resource_group)
        return res


def _cascade_delete(ctx: Ctx, rg_id: str) -> None:
    """Delete everything in the group: VMs first (to release disks and NICs), then the rest."""
    from azguest.emulator.routes import handler_for

    prefix = ids.key(rg_id) + "/"
    inside = [r for k, r in ctx.resources.items() if k.startswith(prefix)]
    for res in sorted(inside, key=lambda r: 0 if r["type"].lower().endswith("/virtualmachines") else 1):
        h = handler_for(res["type"])
        if h is not None and ctx.get(res["id"]) is not None:
            h.on_deleted(ctx, res)
    for op in ctx.state["operations"].values():
        if ids.key(op["resource_id"]).startswith(prefix) and not op["completed"]:
            op["completed"], op["ended"], op["status"] = True, ctx.now, "Canceled"
    ctx.remove(rg_id)
