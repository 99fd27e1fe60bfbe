"""After an in-place restore the lab's disks have new names (``<name>-r<stamp>``) and carry
``azguest-slot=<the planner's name>``: the unchanged spec plans no creates or deletes and deploys with 0 writes,
a later change of the spec (a bigger S2D disk) grows the RESTORED disk (read with the raw SDK), a VM update
re-attaches the restored disks, and destroy removes everything."""

from __future__ import annotations

import re

from azguest.deploy.lab import make_plan
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.restore.core import Request, restore
from azguest.spec import load_lab
from tests.backup.conftest import EXAMPLES, LABS
from tests.deploy.conftest import do_deploy, writes
from tests.restore.conftest import backed_up

RESTORED = re.compile(r"-r\d{12}$")


def _disks(sess, group: str) -> dict[str, object]:
    return {d.name: d for d in sess.compute.disks.list_by_resource_group(group)}


def _grown(tmp_path, mode: str, old: str, new: str):
    text = (EXAMPLES / LABS[mode]).read_text()
    assert old in text
    path = tmp_path / LABS[mode]
    path.write_text(text.replace(old, new))
    return load_lab(path)


def test_restored_lab__unchanged_spec_plans_nothing_and_deploys_with_no_writes(sess, engine):
    lab, m = backed_up(sess, engine, "s2d", "cold")
    group = lab.resource_group_name
    restore(sess, Request(m.id))
    names = set(_disks(sess, group))
    assert names and all(RESTORED.search(n) for n in names)  # every disk restored under a new name
    plan = make_plan(sess, lab)
    assert not plan.by_action("create") and not plan.by_action("delete") and not plan.data_loss
    assert not plan.writes_needed, [c.to_dict() for c in plan.changes if c.action != "no-change"]
    before = len(writes(engine))
    record = do_deploy(sess, lab)
    assert record.ok and len(writes(engine)) == before  # 0 writes
    assert set(_disks(sess, group)) == names


def test_restored_lab__a_bigger_s2d_disk_grows_the_restored_disk(sess, engine, tmp_path):
    lab, m = backed_up(sess, engine, "s2d", "cold")
    group = lab.resource_group_name
    restore(sess, Request(m.id))
    before = _disks(sess, group)
    s2d = sorted(n for n, d in before.items() if d.disk_size_gb == 256)  # the S2D data disks (2 per node)
    assert len(s2d) == 4 and all(RESTORED.search(n) for n in s2d)
    bigger = _grown(tmp_path, "s2d", "disk: {sku: Premium_LRS, sizeGB: 256}", "disk: {sku: Premium_LRS, sizeGB: 512}")
    plan = make_plan(sess, bigger)
    updates = plan.by_action("update")
    assert not plan.by_action("create") and not plan.by_action("delete")
    assert {c.arm_id.rsplit("/", 1)[-1] for c in updates if c.kind == "disk"} == set(s2d)  # the restored ones
    record = do_deploy(sess, bigger)
    assert record.ok
    after = _disks(sess, group)
    assert set(after) == set(before)  # no disk with the original name was created
    assert all(after[n].disk_size_gb == 512 for n in s2d)
    assert all(after[n].tags["azguest-slot"] == before[n].tags["azguest-slot"] for n in s2d)  # still slotted
    assert not make_plan(sess, bigger).writes_needed  # and the next plan is quiet again


def test_restored_lab__a_vm_update_attaches_the_restored_disks(sess, engine, tmp_path):
    lab, m = backed_up(sess, engine, "s2d", "cold")
    group = lab.resource_group_name
    restore(sess, Request(m.id))
    attached = {vm.name: ({vm.storage_profile.os_disk.name} | {d.name for d in vm.storage_profile.data_disks})
                for vm in sess.compute.virtual_machines.list(group)}
    bigger = _grown(tmp_path, "s2d", "disksPerNode: 2", "disksPerNode: 3")  # one more S2D disk per node: VM PUTs
    plan = make_plan(sess, bigger)
    assert {c.name for c in plan.by_action("create") if c.kind == "disk"} and not plan.by_action("delete")
    assert do_deploy(sess, bigger).ok
    for vm in sess.compute.virtual_machines.list(group):
        now = {vm.storage_profile.os_disk.name} | {d.name for d in vm.storage_profile.data_disks}
        assert attached[vm.name] <= now  # the restored disks stay attached, the old names never come back
        assert all(RESTORED.search(n) for n in attached[vm.name])
    assert not make_plan(sess, bigger).writes_needed


def test_restored_lab__destroy_removes_the_restored_disks(sess, engine):
    lab, m = backed_up(sess, engine, "shared-disk", "vm")
    group = lab.resource_group_name
    restore(sess, Request(m.id))
    td = plan_teardown(sess, lab.name)
    restored = {c.arm_id.lower() for g in td.lab_groups for c in g.deletes if RESTORED.search(c.arm_id)}
    assert restored == {d.id.lower() for d in sess.compute.disks.list_by_resource_group(group)}
    assert destroy(sess, td, confirm=lambda _td: True).ok
    assert not sess.resource.resource_groups.check_existence(group)


def test_kept_old_disks__are_planned_as_data_loss_deletes_and_never_reattached(sess, engine):
    lab, m = backed_up(sess, engine, "iscsi", "vm")
    record = restore(sess, Request(m.id, keep_old_disks=True))
    old = {i.lower() for i in record.old_disks_kept}
    plan = make_plan(sess, lab)
    assert not plan.by_action("create")
    assert {c.arm_id.lower() for c in plan.by_action("delete")} == old  # the superseded disks, nothing else
    assert {d.arm_id.lower() for d in plan.data_loss} == old  # so deploy refuses without --allow-data-loss
    assert not [c for c in plan.changes if c.action not in ("no-change", "delete")]


def test_restored_twice__the_slot_stays_the_planners_name(sess, engine):
    lab, m = backed_up(sess, engine, "s2d", "cold")
    group = lab.resource_group_name
    restore(sess, Request(m.id))
    first = {d.tags["azguest-slot"] for d in _disks(sess, group).values()}
    engine.advance(3600)
    restore(sess, Request(m.id))  # the old disks are now <name>-r<stamp> themselves
    disks = _disks(sess, group)
    assert {d.tags["azguest-slot"] for d in disks.values()} == first
    assert all(not RESTORED.search(d.tags["azguest-slot"]) for d in disks.values())
    assert not make_plan(sess, lab).writes_needed


def test_a_hand_written_slot_tag_is_not_honoured(sess, engine):
    lab, _m = backed_up(sess, engine, "s2d", "cold")
    group = lab.resource_group_name
    victim = next(n for n, d in _disks(sess, group).items() if d.disk_size_gb == 256)
    loc = sess.compute.disks.get(group, victim).location
    sess.compute.disks.begin_create_or_update(group, "planted", {  # a lab tag, a role and the slot; no spec hash
        "location": loc, "sku": {"name": "Premium_LRS"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 8},
        "tags": {"azguest-lab": lab.name, "azguest-role": "s2d", "azguest-slot": victim}}).result()
    plan = make_plan(sess, lab)
    assert not plan.slots
    mine = [c for c in plan.changes if c.name == victim]
    assert [(c.action, c.arm_id.rsplit("/", 1)[-1]) for c in mine] == [("no-change", victim)]
    assert not plan.data_loss or all(d.name == "planted" for d in plan.data_loss)  # the real disk is never lost
