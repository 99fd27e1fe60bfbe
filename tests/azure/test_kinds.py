"""The adaptor's kind table driven through the real SDK and the emulator: child resources addressed by id,
POST actions that wait for their LRO, child listings, and the read-only lookups preflight uses."""

from __future__ import annotations

import pytest

from azguest.azure import AzureSession, lookups
from azguest.azure import kinds as K
from azguest.azure.ids import ArmId
from tests.emulator.lab import LOCATION, Lab

SUB = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def lab(session: AzureSession, uid: str) -> Lab:
    return Lab(session, uid)


def test_args__child_kinds_take_the_group_then_every_name_from_the_parent_down() -> None:
    rc = K.KINDS["runCommand"].arm_id(SUB, "rg1", "vm1/rc1")
    assert str(rc).endswith("/providers/Microsoft.Compute/virtualMachines/vm1/runCommands/rc1")
    assert K.KINDS["runCommand"].args(rc) == ("rg1", "vm1", "rc1")
    rp = K.KINDS["restorePoint"].arm_id(SUB, "rg1", "c1/p1")
    assert K.KINDS["restorePoint"].args(str(rp)) == ("rg1", "c1", "p1")
    assert K.KINDS["vm"].args(rc.parent) == ("rg1", "vm1")
    assert K.KINDS["resourceGroup"].args(ArmId.for_group(SUB, "rg1")) == ("rg1",)
    sched = K.KINDS["schedule"].arm_id(SUB, "rg1", "shutdown-computevm-vm1")
    assert K.KINDS["schedule"].args(sched) == (str(sched),)  # the generic API takes the id
    with pytest.raises(ValueError):
        K.KINDS["vm"].args(rc)  # a run command id is not a VM id


def test_kinds__every_child_names_an_existing_parent_and_a_way_to_list() -> None:
    for kind in K.CHILD_KINDS:
        parent = K.KINDS[str(kind.parent)]
        assert kind.arm_type.rsplit("/", 1)[0] == parent.arm_type
        assert (kind.list_children is None) != (kind.children_via is None), kind.key
        assert kind.delete_rank < parent.delete_rank  # children go before their parent on destroy


def test_action__deallocate_start_restart_power_off_each_wait_for_the_operation(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)
    kind = K.KINDS["vm"]
    for action, state in (("deallocate", "deallocated"), ("start", "running"), ("restart", "running"),
                          ("power_off", "stopped")):
        assert K.action(lab.s, kind, vm.id, action) == {}
        assert lab.power_state(rg, vm.name) == f"PowerState/{state}", action
    with pytest.raises(ValueError, match="no action 'redeploy'"):
        K.action(lab.s, kind, vm.id, "redeploy")


def test_action__run_command_returns_the_guest_output(lab: Lab, engine) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)
    engine.guest_hook = lambda vm_id, script, params: (0, f"ran {script} on {vm_id.rsplit('/', 1)[1]}", "")
    out = K.action(lab.s, K.KINDS["vm"], vm.id, "run_command",
                   {"commandId": "RunPowerShellScript", "script": ["hostname"]})
    assert f"on {vm.name}" in str(out["value"][0]["message"])


def test_child__managed_run_command_put_get_list_delete_by_id(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)
    kind = K.KINDS["runCommand"]
    rc_id = ArmId.parse(vm.id).child("runCommands", "step1")
    body = {"location": LOCATION, "tags": {"azguest-lab": "x"},
            "properties": {"source": {"script": "# azguest-step: hello\nWrite-Output hi"}}}
    put = K.put(lab.s, kind, rc_id, body)
    assert put["id"].lower() == str(rc_id).lower() and put["tags"] == {"azguest-lab": "x"}
    view = K.get(lab.s, kind, rc_id, expand="instanceView")
    assert view["properties"]["instanceView"]["executionState"] == "Succeeded"
    assert [c["name"] for c in K.list_children(lab.s, kind, vm.id)] == ["step1"]
    K.delete(lab.s, kind, str(rc_id))
    assert K.list_children(lab.s, kind, vm.id) == []
    with pytest.raises(ValueError, match="use list_children"):
        K.list_in_group(lab.s, kind, rg)


def test_child__restore_points_are_listed_through_the_collection(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg)
    coll = K.KINDS["restorePointCollection"].arm_id(lab.sub, rg, lab.name("rpc"))
    K.put(lab.s, K.KINDS["restorePointCollection"], coll, {"location": LOCATION,
                                                           "properties": {"source": {"id": vm.id}}})
    assert K.list_children(lab.s, K.KINDS["restorePoint"], coll) == []
    rp = coll.child("restorePoints", "rp1")
    K.put(lab.s, K.KINDS["restorePoint"], rp, {"properties": {"consistencyMode": "CrashConsistent"}})
    listed = K.list_children(lab.s, K.KINDS["restorePoint"], coll)
    assert [ArmId.parse(p["id"]).key for p in listed] == [rp.key]


def test_resource_group_put_get_delete_by_its_id(lab: Lab) -> None:
    kind, name = K.KINDS["resourceGroup"], lab.name("rg")
    K.put(lab.s, kind, kind.arm_id(lab.sub, name), {"location": LOCATION})
    assert K.get(lab.s, kind, f"/subscriptions/{lab.sub}/resourceGroups/{name}")["name"] == name
    assert K.list_group_resources(lab.s, name) == []
    K.delete(lab.s, kind, ArmId.for_group(lab.sub, name))
    assert not lab.s.resource.resource_groups.check_existence(name)


def test_lookups__usages_skus_and_storage_names_as_wire_json(lab: Lab, engine) -> None:
    engine.set_quota(LOCATION, "standardDSv5Family", 7)
    usages = {u["name"]["value"]: u for u in lookups.compute_usages(lab.s, LOCATION)}
    assert usages["standardDSv5Family"]["limit"] == 7 and usages["standardDSv5Family"]["currentValue"] == 0
    skus = lookups.resource_skus(lab.s, LOCATION)
    assert any(s["name"] == "Standard_D4s_v5" and s["resourceType"] == "virtualMachines" for s in skus)
    name = f"st{lab.uid}"
    assert lookups.storage_name_availability(lab.s, name)["nameAvailable"] is True
    rg = lab.rg()
    lab.s.storage.storage_accounts.begin_create(
        rg, name, {"location": LOCATION, "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}).result()
    taken = lookups.storage_name_availability(lab.s, name)
    assert taken["nameAvailable"] is False and taken["reason"] == "AlreadyExists"
