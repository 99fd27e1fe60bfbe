"""Microsoft.Resources/templateSpecs and templateSpecs/versions (api-version 2022-02-01): PUT synchronous
(201 new / 200 update), GET, DELETE synchronous (200, 204 when absent), list. azguest stores backup manifests
as a version's ``metadata`` (docs/design.md, "Backup").

Shapes from azure-rest-api-specs, Resources ``templateSpecs/stable/2022-02-01``: a template spec is a tracked
resource (``location`` required; ``properties.description``, ``displayName``, ``metadata``; read-only
``versions``: {name: {description, timeCreated, timeModified}}); a version is a tracked child whose
``location`` must match its template spec's, with ``properties.mainTemplate`` (required),
``linkedTemplates``, ``metadata``, ``uiFormDefinition``, ``description``. Deleting a template spec deletes
its versions (with it). A template spec version holds at most 2 MB (learn.microsoft.com azure-resource-manager
templates/template-specs.md; the error code is the emulator's choice, unverified).

Not implemented: deploying a template spec, linked templates' resolution, the 800 versions per spec limit.
"""

from __future__ import annotations

import json
from typing import Any

from azguest.emulator.context import Ctx, Reply, iso_offset, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.registry import Op, Rule, register

TS_TYPE = "Microsoft.Resources/templateSpecs"
VERSION_TYPE = f"{TS_TYPE}/versions"
MAX_VERSION_BYTES = 2 * 1024 * 1024


@register
class TemplateSpecs(Handler):
    arm_type = TS_TYPE
    delete_style = "sync"
    operations = (Op("PUT", "", (201, 200)), Op("GET", "", (200,)), Op("DELETE", "", (200, 204)),
                  Op("GET", "s", (200,), summary="list in group / subscription"))
    rules = (Rule(400, "LocationRequired", "location is required"),
             Rule(409, "PropertyChangeNotAllowed", "the location cannot change"))

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        if existing and body.get("location") and body["location"].replace(" ", "").lower() != existing["location"]:
            raise ArmError(409, "PropertyChangeNotAllowed", "The location of a template spec cannot change.",
                           "location")
        res = base_resource(rid, self.arm_type, body, existing)
        res["properties"].pop("versions", None)
        return res

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        out["properties"]["versions"] = {
            v["name"]: {"description": v["properties"].get("description"), "timeCreated": v.get("_created"),
                        "timeModified": v.get("_modified")}
            for v in ctx.of_type(VERSION_TYPE, parent=res["id"])}
        return out


@register
class TemplateSpecVersions(Handler):
    arm_type = VERSION_TYPE
    scope = "child"
    delete_style = "sync"
    operations = (Op("PUT", "", (201, 200)), Op("GET", "", (200,)), Op("DELETE", "", (200, 204)),
                  Op("GET", "s", (200,), summary="list under a template spec"))
    rules = (Rule(404, "ParentResourceNotFound", "the template spec must exist"),
             Rule(400, "InvalidTemplateSpecVersionLocation", "location must be the template spec's"),
             Rule(400, "InvalidParameter", "properties.mainTemplate is required (an object)"),
             Rule(400, "TemplateSpecVersionTooLarge", "a version holds at most 2 MB (code unverified)"))

    def put(self, ctx: Ctx) -> Reply:
        if len(json.dumps(ctx.body)) > MAX_VERSION_BYTES:
            raise ArmError(400, "TemplateSpecVersionTooLarge", "The template spec version exceeds 2 MB.")
        return super().put(ctx)

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        parent = ctx.get(ctx.path.parent_id())
        assert parent is not None  # require_parent ran
        loc = (body.get("location") or "").replace(" ", "").lower()
        if not loc:
            raise invalid("The 'location' property is required for this resource.", "location", "LocationRequired")
        if loc != parent["location"]:
            raise ArmError(400, "InvalidTemplateSpecVersionLocation",
                           f"The location '{loc}' must match the template spec's location '{parent['location']}'.",
                           "location")
        if not isinstance((body.get("properties") or {}).get("mainTemplate"), dict):
            raise invalid("The property 'mainTemplate' is required and must be an object.", "mainTemplate")
        res = base_resource(rid, self.arm_type, body, existing)
        now = iso_offset(ctx.now)
        res["_created"] = (existing or {}).get("_created") or now
        res["_modified"] = now
        return res
