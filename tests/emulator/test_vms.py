"""Virtual machines: references, storage rules, power state, quota, availability sets."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azguest.emulator import Engine
from tests.emulator.lab import LOCATION, NON_PREMIUM_SIZE, PREMIUM_SIZE, Lab, code_of

MISSING_REFERENCE_CODES = ("NotFound", "ResourceNotFound", "InvalidParameter", "InvalidResourceReference")


def test_vm__create_get_list(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    assert vm.provisioning_state == "Succeeded"
    assert vm.hardware_profile.vm_size == PREMIUM_SIZE
    assert vm.vm_id
    assert vm.os_profile.admin_password is None  # never echoed
    assert [v.name for v in lab.s.compute.virtual_machines.list(rg)] == [vm.name]
    assert vm.id in {v.id for v in lab.s.compute.virtual_machines.list_all()}
    assert lab.s.compute.virtual_machines.get(rg, vm.name).id == vm.id


def test_vm__os_disk_is_a_managed_disk(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    os_disk = vm.storage_profile.os_disk
    assert os_disk.managed_disk.id
    disk = lab.s.compute.disks.get(rg, os_disk.name)
    assert disk.disk_state == "Attached"
    assert disk.managed_by.lower() == vm.id.lower()


def test_vm__nic_points_back_to_vm(lab: Lab):
    rg = lab.rg()
    nic = lab.nic(rg)
    vm = lab.vm(rg, nic_id=nic.id)
    assert lab.s.network.network_interfaces.get(rg, nic.name).virtual_machine.id.lower() == vm.id.lower()


def test_vm__instance_view_running(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    view = lab.s.compute.virtual_machines.instance_view(rg, vm.name)
    codes = [s.code for s in view.statuses]
    assert "ProvisioningState/succeeded" in codes and "PowerState/running" in codes
    expanded = lab.s.compute.virtual_machines.get(rg, vm.name, expand="instanceView")
    assert "PowerState/running" in [s.code for s in expanded.instance_view.statuses]


def test_vm__power_cycle(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg).name
    ops = lab.s.compute.virtual_machines
    ops.begin_power_off(rg, vm).result()
    assert lab.power_state(rg, vm) == "PowerState/stopped"
    ops.begin_start(rg, vm).result()
    assert lab.power_state(rg, vm) == "PowerState/running"
    ops.begin_deallocate(rg, vm).result()
    assert lab.power_state(rg, vm) == "PowerState/deallocated"
    ops.begin_start(rg, vm).result()
    ops.begin_restart(rg, vm).result()
    assert lab.power_state(rg, vm) == "PowerState/running"


def test_vm__delete_detaches_disks(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    vm = lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    lab.s.compute.virtual_machines.begin_delete(rg, vm.name).result()
    with pytest.raises(ResourceNotFoundError) as ei:
        lab.s.compute.virtual_machines.get(rg, vm.name)
    assert code_of(ei) == "ResourceNotFound"
    got = lab.s.compute.disks.get(rg, disk.name)
    assert got.disk_state == "Unattached" and not got.managed_by_extended


@pytest.mark.parametrize("missing", ["nic", "disk", "avset"])
def test_vm__missing_reference(lab: Lab, missing: str):
    rg = lab.rg()
    nic_id = lab.nic(rg).id
    kw: dict = {}
    if missing == "nic":
        nic_id = lab.rid(rg, "Microsoft.Network/networkInterfaces", f"missing-{lab.uid}")
    elif missing == "disk":
        kw["data_disks"] = [(lab.rid(rg, "Microsoft.Compute/disks", f"missing-{lab.uid}"), 0, "None")]
    else:
        kw["avset_id"] = lab.rid(rg, "Microsoft.Compute/availabilitySets", f"missing-{lab.uid}")
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg, nic_id=nic_id, **kw)
    assert code_of(ei) in MISSING_REFERENCE_CODES
    assert list(lab.s.compute.virtual_machines.list(rg)) == []


def test_vm__premium_os_disk_needs_premium_size(lab: Lab):
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(lab.rg(), size=NON_PREMIUM_SIZE, os_sku="Premium_LRS")
    assert ei.value.status_code == 400 and code_of(ei) == "InvalidParameter"


def test_vm__premium_data_disk_needs_premium_size(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=128)
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg, size=NON_PREMIUM_SIZE, os_sku="StandardSSD_LRS", data_disks=[(disk.id, 0, "None")])
    assert code_of(ei) == "InvalidParameter"


def test_vm__non_premium_size_with_standard_ssd_works(lab: Lab):
    vm = lab.vm(lab.rg(), size=NON_PREMIUM_SIZE, os_sku="StandardSSD_LRS")
    assert vm.provisioning_state == "Succeeded"


def _conflicting_attach(lab: Lab, rg: str, disk_id: str) -> str:
    """Create a VM with ``disk_id`` at LUN 0, expecting ARM to accept the PUT and then fail the operation
    with ConflictingUserInput (AZD troubleshooting/error-messages.md; azuredisk-csi-driver#1378). Returns
    the VM name; the VM exists afterwards, Failed."""
    name = lab.name("vm")
    body = lab.vm_body(lab.nic(rg, name=f"{name}-nic").id, name=name, data_disks=[(disk_id, 0, "None")])
    first = lab.s.compute.virtual_machines.begin_create_or_update(rg, name, body, polling=False).result()
    assert first.provisioning_state == "Creating"  # accepted: 201
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.virtual_machines.begin_create_or_update(rg, name, body).result()
    assert ei.value.error is not None and ei.value.error.code == "ConflictingUserInput"
    assert lab.s.compute.virtual_machines.get(rg, name).provisioning_state == "Failed"
    return name


def test_vm__shared_disk_over_max_shares_fails_the_operation(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    third = _conflicting_attach(lab, rg, disk.id)
    holders = lab.s.compute.disks.get(rg, disk.name).managed_by_extended
    assert len(holders) == 2 and all(not h.endswith(f"/{third}") for h in holders)


def test_vm__unshared_disk_owned_by_another_vm_fails_the_operation(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=128)
    owner = lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    _conflicting_attach(lab, rg, disk.id)
    assert lab.s.compute.disks.get(rg, disk.name).managed_by.lower() == owner.id.lower()


def test_vm__attach_to_an_existing_vm_over_max_shares_fails_the_update(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=128)
    lab.vm(rg, data_disks=[(disk.id, 0, "None")])
    vm = lab.vm(rg)
    body = lab.vm_body(vm.network_profile.network_interfaces[0].id, name=vm.name, data_disks=[(disk.id, 0, "None")])
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.virtual_machines.begin_create_or_update(rg, vm.name, body).result()
    assert code_of(ei) == "ConflictingUserInput"


@pytest.mark.parametrize("option", ["Delete", "delete"])
def test_vm__shared_disk_with_delete_option_delete_is_refused(lab: Lab, option: str):
    # ACD delete.md FAQ: "For shared disks, you can't set the 'deleteOption' property to 'Delete'".
    # ARM's code for it is undocumented: the emulator answers 400 InvalidParameter (unverified).
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    name = lab.name("vm")
    body = lab.vm_body(lab.nic(rg, name=f"{name}-nic").id, name=name, data_disks=[(disk.id, 0, "None")])
    body["properties"]["storageProfile"]["dataDisks"][0]["deleteOption"] = option
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.virtual_machines.begin_create_or_update(rg, name, body)
    assert ei.value.status_code == 400 and code_of(ei) == "InvalidParameter"
    assert lab.s.compute.disks.get(rg, disk.name).disk_state == "Unattached"
    body["properties"]["storageProfile"]["dataDisks"][0]["deleteOption"] = "Detach"
    lab.s.compute.virtual_machines.begin_create_or_update(rg, name, body).result()


def test_vm__implicit_os_disk_gets_the_vm_tags_at_creation_only(lab: Lab):
    rg = lab.rg()
    name = lab.name("vm")
    body = lab.vm_body(lab.nic(rg, name=f"{name}-nic").id, name=name)
    body["tags"] = {"azguest-lab": "l1", "cost": "a"}
    vm = lab.s.compute.virtual_machines.begin_create_or_update(rg, name, body).result()
    os_disk = vm.storage_profile.os_disk.name
    assert lab.s.compute.disks.get(rg, os_disk).tags == {"azguest-lab": "l1", "cost": "a"}
    body["tags"] = {"azguest-lab": "l1", "cost": "b"}
    lab.s.compute.virtual_machines.begin_create_or_update(rg, name, body).result()
    assert lab.s.compute.disks.get(rg, os_disk).tags == {"azguest-lab": "l1", "cost": "a"}


def test_vm__shared_disk_needs_caching_none(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=1024, max_shares=2)
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg, data_disks=[(disk.id, 0, "ReadOnly")])
    assert code_of(ei) == "BadRequest"  # real ARM: "Shared disk ... supports only CachingType None"


def test_vm__ultra_disk_not_in_availability_set(lab: Lab):
    rg = lab.rg()
    avset = lab.avset(rg)
    disk = lab.disk(rg, sku="UltraSSD_LRS", size_gb=1024, max_shares=2)
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg, avset_id=avset.id, data_disks=[(disk.id, 0, "None")])
    assert code_of(ei) in ("InvalidParameter", "OperationNotAllowed")


def test_availability_set__create_get_and_members(lab: Lab):
    rg = lab.rg()
    avset = lab.avset(rg, fault_domains=2, update_domains=5)
    assert avset.platform_fault_domain_count == 2 and avset.platform_update_domain_count == 5
    assert avset.sku.name == "Aligned"
    vm1 = lab.vm(rg, avset_id=avset.id)
    vm2 = lab.vm(rg, avset_id=avset.id)
    got = lab.s.compute.availability_sets.get(rg, avset.name)
    assert {r.id.lower() for r in got.virtual_machines} == {vm1.id.lower(), vm2.id.lower()}
    assert vm1.availability_set.id.lower() == avset.id.lower()
    assert [a.name for a in lab.s.compute.availability_sets.list(rg)] == [avset.name]


def test_availability_set__classic_set_refuses_managed_disk_vm(lab: Lab):
    # ARM: 400 BadRequest (AZD troubleshooting/error-messages.md) "Addition of a VM with managed disks to
    # non-managed Availability Set ...
    # Please create an Availability Set with 'Aligned' SKU"
    rg = lab.rg()
    body = {"location": LOCATION, "sku": {"name": "Classic"},
            "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 5}}
    classic = lab.s.compute.availability_sets.create_or_update(rg, lab.name("avset"), body)
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg, avset_id=classic.id)
    assert ei.value.status_code == 400 and code_of(ei) == "BadRequest"
    assert lab.s.compute.availability_sets.get(rg, classic.name).virtual_machines == []


def test_availability_set__too_many_fault_domains(lab: Lab):
    with pytest.raises(HttpResponseError) as ei:
        lab.avset(lab.rg(), fault_domains=4)
    assert code_of(ei) == "InvalidParameter"


def test_availability_set__delete(lab: Lab):
    rg = lab.rg()
    avset = lab.avset(rg)
    lab.s.compute.availability_sets.delete(rg, avset.name)
    with pytest.raises(ResourceNotFoundError):
        lab.s.compute.availability_sets.get(rg, avset.name)


def _usage(lab: Lab, name: str):
    return next(u for u in lab.s.compute.usage.list(LOCATION) if u.name.value == name)


def test_quota__usages_count_cores_and_family(lab: Lab):
    rg = lab.rg()
    before = _usage(lab, "cores").current_value
    lab.vm(rg)
    cores, family = _usage(lab, "cores"), _usage(lab, "standardDSv5Family")
    assert cores.current_value == before + 4 and cores.limit > 0 and cores.unit == "Count"
    assert family.current_value >= 4
    assert cores.name.localized_value == "Total Regional vCPUs"


def test_quota__enforced_on_create_and_deallocated_still_counts(lab: Lab, engine: Engine):
    engine.set_quota(LOCATION, "standardDSv5Family", 8)
    rg = lab.rg()
    first = lab.vm(rg)
    lab.vm(rg)
    assert _usage(lab, "standardDSv5Family").limit == 8
    lab.s.compute.virtual_machines.begin_deallocate(rg, first.name).result()
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg)
    assert code_of(ei) == "OperationNotAllowed"
    assert len(list(lab.s.compute.virtual_machines.list(rg))) == 2


def test_quota__total_regional_cores(lab: Lab, engine: Engine):
    engine.set_quota(LOCATION, "cores", 4)
    rg = lab.rg()
    lab.vm(rg)
    with pytest.raises(HttpResponseError) as ei:
        lab.vm(rg, size=NON_PREMIUM_SIZE, os_sku="StandardSSD_LRS")
    assert code_of(ei) == "OperationNotAllowed"
