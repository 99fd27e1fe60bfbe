"""Where backups live and how they are found: the per-region backup group, the manifest in a template spec
(``azguest.azure.templatespecs``), the index in its tags, and deleting a backup's pieces.

The backup group ``azguest-backups-<region>`` carries ``azguest-created=true`` and ``azguest-role=backups``
but never ``azguest-lab``: it is no lab's group, so ``destroy`` and ``gc`` never look inside it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from azguest.azure import kinds as K
from azguest.azure import tags as T
from azguest.azure import templatespecs as TS
from azguest.azure.errors import arm_errors
from azguest.azure.ids import ArmId
from azguest.backup.manifest import Manifest, parse
from azguest.errors import AzguestError, NotFoundError
from azguest.plan.model import TAG_CREATED, TAG_ROLE

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

TAG_BACKUP = "azguest-backup"  # the backup id, on the manifest and on every piece
# The lab a backup belongs to. Not azguest-lab: what carries that is counted as the lab's by deploy's name check,
# destroy and gc; a backup is deliberately nobody's live resource.
TAG_BACKUP_LAB = "azguest-backup-lab"
TAG_STATUS = "azguest-backup-status"
TAG_MODE = "azguest-backup-mode"
TAG_CREATED_AT = "azguest-backup-created"
TAG_LABEL = "azguest-backup-label"
GROUP_ROLE = "backups"
PIECE_ROLE = "backup"


def group_name(location: str) -> str:
    return f"azguest-backups-{location.replace(' ', '').lower()}"


def ensure_group(session: AzureSession, location: str) -> str:
    """The region's backup group, created (with azguest's tags) when absent: one GET, one PUT at most."""
    name = group_name(location)
    with arm_errors(target=name):
        if T.get_group(session, name) is None:
            T.create_group(session, name, location, {TAG_CREATED: "true", TAG_ROLE: GROUP_ROLE})
    return name


def piece_tags(lab: str, backup_id: str, user_tags: dict[str, str]) -> dict[str, str]:
    return {**user_tags, TAG_BACKUP_LAB: lab, TAG_ROLE: PIECE_ROLE, TAG_BACKUP: backup_id}


def index_tags(m: Manifest) -> dict[str, str]:
    tags = {TAG_BACKUP_LAB: m.lab, TAG_ROLE: PIECE_ROLE, TAG_BACKUP: m.id, TAG_STATUS: m.status, TAG_MODE: m.method,
            TAG_CREATED_AT: m.created}
    if m.label:
        tags[TAG_LABEL] = m.label
    return tags


def _spec_id(session: AzureSession, m: Manifest) -> ArmId:
    return TS.spec_id(m.subscription or session.subscription_id, m.backup_resource_group, m.id)


def write(session: AzureSession, m: Manifest, *, status_last: bool = True) -> None:
    """Store the manifest. The template spec's status tag is written after the document (``status_last``),
    so the index never says complete before the document does."""
    rid = _spec_id(session, m)
    desc = f"azguest backup of {m.lab} ({m.method})"
    if not status_last:
        TS.put_spec(session, rid, m.location, index_tags(m), desc)
    TS.put_document(session, rid, m.location, index_tags(m), m.to_dict())
    if status_last:
        TS.put_spec(session, rid, m.location, index_tags(m), desc)


def _item(body: dict[str, Any]) -> dict[str, Any]:
    tags = body.get("tags") or {}
    return {"id": tags.get(TAG_BACKUP), "lab": tags.get(TAG_BACKUP_LAB), "mode": tags.get(TAG_MODE),
            "status": tags.get(TAG_STATUS), "created": tags.get(TAG_CREATED_AT), "label": tags.get(TAG_LABEL),
            "restorable": tags.get(TAG_STATUS) == "complete", "manifestId": body.get("id")}


def list_backups(session: AzureSession, lab: str | None = None) -> list[dict[str, Any]]:
    """Every backup (of ``lab``), oldest first, from the manifests' tags: one tag query."""
    items = [_item(b) for b in TS.list_specs(session, TAG_BACKUP)]
    items = [i for i in items if i["id"] and (lab is None or i["lab"] == lab)]
    return sorted(items, key=lambda i: (i["created"] or "", i["id"]))


def find(session: AzureSession, backup_id: str) -> dict[str, Any]:
    for item in TS.list_specs(session, TAG_BACKUP, backup_id):
        return _item(item)
    raise NotFoundError(f"backup {backup_id} not found", code="AZG-BACKUP-NOT-FOUND",
                        hint="`azguest backup list` shows the backups of every lab")


def load(session: AzureSession, backup_id: str) -> Manifest:
    """The stored manifest of a backup (from Azure alone)."""
    item = find(session, backup_id)
    doc = TS.get_document(session, item["manifestId"])
    if doc is None:
        raise NotFoundError(f"backup {backup_id} has no manifest (its run died before writing one)",
                            code="AZG-BACKUP-NOT-FOUND", details={"manifestId": item["manifestId"]})
    return parse(doc)


def _delete_one(session: AzureSession, rid: str) -> str | None:
    kind = K.kind_of(ArmId.parse(rid).arm_type)
    assert kind is not None, rid
    try:
        with arm_errors(target=rid):
            K.delete(session, kind, rid)
    except AzguestError as exc:
        return f"{rid}: {exc.message}"
    return None


def delete_pieces(session: AzureSession, ids: list[str], max_workers: int = 8) -> list[str]:
    """Delete these snapshots / restore points in parallel; returns the failures (absent is fine)."""
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(ids)))) as pool:
        return [e for e in pool.map(lambda r: _delete_one(session, r), ids) if e]


def tagged_pieces(session: AzureSession, backup_id: str) -> list[str]:
    """Snapshots carrying the backup's tag (pieces a dead run created before its manifest listed them)."""
    with arm_errors(target=f"pieces of {backup_id}"):
        items = K.list_tagged(session, TAG_BACKUP, backup_id)
    return [str(i["id"]) for i in items if str(i.get("type", "")).lower() == K.KINDS["snapshot"].arm_type.lower()]


def delete(session: AzureSession, backup_id: str) -> dict[str, Any]:
    """Delete a backup: its pieces, then its manifest (so a half-deleted backup is still found)."""
    item = find(session, backup_id)
    doc = TS.get_document(session, item["manifestId"])
    ids = [p.id for p in parse(doc).pieces] if doc else []
    ids = sorted(set(ids) | set(tagged_pieces(session, backup_id)))
    failures = delete_pieces(session, ids)
    if failures:
        raise AzguestError(f"backup {backup_id}: {len(failures)} piece(s) could not be deleted; the manifest is kept",
                           code="AZG-BACKUP-DELETE", details={"failures": failures})
    TS.delete_spec(session, item["manifestId"])
    return {**item, "deletedPieces": ids}
