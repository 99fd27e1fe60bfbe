"""ARM's wire JSON through the SDK's own requests, without building SDK models.

A generated operation turns every body into SDK models (azure-mgmt-compute's ``model_base``: ~0.35 ms per VM,
more with its instance view), which azguest would only turn back into JSON with ``as_dict()``. A read here
sends the request the operation itself would send, made by the SDK's request builder for that operation
(``build_<operations group>_<method>_request``: same path, api-version and query), through the client's
pipeline (credential, retries, redirects, user agent, azguest's policies), raises what the operation raises
(``ResourceNotFoundError`` for 404 and the rest of its error map, else ``HttpResponseError`` with ARM's
error format), follows ``nextLink`` pages as its pager does, and returns the bodies as ARM sent them. A
long-running operation's final body is read the same way (:func:`lro_result`). An SDK without the builder
falls back to the operation and ``as_dict()`` (same JSON, only slower).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from azguest.azure.session import WIRE_OPTION, AzureSession

# The error map every generated operation starts from (azure-mgmt-* ``error_map``), by status code.
_ERRORS = {401: "ClientAuthenticationError", 404: "ResourceNotFoundError", 409: "ResourceExistsError",
           304: "ResourceNotModifiedError"}


def plain(result: Any) -> dict:
    """An SDK model (or None, or a mapping) as wire JSON."""
    if result is None:
        return {}
    return result.as_dict() if hasattr(result, "as_dict") else dict(result)


def _send(session: AzureSession, client: str, request: Any) -> Any:
    """Send one read through the client's pipeline; its JSON body (None when empty), or the operation's error."""
    from azure.core import exceptions as ax

    response = session.client(client).send_request(request, **{WIRE_OPTION: True})
    if response.status_code != 200:
        from azure.mgmt.core.exceptions import ARMErrorFormat

        ax.map_error(response.status_code, response, {s: getattr(ax, n) for s, n in _ERRORS.items()})
        raise ax.HttpResponseError(response=response, error_format=ARMErrorFormat)
    try:
        return response.json()
    except ValueError as err:  # as azure-core's ContentDecodePolicy reports a body that is not JSON
        raise ax.DecodeError(message=f"JSON is invalid: {err}", response=response, error=err) from err


@cache
def _takes_subscription(builder: Callable[..., Any]) -> bool:
    return "subscription_id" in inspect.signature(builder).parameters


def builder(ops: Any, group: str, method: str) -> Callable[..., Any] | None:
    """The SDK's request builder of ``ops.<method>`` (``ops`` is the client's ``<group>`` attribute), or None."""
    return getattr(sys.modules[type(ops).__module__], f"build_{group}_{method}_request", None)


def _request(session: AzureSession, build: Callable[..., Any], args: tuple, query: dict[str, Any]) -> Any:
    if _takes_subscription(build):
        query = {**query, "subscription_id": session.subscription_id}
    return build(*args, **query)


def get(session: AzureSession, client: str, group: str, method: str, *args: Any, **query: Any) -> dict:
    """The body of one read (``session.<client>.<group>.<method>(*args, **query)``) as wire JSON."""
    ops = getattr(session.client(client), group)
    build = builder(ops, group, method)
    if build is None:
        return plain(getattr(ops, method)(*args, **query))
    return _send(session, client, _request(session, build, args, query)) or {}


def pages(session: AzureSession, client: str, request: Any) -> list[dict]:
    """Every item of a paged list, from its first request on (``value`` of each page, ``nextLink`` to the next)."""
    from azure.core.rest import HttpRequest

    items: list[dict] = []
    while request is not None:
        page = _send(session, client, request) or {}
        items += page.get("value") or []
        request = HttpRequest("GET", page["nextLink"]) if page.get("nextLink") else None
    return items


def list_all(session: AzureSession, client: str, group: str, method: str, *args: Any, **query: Any) -> list[dict]:
    """Every item of a paged list operation (``session.<client>.<group>.<method>(*args, **query)``) as wire JSON."""
    ops = getattr(session.client(client), group)
    build = builder(ops, group, method)
    if build is None:
        return [plain(i) for i in getattr(ops, method)(*args, **query)]
    return pages(session, client, _request(session, build, args, query))


def _body(pipeline_response: Any) -> Any:
    return pipeline_response.http_response.json()


def lro_result(poller: Any) -> dict:
    """Wait for a long-running operation; its final body as wire JSON ({} when it has none).

    The poller's final body goes through ``_body`` instead of the operation's model deserializer (azure-core's
    LROBasePolling keeps it as ``_deserialization_callback``; a poller without one gives the model, as JSON)."""
    method = poller.polling_method()
    if hasattr(method, "_deserialization_callback"):
        method._deserialization_callback = _body
    return plain(poller.result())
