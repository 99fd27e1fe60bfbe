"""Restore point collections, restore points and disk restore points.

The engine runs on an injected clock (``tests.emulator.fakeclock``): the minimum intervals and the
hourly throttle are tested by moving that clock, never by sleeping. Codes and shapes follow
``azguest.catalog.restore_points`` (restore-point-troubleshooting.md, concepts-restore-points.md).
"""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from azguest.catalog.restore_points import MODE_LIMITS
from azguest.emulator import Engine
from azguest.emulator.profile import Latency
from tests.emulator import fakeclock
from tests.emulator.fakeclock import FakeClock
from tests.emulator.lab import LOCATION, Lab, code_of

APP_INTERVAL_S = MODE_LIMITS["applicationconsistent"].min_interval_s  # 3 h
CRASH_INTERVAL_S = MODE_LIMITS["crashconsistent"].min_interval_s  # 1 h

clocked, engine, clock = fakeclock.clocked, fakeclock.engine, fakeclock.clock  # this module runs on an injected clock


def _cluster_node(lab: Lab, rg: str):
    """A VM with one unshared data disk (lun 0) and one shared disk (lun 1)."""
    own = lab.disk(rg, size_gb=128)
    shared = lab.disk(rg, size_gb=1024, max_shares=2)
    vm = lab.vm(rg, data_disks=[(own.id, 0, "None"), (shared.id, 1, "None")])
    return vm, own, shared


def _rpc(lab: Lab, rg: str, vm_id: str):
    body = {"location": LOCATION, "properties": {"source": {"id": vm_id}}}
    return lab.s.compute.restore_point_collections.create_or_update(rg, lab.name("rpc"), body)


def _rp_body(exclude: list[str], mode: str | None = None) -> dict:
    props: dict = {"excludeDisks": [{"id": d} for d in exclude]}
    if mode:
        props["consistencyMode"] = mode
    return {"properties": props}


def _failed_creation(lab: Lab, rg: str, rpc: str, body: dict) -> str | None:
    """Create a restore point that Azure accepts and then fails: the operation's ARM code. The restore
    point exists afterwards, Failed (a failed creation, not a synchronous refusal)."""
    name = lab.name("rp")
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.restore_points.begin_create(rg, rpc, name, body).result()
    assert lab.s.compute.restore_points.get(rg, rpc, name).provisioning_state == "Failed"
    assert list(lab.s.compute.disk_restore_point.list_by_restore_point(rg, rpc, name)) == []
    return code_of(ei)


def _create(lab: Lab, rg: str, rpc: str, body: dict) -> str:
    rp = lab.s.compute.restore_points.begin_create(rg, rpc, lab.name("rp"), body).result()
    assert rp.provisioning_state == "Succeeded"
    return rp.name


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


def test_restore_point__shared_disk_not_excluded_is_a_failed_creation(lab: Lab):
    rg = lab.rg()
    vm, _, _ = _cluster_node(lab, rg)
    rpc = _rpc(lab, rg, vm.id)
    assert _failed_creation(lab, rg, rpc.name, _rp_body([])) == "VMRestorePointClientError"


def test_restore_point__second_while_one_is_created_is_a_failed_creation(lab: Lab, engine: Engine, clock: FakeClock):
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    engine.profile = engine.profile.replace(latency=Latency(time_scale=1.0))  # a restore point takes 60 s
    first = lab.s.compute.restore_points.begin_create(rg, rpc.name, "first", _rp_body([]), polling=False).result()
    assert first.provisioning_state == "Creating"
    assert _failed_creation(lab, rg, rpc.name, _rp_body([], "CrashConsistent")) == "VMRestorePointClientError"
    clock.advance(61)
    assert lab.s.compute.restore_points.get(rg, rpc.name, "first").provisioning_state == "Succeeded"


@pytest.mark.parametrize("mode", ["ApplicationConsistent", "CrashConsistent"])
@pytest.mark.parametrize("action", ["begin_deallocate", "begin_power_off"])
def test_restore_point__of_a_vm_that_is_not_running_fails(lab: Lab, mode: str, action: str):
    # Chosen: both modes fail (a crash-consistent point of a deallocated VM is unconfirmed in Azure's docs).
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    getattr(lab.s.compute.virtual_machines, action)(rg, vm.name).result()
    assert _failed_creation(lab, rg, rpc.name, _rp_body([], mode)) == "VMAgentStatusCommunicationError"
    lab.s.compute.virtual_machines.begin_start(rg, vm.name).result()
    _create(lab, rg, rpc.name, _rp_body([], mode))


@pytest.mark.parametrize(("mode", "interval"), [("ApplicationConsistent", APP_INTERVAL_S),
                                                ("CrashConsistent", CRASH_INTERVAL_S)])
def test_restore_point__minimum_interval_per_vm_and_mode(lab: Lab, clock: FakeClock, mode: str, interval: float):
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    _create(lab, rg, rpc.name, _rp_body([], mode))
    clock.advance(interval - 60)
    assert _failed_creation(lab, rg, rpc.name, _rp_body([], mode)) == "VMRestorePointClientError"
    other = "CrashConsistent" if mode == "ApplicationConsistent" else "ApplicationConsistent"
    _create(lab, rg, rpc.name, _rp_body([], other))  # the interval is per consistency mode
    clock.advance(61)
    _create(lab, rg, rpc.name, _rp_body([], mode))


def test_restore_point__fourth_put_in_an_hour_is_throttled_with_retry_after(lab: Lab, clock: FakeClock):
    rg = lab.rg()
    vm = lab.vm(rg)
    rpc = _rpc(lab, rg, vm.id)
    crash = _rp_body([], "CrashConsistent")
    _create(lab, rg, rpc.name, crash)
    clock.advance(600)
    for _ in range(2):  # too soon: accepted, then failed -- they still count as PUTs
        assert _failed_creation(lab, rg, rpc.name, crash) == "VMRestorePointClientError"
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.restore_points.begin_create(rg, rpc.name, lab.name("rp"), crash, retry_total=0)
    assert ei.value.status_code == 429
    wait = int(ei.value.response.headers["Retry-After"])
    assert 3000 - 5 <= wait <= 3000 + 5  # until the first PUT (600 s ago) leaves the hour
    assert all(rp.provisioning_state != "Creating" for rp in lab.s.compute.restore_point_collections.get(
        rg, rpc.name, expand="restorePoints").restore_points)
    clock.advance(wait)
    _create(lab, rg, rpc.name, crash)


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
