"""Transactional in-place restore: a restored lab that fails its health is rolled back onto its old disks (read
with the raw SDK) and nothing the failed restore created is left; a good restore replaces every disk and deletes
the old ones, or keeps them with keep_old_disks."""

from __future__ import annotations

import re

import pytest

from azguest.emulator.guest import GuestResult, registered
from azguest.emulator.guest.model import STEPS
from azguest.errors import AzguestError
from azguest.guest.health import run_checks
from azguest.restore.core import Request, restore
from tests.restore.conftest import backed_up

RESTORED = re.compile(r"-r\d{12}$")  # the name a restore gives the disks it makes


def disks_of(sess, group: str) -> dict[str, dict]:
    """VM name -> {'os': id, lun: id} (lower-case ids), with the raw SDK."""
    out = {}
    for vm in sess.compute.virtual_machines.list(group):
        sp = vm.storage_profile
        out[vm.name] = {"os": sp.os_disk.managed_disk.id.lower(),
                        **{d.lun: d.managed_disk.id.lower() for d in sp.data_disks}}
    return out


def group_disks(sess, group: str) -> set[str]:
    return {d.id.lower() for d in sess.compute.disks.list_by_resource_group(group)}


@pytest.fixture
def restored_disks_fail_cluster_health():
    """The fault: cluster-health cannot look on a node booted from a restored OS disk (the restored data is bad)."""
    original = STEPS["cluster-health"]

    def fn(run, facts):
        os_name = run.vm["properties"]["storageProfile"]["osDisk"]["name"]
        if RESTORED.search(os_name):
            return GuestResult(1, "", "Get-Cluster : The cluster service is not running on this node.")
        return original(run, facts)

    with registered("cluster-health", fn):
        yield


@pytest.mark.parametrize(("mode", "method"), [("shared-disk", "vm"), ("s2d", "cold")])
def test_failed_health__rolls_back_to_the_old_disks_and_leaves_nothing(sess, engine, mode, method,
                                                                       restored_disks_fail_cluster_health):
    lab, m = backed_up(sess, engine, mode, method)
    group = lab.resource_group_name
    before, before_group = disks_of(sess, group), group_disks(sess, group)
    with pytest.raises(AzguestError) as info:
        restore(sess, Request(m.id))
    err = info.value
    assert err.code == "AZG-RESTORE-ROLLED-BACK", err.message
    assert err.result["rolledBack"] is True and err.result["created"]
    assert disks_of(sess, group) == before  # every VM on its original OS and data disks
    assert group_disks(sess, group) == before_group  # nothing the failed restore created is left
    assert not [d for d in sess.compute.disks.list_by_resource_group(group) if RESTORED.search(d.name)]
    phases = [s["phase"] for s in err.result["stages"]]
    assert phases[:3] == ["stop", "disks", "swap"] and "rollback-swap" in phases and "rollback-delete" in phases
    report = run_checks(sess, lab.name)  # the lab runs again, healthy, on its old disks
    assert report.ok, [c.to_dict() for c in report.failed()]


def test_good_restore__swaps_every_disk_and_deletes_the_old_ones(sess, engine):
    lab, m = backed_up(sess, engine, "shared-disk", "vm")
    group = lab.resource_group_name
    before = disks_of(sess, group)
    old = {i for d in before.values() for i in d.values()}
    record = restore(sess, Request(m.id))
    after = disks_of(sess, group)
    new = {i for d in after.values() for i in d.values()}
    assert record.ok and not (old & new) and len(new) == len(old)
    assert all(RESTORED.search(i) for i in new)
    assert group_disks(sess, group) == new  # the old disks are gone
    shared = [d for d in sess.compute.disks.list_by_resource_group(group) if (d.max_shares or 1) > 1]
    assert shared and all(len(d.share_info or []) == len(after) - 1 for d in shared)  # on every node again
    for d in sess.compute.disks.list_by_resource_group(group):
        assert d.creation_data.create_option in ("Copy", "Restore")
        assert d.tags["azguest-lab"] == lab.name and d.tags["azguest-restore"] == record.restore_id


def test_keep_old_disks__keeps_them_unattached(sess, engine):
    lab, m = backed_up(sess, engine, "iscsi", "vm")
    group = lab.resource_group_name
    old = {i for d in disks_of(sess, group).values() for i in d.values()}
    record = restore(sess, Request(m.id, keep_old_disks=True))
    assert record.ok and {i.lower() for i in record.old_disks_kept} == old
    kept = [d for d in sess.compute.disks.list_by_resource_group(group) if d.id.lower() in old]
    assert len(kept) == len(old) and all(d.disk_state == "Unattached" for d in kept)
