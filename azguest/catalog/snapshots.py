"""Incremental snapshot limits, as data.

Primary source: ACD (MicrosoftDocs/azure-compute-docs) ``virtual-machines/disks-incremental-snapshots.md``
(2024-12-09) and its include ``virtual-machines-disks-incremental-snapshots-restrictions.md`` (2024-12-11):
"You can create up to seven incremental snapshots per disk every five minutes"; "A total of 500 incremental
snapshots can be created for a single disk" (at once); stored on Standard HDD whatever the disk's type.
"""

from __future__ import annotations

SOURCE = "ACD virtual-machines/disks-incremental-snapshots.md (2024-12-09), restrictions include (2024-12-11)"
BURST = 7  # incremental snapshots per disk ...
BURST_WINDOW_S = 300.0  # ... in five minutes
MAX_PER_DISK = 500  # incremental snapshots of one disk at once
