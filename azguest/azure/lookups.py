"""Read-only subscription lookups the deploy use cases need: compute usages, resource SKUs, storage names.

Each returns wire JSON (camelCase, as ARM sends it), so callers above the adaptor never see SDK models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azguest.azure import wire
from azguest.azure.wire import plain

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession


def compute_usages(session: AzureSession, location: str) -> list[dict]:
    """Compute quota usages in a region: ``[{"name": {"value": ...}, "currentValue": n, "limit": n}]``.

    Read fresh every time (no session cache): ``currentValue`` moves with every VM this very session creates, and
    ``lab clone --count N`` checks quota again before each clone."""
    return wire.list_all(session, "compute", "usage", "list", location)


def resource_skus(session: AzureSession, location: str) -> list[dict]:
    """Compute resource SKUs offered in a region (one paged call with ARM's location filter), as wire JSON.

    Read once per session and region (:meth:`AzureSession.memo`: one command; ``lab clone --count N`` checks N
    plans against one list): a region lists hundreds to thousands of SKUs, and what the subscription may use
    there does not change within one command. Never cached across sessions (another subscription, cloud or
    emulator answers differently). Callers only read the list."""
    return session.memo(("resource_skus", location.lower()), lambda: wire.list_all(
        session, "compute", "resource_skus", "list", filter=f"location eq '{location}'"))


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
