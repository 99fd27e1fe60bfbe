"""Generic resource lists: ``/resourceGroups/{rg}/resources`` and ``/subscriptions/{s}/resources``,
with ``$filter`` on tagName/tagValue, resourceType and name.

Tracked child resources (a child with a location, e.g. ``virtualMachines/runCommands``) are listed with
ARM's full name ``parent/child``, as Azure lists VM extensions (``"name": "vm/CustomScript"``,
``"type": "Microsoft.Compute/virtualMachines/extensions"``: Azure/azure-powershell issue #13659, a
``Get-AzResource`` output); that run commands follow extensions here is UNCONFIRMED. Proxy children
(no location: restore points, disk restore points, blob/file services) are not listed.

Not implemented: ``$expand``, ``$top`` paging, generic get/put/delete by id, moveResources.
"""

from __future__ import annotations

from azguest.emulator import ids
from azguest.emulator.context import Ctx, Reply
from azguest.emulator.handlers import filters
from azguest.emulator.handlers.base import Handler
from azguest.emulator.registry import Op, Rule, register

_HIDDEN = {"microsoft.storage/storageaccounts/blobservices", "microsoft.storage/storageaccounts/fileservices"}
_KEYS = ("id", "name", "type", "location", "tags", "sku", "kind", "managedBy", "zones")


@register
class GenericResources(Handler):
    arm_type = "Microsoft.Resources/resources"
    scope = "sub"
    operations = (
        Op("GET", "/subscriptions/{sub}/resourceGroups/{rg}/resources", (200,),
           summary="list in a group; $filter tagName/tagValue/resourceType"),
        Op("GET", "/subscriptions/{sub}/resources", (200,), summary="list in a subscription; same $filter"),
    )
    rules = (Rule(400, "InvalidFilterInQueryString", "unsupported $filter expression"),)

    def list(self, ctx: Ctx) -> Reply:
        p = ctx.path
        flt = filters.parse(ctx.req.query.get("$filter"))
        if p.resource_group:
            ctx.require_rg(p.subscription, p.resource_group)
        prefix = ids.key(ids.rg_id(p.subscription, p.resource_group)) + "/" if p.resource_group else \
            f"/subscriptions/{p.subscription.lower()}/resourcegroups/"
        out = []
        for k, r in sorted(ctx.resources.items()):
            if not k.startswith(prefix) or k.count("/providers/") != 1:
                continue
            tail = k.split("/providers/", 1)[1].split("/")
            if (len(tail) != 3 and "location" not in r) or r["type"].lower() in _HIDDEN:
                continue
            if filters.matches(r, flt):
                item = {key: r[key] for key in _KEYS if key in r}
                if len(tail) > 3:  # a tracked child: ARM's full name, parent first
                    item["name"] = "/".join(r["id"].split("/providers/", 1)[1].split("/")[2::2])
                out.append(item)
        return Reply(200, {"value": out})
