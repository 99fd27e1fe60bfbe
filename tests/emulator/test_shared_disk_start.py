"""Two VMs that share a disk cannot start at the same moment (azure-docs#108246: one start fails with
OperationNotAllowed "Resource is being used by another operation").

The emulator's model (handlers/virtual_machines.py docstring): a start -- or a create, which starts the
VM -- is refused (synchronous 409) while another VM holding one of the same shared disks is within the
first ``virtualmachines.shareddiskstart`` seconds of its own create/start. Time moves on an injected
clock; nothing sleeps.
"""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from azguest.emulator import Engine
from azguest.emulator.profile import DEFAULT_DURATIONS, Latency
from tests.emulator import fakeclock
from tests.emulator.fakeclock import FakeClock
from tests.emulator.lab import Lab, code_of

WINDOW_S = DEFAULT_DURATIONS["virtualmachines.shareddiskstart"]
CREATE_S = DEFAULT_DURATIONS["virtualmachines.create"]

clocked, engine, clock = fakeclock.clocked, fakeclock.engine, fakeclock.clock  # this module runs on an injected clock


def _azure_time(engine: Engine) -> None:
    engine.profile = engine.profile.replace(latency=Latency(time_scale=1.0))


def _vm_bodies(lab: Lab, rg: str, disk_ids: list[str]) -> dict[str, dict]:
    """One VM body per disk (NICs created now, before Azure latencies: nothing waits on the clock later)."""
    out = {}
    for i, disk_id in enumerate(disk_ids, 1):
        name = f"n{i}"
        out[name] = lab.vm_body(lab.nic(rg, name=f"{name}-nic").id, name=name, data_disks=[(disk_id, 0, "None")])
    return out


def _put_vm(lab: Lab, rg: str, name: str, body: dict):
    return lab.s.compute.virtual_machines.begin_create_or_update(rg, name, body, polling=False).result()


def test_create_of_a_second_vm_while_the_first_sharing_vm_starts_is_refused(lab: Lab, engine: Engine,
                                                                            clock: FakeClock):
    rg = lab.rg()
    shared = lab.disk(rg, size_gb=1024, max_shares=2)
    bodies = _vm_bodies(lab, rg, [shared.id, shared.id])
    _azure_time(engine)
    assert _put_vm(lab, rg, "n1", bodies["n1"]).provisioning_state == "Creating"
    clock.advance(WINDOW_S / 2)
    with pytest.raises(HttpResponseError) as ei:
        _put_vm(lab, rg, "n2", bodies["n2"])
    assert ei.value.status_code == 409 and code_of(ei) == "OperationNotAllowed"
    clock.advance(WINDOW_S / 2 + 1)  # n1 still creating, but past its start window
    assert _put_vm(lab, rg, "n2", bodies["n2"]).provisioning_state == "Creating"
    clock.advance(CREATE_S)
    for vm in ("n1", "n2"):
        assert lab.s.compute.virtual_machines.get(rg, vm).provisioning_state == "Succeeded"
    assert len(lab.s.compute.disks.get(rg, shared.name).managed_by_extended) == 2


def test_start_of_a_vm_while_another_sharing_vm_starts_is_refused(lab: Lab, engine: Engine, clock: FakeClock):
    rg = lab.rg()
    shared = lab.disk(rg, size_gb=1024, max_shares=2)
    vms = [lab.vm(rg, data_disks=[(shared.id, 0, "None")]).name for _ in range(2)]
    ops = lab.s.compute.virtual_machines
    for vm in vms:
        ops.begin_deallocate(rg, vm).result()
    _azure_time(engine)
    ops.begin_start(rg, vms[0], polling=False).result()
    with pytest.raises(HttpResponseError) as ei:
        ops.begin_start(rg, vms[1], polling=False).result()
    assert ei.value.status_code == 409 and code_of(ei) == "OperationNotAllowed"
    assert lab.power_state(rg, vms[1]) == "PowerState/deallocated"
    clock.advance(WINDOW_S + 1)
    ops.begin_start(rg, vms[1], polling=False).result()
    clock.advance(DEFAULT_DURATIONS["virtualmachines.start"])
    assert [lab.power_state(rg, vm) for vm in vms] == ["PowerState/running"] * 2


def test_vms_that_share_no_disk_start_together(lab: Lab, engine: Engine):
    rg = lab.rg()
    bodies = _vm_bodies(lab, rg, [lab.disk(rg, size_gb=128).id, lab.disk(rg, size_gb=128).id])
    _azure_time(engine)
    for name, body in bodies.items():
        assert _put_vm(lab, rg, name, body).provisioning_state == "Creating"
