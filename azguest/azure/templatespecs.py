"""Template specs as an ARM-only document store: azguest keeps each backup's manifest in the ``metadata``
of ``Microsoft.Resources/templateSpecs/{id}/versions/v1`` (docs/design.md, "Backup").

Driven through the generic resources API by id with an explicit api-version (like DevTest Labs schedules in
``kinds.py``), so no extra SDK package; wire JSON in and out, errors translated by ``arm_errors``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

API_VERSION = "2022-02-01"  # azure-rest-api-specs, Resources templateSpecs/stable/2022-02-01
VERSION = "v1"  # the one version azguest writes per template spec
METADATA_KEY = "azguestBackup"
EMPTY_TEMPLATE = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                  "contentVersion": "1.0.0.0", "resources": []}

TEMPLATE_SPEC = K.Kind("templateSpec", "Microsoft.Resources/templateSpecs", "resource", "resources",
                       "begin_create_or_update_by_id", True, "begin_delete_by_id", True, None, 16,
                       generic_api_version=API_VERSION, get="get_by_id", backup=True)
TEMPLATE_SPEC_VERSION = K.Kind("templateSpecVersion", "Microsoft.Resources/templateSpecs/versions", "resource",
                               "resources", "begin_create_or_update_by_id", True, "begin_delete_by_id", True,
                               None, 15, generic_api_version=API_VERSION, get="get_by_id", backup=True,
                               parent="templateSpec")


def spec_id(subscription: str, group: str, name: str) -> ArmId:
    return ArmId.build(subscription, group, TEMPLATE_SPEC.arm_type, name)


def put_spec(session: AzureSession, rid: ArmId, location: str, tags: dict[str, str], description: str) -> dict:
    """Create or update the template spec (its tags are the backups' index)."""
    body = {"location": location, "tags": tags, "properties": {"description": description}}
    with arm_errors(target=str(rid)):
        return K.put(session, TEMPLATE_SPEC, rid, body)


def put_document(session: AzureSession, rid: ArmId, location: str, tags: dict[str, str],
                 document: dict[str, Any]) -> dict:
    """Write ``document`` as version v1's metadata under the template spec ``rid``, as one JSON string: ARM
    checks every ``{"id": ...}`` it finds in a body as a resource id (LinkedInvalidPropertyId), and a
    string is stored as sent."""
    vid = rid.child("versions", VERSION)
    body = {"location": location, "tags": tags,
            "properties": {"mainTemplate": EMPTY_TEMPLATE, "metadata": {METADATA_KEY: json.dumps(document)},
                           "description": "azguest backup manifest"}}
    with arm_errors(target=str(vid)):
        return K.put(session, TEMPLATE_SPEC_VERSION, vid, body)


def get_document(session: AzureSession, rid: ArmId | str) -> dict[str, Any] | None:
    """The document stored under template spec ``rid`` (None when the spec or its version is absent)."""
    from azure.core.exceptions import ResourceNotFoundError

    base = rid if isinstance(rid, ArmId) else ArmId.parse(rid)
    vid = base.child("versions", VERSION)
    with arm_errors(target=str(vid)):
        try:
            body = K.get(session, TEMPLATE_SPEC_VERSION, vid)
        except ResourceNotFoundError:  # the spec or its version is absent: an answer, not an error
            return None
    text = ((body.get("properties") or {}).get("metadata") or {}).get(METADATA_KEY)
    return json.loads(text) if isinstance(text, str) else None


def delete_spec(session: AzureSession, rid: ArmId | str) -> None:
    """Delete the template spec and its versions."""
    with arm_errors(target=str(rid)):
        K.delete(session, TEMPLATE_SPEC, rid)


def list_specs(session: AzureSession, tag: str, value: str | None = None) -> list[dict]:
    """Every template spec in the subscription carrying a tag (one tag query; id, name, location, tags)."""
    with arm_errors(target=f"template specs tagged {tag}"):
        items = K.list_tagged(session, tag, value)
    return [i for i in items if str(i.get("type", "")).lower() == TEMPLATE_SPEC.arm_type.lower()]
