"""Read-only subscription lookups the deploy use cases need: compute usages, resource SKUs, storage names.

Each returns wire JSON (camelCase, as ARM sends it), so callers above the adaptor never see SDK models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azguest.azure.kinds import plain

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession


def compute_usages(session: AzureSession, location: str) -> list[dict]:
    """Compute quota usages in a region: ``[{"name": {"value": ...}, "currentValue": n, "limit": n}]``."""
    return [plain(u) for u in session.compute.usage.list(location)]


RESOURCE_SKUS_API = "2021-07-01"  # the api-version azure-mgmt-compute lists Microsoft.Compute/skus with


def resource_skus(session: AzureSession, location: str) -> list[dict]:
    """Compute resource SKUs offered in a region (one paged call with ARM's location filter).

    Read as JSON pages through the compute client's pipeline (``send_request``: same credential, retries
    and error mapping): a region lists hundreds to thousands of SKUs, and building an SDK model of each,
    then turning it back into JSON, cost more than the call (0.13 s for the emulator's 198)."""
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    request = HttpRequest("GET", f"/subscriptions/{session.subscription_id}/providers/Microsoft.Compute/skus",
                          params={"api-version": RESOURCE_SKUS_API, "$filter": f"location eq '{location}'"})
    skus: list[dict] = []
    while request is not None:
        response = session.compute.send_request(request)
        if response.status_code != 200:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)  # ARM's code, as the SDK does
        page = response.json() or {}
        skus += page.get("value") or []
        request = HttpRequest("GET", page["nextLink"]) if page.get("nextLink") else None
    return skus


def storage_name_availability(session: AzureSession, name: str) -> dict:
    """``{"nameAvailable": bool, "reason": ..., "message": ...}`` for a storage account name."""
    return plain(session.storage.storage_accounts.check_name_availability(
        {"name": name, "type": "Microsoft.Storage/storageAccounts"}))


def storage_account_key(session: AzureSession, resource_group: str, name: str) -> str:
    """The storage account's first key (listKeys), for the cloud witness; the caller keeps it in memory only."""
    keys = plain(session.storage.storage_accounts.list_keys(resource_group, name)).get("keys") or []
    if not keys:
        raise ValueError(f"storage account {name} returned no keys")
    return str(keys[0]["value"])
