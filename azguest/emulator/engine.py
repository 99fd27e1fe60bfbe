"""The emulator engine: one ``handle(method, url, headers, body)`` entry point shared by the
in-process transport and the HTTP server.

Order of work per request: retry detection -> body cap -> injected transient fault -> throttling ->
settle due LROs -> ARM's envelope checks (``limits``) -> route to the handler of the ARM type -> log.
Thread-safe (one lock), and multi-process safe when persisted (see ``store``).

Never raises and never drops a request: an ``ArmError`` becomes its ARM body; any other exception
becomes 400 ``InvalidRequestContent`` when the request had a body the handler tripped over (a wrong
type or shape), else 500 ``InternalServerError``. The traceback is kept in ``engine.last_error``,
never printed. A persisted state is rolled back (reloaded) after such an error.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from azguest.emulator import guest, ids, limits, lro, routes, snapshot
from azguest.emulator.context import Ctx, Reply, Request, public
from azguest.emulator.errors import ArmError
from azguest.emulator.faults import FaultInjector
from azguest.emulator.profile import Profile, default_profile
from azguest.emulator.requestlog import LogEntry, RequestLog
from azguest.emulator.snapshot import EngineSnapshot
from azguest.emulator.store import StateFileError, Store
from azguest.emulator.throttle import TokenBuckets

_RETRYABLE = {408, 429, 500, 502, 503, 504}
_BAD_INPUT = (TypeError, AttributeError, KeyError, ValueError, IndexError, RecursionError)
GuestHook = Callable[[str, Any, dict], tuple[int, str, str]]


@dataclass(frozen=True)
class EmuResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class Engine:
    """An ARM-compatible engine. See docs/design.md "Emulator contract"."""

    def __init__(self, state_path: Path | None = None, profile: Profile | None = None, *,
                 clock: Callable[[], float] | None = None,
                 throttle_clock: Callable[[], float] | None = None, virtual_time: bool | None = None) -> None:
        self._lock = threading.RLock()
        self._virtual_time = virtual_time
        self.skipped_s = 0.0  # emulated seconds clients slept through ``advance`` (added to both clocks)
        base_clock, base_throttle = clock or time.time, throttle_clock or time.monotonic
        self.clock: Callable[[], float] = lambda: base_clock() + self.skipped_s
        self.store = Store(Path(state_path) if state_path else None)
        self._profile = profile or default_profile()
        self.faults = FaultInjector(self._profile.faults)
        self.buckets = TokenBuckets(lambda: base_throttle() + self.skipped_s)
        self.log = RequestLog()
        self.guest_hook: GuestHook | None = None  # test override of the profile's guest model
        self.last_error: str | None = None  # traceback of the last request that failed internally
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
    def virtual_time(self) -> bool:
        """True for an in-memory engine: in-process clients ``advance`` its clock instead of sleeping.

        A persisted engine shares its clock with other processes (the state file stores emulated
        times), so its in-process clients sleep in real time, unless ``Engine(virtual_time=True)``
        says this process is the state's only user (a test re-running a killed deploy).
        """
        return self.store.path is None if self._virtual_time is None else self._virtual_time

    def advance(self, seconds: float) -> None:
        """Move the emulated clock (LROs and throttling buckets) forward, as if ``seconds`` had passed."""
        with self._lock:
            self.skipped_s += max(0.0, float(seconds))

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

    def snapshot(self) -> EngineSnapshot:
        """Everything of this in-memory engine a client or test can observe later, as a frozen record (see
        ``azguest.emulator.snapshot``); raises ``SnapshotError`` for a persisted engine."""
        with self._lock:
            return snapshot.take(self, self._seen_ids)

    def load_snapshot(self, snap: EngineSnapshot) -> None:
        """Become the engine ``snap`` was taken of (private copies; ``store.dirty`` stays False)."""
        with self._lock:
            self._seen_ids = snapshot.load(self, snap)

    def flush(self) -> None:
        with self._lock:
            self.store.flush()

    def run_guest(self, ctx: Ctx, vm_id: str, script: Any, parameters: dict[str, str],
                  protected: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Run a script in the VM's guest: ``guest_hook`` if a test set one, else the profile's
        guest model (``azguest.emulator.guest``). Returns (exit code, stdout, stderr), with every
        protected value masked: what a guest prints is stored and returned, a secret never is."""
        protected = protected or {}
        if self.guest_hook is not None:
            code, out, err = self.guest_hook(vm_id, script, {**parameters, **protected})
        else:
            r = guest.run_step(ctx, self._profile.guest, vm_id, script, parameters, protected)
            code, out, err = r.exit_code, r.stdout, r.stderr
        return code, guest.mask(out, protected), guest.mask(err, protected)

    def handle(self, method: str, url: str, headers: dict[str, str] | None, body: bytes | None,
               ) -> EmuResponse:
        try:
            req = _request(method, url, headers or {}, body)
        except Exception:  # an unparsable URL or header set
            req = Request(str(method)[:16].upper(), "/", {}, {}, None, "http://localhost")
            return _encode(Reply(400, {"error": {"code": "InvalidRequestFormat",
                                                 "message": "The request URL could not be parsed."}}), {}, req)
        with self._lock:
            try:
                return self._handle(req)
            except Exception as e:  # the state was reloaded (persisted) by the store; answer, never raise
                reply = self._failure(req, e)
                entry = LogEntry(req.method, req.path, "", "unknown", reply.status,
                                 client_request_id=req.headers.get("x-ms-client-request-id"))
                self.log.finish(entry, self.store.pending_counts)
                return _encode(reply, {}, req)

    # ---- internals -----------------------------------------------------------------------
    def _handle(self, req: Request) -> EmuResponse:
        with self.store.session() as state:
            ctx = Ctx(self, state, req, ids.parse(req.path), self.clock())
            route = routes.resolve(ctx)
            entry = self.log.start(req, route)
            entry.retry = self._is_retry(req)
            reply, extra = self._guarded(ctx, route, entry)
            entry.status = reply.status
            self._remember(req, reply.status)
            self.log.finish(entry, self.store.pending_counts)
        return _encode(reply, extra, req)

    def _failure(self, req: Request, exc: Exception) -> Reply:
        if isinstance(exc, StateFileError):
            return Reply(500, {"error": {"code": "EmulatorStateInvalid", "message": f"{exc.message}; {exc.hint}"}})
        if isinstance(exc, ArmError):
            return Reply(exc.status, exc.body())
        self.last_error = "".join(traceback.format_exception(exc))
        if isinstance(exc, _BAD_INPUT) and req.raw_body:
            err = limits.content_error(f"a property has the wrong type or shape ({type(exc).__name__}).")
            return Reply(err.status, err.body())
        return Reply(500, {"error": {"code": "InternalServerError",
                                     "message": f"The emulator failed on this request ({type(exc).__name__})."}})

    def _guarded(self, ctx: Ctx, route: routes.Route, entry: LogEntry) -> tuple[Reply, dict[str, str]]:
        try:
            limits.check_body_size(ctx.req.raw_body)
        except ArmError as e:
            return Reply(e.status, e.body()), {}
        fault = self.faults.transient(ctx.req.method)
        if fault:
            entry.injected = True
            h = self.faults.retry_hint(fault.status)
            return Reply(fault.status, {"error": {"code": fault.code, "message": "Injected fault."}}, h), {}
        throttled, extra = routes.throttle(ctx, route, self.buckets, self._profile.throttling)
        if throttled is not None:
            entry.throttled = True
            return throttled, extra
        try:
            lro.settle_due(ctx, self._complete)
            _check_envelope(ctx, route)
            reply = routes.dispatch(ctx, route)
        except ArmError as e:
            reply = Reply(e.status, e.body())
        return reply, extra

    def _complete(self, ctx: Ctx, op: dict[str, Any]) -> None:
        handler = routes.handler_for(op["arm_type"])
        if handler is None:
            return
        try:
            if op["operation"] in ("create", "update", "delete"):
                handler.complete(ctx, op)
            else:
                handler.complete_action(ctx, op)
        except ArmError:
            raise
        except Exception as e:  # the operation fails; it must not poison every later request
            self.last_error = "".join(traceback.format_exception(e))
            raise ArmError(500, "InternalServerError",
                           f"The emulator failed completing this operation ({type(e).__name__}).") from e

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


def _check_envelope(ctx: Ctx, route: routes.Route) -> None:
    """ARM's checks of a PUT/PATCH before the resource provider: name length, envelope types, tags."""
    if route.verb not in ("put", "patch") or route.handler is None or ctx.path is None:
        return
    p = ctx.path
    name = p.resource_group if p.kind == "rg" else (p.names[-1] if p.names else None)
    limits.check_write(ctx, route.arm_type, name, creating=route.verb == "put")


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
        data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    headers["Content-Length"] = str(len(data))
    return EmuResponse(reply.status, headers, data)
