"""Routes: a parsed ARM path -> (handler, verb); throttling decisions per route."""

from __future__ import annotations

import math
from dataclasses import dataclass

from azguest.emulator import lro, registry
from azguest.emulator.context import Ctx, Reply
from azguest.emulator.errors import ArmError
from azguest.emulator.handlers import keyvault
from azguest.emulator.handlers.base import Handler
from azguest.emulator.profile import Bucket, Throttling
from azguest.emulator.throttle import (
    ARM_HEADER,
    TokenBuckets,
    arm_kind,
    policy_bucket,
    retry_after_seconds,
    vm_policy,
)

RG_TYPE = "Microsoft.Resources/resourceGroups"
GENERIC_TYPE = "Microsoft.Resources/resources"
_VERBS = {"PUT": "put", "GET": "get", "DELETE": "delete", "HEAD": "head", "PATCH": "patch", "POST": "action"}


@dataclass(frozen=True)
class Route:
    verb: str  # put | get | delete | head | patch | list | action | sub_route | poll | unknown
    arm_type: str
    log_kind: str
    handler: Handler | None = None
    action: str | None = None
    op_id: str | None = None
    vm_id: str | None = None  # the VM a Compute per-VM throttling policy applies to
    vm_policy: str | None = None


def handler_for(arm_type: str) -> Handler | None:
    return registry.lookup(arm_type)


def _log_kind(method: str) -> str:
    return {"GET": "read", "HEAD": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(
        method, "action")


def resolve(ctx: Ctx) -> Route:
    p, m = ctx.path, ctx.req.method
    kind = _log_kind(m)
    if keyvault.vault_request(ctx.req.base_url, ctx.req.path) is not None:  # data plane, not ARM
        kv_type = keyvault.KeyVaultSecrets.arm_type
        return Route("keyvault", kv_type, kind, handler_for(kv_type))
    if p is None:
        return Route("unknown", "", kind)
    if p.kind == "operation_results":
        return _poll_route(ctx, p.tail or "")
    if p.kind in ("rg", "rg_list", "rg_action"):
        verb = "list" if p.kind == "rg_list" else ("action" if p.kind == "rg_action" else _VERBS.get(m, "unknown"))
        return Route(verb, RG_TYPE, kind, handler_for(RG_TYPE), action=p.tail)
    if p.kind in ("rg_resources", "sub_resources"):
        return Route("list", GENERIC_TYPE, kind, handler_for(GENERIC_TYPE))
    if p.kind == "sub_provider":
        return _sub_provider_route(ctx, kind)
    if p.kind == "provider":
        return _provider_route(ctx, kind)
    return Route("unknown", "", kind)


def _poll_route(ctx: Ctx, op_id: str) -> Route:
    op = ctx.state["operations"].get(op_id) or {}
    arm_type = op.get("arm_type", "")
    vm_id, policy = None, None
    if arm_type.lower().startswith("microsoft.compute/virtualmachines"):
        vm_id = "/".join(op["resource_id"].split("/")[:9]).lower()
        policy = "AsyncOperationStatus"
    return Route("poll", arm_type, "poll", op_id=op_id, vm_id=vm_id, vm_policy=policy)


def _sub_provider_route(ctx: Ctx, kind: str) -> Route:
    p = ctx.path
    t = [x.lower() for x in p.types]
    if len(t) == 4 and t[0] == "locations" and t[2] in ("operations", "operationresults"):
        return _poll_route(ctx, p.types[3])
    arm_type = f"{p.namespace}/{p.types[0]}"
    h = handler_for(arm_type)
    if len(t) == 1 and h is not None and ctx.req.method == "GET":
        return Route("list", h.arm_type, kind, h)
    return Route("sub_route", f"{p.namespace}/{'/'.join(p.types)}", kind)


def _provider_route(ctx: Ctx, kind: str) -> Route:
    p, m = ctx.path, ctx.req.method
    if p.tail is not None:
        coll = handler_for(f"{p.namespace}/{'/'.join(p.types + (p.tail,))}")
        if coll is not None and m == "GET":
            return _with_vm(ctx, Route("list", coll.arm_type, kind, coll))
        h = handler_for(p.arm_type)
        return _with_vm(ctx, Route("action", p.arm_type if h is None else h.arm_type, kind, h, action=p.tail))
    h = handler_for(p.arm_type)
    return _with_vm(ctx, Route(_VERBS.get(m, "unknown"), h.arm_type if h else p.arm_type, kind, h))


def _with_vm(ctx: Ctx, route: Route) -> Route:
    p = ctx.path
    if not p.types or p.types[0].lower() != "virtualmachines" or p.namespace.lower() != "microsoft.compute":
        return route
    if not p.names:
        return route
    vm_id = "/" + "/".join(p.raw[:8]).lower()
    exists = ctx.get(vm_id) is not None
    policy = vm_policy(ctx.req.method, route.arm_type, route.action, exists)
    return Route(route.verb, route.arm_type, route.log_kind, route.handler, route.action, route.op_id,
                 vm_id, policy)


def throttle(ctx: Ctx, route: Route, buckets: TokenBuckets,
             cfg: Throttling) -> tuple[Reply | None, dict[str, str]]:
    if not cfg.enabled or ctx.path is None:
        return None, {}
    k = arm_kind(route.log_kind)
    extra: dict[str, str] = {}
    scale = ctx.engine.profile.latency.time_scale if cfg.time_scaled else 0.0
    bucket = _scaled(cfg.arm.get(k), scale)
    if bucket is not None:
        v = buckets.take(("arm", ctx.path.subscription.lower(), k), bucket)
        extra[f"x-ms-ratelimit-remaining-subscription-{ARM_HEADER[k]}"] = str(v.remaining)
        if not v.allowed:
            msg = f"Number of '{ARM_HEADER[k]}' requests for subscription exceeded the limit."
            return _too_many(cfg, v.retry_after, "TooManyRequests", msg, scale), extra
    if route.vm_policy and route.vm_id:
        b = _scaled(policy_bucket(cfg, route.vm_policy), scale)
        if b is not None:
            v = buckets.take(("vm", route.vm_id, route.vm_policy), b)
            extra["x-ms-ratelimit-remaining-resource"] = f"Microsoft.Compute/{route.vm_policy};{v.remaining}"
            if not v.allowed:
                msg = ("The server rejected the request because too many requests have been received "
                       "for this subscription.")
                reply = _too_many(cfg, v.retry_after, "OperationNotAllowed", msg, scale)
                reply.body["error"]["details"] = [{"code": "TooManyRequests", "target": route.vm_policy,
                                                   "message": msg}]
                return reply, extra
    return None, extra


def _scaled(bucket: Bucket | None, scale: float) -> Bucket | None:
    """With ``Throttling.time_scaled``, refill in emulated time: a compressed run keeps Azure's budgets."""
    if bucket is None or scale <= 0:
        return bucket
    return Bucket(bucket.burst, bucket.per_second / scale)


def _too_many(cfg: Throttling, wait: float, code: str, msg: str, scale: float = 0.0) -> Reply:
    if scale > 0:  # emulated time: whole seconds would over-wait, so say it in milliseconds only
        return Reply(429, {"error": {"code": code, "message": msg}}, {"retry-after-ms": str(max(1, int(wait * 1000)))})
    if cfg.retry_after_ms_header:  # the exact wait; without Retry-After, which azure-core would read first
        h = {"x-ms-retry-after-ms": str(max(1, math.ceil(wait * 1000)))}
    else:
        h = {"Retry-After": str(retry_after_seconds(wait))}
    return Reply(429, {"error": {"code": code, "message": msg}}, h)


def dispatch(ctx: Ctx, route: Route) -> Reply:
    if route.verb == "poll":
        return lro.poll(ctx, route.op_id or "")
    if route.verb == "sub_route":
        return _sub_route(ctx, route)
    if route.verb == "keyvault":
        return route.handler.data_plane(ctx, *keyvault.vault_request(ctx.req.base_url, ctx.req.path))
    h = route.handler
    if h is None or route.verb == "unknown":
        ns = ctx.path.namespace if ctx.path else ""
        raise ArmError(404, "InvalidResourceType",
                       f"The resource type '{route.arm_type}' could not be found in the namespace '{ns}'.")
    if route.verb == "action":
        return h.action(ctx, route.action or "")
    return getattr(h, route.verb)(ctx)


def _sub_route(ctx: Ctx, route: Route) -> Reply:
    p = ctx.path
    for h in registry.all_handlers():
        if h.arm_type.split("/")[0].lower() != (p.namespace or "").lower():
            continue
        reply = h.sub_route(ctx, p.types)
        if reply is not None:
            return reply
    raise ArmError(404, "InvalidResourceType", f"The resource type '{route.arm_type}' could not be found.")
