"""`azguest backup LAB --mode in-guest` on the emulator's Windows model, for every storage mode: Windows Server
Backup of the CSVs to the lab's dedicated backup disk (kept out of the S2D pool), attached for the run and
detached after, then one incremental snapshot of it. The manifest names the target, the CSV volumes and the
workloads, with the consistency they really have (crash); versions pile up on the target disk; a guest failure
(the feature missing, the target missing) fails the backup, deletes its snapshot and still detaches the disk."""

from __future__ import annotations

import pytest

from azguest.azure import kinds as K
from azguest.backup import inguest, store
from azguest.backup.run import Request, backup
from azguest.emulator.guest import GuestResult, registered
from azguest.errors import AzguestError
from azguest.guest import ops
from tests.backup.conftest import LABS, deployed, stored


def _cluster(engine) -> dict:
    [rec] = [g["facts"] for g in engine.store.state["guests"].values()
             if isinstance(g.get("facts"), dict) and "roles" in g["facts"] and "csvs" in g["facts"]]
    return rec


def _data_disks(sess, vm_id: str) -> list[str]:
    sp = K.get(sess, K.KINDS["vm"], vm_id)["properties"]["storageProfile"]
    return sorted(d["managedDisk"]["id"].lower() for d in sp.get("dataDisks") or [])


@pytest.mark.parametrize("mode", list(LABS))
def test_in_guest__complete_naming_target_volumes_workloads_and_crash_consistency(sess, engine, mode):
    lab = deployed(sess, mode)
    host = ops.inventory(sess, lab.name).nodes[0]
    disks_before = _data_disks(sess, host.id)
    m = backup(sess, Request(lab.name, "in-guest", spec=lab))
    again = store.load(sess, m.id)  # from Azure alone
    assert again == m and m.status == "complete" and m.method == "in-guest" and m.verdict == "supported"
    g = m.guest
    rec = _cluster(engine)
    assert sorted(g["volumes"]) == sorted(c["path"] for c in rec["csvs"].values()) and g["volumes"]
    assert sorted(g["workloads"]) == sorted(w.name for w in lab.cluster.workloads)
    assert m.consistency == "crash" and g["consistency"]["workloads"] == "crash" and "CSV" in g["consistency"]["why"]
    target = g["target"]
    assert target["diskId"].lower().endswith(f"/disks/{inguest.target_name(lab.name)}")
    assert target["keptOutOfPool"] is (mode == "s2d")
    [piece] = m.pieces
    assert piece.id == target["snapshotId"] and piece.disks == (target["diskId"],) and piece.consistency == "crash"
    [snap] = [s for s in stored(engine, "Microsoft.Compute/snapshots") if s["id"].lower() == piece.id.lower()]
    props = snap["properties"]
    assert props["creationData"]["sourceResourceId"].lower() == target["diskId"].lower() and props["incremental"]
    assert props["networkAccessPolicy"] == "DenyAll" and props["publicNetworkAccess"] == "Disabled"
    assert _data_disks(sess, host.id) == disks_before  # the backup disk is detached again
    assert g["node"] == host.name and g["versionsOnTarget"] == 1


def test_in_guest__versions_pile_up_on_the_target_and_auto_picks_in_guest_for_s2d(sess, engine, clock):
    lab = deployed(sess, "s2d")
    first = backup(sess, Request(lab.name, "auto", spec=lab))
    assert first.method == "in-guest" and "auto chose in-guest" in first.why  # S2D: the supported path
    clock.advance(600)
    second = backup(sess, Request(lab.name, "in-guest", spec=lab))
    assert second.guest["versionsOnTarget"] == 2 and second.guest["target"]["diskId"] == first.guest["target"]["diskId"]
    assert second.pieces[0].id != first.pieces[0].id
    content = engine.store.state["guests"]
    versions = [v["label"] for g in content.values() for v in (g.get("facts") or {}).get("wsbVersions", [])]
    assert versions == [first.id, second.id]  # both versions on the target disk


def test_in_guest__feature_missing_fails_cleanly_target_detached_no_snapshot_left(sess, engine):
    lab = deployed(sess, "shared-disk")
    host = ops.inventory(sess, lab.name).nodes[0]
    disks_before = _data_disks(sess, host.id)

    def no_install(run, facts):  # Install-WindowsFeature "succeeds" without installing (a broken image)
        return GuestResult(0, '{"step": "backup-feature", "changed": false, "rebootRequired": false, "data": {}}')

    with registered("backup-feature", no_install), pytest.raises(AzguestError) as info:
        backup(sess, Request(lab.name, "in-guest", spec=lab))
    err = info.value
    assert err.code == "AZG-BACKUP-GUEST" and "backup-wsb" in err.message and "New-WBPolicy" in err.message
    assert err.result["status"] == "failed" and err.result["consistency"] == "crash"
    assert [i["status"] for i in store.list_backups(sess, lab.name)] == ["failed"]  # never listed complete
    assert _data_disks(sess, host.id) == disks_before
    assert not [s for s in stored(engine, "Microsoft.Compute/snapshots") if "wsb" in s["name"]]
    m = backup(sess, Request(lab.name, "in-guest", spec=lab))  # the real feature: a re-run completes
    assert m.status == "complete"


def test_in_guest__target_missing_or_claimed_by_s2d_is_a_guest_failure(sess, engine):
    lab = deployed(sess, "s2d")
    host = next(v for v in ops.inventory(sess, lab.name).nodes)
    vm = K.get(sess, K.KINDS["vm"], host.id)
    where = {"lab": lab.name, "location": vm["location"]}
    inguest.run_step(sess, host.id, host.name, "backup-feature", {}, **where)
    with pytest.raises(AzguestError) as info:
        inguest.run_step(sess, host.id, host.name, "backup-wsb",
                         {"DiskLun": "9", "BackupId": "x", "KeepOutOfPool": "true"}, **where)
    assert "LUN 9" in info.value.message  # no backup disk at that LUN
    with pytest.raises(AzguestError) as info:
        inguest.run_step(sess, host.id, host.name, "backup-wsb",
                         {"DiskLun": "0", "BackupId": "x", "KeepOutOfPool": "false"}, **where)
    assert "storage pool" in info.value.message  # S2D would claim a disk not kept out of the pool


def test_in_guest__destroy_with_backups_removes_the_target_disk_too(sess, engine):
    from azguest.backup.retention import delete_lab_backups

    lab = deployed(sess, "iscsi")
    m = backup(sess, Request(lab.name, "in-guest", spec=lab))
    disk_id = m.guest["target"]["diskId"].lower()
    assert any(d["id"].lower() == disk_id for d in stored(engine, "Microsoft.Compute/disks"))
    assert delete_lab_backups(sess, lab.name) == [m.id]
    assert not any(d["id"].lower() == disk_id for d in stored(engine, "Microsoft.Compute/disks"))
    assert not [s for s in stored(engine, "Microsoft.Compute/snapshots") if "wsb" in s["name"]]
