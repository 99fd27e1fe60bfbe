"""The emulator engine: one ``handle(method, url, headers, body)`` entry point shared by the
in-process transport and the HTTP server.

Order of work per request: retry detection -> injected transient fault -> throttling ->
settle due LROs -> route to the handler of the ARM type -> log. Thread-safe (one lock), and
multi-process safe when persisted (see ``store``).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from azguest.emulator import ids, lro, routes
from azguest.emulator.context import Ctx, Reply, Request, public
from azguest.emulator.errors import ArmError
from azguest.emulator.faults import FaultInjector
from azguest.emulator.profile import Profile
from azguest.emulator.requestlog import LogEntry, RequestLog
from azguest.emulator.store import Store
from azguest.emulator.throttle import TokenBuckets

_RETRYABLE = {408, 429, 500, 502, 503, 504}
GuestHook = Callable[[str, Any, dict], tuple[int, str, str]]


def default_guest_hook(vm_id: str, script: Any, parameters: dict) -> tuple[int, str, str]:
    return 0, f"ok: {ids.name_of(vm_id)}", ""


@dataclass(frozen=True)
class EmuResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class Engine:
    """An ARM-compatible engine. See docs/design.md "Emulator contract"."""

    def __init__(self, state_path: Path | None = None, profile: Profile | None = None, *,
                 clock: Callable[[], float] | None = None,
                 throttle_clock: Callable[[], float] | None = None) -> None:
        self._lock = threading.RLock()
        self.clock = clock or time.time
        self.store = Store(Path(state_path) if state_path else None)
        self._profile = profile or Profile()
        self.faults = FaultInjector(self._profile.faults)
        self.buckets = TokenBuckets(throttle_clock or time.monotonic)
        self.log = RequestLog()
        self.guest_hook: GuestHook = default_guest_hook
        self._seen_ids: OrderedDict[tuple[str, str, str], int] = OrderedDict()

    # ---- public API ----------------------------------------------------------------------
    @property
    def profile(self) -> Profile:
        return self._profile

    @profile.setter
    def profile(self, value: Profile) -> None:
        with self._lock:
            self._profile = value
            self.faults = FaultInjector(value.faults)

    @property
    def request_log(self) -> list[LogEntry]:
        return self.log.entries

    def reset_log(self) -> None:
        with self._lock, self.store.session() as state:
            self.log.entries.clear()
            self.store.pending_counts.clear()
            state["log_counts"] = {}
            self.store.dirty = True

    def stats(self) -> dict[str, Any]:
        with self._lock, self.store.session() as state:
            return self.log.summary(state.get("log_counts", {}), self.store.pending_counts)

    def set_quota(self, location: str, name: str, limit: int) -> None:
        with self._lock, self.store.session() as state:
            state["quotas"].setdefault(_loc(location), {})[name] = int(limit)
            self.store.dirty = True

    def set_sku_restriction(self, location: str, sku: str, reason: str | None = "NotAvailableForSubscription",
                            ) -> None:
        """Restrict a VM size in a location (``reason=None`` lifts it)."""
        with self._lock, self.store.session() as state:
            r = state["sku_restrictions"].setdefault(_loc(location), {})
            if reason:
                r[sku.lower()] = reason
            else:
                r.pop(sku.lower(), None)
            self.store.dirty = True

    def set_secret(self, vault: str, name: str, value: str) -> str:
        """Seed a Key Vault secret (a new version; returns its id). Stored in the state, see handlers/keyvault."""
        from azguest.emulator.handlers import keyvault

        with self._lock, self.store.session() as state:
            version = keyvault.seed(state, vault, name, value, self.clock())
            self.store.dirty = True
            return version

    def flush(self) -> None:
        with self._lock:
            self.store.flush()

    def handle(self, method: str, url: str, headers: dict[str, str] | None, body: bytes | None,
               ) -> EmuResponse:
        req = _request(method, url, headers or {}, body)
        with self._lock, self.store.session() as state:
            ctx = Ctx(self, state, req, ids.parse(req.path), self.clock())
            route = routes.resolve(ctx)
            entry = self.log.start(req, route)
            entry.retry = self._is_retry(req)
            reply, extra = self._guarded(ctx, route, entry)
            entry.status = reply.status
            self._remember(req, reply.status)
            self.log.finish(entry, self.store.pending_counts)
        return _encode(reply, extra, req)

    # ---- internals -----------------------------------------------------------------------
    def _guarded(self, ctx: Ctx, route: routes.Route, entry: LogEntry) -> tuple[Reply, dict[str, str]]:
        fault = self.faults.transient(ctx.req.method)
        if fault:
            entry.injected = True
            ra = self._profile.faults.retry_after_ms
            # azure-core reads Retry-After before retry-after-ms: only 429 carries the (>= 1 s) header.
            h = {"Retry-After": str(max(1, -(-ra // 1000)))} if fault.status == 429 else {"retry-after-ms": str(ra)}
            return Reply(fault.status, {"error": {"code": fault.code, "message": "Injected fault."}}, h), {}
        throttled, extra = routes.throttle(ctx, route, self.buckets, self._profile.throttling)
        if throttled is not None:
            entry.throttled = True
            return throttled, extra
        try:
            lro.settle_due(ctx, self._complete)
            reply = routes.dispatch(ctx, route)
        except ArmError as e:
            reply = Reply(e.status, e.body())
        return reply, extra

    def _complete(self, ctx: Ctx, op: dict[str, Any]) -> None:
        handler = routes.handler_for(op["arm_type"])
        if handler is None:
            return
        if op["operation"] in ("create", "update", "delete"):
            handler.complete(ctx, op)
        else:
            handler.complete_action(ctx, op)

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        handler = routes.handler_for(res["type"])
        return handler.render(ctx, res) if handler else public(res)

    def _is_retry(self, req: Request) -> bool:
        """A retry: same client request id, method and path as a request answered retryably.

        azure-core keeps ``x-ms-client-request-id`` across retries *and* across LRO polls, so the
        id alone is not enough; a poll is only a retry if the previous poll failed transiently.
        """
        rid = req.headers.get("x-ms-client-request-id")
        if not rid:
            return False
        return self._seen_ids.get((rid, req.method, req.path)) in _RETRYABLE

    def _remember(self, req: Request, status: int) -> None:
        rid = req.headers.get("x-ms-client-request-id")
        if not rid:
            return
        self._seen_ids[(rid, req.method, req.path)] = status
        self._seen_ids.move_to_end((rid, req.method, req.path))
        if len(self._seen_ids) > 20000:
            self._seen_ids.popitem(last=False)


def _loc(location: str) -> str:
    return location.replace(" ", "").lower()


def _request(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Request:
    parts = urlsplit(url)
    base = f"{parts.scheme or 'http'}://{parts.netloc}" if parts.netloc else "http://localhost"
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    return Request(method.upper(), parts.path, query, {k.lower(): v for k, v in headers.items()},
                   body, base)


def _encode(reply: Reply, extra: dict[str, str], req: Request) -> EmuResponse:
    import json

    headers = {"x-ms-request-id": str(uuid.uuid4()),
               "x-ms-correlation-request-id": req.headers.get("x-ms-correlation-request-id",
                                                              str(uuid.uuid4()))}
    if "x-ms-client-request-id" in req.headers:
        headers["x-ms-client-request-id"] = req.headers["x-ms-client-request-id"]
    headers.update(extra)
    headers.update(reply.headers)
    data = b""
    if reply.body is not None and req.method != "HEAD":
        data = json.dumps(reply.body).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    headers["Content-Length"] = str(len(data))
    return EmuResponse(reply.status, headers, data)
