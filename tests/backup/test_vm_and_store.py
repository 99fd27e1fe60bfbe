"""`vm` backups on the emulator's stored objects, read back with the raw SDK: the restore points of a
shared-disk lab exclude exactly the shared disks, which have their own incremental snapshots (DenyAll, no
public access, the lab's tags); Azure's restore point rules are checked before any write (3 h between two
application-consistent points, a running VM); backups outlive `destroy` and `destroy --with-backups` removes
them on purpose."""

from __future__ import annotations

import json

import pytest

from azguest.azure.ids import ArmId
from azguest.backup import store
from azguest.backup.run import Request, backup
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.errors import PreflightError
from azguest.guest import ops
from tests.backup.conftest import PASSWORD, deployed, writes


def test_vm_backup_of_a_shared_disk_lab__restore_points_exclude_exactly_the_shared_disks(session, engine):
    sess = session  # in process and over loopback HTTP
    lab = deployed(sess, "shared-disk", guest=False)
    m = backup(sess, Request(lab.name, "vm", spec=lab, label="golden"))
    compute = sess.compute
    shared = {d.id.lower() for d in compute.disks.list_by_resource_group(lab.resource_group_name)
              if (d.max_shares or 1) > 1}
    assert len(shared) == 3
    rps = [p for p in m.pieces if p.kind == "restorePoint"]
    assert {p.vm for p in rps} == {v.name for v in m.vms}  # every VM, the DC included
    for p in rps:
        rid = ArmId.parse(p.id)
        rp = compute.restore_points.get(rid.resource_group, rid.names[0], rid.names[1]).as_dict()["properties"]
        excluded = {d["id"].lower() for d in rp.get("excludeDisks") or []}
        vm = next(v for v in m.vms if v.name == p.vm)
        assert excluded == {d.id.lower() for d in vm.data_disks if d.max_shares > 1}
        assert excluded <= shared and rp["consistencyMode"] == "ApplicationConsistent"
        sp = rp["sourceMetadata"]["storageProfile"]
        held = {d["managedDisk"]["id"].lower() for d in [sp["osDisk"], *sp["dataDisks"]]}
        assert held.isdisjoint(shared) and held == {d.id.lower() for d in (vm.os_disk, *vm.data_disks)} - shared
    snaps = [x.as_dict() for x in compute.snapshots.list_by_resource_group(store.group_name(lab.location))]
    assert {s["properties"]["creationData"]["sourceResourceId"].lower() for s in snaps} == shared
    for s in snaps:
        props = s["properties"]
        assert props["incremental"] is True and props["networkAccessPolicy"] == "DenyAll"
        assert props["publicNetworkAccess"] == "Disabled"
        assert s["tags"]["azguest-backup-lab"] == lab.name and s["tags"]["azguest-backup"] == m.id
        assert "azguest-lab" not in s["tags"]  # nobody's live resource: no deploy, destroy or gc counts it
    assert m.consistency == "application+crash"
    for v in m.vms:
        for d in v.data_disks:
            assert d.restore_from.kind == ("snapshot" if d.max_shares > 1 else "diskRestorePoint")


def test_second_vm_backup__refused_before_any_write_until_3h_passed(sess, engine, clock):
    lab = deployed(sess, "iscsi", guest=False)
    backup(sess, Request(lab.name, "vm", spec=lab))
    clock.advance(2 * 3600)
    engine.reset_log()
    with pytest.raises(PreflightError) as info:
        backup(sess, Request(lab.name, "vm", spec=lab))
    assert info.value.code == "AZG-BACKUP-CHECK" and "minimum interval is 3 h" in info.value.message
    assert writes(engine) == []
    clock.advance(3600 + 1)
    assert backup(sess, Request(lab.name, "vm", spec=lab)).status == "complete"
    assert [i["status"] for i in store.list_backups(sess, lab.name)] == ["complete", "complete"]


def test_vm_backup_of_a_lab_with_a_deallocated_vm__refused_before_any_write(sess, engine):
    lab = deployed(sess, "iscsi", guest=False)
    vm = ops.inventory(sess, lab.name).dc[0]
    sess.compute.virtual_machines.begin_deallocate(lab.resource_group_name, vm.name).result()
    engine.reset_log()
    with pytest.raises(PreflightError) as info:
        backup(sess, Request(lab.name, "vm", spec=lab))
    assert "needs a running VM" in info.value.message and vm.name in info.value.message
    assert writes(engine) == []


@pytest.mark.http  # this area's end-to-end over the loopback HTTP front end too
def test_backups_outlive_destroy__and_with_backups_removes_them(session, engine, clock):
    sess = session  # in process and over loopback HTTP
    lab = deployed(sess, "iscsi", guest=False)
    m = backup(sess, Request(lab.name, "vm", spec=lab, label="golden"))
    clock.advance(600)  # days pass (ARM's read budget refills on this clock)
    td = plan_teardown(sess, lab.name)
    assert destroy(sess, td, confirm=lambda t: True).ok
    items = store.list_backups(sess, lab.name)
    assert [(i["id"], i["status"], i["label"], i["restorable"]) for i in items] == [(m.id, "complete", "golden", True)]
    assert store.load(sess, m.id).complete  # the manifest and its pieces are still there
    for p in m.pieces:
        rid = ArmId.parse(p.id)
        assert sess.compute.restore_points.get(rid.resource_group, rid.names[0], rid.names[1])
    clock.advance(600)
    # deployed again and destroyed --with-backups: every backup of the lab goes, on purpose
    deployed(sess, "iscsi", guest=False)
    clock.advance(600)
    td = plan_teardown(sess, lab.name, with_backups=True)
    record = destroy(sess, td, confirm=lambda t: True)
    assert record.ok and any(r.kind == "backup" for r in record.results)
    assert store.list_backups(sess, lab.name) == []
    left = [x for x in sess.compute.restore_point_collections.list(store.group_name(lab.location))]
    assert all(not list(sess.compute.restore_point_collections.get(
        store.group_name(lab.location), c.name, expand="restorePoints").restore_points or []) for c in left)


def test_eighth_snapshot_of_a_disk_in_5_minutes__refused_before_any_write(sess, engine, clock):
    lab = deployed(sess, "iscsi")
    group = store.ensure_group(sess, lab.location)
    disk = sess.compute.disks.get(lab.resource_group_name, f"{lab.name}-dc01-os")
    for n in range(7):  # seven snapshots of the DC's OS disk a minute ago (an earlier run, another tool)
        sess.compute.snapshots.begin_create_or_update(group, f"manual-{n}", {
            "location": lab.location, "properties": {"incremental": True, "creationData": {
                "createOption": "Copy", "sourceResourceId": disk.id}}}).result()
    clock.advance(60)
    engine.reset_log()
    with pytest.raises(PreflightError) as info:
        backup(sess, Request(lab.name, "cold", spec=lab))
    assert "7 snapshots in the last 5 minutes" in info.value.message and "dc01-os" in info.value.message
    assert writes(engine) == []  # the lab was not even stopped
    clock.advance(300)
    assert backup(sess, Request(lab.name, "cold", spec=lab)).status == "complete"


def test_manifest__holds_the_spec_with_the_password_as_a_reference_and_no_secret(sess, engine):
    lab = deployed(sess, "iscsi", guest=False)
    crash = lab.model_copy(update={"backup": lab.backup.model_copy(update={"consistency": "crash"})})
    m = backup(sess, Request(lab.name, "vm", spec=crash))
    again = store.load(sess, m.id)
    assert again.spec["name"] == lab.name and again.spec["admin"]["password"] == {"fromEnv": "AZGUEST_ADMIN_PASSWORD"}
    assert again.consistency == "crash" and {p.consistency for p in again.pieces} == {"crash"}
    rid = ArmId.parse(m.pieces[0].id)
    rp = sess.compute.restore_points.get(rid.resource_group, rid.names[0], rid.names[1]).as_dict()["properties"]
    assert rp["consistencyMode"] == "CrashConsistent"
    assert PASSWORD not in json.dumps(engine.store.state) and PASSWORD not in json.dumps(again.to_dict())
