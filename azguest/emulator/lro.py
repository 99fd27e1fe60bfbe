"""Long-running operations in "Azure time": started_at + duration * timeScale against the clock.

Two polling styles, as ARM uses them:
- ``async``: the first response carries ``Azure-AsyncOperation``; polls answer 200 with
  ``{"status": "InProgress" | "Succeeded" | "Failed"}``; for PUT the SDK then GETs the resource.
- ``location``: the first response is 202 + ``Location``; polls answer 202 until done, then 200
  with the final body (the resource, an action result, or nothing) or the error status.
Operations are completed lazily by ``settle_due`` at the start of every request, in any process.

A handler that accepts a request Azure later fails (a disk attach conflict, a restore point that
cannot be taken) calls ``fail_later`` while validating: the first response is the normal one
(201/200/202) and the operation ends ``Failed`` with that ARM code, as Azure reports it (at once:
it does not take the operation's full duration).
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx, Reply, iso, public
from azguest.emulator.errors import ArmError

ASYNC = "async"
LOCATION = "location"
_FAIL_LATER = "lro.fail_later"
_DURATION = "lro.duration"


def fail_later(ctx: Ctx, code: str, message: str, status: int = 409) -> None:
    """Accept the request, but end the LRO it starts as ``Failed`` with this ARM error."""
    ctx.scratch.setdefault(_FAIL_LATER, {"code": code, "message": message, "status": status})


def set_duration(ctx: Ctx, seconds: float) -> None:
    """The LRO this request starts takes ``seconds`` (already time-scaled), not the profile's type default."""
    ctx.scratch[_DURATION] = float(seconds)


def will_fail(ctx: Ctx) -> bool:
    return _FAIL_LATER in ctx.scratch


def in_flight(ctx: Ctx, resource_id: str, operations: tuple[str, ...]) -> list[dict[str, Any]]:
    """Operations on ``resource_id`` (of these kinds) that have not completed yet."""
    rid = resource_id.lower()
    return [op for op in ctx.state["operations"].values()
            if not op["completed"] and op["resource_id"].lower() == rid and op["operation"] in operations]


def start(ctx: Ctx, res: dict[str, Any], operation: str, style: str, *, final: str = "resource",
          args: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Record a new LRO on ``res``; returns the record and the headers of the first response."""
    engine = ctx.engine
    arm_type = res["type"]
    op_id = ctx.new_id()
    duration = ctx.scratch.pop(_DURATION, None)
    if duration is None:
        duration = engine.profile.latency.seconds(arm_type, operation)
    planned = ctx.scratch.pop(_FAIL_LATER, None)
    if planned:
        duration = 0.0  # Azure's own validation fails the operation within moments, not after the full duration
    fault = None if planned else engine.faults.lro_failure(arm_type, res["name"], operation, ctx.state["fault_uses"])
    fail = planned or ({"code": fault.code, "message": fault.message} if fault else None)
    sub = res["id"].split("/")[2]
    op = {
        "id": op_id, "sub": sub, "namespace": arm_type.split("/")[0],
        "location": (res.get("location") or "global").replace(" ", "").lower(),
        "resource_id": res["id"], "arm_type": arm_type, "operation": operation, "style": style,
        "started": ctx.now, "done_at": ctx.now + duration, "polls": 0, "completed": False,
        "status": "InProgress", "final": final, "args": args or {}, "result": None,
        "fail": fail,
    }
    ctx.state["operations"][op_id] = op
    ctx.mark_dirty()
    return op, _headers(ctx, op)


def _headers(ctx: Ctx, op: dict[str, Any]) -> dict[str, str]:
    h: dict[str, str] = {}
    if op["style"] == ASYNC:
        h["Azure-AsyncOperation"] = url(ctx, op, "operations")
    else:
        h["Location"] = url(ctx, op, "operationResults")
    latency = ctx.engine.profile.latency
    if latency.poll_retry_after is not None:
        h["Retry-After"] = str(latency.poll_retry_after)
    elif latency.poll_hint:  # every InProgress answer hints, also one held for min_in_progress_polls
        left = min(op["done_at"] - ctx.now, latency.poll_hint_cap_s * latency.time_scale)
        h["retry-after-ms"] = str(max(1, int(left * 1000)))
    return h


def _hint(ctx: Ctx, op: dict[str, Any]) -> dict[str, str]:
    """Only the poll-again hint of ``_headers`` (async polls carry no operation URL)."""
    return {k: v for k, v in _headers(ctx, op).items() if k in ("Retry-After", "retry-after-ms")}


def url(ctx: Ctx, op: dict[str, Any], kind: str) -> str:
    v = ctx.req.api_version
    if op["arm_type"].lower() == "microsoft.resources/resourcegroups":
        return f"{ctx.req.base_url}/subscriptions/{op['sub']}/operationresults/{op['id']}?api-version={v}"
    return (f"{ctx.req.base_url}/subscriptions/{op['sub']}/providers/{op['namespace']}/locations/"
            f"{op['location']}/{kind}/{op['id']}?api-version={v}")


def settle_due(ctx: Ctx, complete) -> None:
    """Complete every operation whose time has come; ``complete(ctx, op)`` applies its effect."""
    due = [op for op in ctx.state["operations"].values() if not op["completed"] and op["done_at"] <= ctx.now]
    for op in sorted(due, key=lambda o: o["done_at"]):
        if op["completed"]:  # an earlier completion may have ended it (a group delete cancels)
            continue
        op["completed"] = True
        op["ended"] = max(op["done_at"], op["started"])
        try:
            complete(ctx, op)
            op["status"] = "Failed" if op["fail"] else "Succeeded"
        except ArmError as e:
            op["status"] = "Failed"
            op["fail"] = {"code": e.code, "message": e.message, "status": e.status}
        ctx.mark_dirty()
    _prune(ctx)


def _prune(ctx: Ctx, keep_seconds: float = 86400.0) -> None:
    ops = ctx.state["operations"]
    for k in [k for k, o in ops.items() if o["completed"] and ctx.now - o["done_at"] > keep_seconds]:
        del ops[k]


def poll(ctx: Ctx, op_id: str) -> Reply:
    op = ctx.state["operations"].get(op_id)
    if op is None:
        raise ArmError(404, "ResourceNotFound", f"Operation '{op_id}' was not found.")
    op["polls"] += 1  # not a change worth a file write: another process may answer one more InProgress
    running = not op["completed"] or op["polls"] <= ctx.engine.profile.latency.min_in_progress_polls
    if op["style"] == ASYNC:
        reply = _poll_async(op, running)
        return Reply(reply.status, reply.body, _hint(ctx, op)) if running else reply
    if running:
        return Reply(202, None, _headers(ctx, op))
    if op["fail"]:
        raise ArmError(op["fail"].get("status", 400), op["fail"]["code"], op["fail"]["message"])
    if op["final"] == "resource":
        res = ctx.get(op["resource_id"])
        return Reply(200, ctx.engine.render(ctx, res) if res else None)
    if op["final"] == "result":
        return Reply(200, op["result"])
    return Reply(200, None)


def _poll_async(op: dict[str, Any], running: bool) -> Reply:
    body: dict[str, Any] = {"name": op["id"], "startTime": iso(op["started"])}
    if running:
        body["status"] = "InProgress"
        return Reply(200, body)
    body["endTime"] = iso(op["ended"])
    if op["fail"]:
        body["status"] = "Failed"
        body["error"] = {"code": op["fail"]["code"], "message": op["fail"]["message"]}
    else:
        body["status"] = "Succeeded"
        if op["final"] == "result" and op["result"] is not None:
            body["properties"] = {"output": op["result"]}
    return Reply(200, body)


__all__ = ["ASYNC", "LOCATION", "fail_later", "in_flight", "poll", "public", "settle_due", "start", "will_fail"]
