"""Pre-backup checks of the guest cluster (issue 11 item 3), before any write.

One look at the cluster: the ``cluster-health`` operations step (the script ``azguest test`` runs), sent as the
**action** Run Command (``POST virtualMachines/runCommand``, ``RunPowerShellScript``) on one running node. The
action creates no ARM resource (a managed run command is a PUT of a child resource, then its DELETE), so the check
stays a read: the only non-GET request a refused backup sends is that POST (Azure: the action Run Command is for
"quick reads", it has no protected parameters, which this script does not need).

Findings, judged from that look and the lab's power states:

- ``nodes-up``: every node VM runs and its cluster node is Up (the cluster runs);
- ``groups-settled``: no clustered role (group) is Pending, OnlinePending, OfflinePending or PartialOnline;
- ``no-live-migration``: no nested VM is live-migrating (its VM resource's MigrationState is 1-3);
- ``storage-repair-idle``: no storage (S2D repair) job other than Completed.

Which methods: ``vm`` and ``in-guest`` (``cold`` stops the cluster gracefully first: its stop drains the roles).
``--force`` overrides every finding except a live migration under ``vm`` on ``iscsi`` or ``shared-disk`` (a
restore point of a node whose VM is moving is the case Microsoft's iSCSI guidance excludes) and ``in-guest``
without a cluster that answers (there is nothing to back up with). The Azure limits (restore points, snapshots)
are never overridable: Azure itself would refuse. A lab whose guest has no cluster yet (never configured) gives
``vm`` nothing to check in the guest; the manifest's ``forced`` says what was overridden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.backup.labread import LiveLab
from azguest.guest.configure import parse_result
from azguest.guest.ops import run_action
from azguest.guest.steps import OPERATIONS
from azguest.storage import mode_for

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

HEALTH_STEP = "cluster-health"
SETTLED = ("Online", "Offline", "Failed")  # Get-ClusterGroup states that are not a transition
CHECKED_METHODS = ("vm", "in-guest")


@dataclass(frozen=True)
class Finding:
    check: str  # nodes-up | groups-settled | no-live-migration | storage-repair-idle | guest-answers
    detail: str
    overridable: bool

    def text(self) -> str:
        return f"{self.check}: {self.detail}" + ("" if self.overridable else " (--force does not override this)")


def _node_vms(live: LiveLab) -> list[tuple[str, str]]:
    """(ARM name, computer name) of the node VMs."""
    return [(v.name, v.computer) for v in live.vms if v.tier == "node"]


def query(session: AzureSession, live: LiveLab) -> tuple[str | None, dict[str, Any] | None]:
    """``cluster-health`` on the first running node through the action Run Command: (node, its data); data None
    when the step fails (no cluster service there) or no node runs (node None)."""
    running = [v for v in live.vms if v.tier == "node" and live.power.get(v.name) == "running"]
    if not running:
        return None, None
    vm = running[0]
    step = next(s for s in OPERATIONS if s.id == HEALTH_STEP)
    stdout, _ = run_action(session, vm.id, vm.name, step)  # retried while throttled or busy
    result = parse_result(HEALTH_STEP, stdout)
    return vm.name, (dict(result.get("data") or {}) if result is not None else None)


def judge(live: LiveLab, method: str, storage_mode: str, data: dict[str, Any] | None, host: str | None
          ) -> list[Finding]:
    """The findings for ``method`` from one look (``data``) and the lab's power states."""
    findings = [Finding("nodes-up", f"node VM {name} is {live.power.get(name, 'unknown')}", True)
                for name, _ in _node_vms(live) if live.power.get(name) != "running"]
    if data is None or not data.get("cluster"):
        if method == "in-guest":
            why = "no node VM runs" if host is None else f"the cluster does not answer on {host}"
            findings.append(Finding("guest-answers", f"{why}: Windows Server Backup needs the running cluster",
                                    False))
        return findings  # vm on a guest without a cluster: nothing in the guest to check
    if data.get("state") != "Running":
        findings.append(Finding("nodes-up", f"cluster {data.get('cluster')} is {data.get('state')}", True))
    states = {str(n.get("name", "")).lower(): str(n.get("state")) for n in data.get("nodes") or []}
    findings += [Finding("nodes-up", f"cluster node {c} is {states.get(c.lower(), 'not a member')}", True)
                 for name, c in _node_vms(live) if live.power.get(name) == "running"
                 and states.get(c.lower()) not in (None, "Up")]
    roles = data.get("roles") or []
    findings += [Finding("groups-settled", f"role {r.get('name')} is {r.get('state')} (in transition)", True)
                 for r in roles if r.get("state") not in SETTLED]
    support = mode_for(storage_mode).backup.get(method)  # type: ignore[call-overload]
    hard = support is not None and support.migration_refuses
    findings += [Finding("no-live-migration", f"{r.get('name')} is live-migrating from {r.get('owner')}", not hard)
                 for r in roles if r.get("migrating")]
    findings += [Finding("storage-repair-idle", f"storage job {j.get('name')} is {j.get('state')} "
                         f"({j.get('percentComplete', 0)}%)", True)
                 for j in data.get("storageJobs") or [] if j.get("state") != "Completed"]
    return findings


def guest_checks(session: AzureSession, live: LiveLab, method: str, storage_mode: str, *, force: bool
                 ) -> tuple[list[str], list[str]]:
    """(problems that refuse the backup, findings ``--force`` overrode). Reads only (one action Run Command)."""
    if method not in CHECKED_METHODS:
        return [], []
    host, data = query(session, live)
    findings = judge(live, method, storage_mode, data, host)
    problems = [f.text() for f in findings if not (force and f.overridable)]
    forced = [f.text() for f in findings if force and f.overridable]
    return problems, forced
