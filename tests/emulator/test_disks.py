"""Managed disks and snapshots: maxShares tiers, shared-disk rules, state, copies."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from tests.emulator.lab import Lab, code_of


def test_disk__create_empty_premium(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=256)
    assert disk.sku.name == "Premium_LRS"
    assert disk.disk_size_gb == 256
    assert disk.provisioning_state == "Succeeded"
    assert disk.disk_state == "Unattached"
    assert disk.managed_by is None
    assert lab.s.compute.disks.get(rg, disk.name).id == disk.id


def test_disk__list_by_group_and_delete(lab: Lab):
    rg = lab.rg()
    a, b = lab.disk(rg, size_gb=32), lab.disk(rg, size_gb=32)
    assert {d.name for d in lab.s.compute.disks.list_by_resource_group(rg)} == {a.name, b.name}
    assert {a.id, b.id} <= {d.id for d in lab.s.compute.disks.list()}
    lab.s.compute.disks.begin_delete(rg, a.name).result()
    with pytest.raises(ResourceNotFoundError) as ei:
        lab.s.compute.disks.get(rg, a.name)
    assert code_of(ei) == "ResourceNotFound"


@pytest.mark.parametrize(
    ("sku", "size_gb", "max_shares"),
    [
        ("Premium_LRS", 256, 3),  # P15: P1-P20 -> 3
        ("Premium_LRS", 1024, 5),  # P30: P30-P50 -> 5
        ("Premium_LRS", 8192, 10),  # P60: P60-P80 -> 10
        ("StandardSSD_LRS", 512, 3),  # E20
        ("UltraSSD_LRS", 1024, 15),
        ("PremiumV2_LRS", 1024, 15),
    ],
)
def test_disk__max_shares_at_tier_limit(lab: Lab, sku: str, size_gb: int, max_shares: int):
    disk = lab.disk(lab.rg(), sku=sku, size_gb=size_gb, max_shares=max_shares)
    assert disk.max_shares == max_shares
    assert disk.disk_state == "Unattached"


@pytest.mark.parametrize(
    ("sku", "size_gb", "max_shares"),
    [
        ("Premium_LRS", 256, 4),
        ("Premium_LRS", 1024, 6),
        ("StandardSSD_LRS", 4096, 6),
        ("UltraSSD_LRS", 1024, 16),
        ("Standard_LRS", 1024, 2),  # Standard HDD can't be shared
    ],
)
def test_disk__max_shares_over_tier_limit(lab: Lab, sku: str, size_gb: int, max_shares: int):
    with pytest.raises(HttpResponseError) as ei:
        lab.disk(lab.rg(), sku=sku, size_gb=size_gb, max_shares=max_shares)
    assert ei.value.status_code == 400
    assert code_of(ei) == "BadRequest"  # terraform-provider-azurerm#13584: "MaxShares 'N' for disk ... is invalid"


def test_disk__resize_attached_to_a_running_vm_is_a_conflict_until_deallocated(lab: Lab):
    # AZD error-messages.md: Conflict "Disk resizing is allowed only when creating a VM or when the VM is deallocated."
    # Growing across 4 TiB is one of the resizes Azure does not do online (catalog.disk_expand).
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=4096)
    vm = lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.disks.begin_update(rg, disk.name, {"properties": {"diskSizeGB": 8192}}).result()
    assert ei.value.status_code == 409 and code_of(ei) == "Conflict"
    assert lab.s.compute.disks.get(rg, disk.name).disk_size_gb == 4096
    lab.s.compute.virtual_machines.begin_deallocate(rg, vm.name).result()
    grown = lab.s.compute.disks.begin_update(rg, disk.name, {"properties": {"diskSizeGB": 8192}}).result()
    assert grown.disk_size_gb == 8192


@pytest.mark.parametrize(("sku", "old", "new"), [("Premium_LRS", 256, 512), ("StandardSSD_LRS", 128, 4096),
                                              ("Premium_LRS", 8192, 16384), ("PremiumV2_LRS", 1024, 8192)])
def test_disk__attached_non_shared_data_disk_grows_while_the_vm_runs(lab: Lab, sku: str, old: int, new: int):
    # ACD expand-without-downtime restrictions: data disks, not shared, not across 4 TiB (Standard/Premium SSD, HDD)
    rg = lab.rg()
    disk = lab.disk(rg, sku=sku, size_gb=old)
    vm = lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    grown = lab.s.compute.disks.begin_update(rg, disk.name, {"properties": {"diskSizeGB": new}}).result()
    assert grown.disk_size_gb == new and grown.disk_state == "Attached"
    assert lab.power_state(rg, vm.name) == "PowerState/running"


def test_disk__os_disk_of_a_running_vm_does_not_grow_online(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    os_disk = vm.storage_profile.os_disk.managed_disk.id.rsplit("/", 1)[-1]
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.disks.begin_update(rg, os_disk, {"properties": {"diskSizeGB": 256}}).result()
    assert ei.value.status_code == 409 and code_of(ei) == "Conflict"


def test_disk__max_shares_change_while_detached(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    patched = lab.s.compute.disks.begin_update(rg, disk.name, {"properties": {"maxShares": 5}}).result()
    assert patched.max_shares == 5


def test_disk__max_shares_change_refused_while_attached(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.disks.begin_update(rg, disk.name, {"properties": {"maxShares": 3}}).result()
    assert code_of(ei) in ("PropertyChangeNotAllowed", "OperationNotAllowed")
    assert lab.s.compute.disks.get(rg, disk.name).max_shares == 2


def test_disk__shared_attach_sets_managed_by_extended(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    vm1 = lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    vm2 = lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    got = lab.s.compute.disks.get(rg, disk.name)
    assert got.disk_state == "Attached"
    assert {i.lower() for i in got.managed_by_extended} == {vm1.id.lower(), vm2.id.lower()}
    assert {s.vm_uri.lower() for s in got.share_info} == {vm1.id.lower(), vm2.id.lower()}


def test_disk__unshared_attach_sets_managed_by(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=128)
    vm = lab.vm(rg, data_disks=[(disk.id, 0, "ReadOnly")])
    got = lab.s.compute.disks.get(rg, disk.name)
    assert got.disk_state == "Attached"
    assert got.managed_by.lower() == vm.id.lower()


def test_disk__delete_attached_refused(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=128)
    lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.disks.begin_delete(rg, disk.name).result()
    assert ei.value.status_code in (400, 409)
    assert code_of(ei) == "OperationNotAllowed"


def test_disk__from_snapshot(lab: Lab):
    rg = lab.rg()
    src = lab.disk(rg, size_gb=128)
    snap = lab.s.compute.snapshots.begin_create_or_update(
        rg, lab.name("snap"), _snapshot_body(src.id, incremental=True)
    ).result()
    copy = lab.disk(rg, size_gb=None, create_option="Copy", source_id=snap.id)
    assert copy.creation_data.create_option == "Copy"
    assert copy.creation_data.source_resource_id.lower() == snap.id.lower()
    assert copy.disk_size_gb == 128


def test_disk__from_missing_snapshot(lab: Lab):
    rg = lab.rg()
    missing = lab.rid(rg, "Microsoft.Compute/snapshots", f"missing-{lab.uid}")
    with pytest.raises(HttpResponseError) as ei:
        lab.disk(rg, size_gb=None, create_option="Copy", source_id=missing)
    assert code_of(ei) in ("NotFound", "ResourceNotFound")


def _snapshot_body(source_id: str, *, incremental: bool, policy: str | None = None) -> dict:
    props: dict = {"creationData": {"createOption": "Copy", "sourceResourceId": source_id}, "incremental": incremental}
    if policy:
        props["networkAccessPolicy"] = policy
    return {"location": "eastus", "sku": {"name": "Standard_ZRS"}, "properties": props}


@pytest.mark.parametrize("incremental", [False, True])
def test_snapshot__full_and_incremental(lab: Lab, incremental: bool):
    rg = lab.rg()
    src = lab.disk(rg, size_gb=128)
    body = _snapshot_body(src.id, incremental=incremental, policy="DenyAll")
    snap = lab.s.compute.snapshots.begin_create_or_update(rg, lab.name("snap"), body).result()
    assert snap.incremental is incremental
    assert snap.network_access_policy == "DenyAll"
    assert snap.provisioning_state == "Succeeded"
    assert snap.disk_size_gb == 128
    assert snap.creation_data.source_resource_id.lower() == src.id.lower()
    assert [s.name for s in lab.s.compute.snapshots.list_by_resource_group(rg)] == [snap.name]
    assert lab.s.compute.snapshots.get(rg, snap.name).id == snap.id


def test_snapshot__of_attached_shared_disk_allowed(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    snap = lab.s.compute.snapshots.begin_create_or_update(
        rg, lab.name("snap"), _snapshot_body(disk.id, incremental=True)
    ).result()
    assert snap.provisioning_state == "Succeeded"


def test_snapshot__of_missing_disk(lab: Lab):
    rg = lab.rg()
    missing = lab.rid(rg, "Microsoft.Compute/disks", f"missing-{lab.uid}")
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.snapshots.begin_create_or_update(
            rg, lab.name("snap"), _snapshot_body(missing, incremental=True)
        ).result()
    assert code_of(ei) in ("NotFound", "ResourceNotFound")


def test_snapshot__delete(lab: Lab):
    rg = lab.rg()
    src = lab.disk(rg, size_gb=32)
    snap = lab.s.compute.snapshots.begin_create_or_update(
        rg, lab.name("snap"), _snapshot_body(src.id, incremental=False)
    ).result()
    lab.s.compute.snapshots.begin_delete(rg, snap.name).result()
    assert list(lab.s.compute.snapshots.list_by_resource_group(rg)) == []
