"""Typed errors with stable codes.

Every error azguest raises on purpose is an :class:`AzguestError`. Each carries a stable ``code``
(for example ``AZG-SPEC-INVALID`` or the ARM code of an Azure failure), a message that says what is
wrong, and a ``hint`` that says what to do next. The CLI maps ``kind`` to an exit code in exactly
one place (``azguest.cli.exitcodes``); library code never exits.
"""

from __future__ import annotations

import enum
from typing import Any


class ErrorKind(enum.Enum):
    """What sort of failure this is; the CLI turns each into one stable exit code."""

    USAGE = "usage"  # bad option or missing configuration (no subscription, bad endpoint)
    SPEC = "spec"  # the lab spec is invalid
    AUTH = "auth"  # no usable Azure credential
    AZURE = "azure"  # Azure (or the emulator) refused or failed a call
    NOT_FOUND = "not-found"  # a lab, backup or resource that was named does not exist
    PREFLIGHT = "preflight"  # live checks failed before any write (quota, SKU, names)
    CONFLICT = "conflict"  # the change is one Azure refuses (immutable property, lock)
    UNSUPPORTED = "unsupported"  # e.g. a backup method the storage design does not support
    REFUSED = "refused"  # confirmation needed and none could be given
    PARTIAL = "partial"  # some work done, some failed
    GUEST = "guest"  # a step inside a guest failed
    INTERRUPTED = "interrupted"  # Ctrl-C
    LEASE_HELD = "lease-held"  # another azguest run holds the lab's lease (one writer per lab)
    DATA_LOSS = "data-loss"  # the change deletes disks holding data and --allow-data-loss was not given
    HEALTH = "health"  # `azguest test` ran and a health check of the lab failed


class AzguestError(Exception):
    """Base of every deliberate azguest error."""

    kind: ErrorKind = ErrorKind.USAGE
    default_code = "AZG-ERROR"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.hint = hint
        self.details = details or {}
        self.result: Any = None  # what the command did before failing; rendered with the error in JSON

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "kind": self.kind.value, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.details:
            out["details"] = self.details
        return out


class UsageError(AzguestError):
    kind = ErrorKind.USAGE
    default_code = "AZG-USAGE"


class ConfigError(AzguestError):
    """Configuration is missing or contradictory (subscription, endpoint, secrets)."""

    kind = ErrorKind.USAGE
    default_code = "AZG-CONFIG"


class SpecError(AzguestError):
    kind = ErrorKind.SPEC
    default_code = "AZG-SPEC-INVALID"


class AuthError(AzguestError):
    kind = ErrorKind.AUTH
    default_code = "AZG-AUTH"


class AzureError(AzguestError):
    """A failed Azure call. ``code`` is ARM's error code; ``status`` its HTTP status."""

    kind = ErrorKind.AZURE
    default_code = "AZG-AZURE"

    def __init__(self, message: str, *, status: int | None = None, target: str | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.status = status
        self.target = target

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if self.status is not None:
            out["status"] = self.status
        if self.target:
            out["target"] = self.target
        return out


class NotFoundError(AzguestError):
    kind = ErrorKind.NOT_FOUND
    default_code = "AZG-NOT-FOUND"


class PreflightError(AzguestError):
    kind = ErrorKind.PREFLIGHT
    default_code = "AZG-PREFLIGHT"


class ConflictError(AzguestError):
    kind = ErrorKind.CONFLICT
    default_code = "AZG-CONFLICT"


class UnsupportedError(AzguestError):
    kind = ErrorKind.UNSUPPORTED
    default_code = "AZG-UNSUPPORTED"


class RefusedError(AzguestError):
    kind = ErrorKind.REFUSED
    default_code = "AZG-CONFIRM-NEEDED"


class PartialError(AzguestError):
    kind = ErrorKind.PARTIAL
    default_code = "AZG-PARTIAL"


class GuestError(AzguestError):
    kind = ErrorKind.GUEST
    default_code = "AZG-GUEST"


class WaitTimeoutError(AzguestError):
    """A wait ran past its deadline (a resource stuck in flight); ``details`` name what was awaited."""

    kind = ErrorKind.AZURE
    default_code = "AZG-WAIT-TIMEOUT"


class Interrupted(AzguestError):
    kind = ErrorKind.INTERRUPTED
    default_code = "AZG-INTERRUPTED"


class LeaseHeldError(AzguestError):
    """Another azguest run holds the lab's lease; ``details`` name the holder, since and expiry."""

    kind = ErrorKind.LEASE_HELD
    default_code = "AZG-LEASE-HELD"


class DataLossError(AzguestError):
    """The plan deletes disks (``details["disks"]``: name, size, why) and the user did not allow data loss."""

    kind = ErrorKind.DATA_LOSS
    default_code = "AZG-DATA-LOSS"


class HealthError(AzguestError):
    """`azguest test` found failing checks; ``details["failed"]`` names them, ``result`` is the whole report."""

    kind = ErrorKind.HEALTH
    default_code = "AZG-TEST-FAILED"
    report: Any = None  # the HealthReport, for the human table
