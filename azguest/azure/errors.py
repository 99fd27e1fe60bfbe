"""Translate azure-core exceptions into azguest's typed errors.

Branches on exception types and ARM error codes only, never on message text. Messages carry the
ARM code and message (never headers, tokens or request bodies).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from azguest.errors import AuthError, AzguestError, AzureError

CONNECT_CODE = "AZG-CONNECT"
_MAX_MESSAGE_CHARS = 500

AUTH_HINT = (
    "sign in with `az login`, or set a service principal in the environment "
    "(AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), or use workload identity / OIDC "
    "(AZURE_FEDERATED_TOKEN_FILE); or run against the local emulator with --emulator"
)
# ARM code -> what to do next. Only codes whose next step is clear.
CODE_HINTS: dict[str, str] = {
    "AuthorizationFailed": "the signed-in identity needs a role such as Contributor on the scope",
    "SubscriptionNotFound": "check --subscription / AZURE_SUBSCRIPTION_ID and the selected --cloud",
    "InvalidAuthenticationTokenTenant": "the credential's tenant does not own this subscription",
    "OperationNotAllowed": "a quota may be exceeded: check `usages` and request an increase",
    "QuotaExceeded": "request a quota increase, or use a smaller size or fewer nodes",
    "SkuNotAvailable": "the size is restricted in this region or zone: choose another size or region",
    "ResourceGroupNotFound": "create the resource group first, or check its name",
    "AllocationFailed": "Azure had no capacity for this size: retry later, or pick another size or region",
}


def _first_line(text: str | None) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line[:_MAX_MESSAGE_CHARS]


def _http_error(exc: Any, target: str | None) -> AzureError:
    err = getattr(exc, "error", None)  # ODataV4Format parsed from the ARM body, or None
    code = getattr(err, "code", None) or None
    status = getattr(exc, "status_code", None)
    arm_message = _first_line(getattr(err, "message", None) or getattr(exc, "reason", None) or "")
    where = f" on {target}" if target else ""
    label = code or (f"HTTP {status}" if status else "error")
    details: dict[str, Any] = {}
    if err is not None and getattr(err, "target", None):
        details["armTarget"] = err.target
    inner = [d.code for d in (getattr(err, "details", None) or []) if getattr(d, "code", None)]
    if inner:
        details["innerCodes"] = inner
    return AzureError(
        f"Azure refused the request{where}: {label}: {arm_message}".rstrip(": "),
        code=code,
        status=status,
        target=target,
        hint=CODE_HINTS.get(code or ""),
        details=details,
    )


def translate_error(
    exc: BaseException, *, target: str | None = None, endpoint: str | None = None
) -> AzguestError:
    """Map an azure-core exception to an :class:`AzguestError`.

    * ``ClientAuthenticationError`` (incl. azure-identity's ``CredentialUnavailableError``) -> ``AuthError``
    * ``HttpResponseError`` (incl. ``ResourceNotFoundError``) -> ``AzureError(code=<ARM code>, status=...)``
    * ``ServiceRequestError`` / ``ServiceResponseError`` -> ``AzureError(code="AZG-CONNECT")``
    * any other ``azure.core.exceptions.AzureError`` -> ``AzureError``
    Anything else is returned unchanged if already an ``AzguestError``; otherwise ``TypeError``.
    """
    from azure.core import exceptions as ax

    if isinstance(exc, AzguestError):
        return exc
    if isinstance(exc, ax.ClientAuthenticationError):
        status = getattr(exc, "status_code", None)
        code = getattr(getattr(exc, "error", None), "code", None)
        what = f"Azure rejected the credential ({code or status})" if status else "no usable Azure credential"
        return AuthError(f"{what}: {_first_line(exc.message)}", hint=AUTH_HINT)
    if isinstance(exc, ax.HttpResponseError):
        return _http_error(exc, target)
    if isinstance(exc, (ax.ServiceRequestError, ax.ServiceResponseError)):
        where = endpoint or "the ARM endpoint"
        verb = "cannot connect to" if isinstance(exc, ax.ServiceRequestError) else "lost the connection to"
        return AzureError(
            f"{verb} {where}: {type(exc).__name__}",
            code=CONNECT_CODE,
            target=target,
            hint="check the network, proxy settings and --endpoint/--cloud; for the emulator, is it running?",
        )
    if isinstance(exc, ax.AzureError):
        return AzureError(f"Azure SDK error: {type(exc).__name__}: {_first_line(exc.message)}", target=target)
    raise TypeError(f"not an Azure SDK error: {type(exc).__name__}")


@contextmanager
def arm_errors(target: str | None = None, *, endpoint: str | None = None) -> Iterator[None]:
    """Re-raise azure-core exceptions inside the block as azguest errors (``raise ... from exc``).

    ``target`` names what was being worked on (e.g. a resource id) for the message.
    """
    try:
        yield
    except AzguestError:
        raise
    except Exception as exc:
        from azure.core.exceptions import AzureError as SdkError

        if isinstance(exc, SdkError):
            raise translate_error(exc, target=target, endpoint=endpoint) from exc
        raise
