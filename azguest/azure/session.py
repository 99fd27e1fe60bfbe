"""One place that builds every Azure SDK client: :class:`AzureSession`.

Importing this module imports nothing from ``azure.*``; the SDK is imported when a client (or the
credential) is first used. All clients share one credential, one retry configuration (azure-core's
``RetryPolicy`` via ``retry_*`` kwargs), one user agent ``azguest/<version>`` and one polling interval.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from azguest import __version__
from azguest.azure.errors import arm_errors
from azguest.azure.target import AUTHORITY_HOSTS, CLOUDS, DEFAULT_CLOUD, EMULATOR_SUBSCRIPTION_ID, Target

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.core.pipeline.transport import HttpTransport
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient

    from azguest.emulator import Engine

T = TypeVar("T")
_UNSET = object()
USER_AGENT = f"azguest/{__version__}"
EMULATOR_POLLING_INTERVAL_SECONDS = 0.02  # emulator/loopback: a Retry-After header still wins
CLOUD_POLLING_INTERVAL_SECONDS = 10.0  # real ARM: VM creates take minutes; the SDK default is 30

# name -> (module, class). resource = azure.mgmt.resource.resources (azure-mgmt-resource 26 moved it there).
_CLIENTS: dict[str, tuple[str, str]] = {
    "compute": ("azure.mgmt.compute", "ComputeManagementClient"),
    "network": ("azure.mgmt.network", "NetworkManagementClient"),
    "storage": ("azure.mgmt.storage", "StorageManagementClient"),
    "resource": ("azure.mgmt.resource.resources", "ResourceManagementClient"),
}


@dataclass(frozen=True)
class RetrySettings:
    """azure-core ``RetryPolicy`` settings shared by every client (defaults = azure-core's)."""

    total: int = 10  # total retries; takes precedence over the counts below
    connect: int = 3  # connection errors
    read: int = 3  # read errors after the request was sent
    status: int = 3  # retryable statuses (408, 429, 500, 502, 503, 504, >=506)
    backoff_factor: float = 0.8  # seconds; exponential, unless the response sends Retry-After
    backoff_max_seconds: int = 120

    def client_kwargs(self) -> dict[str, Any]:
        return {
            "retry_total": self.total,
            "retry_connect": self.connect,
            "retry_read": self.read,
            "retry_status": self.status,
            "retry_backoff_factor": self.backoff_factor,
            "retry_backoff_max": self.backoff_max_seconds,
        }


class AzureSession:
    """Lazily built, cached SDK clients for one :class:`Target`.

    ``transport`` replaces the HTTP transport (tests, the in-process emulator); ``credential``
    replaces the credential choice. For ``target.emulator`` without a transport, an in-process
    emulator engine is opened on ``target.emulator_state`` and exposed as :attr:`engine`.
    """

    def __init__(
        self,
        target: Target,
        *,
        transport: HttpTransport | None = None,
        credential: TokenCredential | None = None,
        retry: RetrySettings = RetrySettings(),
        polling_interval: float | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.target = target
        self.retry = retry
        self._engine = engine
        self._owns_engine = target.emulator and transport is None and engine is None
        if target.emulator and transport is None:
            self._engine = engine or _open_engine(target)
            transport = _emulator_transport(self._engine)
        self._transport = transport
        self._credential = credential
        if polling_interval is None:
            local = target.emulator or target.is_loopback
            polling_interval = EMULATOR_POLLING_INTERVAL_SECONDS if local else CLOUD_POLLING_INTERVAL_SECONDS
        self.polling_interval = polling_interval
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._memo: dict[Hashable, list[Any]] = {}  # key -> [lock, value or _UNSET] (see memo)
        # Client-side ARM token buckets (azguest.execute.budget.Budgets) every request of this session draws on,
        # once a caller sets them (lab clone: N labs in one process share one subscription budget); None: off.
        self.budgets: Any = None

    @classmethod
    def for_engine(
        cls,
        engine: Engine,
        *,
        subscription_id: str = EMULATOR_SUBSCRIPTION_ID,
        retry: RetrySettings = RetrySettings(),
        polling_interval: float | None = None,
    ) -> AzureSession:
        """A session on an in-process emulator engine (no sockets, fake token, real SDK pipeline)."""
        target = Target(emulator=True, subscription_id=subscription_id)
        return cls(target, engine=engine, retry=retry, polling_interval=polling_interval)

    @classmethod
    def for_transport(
        cls,
        transport: HttpTransport,
        *,
        subscription_id: str = EMULATOR_SUBSCRIPTION_ID,
        retry: RetrySettings = RetrySettings(),
        polling_interval: float | None = None,
    ) -> AzureSession:
        """A session on any azure-core transport, with a fake token credential (no login)."""
        target = Target(emulator=True, subscription_id=subscription_id)
        return cls(target, transport=transport, retry=retry, polling_interval=polling_interval)

    # -- public surface ---------------------------------------------------------------------------

    @property
    def subscription_id(self) -> str:
        return self.target.subscription_id

    @property
    def engine(self) -> Engine | None:
        """The in-process emulator engine, or None when talking to a real or remote ARM."""
        return self._engine

    @property
    def transport(self) -> HttpTransport | None:
        """The transport every client shares (the in-process emulator's), or None for the SDK default."""
        return self._transport

    def secret(self, vault: str, name: str) -> str:
        """The value of a Key Vault secret (``azguest.azure.keyvault``); never logged or stored."""
        from azguest.azure.keyvault import read_secret

        return read_secret(self, vault, name)

    @property
    def credential(self) -> TokenCredential:
        """The one credential; built on first use, never called here."""
        with self._lock:
            if self._credential is None:
                self._credential = _choose_credential(self.target)
            return self._credential

    @property
    def compute(self) -> ComputeManagementClient:
        return self.client("compute")

    @property
    def network(self) -> NetworkManagementClient:
        return self.client("network")

    @property
    def storage(self) -> StorageManagementClient:
        return self.client("storage")

    @property
    def resource(self) -> ResourceManagementClient:
        return self.client("resource")

    def client(self, name: str) -> Any:
        """The cached client called ``name`` (compute, network, storage, resource)."""
        with self._lock:
            if name not in self._clients:
                module, cls_name = _CLIENTS[name]
                cls = getattr(importlib.import_module(module), cls_name)
                self._clients[name] = cls(self.credential, self.subscription_id, **self.client_kwargs())
            return self._clients[name]

    def memo(self, key: Hashable, load: Callable[[], T]) -> T:
        """``load()``'s result, loaded once per session for ``key``: for reads that do not change within one
        command (resource SKUs). Threads asking for the same key wait for the first load; a load that raises is
        not kept (the next caller loads again)."""
        with self._lock:
            entry = self._memo.setdefault(key, [threading.Lock(), _UNSET])
        with entry[0]:
            if entry[1] is _UNSET:
                entry[1] = load()
            return entry[1]

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments every client is built with (also handy for extra SDK clients)."""
        from azure.core import AzureClouds

        kw: dict[str, Any] = {
            "user_agent": USER_AGENT,
            "polling_interval": self.polling_interval,
            "cloud_setting": AzureClouds[CLOUDS.get(self.target.cloud, CLOUDS[DEFAULT_CLOUD])],
            **self.retry.client_kwargs(),
        }
        if self._transport is not None:
            kw["transport"] = self._transport
        kw["per_retry_policies"] = [_attempt_policy(self)]
        if self.target.endpoint and not self.target.emulator:
            kw["base_url"] = self.target.endpoint
        if self.target.is_loopback:
            kw["use_env_settings"] = False  # an HTTP(S)_PROXY must not capture loopback traffic
            if self.target.is_plain_http:
                from azguest.azure._credentials import StaticBearerPolicy

                kw["authentication_policy"] = StaticBearerPolicy()  # bearer policy refuses http
        return kw

    def arm_errors(self, target: str | None = None) -> AbstractContextManager[None]:
        """``arm_errors`` with this session's endpoint named in connection errors."""
        return arm_errors(target=target, endpoint=self.target.describe())

    def close(self) -> None:
        with self._lock:
            for c in self._clients.values():
                c.close()
            self._clients.clear()
            close = getattr(self._credential, "close", None)
            if close is not None:
                close()
            if self._owns_engine and self._engine is not None:
                self._engine.flush()  # persist pending request-log counters (azguest emulator stats)

    def __enter__(self) -> AzureSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _choose_credential(target: Target) -> TokenCredential:
    """Fake token for the emulator and loopback; DefaultAzureCredential for real clouds."""
    import os

    from azguest.azure import _credentials

    if not target.needs_login:
        return _credentials.EmulatorCredential()
    authority = None
    if target.cloud != DEFAULT_CLOUD and not os.environ.get("AZURE_AUTHORITY_HOST"):
        authority = AUTHORITY_HOSTS[target.cloud]
    return _credentials.default_azure_credential(authority)


def _open_engine(target: Target) -> Engine:
    from azguest.emulator import Engine, load_profile

    profile = load_profile(target.profile) if target.profile else None
    return Engine(state_path=target.emulator_state, profile=profile)


def _emulator_transport(engine: Engine) -> HttpTransport:
    from azguest.emulator import EmulatorTransport

    return EmulatorTransport(engine)


WIRE_OPTION = "azguest_wire"  # send_request(..., azguest_wire=True): azguest parses the body itself (azure/wire.py)


def _attempt_policy(session: AzureSession) -> Any:
    """An azure-core policy run before and after each attempt of every request of this session's clients.

    * Takes a token from ``session.budgets`` (when set: its ``acquire(method)``) before each attempt.
    * A read sent with ``WIRE_OPTION`` is parsed by azguest itself (``azguest.azure.wire``): azure-core's
      ContentDecodePolicy would decode the same JSON a second time for nobody (it decodes only a response asked
      for with an explicit ``stream=False``; by then the transport has read the whole body, inside the retries).
      Dropping that flag from the answered request's options skips the second decode and nothing else."""
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    class AttemptPolicy(SansIOHTTPPolicy):  # type: ignore[misc]
        def on_request(self, request: Any) -> None:
            if request.context.options.pop(WIRE_OPTION, False):
                request.context[WIRE_OPTION] = True  # the context outlives this attempt; options reach the transport
            budgets = session.budgets
            if budgets is not None:
                budgets.acquire(request.http_request.method)

        def on_response(self, request: Any, response: Any) -> None:
            if request.context.get(WIRE_OPTION):
                response.context.options.pop("stream", None)

    return AttemptPolicy()
