"""Where azguest talks to: a cloud, a custom ARM endpoint, or the embedded emulator.

Pure configuration: this module imports nothing from ``azure.*``. :func:`resolve_target` turns CLI
options and environment variables into one frozen :class:`Target`, or raises ``ConfigError``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from azguest.errors import ConfigError

DEFAULT_CLOUD = "AzureCloud"
EMULATOR_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_EMULATOR_STATE = Path(".azguest") / "emulator.db"

# az CLI cloud name -> azure.core.AzureClouds member name (kept as strings: no azure import here).
CLOUDS: dict[str, str] = {
    "AzureCloud": "AZURE_PUBLIC_CLOUD",
    "AzureUSGovernment": "AZURE_US_GOVERNMENT",
    "AzureChinaCloud": "AZURE_CHINA_CLOUD",
}
# Entra ID authority host per cloud (azure.identity.AzureAuthorityHosts values).
AUTHORITY_HOSTS: dict[str, str] = {
    "AzureCloud": "login.microsoftonline.com",
    "AzureUSGovernment": "login.microsoftonline.us",
    "AzureChinaCloud": "login.chinacloudapi.cn",
}

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TRUE = frozenset({"1", "true", "yes", "on"})

ENV_EMULATOR = "AZGUEST_EMULATOR"
ENV_ENDPOINT = "AZGUEST_ARM_ENDPOINT"
ENV_STATE = "AZGUEST_EMULATOR_STATE"
ENV_PROFILE = "AZGUEST_EMULATOR_PROFILE"
ENV_CLOUD = "AZGUEST_CLOUD"
ENV_SUBSCRIPTION = "AZURE_SUBSCRIPTION_ID"


@dataclass(frozen=True)
class Target:
    """One resolved place to send ARM calls to."""

    cloud: str = DEFAULT_CLOUD  # az CLI cloud name, a key of CLOUDS
    endpoint: str | None = None  # custom ARM base URL (no trailing slash); None = the cloud's own
    emulator: bool = False  # True: the embedded in-process emulator (no network at all)
    subscription_id: str = EMULATOR_SUBSCRIPTION_ID
    emulator_state: Path | None = None  # emulator only: persisted state file; None = in memory
    profile: str | None = None  # emulator only: latency/fault profile name or file

    @property
    def is_loopback(self) -> bool:
        """True for a custom endpoint on this machine (127.0.0.1, localhost, ::1)."""
        return self.endpoint is not None and urlsplit(self.endpoint).hostname in LOOPBACK_HOSTS

    @property
    def is_plain_http(self) -> bool:
        return self.endpoint is not None and urlsplit(self.endpoint).scheme == "http"

    @property
    def needs_login(self) -> bool:
        """Whether a real Azure credential is needed (False for the emulator and loopback)."""
        return not (self.emulator or self.is_loopback)

    def describe(self) -> str:
        """Short human description, for messages ("emulator", an endpoint, or a cloud name)."""
        if self.emulator:
            return f"the embedded emulator ({self.emulator_state or 'in memory'})"
        return self.endpoint or self.cloud


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def _canonical_cloud(cloud: str) -> str:
    for name in CLOUDS:
        if name.lower() == cloud.strip().lower():
            return name
    raise ConfigError(
        f"unknown cloud {cloud!r}",
        hint=f"use one of {', '.join(CLOUDS)} (or --endpoint URL for another ARM endpoint)",
    )


def _check_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"invalid ARM endpoint URL {endpoint!r}",
            hint="give an absolute URL such as https://management.example.net or http://127.0.0.1:8080",
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(
            f"plain http ARM endpoint {endpoint!r} is only allowed on loopback",
            hint="use https, or http://127.0.0.1:PORT for a local emulator",
        )
    return endpoint.strip().rstrip("/")


def _check_subscription(subscription: str) -> str:
    subscription = subscription.strip()
    if not _GUID.match(subscription):
        raise ConfigError(
            f"subscription id {subscription!r} is not a GUID",
            hint="pass the subscription id (not its name), e.g. from `az account show --query id`",
        )
    return subscription


def resolve_target(
    *,
    emulator: bool | None = None,
    endpoint: str | None = None,
    subscription: str | None = None,
    cloud: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """Resolve options (None = read the environment) into a :class:`Target`.

    Env: ``AZGUEST_EMULATOR=1``, ``AZGUEST_ARM_ENDPOINT``, ``AZURE_SUBSCRIPTION_ID``, ``AZGUEST_CLOUD``,
    ``AZGUEST_EMULATOR_STATE`` (default ``.azguest/emulator.db``), ``AZGUEST_EMULATOR_PROFILE``.
    A loopback endpoint (a local ``azguest emulator serve``) defaults to the emulator subscription.
    Raises ``ConfigError`` for a missing subscription, a bad endpoint or an unknown cloud.
    """
    env = os.environ if environ is None else environ
    use_emulator = _flag(env.get(ENV_EMULATOR)) if emulator is None else emulator
    endpoint = endpoint if endpoint is not None else env.get(ENV_ENDPOINT) or None
    subscription = subscription if subscription is not None else env.get(ENV_SUBSCRIPTION) or None
    cloud_name = _canonical_cloud(cloud or env.get(ENV_CLOUD) or DEFAULT_CLOUD)

    if use_emulator:
        if endpoint:
            raise ConfigError(
                "both the embedded emulator and an ARM endpoint were requested",
                hint=f"drop --emulator/{ENV_EMULATOR} or --endpoint/{ENV_ENDPOINT}",
            )
        state = Path(env.get(ENV_STATE) or DEFAULT_EMULATOR_STATE).expanduser().absolute()
        return Target(
            cloud=cloud_name,
            emulator=True,
            subscription_id=_check_subscription(subscription or EMULATOR_SUBSCRIPTION_ID),
            emulator_state=state,
            profile=env.get(ENV_PROFILE) or None,
        )

    checked_endpoint = _check_endpoint(endpoint) if endpoint else None
    if not subscription and checked_endpoint and Target(endpoint=checked_endpoint).is_loopback:
        subscription = EMULATOR_SUBSCRIPTION_ID  # a local emulator accepts any subscription
    if not subscription:
        raise ConfigError(
            "no Azure subscription given",
            hint=(
                f"pass --subscription ID (or set {ENV_SUBSCRIPTION}), "
                f"or use --emulator (or {ENV_EMULATOR}=1) to run against the local ARM emulator"
            ),
        )
    return Target(
        cloud=cloud_name,
        endpoint=checked_endpoint,
        subscription_id=_check_subscription(subscription),
        profile=None,
    )
