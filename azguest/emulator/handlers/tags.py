"""Microsoft.Resources/tags/default at resource-group scope: the Tags API (read, replace, and the
PATCH that merges, replaces or selectively deletes tags without touching the others).

Source: https://learn.microsoft.com/rest/api/resources/tags/update-at-scope ("merge" adds or updates
the given names, "replace" swaps the whole set, "delete" removes the given names or name/value
pairs). Only the resource-group scope is emulated (azguest writes group tags with it).

Not implemented: resource and subscription scope (extension paths the emulator does not route).
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx, Reply
from azguest.emulator.errors import ArmError, invalid, rg_being_deleted
from azguest.emulator.handlers.base import Handler
from azguest.emulator.registry import Op, Rule, register

_OPERATIONS = ("merge", "replace", "delete")


@register
class Tags(Handler):
    arm_type = "Microsoft.Resources/tags"
    operations = (
        Op("GET", "", (200,), summary="the group's tags (resource-group scope only)"),
        Op("PUT", "", (200,), summary="replace every tag of the group"),
        Op("PATCH", "", (200,), summary="operation Merge | Replace | Delete (by name or name/value)"),
        Op("DELETE", "", (200,), summary="remove every tag of the group"),
    )
    rules = (
        Rule(400, "InvalidTagsOperation", "PATCH operation is not Merge, Replace or Delete"),
        Rule(400, "InvalidRequestContent", "properties.tags is not an object of strings"),
        Rule(404, "ResourceGroupNotFound", "the group does not exist"),
    )

    def _group(self, ctx: Ctx) -> dict[str, Any]:
        p = ctx.path
        if (p.names or ("",))[0].lower() != "default" or len(p.types) != 1:
            raise ArmError(404, "InvalidResourceType", "only tags/default at resource-group scope is emulated")
        group = ctx.require_rg(p.subscription, p.resource_group)
        if group["properties"]["provisioningState"] == "Deleting":
            raise rg_being_deleted(group["name"])
        return group

    def _reply(self, group: dict[str, Any]) -> Reply:
        return Reply(200, {"id": f"{group['id']}/providers/Microsoft.Resources/tags/default", "name": "default",
                           "type": self.arm_type, "properties": {"tags": dict(group.get("tags") or {})}})

    def get(self, ctx: Ctx) -> Reply:
        return self._reply(self._group(ctx))

    def put(self, ctx: Ctx) -> Reply:
        group = self._group(ctx)
        group["tags"] = _tags_of(ctx.body)
        ctx.save(group)
        return self._reply(group)

    def patch(self, ctx: Ctx) -> Reply:
        group = self._group(ctx)
        op = str(ctx.body.get("operation") or "").lower()
        if op not in _OPERATIONS:
            raise invalid(f"The tags operation '{ctx.body.get('operation')}' is not Merge, Replace or Delete.",
                          "operation", "InvalidTagsOperation")
        given, current = _tags_of(ctx.body), dict(group.get("tags") or {})
        if op == "merge":
            current.update(given)
        elif op == "replace":
            current = given
        else:
            current = {k: v for k, v in current.items() if k not in given or given[k] not in ("", v)}
        group["tags"] = current
        ctx.save(group)
        return self._reply(group)

    def delete(self, ctx: Ctx) -> Reply:
        group = self._group(ctx)
        group["tags"] = {}
        ctx.save(group)
        return Reply(200)

    def list(self, ctx: Ctx) -> Reply:
        raise ArmError(404, "InvalidResourceType", "listing tag names is not emulated")


def _tags_of(body: dict[str, Any]) -> dict[str, str]:
    tags = (body.get("properties") or {}).get("tags")
    if tags is None:
        return {}
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise ArmError(400, "InvalidRequestContent", "properties.tags must be an object of string values.")
    return dict(tags)

