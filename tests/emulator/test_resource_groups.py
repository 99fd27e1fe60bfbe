"""Resource groups and the generic resources API, driven through azure-mgmt-resource."""

from __future__ import annotations

from dataclasses import replace

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azguest.azure import arm_errors
from azguest.emulator import Engine
from azguest.errors import AzureError
from tests.emulator.lab import LOCATION, Lab, code_of


def test_resource_group__create_get_list(lab: Lab):
    rg = lab.rg(tags={"azguest-lab": lab.uid})
    got = lab.s.resource.resource_groups.get(rg)
    assert got.name == rg and got.location == LOCATION
    assert got.tags == {"azguest-lab": lab.uid}
    assert got.properties.provisioning_state == "Succeeded"
    assert got.id.lower() == f"/subscriptions/{lab.sub}/resourcegroups/{rg}".lower()
    assert rg in {g.name for g in lab.s.resource.resource_groups.list()}
    assert lab.s.resource.resource_groups.check_existence(rg) is True


def test_resource_group__update_is_idempotent(lab: Lab):
    rg = lab.rg(tags={"a": "1"})
    lab.s.resource.resource_groups.create_or_update(rg, {"location": LOCATION, "tags": {"a": "2"}})
    assert lab.s.resource.resource_groups.get(rg).tags == {"a": "2"}
    assert [g.name for g in lab.s.resource.resource_groups.list()].count(rg) == 1


def test_resource_group__tag_filtered_list(lab: Lab):
    mine = lab.rg(tags={"azguest-lab": f"lab-{lab.uid}", "azguest-created": "true"})
    other = lab.rg(tags={"azguest-lab": f"other-{lab.uid}"})
    untagged = lab.rg()
    flt = f"tagName eq 'azguest-lab' and tagValue eq 'lab-{lab.uid}'"
    assert [g.name for g in lab.s.resource.resource_groups.list(filter=flt)] == [mine]
    by_name = {g.name for g in lab.s.resource.resource_groups.list(filter="tagName eq 'azguest-lab'")}
    assert {mine, other} <= by_name and untagged not in by_name


def test_resource_group__get_missing(lab: Lab):
    with pytest.raises(ResourceNotFoundError) as ei:
        lab.s.resource.resource_groups.get(f"missing-{lab.uid}")
    assert code_of(ei) == "ResourceGroupNotFound"
    assert lab.s.resource.resource_groups.check_existence(f"missing-{lab.uid}") is False


def test_resource_group__arm_errors_keeps_arm_code(lab: Lab):
    with pytest.raises(AzureError) as ei, arm_errors(target="rg"):
        lab.s.resource.resource_groups.get(f"missing-{lab.uid}")
    assert ei.value.code == "ResourceGroupNotFound" and ei.value.status == 404
    assert isinstance(ei.value.__cause__, ResourceNotFoundError)


def test_resource_group__resource_in_missing_group(lab: Lab):
    with pytest.raises(HttpResponseError) as ei:
        lab.disk(f"missing-{lab.uid}", size_gb=32)
    assert ei.value.status_code == 404 and code_of(ei) == "ResourceGroupNotFound"


def test_resource_group__delete_cascades(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=32)
    vnet = lab.vnet(rg)
    lab.s.resource.resource_groups.begin_delete(rg).result()
    assert lab.s.resource.resource_groups.check_existence(rg) is False
    with pytest.raises(ResourceNotFoundError):
        lab.s.compute.disks.get(rg, disk.name)
    with pytest.raises(ResourceNotFoundError):
        lab.s.network.virtual_networks.get(rg, vnet.name)
    assert all(r.id.lower() != disk.id.lower() for r in lab.s.resource.resources.list())


def test_resource_group__delete_cascades_to_vms_children_and_cross_group_attachments(lab: Lab):
    rg, other = lab.rg(), lab.rg()
    shared = lab.disk(other, size_gb=32)  # in another group, attached to a VM of ``rg``
    vm = lab.vm(rg, data_disks=[(shared.id, 0, "None")])
    coll = lab.name("rpc")
    lab.s.compute.restore_point_collections.create_or_update(
        rg, coll, {"location": LOCATION, "properties": {"source": {"id": vm.id}}})
    lab.s.compute.restore_points.begin_create(rg, coll, "rp1", {"properties": {}}).result()
    lab.s.resource.resource_groups.begin_delete(rg).result()
    lab.rg(rg)  # a new group of the same name is empty: nothing inside survived, children included
    assert list(lab.s.resource.resources.list_by_resource_group(rg)) == []
    with pytest.raises(ResourceNotFoundError):
        lab.s.compute.restore_points.get(rg, coll, "rp1")
    disk = lab.s.compute.disks.get(other, shared.name)
    assert disk.disk_state == "Unattached" and disk.managed_by is None
    lab.s.compute.disks.begin_delete(other, shared.name).result()  # no longer "attached"


def test_resource_group__being_deleted_refuses_writes(lab: Lab, engine: Engine):
    # a delete that takes an hour: PUTs into the group meanwhile get 409 ResourceGroupBeingDeleted
    lat = replace(engine.profile.latency, time_scale=1.0, durations={"default": 0.0, "resourcegroups.delete": 3600})
    rg = lab.rg()
    lab.disk(rg, size_gb=32)
    engine.profile = replace(engine.profile, latency=lat)
    lab.s.resource.resource_groups.begin_delete(rg, polling=False)
    assert lab.s.resource.resource_groups.get(rg).properties.provisioning_state == "Deleting"
    for write in (lambda: lab.disk(rg, size_gb=32), lambda: lab.avset(rg),
                  lambda: lab.s.resource.resource_groups.create_or_update(rg, {"location": LOCATION}),
                  lambda: lab.s.resource.resource_groups.update(rg, {"tags": {"a": "b"}})):
        with pytest.raises(HttpResponseError) as ei:
            write()
        assert ei.value.status_code == 409 and code_of(ei) == "ResourceGroupBeingDeleted"


def test_resource_group__delete_missing(lab: Lab):
    with pytest.raises(ResourceNotFoundError) as ei:
        lab.s.resource.resource_groups.begin_delete(f"missing-{lab.uid}").result()
    assert code_of(ei) == "ResourceGroupNotFound"


def test_resources__list_by_resource_group_and_type_filter(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=32)
    vnet = lab.vnet(rg)
    other = lab.rg()
    lab.disk(other, size_gb=32)
    ids = {r.id.lower(): r.type for r in lab.s.resource.resources.list_by_resource_group(rg)}
    assert ids == {
        disk.id.lower(): "Microsoft.Compute/disks",
        vnet.id.lower(): "Microsoft.Network/virtualNetworks",
    }
    only_disks = lab.s.resource.resources.list_by_resource_group(rg, filter="resourceType eq 'Microsoft.Compute/disks'")
    assert [r.name for r in only_disks] == [disk.name]


def test_resources__list_by_tag(lab: Lab):
    rg = lab.rg()
    tag = {"azguest-lab": f"t-{lab.uid}"}
    body = {
        "location": LOCATION,
        "tags": tag,
        "sku": {"name": "Standard_LRS"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 32},
    }
    tagged = lab.s.compute.disks.begin_create_or_update(rg, lab.name("disk"), body).result()
    lab.disk(rg, size_gb=32)
    flt = f"tagName eq 'azguest-lab' and tagValue eq 't-{lab.uid}'"
    found = list(lab.s.resource.resources.list(filter=flt))
    assert [r.id.lower() for r in found] == [tagged.id.lower()]
    assert found[0].tags == tag


def test_resources__get_by_id(lab: Lab):
    rg = lab.rg()
    disk = lab.disk(rg, size_gb=32)
    got = lab.s.resource.resources.get_by_id(disk.id, api_version="2025-01-02")
    assert got.name == disk.name and got.type == "Microsoft.Compute/disks"
