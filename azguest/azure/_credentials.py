"""Credentials that need no Azure login, for the emulator and loopback endpoints.

Imported lazily by :mod:`azguest.azure.session` (it imports ``azure.core`` at module level).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy

EMULATOR_TOKEN = "azguest-emulator"  # not a secret: the emulator accepts any bearer token
_TOKEN_LIFETIME_SECONDS = 3600


class EmulatorCredential:
    """A token credential that hands out a fixed, fake token without any network call.

    Used with the in-process transport so the SDK's real ``ARMChallengeAuthenticationPolicy`` still
    runs (https base URL, bearer header), but nothing ever logs in.
    """

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        del scopes, kwargs
        return AccessToken(EMULATOR_TOKEN, int(time.time()) + _TOKEN_LIFETIME_SECONDS)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        del scopes, options
        return AccessTokenInfo(EMULATOR_TOKEN, int(time.time()) + _TOKEN_LIFETIME_SECONDS)

    def close(self) -> None:
        return None


class StaticBearerPolicy(SansIOHTTPPolicy):
    """Sets a fixed ``Authorization`` header; replaces the ARM bearer policy on http loopback.

    azure-core's BearerTokenCredentialPolicy refuses plain http (ServiceRequestError); a loopback emulator
    needs no TLS and no real token, so this policy takes its place via the client kwarg ``authentication_policy=``.
    """

    def on_request(self, request: PipelineRequest) -> None:
        request.http_request.headers["Authorization"] = f"Bearer {EMULATOR_TOKEN}"


class _QuietHandler(logging.NullHandler):
    """Swallows the SDK's records; only :func:`quiet_sdk_logging` adds or removes it."""


def quiet_sdk_logging(debug: bool | None = None) -> None:
    """Keep the SDK's own log records (azure-identity's multi-line "failed to retrieve a token" dump) off
    stderr: azguest reports a failed login in one line (azure/errors.py). With --debug they show.

    Without a handler, Python prints WARNING records through ``logging.lastResort``; a NullHandler on the
    ``azure`` logger stops that, and leaves logging a caller configured (root handlers) untouched.
    """
    if debug is None:
        debug = os.environ.get("AZGUEST_DEBUG", "") not in ("", "0", "false")
    logger = logging.getLogger("azure")
    quiet = [h for h in logger.handlers if isinstance(h, _QuietHandler)]
    if debug:
        for h in quiet:
            logger.removeHandler(h)
    elif not quiet:
        logger.addHandler(_QuietHandler())


def default_azure_credential(authority_host: str | None) -> Any:
    """Build (never call) azure-identity's DefaultAzureCredential for a real cloud.

    ``authority_host`` is passed only for sovereign clouds when ``AZURE_AUTHORITY_HOST`` is unset,
    so env service principals, workload identity (OIDC), managed identity and ``az login`` all work.
    """
    from azure.identity import DefaultAzureCredential

    quiet_sdk_logging()

    if authority_host:
        return DefaultAzureCredential(authority=authority_host)
    return DefaultAzureCredential()
