"""Fixtures for the restore tests: the backup tests' clocked in-memory emulator (nothing sleeps), a session on
it, and a configured example lab with a complete backup of it."""

from __future__ import annotations

from azguest.backup.run import Request as BackupRequest
from azguest.backup.run import backup
from tests.backup.conftest import clock, clocked, deployed, engine, sess, setup_once  # noqa: F401
from tests.guest import probes

MODES = (("s2d", "cold"), ("shared-disk", "vm"), ("iscsi", "vm"))  # each storage mode with a method it supports


def backed_up(session, emu, mode: str, method: str):
    """The configured example lab of ``mode`` and a complete ``method`` backup of it (taken from the spec); once per
    test process on a fresh engine (tests.backup.conftest.setup_once)."""
    def build():
        lab = deployed(session, mode)
        m = backup(session, BackupRequest(lab.name, method, spec=lab))
        assert m.complete
        emu.advance(3600)  # an hour later: Compute's per-VM budgets have refilled
        return lab, m

    return setup_once(session, ("backed_up", mode, method), build)


def vm_roles(session, group: str) -> dict[str, str]:
    """VM name (lower) -> azguest-role, read with the raw SDK."""
    return {v.name.lower(): v.tags["azguest-role"] for v in session.compute.virtual_machines.list(group)}


def starts(emu, roles: dict[str, str]) -> list[tuple[int, str]]:
    """(log index, role) of every VM start: a POST .../start, or the PUT that creates a VM (it boots)."""
    out = []
    for i, e in enumerate(emu.request_log):
        parts = e.path.rstrip("/").split("/")
        if e.status >= 300 or "virtualMachines" not in parts:
            continue
        at = parts.index("virtualMachines")
        name = parts[at + 1].lower() if len(parts) > at + 1 else ""
        created = e.method == "PUT" and len(parts) == at + 2 and e.status == 201
        if created or e.method == "POST" and parts[-1] == "start":
            out.append((i, roles.get(name, "?")))
    return out


def step_runs(emu, step: str) -> list[int]:
    """Log indexes of every run of ``step``: a managed run command's PUT (``<step>-<nonce8>``) or an action Run
    Command's POST (the read-only looks, dc-health and cluster-health), see tests.guest.probes."""
    return [i for i, _ in probes.step_runs(emu, step)]
