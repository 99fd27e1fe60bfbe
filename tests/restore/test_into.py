"""--into NEWLAB: a separate, isolated lab from one backup (raw SDK reads): its own group and VNet with the same
address space and no peering, no public IP and no inbound rule, its own witness account (the cluster moved to
it), lab tag and expiry; VMs on attached OS disks made from the backup. And the refusals: an incomplete backup,
an in-guest one this build cannot restore, a target lab that exists."""

from __future__ import annotations

import dataclasses

import pytest

from azguest.backup import store
from azguest.errors import ConflictError, PreflightError
from azguest.guest.health import run_checks
from azguest.restore.core import Request, restore
from tests.restore.conftest import backed_up


def test_into__own_vnet_same_space_no_peering_no_public_ip_own_witness_and_expiry(sess, engine):
    lab, m = backed_up(sess, engine, "s2d", "cold")
    record = restore(sess, Request(m.id, into="hv-student1", expires="1d"))
    assert record.ok and record.mode == "into"
    src, new = lab.resource_group_name, record.resource_group
    assert new != src
    net = sess.network
    (v_src,), (v_new,) = list(net.virtual_networks.list(src)), list(net.virtual_networks.list(new))
    assert v_new.id != v_src.id and v_new.address_space.address_prefixes == v_src.address_space.address_prefixes
    assert not v_new.virtual_network_peerings and not v_src.virtual_network_peerings
    assert not list(net.public_ip_addresses.list(new))
    assert all(not nsg.security_rules for nsg in net.network_security_groups.list(new))
    group = sess.resource.resource_groups.get(new)
    assert group.tags["azguest-lab"] == "hv-student1" and group.tags["azguest-restored-from"] == m.id
    assert group.tags["azguest-expires-after"] == "1d" and group.tags["azguest-expires"]
    accounts = {a.name for a in sess.storage.storage_accounts.list_by_resource_group(new)}
    assert accounts and not accounts & {a.name for a in sess.storage.storage_accounts.list_by_resource_group(src)}
    for vm in sess.compute.virtual_machines.list(new):
        os_disk = vm.storage_profile.os_disk
        assert os_disk.create_option == "Attach" and vm.storage_profile.image_reference is None
        assert vm.os_profile is None  # the guest, its name and accounts come from the disk: no password needed
        disk = sess.compute.disks.get(new, os_disk.name)
        assert disk.creation_data.create_option == "Copy"  # from the cold backup's snapshot
    report = run_checks(sess, "hv-student1")
    assert report.ok, [c.to_dict() for c in report.failed()]
    witness = next(c for c in report.checks if c.name == "witness-online")
    (account,) = accounts
    assert witness.ok and f"Cloud witness {account} is Online" == witness.detail  # its own account, not the original's
    assert run_checks(sess, lab.name).ok  # the original is untouched


def test_into__an_existing_lab_name_is_refused(sess, engine):
    lab, m = backed_up(sess, engine, "iscsi", "vm")
    with pytest.raises(ConflictError) as info:
        restore(sess, Request(m.id, into=lab.name))
    assert info.value.code == "AZG-RESTORE-TARGET-EXISTS"


@pytest.mark.parametrize("status", ["running", "failed"])
def test_incomplete_backup__is_refused_before_any_write(sess, engine, status):
    lab, m = backed_up(sess, engine, "iscsi", "vm")
    store.write(sess, dataclasses.replace(m, status=status))
    engine.reset_log()
    for into in (None, "hv-copy"):
        with pytest.raises(PreflightError) as info:
            restore(sess, Request(m.id, into=into))
        assert info.value.code == "AZG-RESTORE-INCOMPLETE" and status in info.value.message
    assert not [e for e in engine.request_log if e.method in ("PUT", "PATCH", "DELETE", "POST")]

