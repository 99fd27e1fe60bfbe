"""Windows Server Backup steps of the in-guest backup: ``backup-feature``, ``backup-wsb``.

The backup versions live on the target disk (``World.disk_content``: a managed disk's guest record goes with the
disk), so a snapshot of that disk holds every version taken so far, like the target's shadow copies on Windows.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.guest import clusterstate as cs
from azguest.emulator.guest.model import GuestResult, GuestRun, step
from azguest.emulator.guest.ps import fail, ok
from azguest.emulator.guest.win_cluster import local_cluster
from azguest.emulator.guest.win_domain import feature_installed
from azguest.emulator.guest.winbase import install_features

FEATURE = "Windows-Server-Backup"


@step("backup-feature")
def backup_feature(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """`Install-WindowsFeature Windows-Server-Backup` (no restart needed); `data.installed`."""
    changed, reboot = install_features(facts, [FEATURE])
    return ok(run.step, changed=changed, reboot=False, data={"feature": FEATURE, "installed": True})


def _not_recognized(run: GuestRun, cmdlet: str) -> GuestResult:
    return fail(cmdlet, f"The term '{cmdlet}' is not recognized as the name of a cmdlet, function, script file, or "
                "operable program.", run.script, category="ObjectNotFound", exception="CommandNotFoundException",
                fqid="CommandNotFoundException")


def _disk_at_lun(run: GuestRun) -> tuple[str, dict[str, Any] | None, GuestResult | None]:
    """The LUN parameter, the VM's data disk there, or Get-Disk's failure when there is none."""
    lun = str(run.parameters.get("DiskLun") or "")
    disks = run.world.me.data_disks()
    if not lun.isdigit() or int(lun) not in disks:
        return lun, None, fail("Get-Disk", f"expected one data disk at LUN {lun}, found 0", run.script,
                               category="OperationStopped", exception="RuntimeException", fqid="RuntimeException")
    return lun, disks[int(lun)], None


@step("backup-wsb")
def backup_wsb(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """One Windows Server Backup of every Online CSV to the data disk at LUN `DiskLun`; the version is kept on that
    disk (`versions` counts them). Fails: the feature not installed (New-WBPolicy not recognized), no disk at the
    LUN, no cluster here, no Online CSV, an S2D pool that claimed the disk (`KeepOutOfPool` not true)."""
    world, me, p = run.world, run.world.me, run.parameters
    lun, disk, missing = _disk_at_lun(run)
    if disk is None:
        return missing  # type: ignore[return-value]
    rec = local_cluster(world, me) if feature_installed(me.facts, "Failover-Clustering") else None
    if rec is None:
        return fail("Get-ClusterSharedVolume", "The cluster service is not running on this node.", run.script,
                    category="ConnectionError", exception="ClusterCmdletException")
    if rec.get("pool") and str(p.get("KeepOutOfPool")).lower() != "true":
        return fail("New-WBBackupTarget", "The disk is in use by a storage pool: Storage Spaces Direct claimed it.",
                    run.script, exception="Exception")
    volumes = [c["path"] for c in (rec.get("csvs") or {}).values() if cs.csv_state(world, rec, c) == "Online"]
    if not volumes:
        return fail("Get-ClusterSharedVolume", "no cluster shared volume is Online: nothing to back up", run.script,
                    category="OperationStopped", exception="RuntimeException")
    if not feature_installed(facts, FEATURE):
        return _not_recognized(run, "New-WBPolicy")
    workloads = sorted(rec.get("roles", {}))
    content = world.disk_content(disk["id"])
    versions = content.setdefault("wsbVersions", [])
    versions.append({"label": p.get("BackupId") or "", "time": world.iso_now(), "volumes": volumes,
                     "workloads": workloads, "computer": me.computer})
    data = {"label": p.get("BackupId") or "", "lun": int(lun), "volumes": volumes, "workloads": workloads,
            "versions": len(versions), "versionTime": world.iso_now(), "consistency": "crash"}
    return ok(run.step, changed=True, data=data)


@step("restore-wsb")
def restore_wsb(run: GuestRun, facts: dict[str, Any]) -> GuestResult:
    """Recover each CSV volume of the backup version `BackupId` (or the latest) from the disk at LUN `DiskLun` (a
    copy of the target's snapshot: its versions came with it) onto the CSV of the same path; the cluster record
    keeps what was restored (`wsbRestores`). Fails: no disk at the LUN, no backup version on it, no cluster here,
    the feature not installed, none of the version's volumes is a CSV here."""
    world, me, p = run.world, run.world.me, run.parameters
    lun, disk, missing = _disk_at_lun(run)
    if disk is None:
        return missing  # type: ignore[return-value]
    versions = list(world.disk_content(disk["id"]).get("wsbVersions") or [])
    if not versions:
        return fail("Get-WBBackupSet", f"no backup version on the disk at LUN {lun}", run.script,
                    category="OperationStopped", exception="RuntimeException", fqid="RuntimeException")
    if not feature_installed(facts, FEATURE):
        return _not_recognized(run, "Get-WBBackupSet")
    rec = local_cluster(world, me) if feature_installed(me.facts, "Failover-Clustering") else None
    if rec is None:
        return fail("Get-ClusterSharedVolume", "The cluster service is not running on this node.", run.script,
                    category="ConnectionError", exception="ClusterCmdletException")
    label = str(p.get("BackupId") or "")
    version = next((v for v in reversed(versions) if v.get("label") == label), versions[-1])
    here = {c["path"] for c in (rec.get("csvs") or {}).values()}
    restored = [v for v in version.get("volumes") or [] if v in here]
    if not restored:
        return fail("Start-WBVolumeRecovery", "the backup version holds none of the cluster shared volumes",
                    run.script, category="OperationStopped", exception="RuntimeException")
    workloads = [w for w in version.get("workloads") or [] if w in (rec.get("roles") or {})]
    rec.setdefault("wsbRestores", []).append({"label": version.get("label"), "time": world.iso_now(),
                                              "volumes": restored, "workloads": workloads,
                                              "versionTime": version.get("time")})
    data = {"label": version.get("label"), "lun": int(lun), "volumes": restored, "workloads": workloads,
            "versionTime": version.get("time")}
    return ok(run.step, changed=True, data=data)
