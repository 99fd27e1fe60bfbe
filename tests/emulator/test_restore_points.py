"""Restore point collections, restore points and disk restore points."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from azguest.emulator import Engine
from azguest.emulator.profile import Latency
from tests.emulator.lab import LOCATION, Lab, code_of


def _cluster_node(lab: Lab, rg: str):
    """A VM with one unshared data disk (lun 0) and one shared disk (lun 1)."""
    own = lab.disk(rg, size_gb=128)
    shared = lab.disk(rg, size_gb=1024, max_shares=2)
    vm = lab.vm(rg, data_disks=[(own.id, 0, "None"), (shared.id, 1, "None")])
    return vm, own, shared


def _rpc(lab: Lab, rg: str, vm_id: str):
    body = {"location": LOCATION, "properties": {"source": {"id": vm_id}}}
    return lab.s.compute.restore_point_collections.create_or_update(rg, lab.name("rpc"), body)


def _rp_body(exclude: list[str]) -> dict:
    return {"properties": {"excludeDisks": [{"id": d} for d in exclude]}}


def test_restore_point_collection__create_get_list(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    assert rpc.source.id.lower() == vm.id.lower()
    assert rpc.provisioning_state == "Succeeded"
    assert lab.s.compute.restore_point_collections.get(rg, rpc.name).id == rpc.id
    assert [c.name for c in lab.s.compute.restore_point_collections.list(rg)] == [rpc.name]


def test_restore_point__excluding_shared_disk_lists_disk_restore_points(lab: Lab):
    rg = lab.rg()
    vm, own, shared = _cluster_node(lab, rg)
    rpc = _rpc(lab, rg, vm.id)
    rp = lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), _rp_body([shared.id])).result()
    assert rp.provisioning_state == "Succeeded"
    assert {d.id.lower() for d in rp.exclude_disks} == {shared.id.lower()}
    drps = list(lab.s.compute.disk_restore_point.list_by_restore_point(rg, rpc.name, rp.name))
    sources = {d.source_resource_id.lower() for d in drps}
    assert own.id.lower() in sources and shared.id.lower() not in sources
    assert vm.storage_profile.os_disk.managed_disk.id.lower() in sources


def test_restore_point_collection__expand_restore_points(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    rp = lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), _rp_body([])).result()
    collection = lab.s.compute.restore_point_collections.get(rg, rpc.name, expand="restorePoints")
    assert [p.name for p in collection.restore_points or []] == [rp.name]


def test_restore_point__shared_disk_not_excluded_is_refused(lab: Lab):
    rg = lab.rg()
    vm, _, _ = _cluster_node(lab, rg)
    rpc = _rpc(lab, rg, vm.id)
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), _rp_body([])).result()
    assert code_of(ei) in ("InvalidParameter", "OperationNotAllowed", "BadRequest")


def test_restore_point__concurrent_creation_refused(lab: Lab, engine: Engine):
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    engine.profile = engine.profile.replace(latency=Latency(time_scale=0.02))  # restore point: ~1.2 s
    first = lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), _rp_body([]))
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), _rp_body([])).result()
    assert code_of(ei) in ("Conflict", "OperationNotAllowed")
    assert first.result().provisioning_state == "Succeeded"


def test_disk__from_disk_restore_point(lab: Lab):
    rg = lab.rg()
    vm, own, shared = _cluster_node(lab, rg)
    rpc = _rpc(lab, rg, vm.id)
    rp = lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), _rp_body([shared.id])).result()
    drp = next(
        d
        for d in lab.s.compute.disk_restore_point.list_by_restore_point(rg, rpc.name, rp.name)
        if d.source_resource_id.lower() == own.id.lower()
    )
    restored = lab.disk(rg, size_gb=None, create_option="Restore", source_id=drp.id)
    assert restored.creation_data.create_option == "Restore"
    assert restored.disk_size_gb == own.disk_size_gb
    assert restored.disk_state == "Unattached"


def test_restore_point__delete_collection(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), _rp_body([])).result()
    lab.s.compute.restore_point_collections.begin_delete(rg, rpc.name).result()
    assert list(lab.s.compute.restore_point_collections.list(rg)) == []
