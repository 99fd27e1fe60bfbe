"""VM restore point limits and the ARM errors Azure answers when they are broken, as data.

Primary sources (keys as in ``azguest.catalog.sources``; ACD = MicrosoftDocs/azure-compute-docs):
- ``concepts-restore-points.md`` (support matrix, 2022-07-05): minimum frequency 3 h application-consistent,
  1 h crash-consistent ("a frequency lower than supported would result in failure"); no concurrent creation
  per VM; 500 restore points per VM; shared and ephemeral OS disks not supported in either mode.
- ``virtual-machines-create-restore-points.md`` (2023-11-06), "Throttling limits for Restore points": 3 PUTs
  per hour per VM for each consistency mode; "Requests that exceed limits return HTTP 429. Retry after the
  interval specified in the response."
- AZD ``virtual-machines/restore-point-troubleshooting.md`` (2023-04-12): the
  error codes and messages below; a VM that is Stopped/Deallocated/Updating "interferes with the restore
  point operation" (no code given).
"""

from __future__ import annotations

from dataclasses import dataclass

SRC_MATRIX = "ACD concepts-restore-points.md (2022-07-05)"
SRC_OVERVIEW = "ACD virtual-machines-create-restore-points.md (2023-11-06), Throttling limits"
SRC_TROUBLE = "AZD virtual-machines/restore-point-troubleshooting.md (2023-04-12)"

HOUR_S = 3600.0


@dataclass(frozen=True)
class ModeLimit:
    mode: str  # consistencyMode value
    min_interval_s: float  # the shortest time between two restore points of one VM in this mode
    puts_per_hour: int  # restore point PUTs per VM per hour in this mode (429 beyond)
    source: str


# FileSystemConsistent has no documented frequency: the stricter (application-consistent) figure is used.
MODE_LIMITS: dict[str, ModeLimit] = {
    m.mode.lower(): m
    for m in (
        ModeLimit("ApplicationConsistent", 3 * HOUR_S, 3, f"{SRC_MATRIX}; {SRC_OVERVIEW}"),
        ModeLimit("CrashConsistent", 1 * HOUR_S, 3, f"{SRC_MATRIX}; {SRC_OVERVIEW}"),
        ModeLimit("FileSystemConsistent", 3 * HOUR_S, 3, "undocumented: the application-consistent figures"),
    )
}
THROTTLE_WINDOW_S = HOUR_S
MAX_CONCURRENT_PER_VM = 1  # SRC_MATRIX: "Concurrent creation of restore points for a VM isn't supported."
MAX_PER_VM = 500  # SRC_MATRIX


@dataclass(frozen=True)
class RestorePointError:
    case: str
    code: str  # ARM error code
    shape: str  # "failed creation" = PUT 201, the operation ends Failed; "429" = synchronous
    message: str
    source: str
    verified: bool  # the code is written in the source (False = the emulator's choice)


ERRORS: dict[str, RestorePointError] = {
    e.case: e
    for e in (
        RestorePointError("concurrent", "VMRestorePointClientError", "failed creation",
                          "RestorePoint creation failed since a concurrent 'Create RestorePoint' operation was "
                          "triggered on the VM.", SRC_TROUBLE, True),
        RestorePointError("shared-disk", "VMRestorePointClientError", "failed creation",
                          "Creation of Restore Point of a Virtual Machine with Shared disks is not supported. You may "
                          "exclude this disk from the restore point via excludeDisks property.", SRC_TROUBLE, True),
        RestorePointError("not-running", "VMAgentStatusCommunicationError", "failed creation",
                          "VM has not reported status for VM agent or extensions.",
                          f"{SRC_TROUBLE}: Stopped/Deallocated interferes; code of the agent-not-Ready case", False),
        RestorePointError("too-soon", "VMRestorePointClientError", "failed creation",
                          "Restore Point creation failed: the minimum interval between restore points of this "
                          "consistency mode has not passed.", f"{SRC_MATRIX}: 'would result in failure'", False),
        RestorePointError("throttled", "OperationNotAllowed", "429",
                          "The server rejected the request because too many requests have been received for this "
                          "subscription.", f"{SRC_OVERVIEW}: HTTP 429 + retry interval; code as Compute throttling",
                          False),
    )
}


def mode_limit(mode: str) -> ModeLimit:
    return MODE_LIMITS.get(mode.lower(), MODE_LIMITS["applicationconsistent"])
