"""The one exit-code table. Documented in docs/exit-codes.md (kept in sync by a test)."""

from __future__ import annotations

import enum

from azguest.errors import ErrorKind


class ExitCode(enum.IntEnum):
    OK = 0  # success
    INTERNAL = 1  # an unexpected error (a bug): run again with --debug and report it
    SPEC_INVALID = 2  # the lab spec has errors (or warnings with --strict); nothing was deployed
    AZURE_ERROR = 3  # Azure (or the emulator) refused or failed a call
    PREFLIGHT_FAILED = 4  # quota, SKU or name checks failed before any write; nothing was written
    PARTIAL = 5  # some resources were created, some failed: re-run to converge
    NOT_FOUND = 6  # the named lab, backup or resource does not exist
    CONFLICT = 7  # a change Azure refuses (immutable property); see the hint
    UNSUPPORTED = 8  # an operation this storage design does not support (e.g. host backup of S2D)
    CONFIRM_NEEDED = 9  # confirmation needed, no terminal and no --yes
    AUTH = 10  # no usable Azure credential
    GUEST_FAILED = 11  # a configuration step inside a guest failed
    LEASE_HELD = 12  # another azguest run is writing to this lab (the error names it); nothing was written
    DATA_LOSS = 13  # the change deletes disks that hold data and --allow-data-loss was not given; nothing was written
    TEST_FAILED = 14  # `azguest test`: a health check of the lab failed (the output names each failing check)
    USAGE = 64  # bad command line or missing configuration (e.g. no subscription)
    INTERRUPTED = 130  # Ctrl-C


KIND_TO_EXIT: dict[ErrorKind, ExitCode] = {
    ErrorKind.USAGE: ExitCode.USAGE,
    ErrorKind.SPEC: ExitCode.SPEC_INVALID,
    ErrorKind.AUTH: ExitCode.AUTH,
    ErrorKind.AZURE: ExitCode.AZURE_ERROR,
    ErrorKind.NOT_FOUND: ExitCode.NOT_FOUND,
    ErrorKind.PREFLIGHT: ExitCode.PREFLIGHT_FAILED,
    ErrorKind.CONFLICT: ExitCode.CONFLICT,
    ErrorKind.UNSUPPORTED: ExitCode.UNSUPPORTED,
    ErrorKind.REFUSED: ExitCode.CONFIRM_NEEDED,
    ErrorKind.PARTIAL: ExitCode.PARTIAL,
    ErrorKind.GUEST: ExitCode.GUEST_FAILED,
    ErrorKind.INTERRUPTED: ExitCode.INTERRUPTED,
    ErrorKind.LEASE_HELD: ExitCode.LEASE_HELD,
    ErrorKind.DATA_LOSS: ExitCode.DATA_LOSS,
    ErrorKind.HEALTH: ExitCode.TEST_FAILED,
}


def describe() -> list[tuple[int, str, str]]:
    """(code, name, meaning) rows, read from the comments above, for the docs table."""
    import inspect

    meanings: dict[str, str] = {}
    for line in inspect.getsource(ExitCode).splitlines():
        if "=" in line and "#" in line:
            name = line.split("=")[0].strip()
            meanings[name] = line.split("#", 1)[1].strip()
    return [(int(c), c.name, meanings.get(c.name, "")) for c in ExitCode]
