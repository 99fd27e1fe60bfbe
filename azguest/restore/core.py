"""The restore entry point: ``restore(session, Request)`` reads the backup's manifest (refusing an incomplete
one), then restores in place or ``--into`` a new lab; an in-guest backup into a freshly deployed lab.

API for callers (``azguest restore``, ``lab clone``, ``lab rebuild``):
- ``load_restorable(session, backup_id) -> Manifest`` (reads only; raises AZG-RESTORE-INCOMPLETE,
  AZG-BACKUP-NOT-FOUND);
- ``restore(session, Request, manifest=None, lease=None, on_event=None, on_start=None, password=None)``;
  a failure raises with ``err.result`` = the record (``rolledBack`` true after an in-place rollback).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from azguest.backup.manifest import Manifest
from azguest.deploy.lease import LeasePolicy
from azguest.execute.dag import Event
from azguest.restore.inplace import restore_in_place
from azguest.restore.model import Request, RestoreRecord, load_restorable

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

__all__ = ["Request", "RestoreRecord", "load_restorable", "restore"]


def restore(session: AzureSession, req: Request, *, manifest: Manifest | None = None,
            lease: LeasePolicy | None = None, on_event: Callable[[Event], None] | None = None,
            on_start: Callable[[], None] | None = None, password: Callable[[], str] | None = None) -> RestoreRecord:
    """Restore backup ``req.backup``: in place, or into the new lab ``req.into``; an in-guest backup into a
    freshly deployed lab (``password``: the new lab's admin password)."""
    m = manifest if manifest is not None else load_restorable(session, req.backup)
    if m.method == "in-guest":
        from azguest.restore.guestdata import restore_in_guest
        return restore_in_guest(session, m, req, password=password, lease=lease, on_event=on_event,
                                on_start=on_start)
    if req.into:
        from azguest.restore.into import restore_into
        return restore_into(session, m, req, lease=lease, on_event=on_event, on_start=on_start)
    return restore_in_place(session, m, req, lease=lease, on_event=on_event, on_start=on_start)
