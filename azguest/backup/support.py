"""The support matrix (storage mode x method) the backup acts on, and ``auto``'s choice.

The matrix itself is each storage mode's ``backup`` slot (azguest/storage); this module only reads it:
a refused combination raises :class:`BackupUnsupported` (exit UNSUPPORTED) before any write, ``auto`` picks
the first supported method of :data:`PREFERENCE` and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from azguest.errors import UnsupportedError, UsageError
from azguest.storage import BACKUP_METHODS, MODES, mode_for

PREFERENCE = ("vm", "cold", "in-guest")  # auto: hot first (no downtime), then cold, then in the guest
METHODS = (*BACKUP_METHODS, "auto")
UNSUPPORTED_CODE = "AZG-BACKUP-UNSUPPORTED"


class BackupUnsupported(UnsupportedError):
    default_code = UNSUPPORTED_CODE


@dataclass(frozen=True)
class Choice:
    storage_mode: str
    requested: str  # vm | cold | in-guest | auto
    method: str  # vm | cold | in-guest
    verdict: str  # supported | lab-only
    reason: str
    source: str
    why: str  # one sentence: what was chosen and why

    def to_dict(self) -> dict[str, str]:
        return {"storageMode": self.storage_mode, "requested": self.requested, "method": self.method,
                "verdict": self.verdict, "reason": self.reason, "source": self.source, "why": self.why}


def choose(storage_mode: str, requested: str, *, implemented: tuple[str, ...] = PREFERENCE) -> Choice:
    """The method to run for ``requested`` on ``storage_mode``; BackupUnsupported for a refused one.
    ``implemented``: the methods this build can run (``auto`` skips the others)."""
    if requested not in METHODS:
        raise UsageError(f"unknown backup method {requested!r}; choose one of {', '.join(METHODS)}",
                         code="AZG-BACKUP-ARGS")
    matrix = mode_for(storage_mode).backup
    if requested == "auto":
        for method in PREFERENCE:
            s = matrix[method]
            if s.verdict == "supported" and method in implemented:
                others = [f"{m}: {matrix[m].verdict}" for m in PREFERENCE if m != method]
                why = (f"auto chose {method} for {storage_mode}: the first supported method in the order "
                       f"{' > '.join(PREFERENCE)} ({'; '.join(others)}); {s.reason}")
                return Choice(storage_mode, requested, method, s.verdict, s.reason, s.source, why)
        missing = [m for m in PREFERENCE if matrix[m].verdict == "supported" and m not in implemented]
        raise BackupUnsupported(f"no supported backup method for storage mode {storage_mode}"
                                + (f" in this build ({', '.join(missing)} is not available)" if missing else ""),
                                details={"storageMode": storage_mode, "notAvailable": missing})
    s = matrix[requested]  # type: ignore[index]
    if s.verdict == "refused":
        raise BackupUnsupported(
            f"backup method {requested} is not supported for storage mode {storage_mode}: {s.reason}; "
            "nothing was written",
            hint=f"use --mode auto, or one of: {', '.join(m for m in PREFERENCE if matrix[m].verdict != 'refused')}",
            details={"storageMode": storage_mode, "method": requested, "verdict": s.verdict, "reason": s.reason,
                     "source": s.source})
    why = f"{requested} as asked ({s.verdict} for {storage_mode}: {s.reason})"
    return Choice(storage_mode, requested, requested, s.verdict, s.reason, s.source, why)


def matrix_rows() -> list[dict[str, str]]:
    """Every (storage mode, method) with its verdict, reason and source, plus what auto picks (for the docs)."""
    rows = []
    for name, mode in MODES.items():
        for method in BACKUP_METHODS:
            s = mode.backup[method]
            rows.append({"storageMode": name, "method": method, "verdict": s.verdict, "reason": s.reason,
                         "source": s.source})
        rows.append({"storageMode": name, "method": "auto", "verdict": "supported",
                     "reason": choose(name, "auto").why, "source": "azguest.backup.support.PREFERENCE"})
    return rows
