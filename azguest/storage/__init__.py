"""Storage modes as a registry: one module per mode (s2d, shared_disk, iscsi), looked up by name.

``mode_for(lab.cluster.storage.mode)`` gives the :class:`~azguest.storage.registry.StorageMode`:
its spec checks, its planned disks and VMs (``layout``), its guest steps and its backup support.
No code outside this package branches on the storage mode. See docs/design.md (Storage modes).
"""

from __future__ import annotations

from azguest.storage import iscsi, s2d, shared_disk  # noqa: E402,F401,I001  (modules register themselves)
from azguest.storage.registry import (
    BACKUP_METHODS,
    MODES,
    BackupSupport,
    GuestStep,
    PlannedDisk,
    PlannedVm,
    StorageLayout,
    StorageMode,
    layout_of,
    mode_for,
    register,
)

__all__ = ["BACKUP_METHODS", "MODES", "BackupSupport", "GuestStep", "PlannedDisk", "PlannedVm",
           "StorageLayout", "StorageMode", "layout_of", "mode_for", "register"]
