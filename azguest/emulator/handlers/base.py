"""Handler base classes: the generic ARM resource life cycle (PUT/GET/DELETE/list) with hooks.

A handler subclass sets ``arm_type``, ``scope``, the LRO styles and overrides ``build`` (validate
the body and return the stored resource) plus optional hooks. Not implemented generically:
PATCH (only where a handler adds it), ``If-Match``/ETags, paging (lists return one page).
"""

from __future__ import annotations

from typing import Any, ClassVar

from azguest.emulator import ids, lro
from azguest.emulator.context import Ctx, Reply, public
from azguest.emulator.errors import ArmError, invalid, not_found, rg_being_deleted
from azguest.emulator.registry import Op, Rule


class Handler:
    arm_type: ClassVar[str] = ""
    scope: ClassVar[str] = "rg"  # rg | child | sub
    put_style: ClassVar[str] = "sync"  # sync | async | location
    delete_style: ClassVar[str] = "location"  # sync | async | location
    sync_put_created: ClassVar[int] = 201  # status of a sync PUT that created the resource
    sync_delete_status: ClassVar[int] = 200
    pending_states: ClassVar[dict[str, str]] = {"create": "Creating", "update": "Updating"}
    requires_location: ClassVar[bool] = True
    operations: ClassVar[tuple[Op, ...]] = ()
    rules: ClassVar[tuple[Rule, ...]] = ()

    # ---- dispatch ------------------------------------------------------------------------
    def put(self, ctx: Ctx) -> Reply:
        rid = ctx.path.resource_id()
        self.require_parent(ctx)
        existing = ctx.get(rid)
        body = ctx.body
        if self.requires_location and self.scope != "child" and not body.get("location") and not existing:
            raise invalid("The 'location' property is required for this resource.", "location",
                          "LocationRequired")
        res = self.build(ctx, rid, body, existing)
        res.setdefault("id", rid)
        res.setdefault("name", ids.name_of(rid))
        res.setdefault("type", self.arm_type)
        operation = "update" if existing else "create"
        props = res.setdefault("properties", {})
        if self.put_style == "sync":
            props["provisioningState"] = "Succeeded"
            ctx.save(res)
            self.after_put(ctx, res, existing)
            return Reply(200 if existing else self.sync_put_created, self.render(ctx, res))
        props["provisioningState"] = self.pending_states[operation]
        ctx.save(res)
        self.after_put(ctx, res, existing)
        style = lro.ASYNC if self.put_style == "async" else lro.LOCATION
        _, headers = lro.start(ctx, res, operation, style)
        if style == lro.ASYNC:
            return Reply(200 if existing else 201, self.render(ctx, res), headers)
        return Reply(202, self.render(ctx, res), headers)

    def get(self, ctx: Ctx) -> Reply:
        return Reply(200, self.render(ctx, self.load(ctx)))

    def delete(self, ctx: Ctx) -> Reply:
        rid = ctx.path.resource_id()
        self.require_parent(ctx)
        res = ctx.get(rid)
        if res is None:
            return Reply(204)
        self.check_delete(ctx, res)
        if self.delete_style == "sync":
            self.on_deleted(ctx, res)
            ctx.remove(rid)
            return Reply(self.sync_delete_status)
        res.setdefault("properties", {})["provisioningState"] = "Deleting"
        ctx.save(res)
        style = lro.ASYNC if self.delete_style == "async" else lro.LOCATION
        _, headers = lro.start(ctx, res, "delete", style, final="empty")
        return Reply(202, None, headers)

    def head(self, ctx: Ctx) -> Reply:
        self.load(ctx)
        return Reply(204)

    def patch(self, ctx: Ctx) -> Reply:
        """Generic PATCH: merge the body into the resource and validate it like a PUT (sync, 200)."""
        existing = self.load(ctx)
        merged = merge(public(existing), ctx.body)
        res = self.build(ctx, existing["id"], merged, existing)
        res.setdefault("properties", {})["provisioningState"] = "Succeeded"
        ctx.save(res)
        self.after_put(ctx, res, existing)
        return Reply(200, self.render(ctx, res))

    def list(self, ctx: Ctx) -> Reply:
        p = ctx.path
        if self.scope == "child":
            parent = p.resource_id()
            if ctx.get(parent) is None:
                raise not_found(p.arm_type, p.names[-1], p.resource_group)
            items = ctx.of_type(self.arm_type, parent=parent)
        elif p.resource_group:
            ctx.require_rg(p.subscription, p.resource_group)
            items = ctx.of_type(self.arm_type, sub=p.subscription, rg=p.resource_group)
        else:
            items = ctx.of_type(self.arm_type, sub=p.subscription)
        return Reply(200, {"value": [self.render(ctx, r) for r in items]})

    def action(self, ctx: Ctx, name: str) -> Reply:
        raise ArmError(404, "InvalidResourceType",
                       f"The resource type '{self.arm_type}/{name}' could not be found.")

    def sub_route(self, ctx: Ctx, rest: tuple[str, ...]) -> Reply | None:
        """Subscription-level paths under this handler's namespace (``None`` = not mine)."""
        return None

    # ---- hooks ---------------------------------------------------------------------------
    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        return base_resource(rid, self.arm_type, body, existing)

    def after_put(self, ctx: Ctx, res: dict[str, Any], existing: dict | None) -> None:
        """Side effects of an accepted PUT (e.g. attach disks)."""

    def check_delete(self, ctx: Ctx, res: dict[str, Any]) -> None:
        """Raise ArmError when the resource may not be deleted now."""

    def on_deleted(self, ctx: Ctx, res: dict[str, Any]) -> None:
        """Side effects of a completed delete (e.g. detach disks)."""

    def complete(self, ctx: Ctx, op: dict[str, Any]) -> None:
        """Apply a finished LRO. Default: create/update settle, delete removes."""
        res = ctx.get(op["resource_id"])
        if res is None:
            return
        if op["operation"] == "delete":
            if not op["fail"]:
                self.on_deleted(ctx, res)
                ctx.remove(res["id"])
            return
        res.setdefault("properties", {})["provisioningState"] = "Failed" if op["fail"] else "Succeeded"
        if not op["fail"]:
            self.on_succeeded(ctx, res, op)
        ctx.save(res)

    def complete_action(self, ctx: Ctx, op: dict[str, Any]) -> None:
        """Apply a finished action LRO (start, deallocate, runCommand, ...)."""

    def on_succeeded(self, ctx: Ctx, res: dict[str, Any], op: dict[str, Any]) -> None:
        """Extra state changes when a create/update LRO succeeds."""

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        return public(res)

    # ---- helpers -------------------------------------------------------------------------
    def load(self, ctx: Ctx) -> dict[str, Any]:
        p = ctx.path
        self.require_parent(ctx)
        res = ctx.get(p.resource_id())
        if res is None:
            raise not_found(self.arm_type, p.names[-1], p.resource_group)
        return res

    def require_parent(self, ctx: Ctx) -> None:
        """The resource group (and, for a child type, the parent) must exist; no PUT/PATCH into a
        group that is being deleted (ARM: 409 ResourceGroupBeingDeleted)."""
        p = ctx.path
        if p.resource_group:
            rg = ctx.require_rg(p.subscription, p.resource_group)
            if ctx.req.method in ("PUT", "PATCH") and rg["properties"].get("provisioningState") == "Deleting":
                raise rg_being_deleted(rg["name"])
        parent = p.parent_id()
        if self.scope == "child" and parent and ctx.get(parent) is None:
            raise ArmError(404, "ParentResourceNotFound",
                           f"Can not perform requested operation on nested resource. Parent resource "
                           f"'{ids.name_of(parent)}' not found.")


def base_resource(rid: str, arm_type: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
    """A resource record from a PUT body: id/name/type/location/tags/sku/properties."""
    res: dict[str, Any] = dict(existing) if existing else {}
    res.update({"id": rid, "name": ids.name_of(rid), "type": arm_type})
    loc = body.get("location") or (existing or {}).get("location")
    if loc:
        res["location"] = loc.replace(" ", "").lower()
    if "tags" in body or "tags" not in res:
        res["tags"] = dict(body.get("tags") or {})
    for k in ("sku", "kind", "zones", "identity", "plan", "extendedLocation"):
        if k in body:
            res[k] = body[k]
    props = dict(body.get("properties") or {})
    props.pop("provisioningState", None)
    res["properties"] = props
    return res


def ref_id(obj: Any) -> str | None:
    """The ``id`` of a sub-resource reference ``{"id": ...}``."""
    return obj.get("id") if isinstance(obj, dict) else None


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """JSON merge-patch (RFC 7396) of ``patch`` onto ``base``."""
    out = dict(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out
