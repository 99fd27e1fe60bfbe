"""Resource-group tags and contents: the SDK calls of ownership checks, tag merges and the lab lease.

Group tags are written with the Tags API (``Microsoft.Resources/tags/default`` at the group's scope,
https://learn.microsoft.com/rest/api/resources/tags/update-at-scope): a ``Merge`` adds or updates
only the names given and a ``Delete`` removes only the names given, so tags somebody else wrote on
the group survive every azguest write. A group PUT replaces the whole tag set and is used only to
create a group that does not exist yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azguest.azure import wire
from azguest.azure.ids import ArmId
from azguest.azure.wire import plain as _plain

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession


def _scope(session: AzureSession, group: str) -> str:
    return str(ArmId.for_group(session.subscription_id, group))


def get_group(session: AzureSession, group: str) -> dict | None:
    """The group as wire JSON, or None when it does not exist (one GET)."""
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return wire.get(session, "resource", "resource_groups", "get", group)
    except ResourceNotFoundError:
        return None


def create_group(session: AzureSession, group: str, location: str, tags: dict[str, str]) -> dict:
    """Create a group with exactly these tags (a PUT: only for a group that does not exist yet)."""
    return _plain(session.resource.resource_groups.create_or_update(group, {"location": location, "tags": tags}))


def _patch(session: AzureSession, group: str, operation: str, tags: dict[str, str]) -> dict[str, str]:
    poller = session.resource.tags.begin_update_at_scope(
        _scope(session, group), {"operation": operation, "properties": {"tags": tags}})
    body = wire.lro_result(poller)
    return dict((body.get("properties") or {}).get("tags") or {})


def merge_group_tags(session: AzureSession, group: str, tags: dict[str, str]) -> dict[str, str]:
    """Add or update these tags on the group, leaving every other tag as it is; returns the group's tags."""
    return _patch(session, group, "Merge", tags)


def delete_group_tags(session: AzureSession, group: str, names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Remove these tag names from the group (others stay); returns the group's remaining tags."""
    return _patch(session, group, "Delete", dict.fromkeys(names, ""))


def merge_disk_tags(session: AzureSession, disk_id: str, tags: dict[str, str]) -> dict[str, str]:
    """Add or update these tags on a managed disk, keeping its other tags (one GET; a PATCH only when a
    tag differs). A disk PATCH replaces the whole tag set, so the live tags are merged in first."""
    from azguest.azure.kinds import KINDS

    group, name = KINDS["disk"].args(disk_id)
    current = dict(wire.get(session, "compute", "disks", "get", group, name).get("tags") or {})
    if all(current.get(k) == v for k, v in tags.items()):
        return current
    body = wire.lro_result(session.compute.disks.begin_update(group, name, {"tags": {**current, **tags}}))
    return dict(body.get("tags") or {})
