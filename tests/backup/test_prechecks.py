"""Pre-backup checks (issue 11 item 3) on the emulator's Windows model, as the user meets them: a node down, a
role in transition, a live migration, an S2D repair each refuse the backup before any write, saying why; the only
request besides reads is the one action Run Command (POST .../runCommand: the read-only cluster-health look,
which creates no resource). ``--force`` passes where the finding may be overridden and records it in the manifest;
a live migration under ``vm`` on iSCSI or shared disks and Azure's snapshot limits never pass."""

from __future__ import annotations

import pytest

from azguest.azure import kinds as K
from azguest.backup import inguest, store
from azguest.backup.labread import read_lab
from azguest.backup.prechecks import judge
from azguest.backup.run import Request, backup
from azguest.errors import PreflightError
from azguest.guest import ops
from tests.backup.conftest import deployed, writes


def _cluster(engine) -> dict:
    """The emulated guest cluster's record (roles, repair state) in the engine's state."""
    recs = [g["facts"] for g in engine.store.state["guests"].values()
            if isinstance(g.get("facts"), dict) and "roles" in g["facts"] and "nodes" in g["facts"]]
    assert len(recs) == 1
    return recs[0]


def _writes_besides_the_look(engine) -> list:
    return [e for e in writes(engine) if not e.path.lower().endswith("/runcommand")]


def _looks(engine) -> list:
    return [e for e in writes(engine) if e.path.lower().endswith("/runcommand") and e.method == "POST"]


def _refused(sess, engine, lab, mode: str, *, force: bool = False) -> PreflightError:
    before = store.list_backups(sess, lab.name)
    engine.reset_log()
    with pytest.raises(PreflightError) as info:
        backup(sess, Request(lab.name, mode, spec=lab, force=force))
    assert info.value.code == "AZG-BACKUP-CHECK"
    assert _writes_besides_the_look(engine) == []  # not one write: only the read-only look
    assert len(_looks(engine)) <= 1
    assert store.list_backups(sess, lab.name) == before
    return info.value


@pytest.mark.http  # the pre-check look (action Run Command) over the loopback HTTP front end too
def test_node_down__refuses_in_guest_naming_it_then_force_backs_up_what_runs(session, engine, clock):
    sess = session  # in process and over loopback HTTP
    lab = deployed(sess, "s2d")
    node = ops.inventory(sess, lab.name).nodes[1]
    K.action(sess, K.KINDS["vm"], node.id, "deallocate")  # from outside (the portal)
    clock.advance(600)  # minutes later: the VMs' update budget (Run Commands, attach) has refilled
    err = _refused(sess, engine, lab, "in-guest")
    assert f"nodes-up: node VM {node.name} is deallocated" in err.message
    assert "storage-repair-idle" in err.message  # S2D waits for the node: its repair job is Suspended
    assert any(p.startswith("nodes-up") for p in err.details["problems"])
    m = backup(sess, Request(lab.name, "in-guest", spec=lab, force=True))
    assert m.status == "complete" and any(f.startswith(f"nodes-up: node VM {node.name}") for f in m.forced)
    assert store.load(sess, m.id).forced == m.forced  # recorded in Azure


def test_role_in_transition__refuses_with_the_reason_force_passes(sess, engine):
    lab = deployed(sess, "shared-disk")
    role = sorted(_cluster(engine)["roles"])[0]
    _cluster(engine)["roles"][role]["transition"] = "OnlinePending"
    err = _refused(sess, engine, lab, "in-guest")
    assert f"groups-settled: role {role} is OnlinePending (in transition)" in err.message
    assert len(_looks(engine)) == 1  # exactly one look, through the action Run Command
    m = backup(sess, Request(lab.name, "in-guest", spec=lab, force=True))
    assert m.status == "complete" and m.forced and "OnlinePending" in m.forced[0]


def test_live_migration__refuses_vm_on_iscsi_even_with_force_but_force_passes_in_guest(sess, engine):
    lab = deployed(sess, "iscsi")
    role = sorted(_cluster(engine)["roles"])[0]
    _cluster(engine)["roles"][role]["migrating"] = True
    for force in (False, True):
        err = _refused(sess, engine, lab, "vm", force=force)
        assert f"no-live-migration: {role} is live-migrating" in err.message
        assert "--force does not override this" in err.message
    err = _refused(sess, engine, lab, "in-guest")
    assert "no-live-migration" in err.message and "--force does not" not in err.message
    m = backup(sess, Request(lab.name, "in-guest", spec=lab, force=True))
    assert m.status == "complete" and "live-migrating" in m.forced[0]
    _cluster(engine)["roles"][role]["migrating"] = False
    m = backup(sess, Request(lab.name, "vm", spec=lab))  # once it ends, vm backs up with no finding
    assert m.status == "complete" and m.forced == ()


def test_s2d_repair_running__refuses_then_force_passes(sess, engine, clock):
    lab = deployed(sess, "s2d")
    rec = _cluster(engine)
    rec["repair"] = {"down": [], "since": clock(), "until": clock() + 3600}
    err = _refused(sess, engine, lab, "in-guest")
    assert "storage-repair-idle: storage job Repair is Running" in err.message
    m = backup(sess, Request(lab.name, "in-guest", spec=lab, force=True))
    assert m.status == "complete" and m.forced[0].startswith("storage-repair-idle")


def test_target_snapshot_limit__refuses_the_8th_in_5_minutes_with_no_write_even_with_force(sess, engine):
    lab = deployed(sess, "s2d")
    first = backup(sess, Request(lab.name, "in-guest", spec=lab))
    snap = K.get(sess, K.KINDS["snapshot"], first.pieces[0].id)
    for i in range(6):  # six more snapshots of the target disk in the same minute
        body = {"location": snap["location"], "sku": {"name": "Standard_LRS"},
                "properties": {"incremental": True, "creationData": snap["properties"]["creationData"]}}
        K.put(sess, K.KINDS["snapshot"], first.pieces[0].id + f"-extra{i}", body)
    err = _refused(sess, engine, lab, "in-guest", force=True)
    assert inguest.target_name(lab.name) in err.message and "7" in err.message
    assert _looks(engine) == []  # Azure would refuse: the guest is not even asked


def test_judge__no_cluster_refuses_in_guest_but_not_vm(sess):
    lab = deployed(sess, "iscsi", guest=False)
    live = read_lab(sess, lab.name)
    assert judge(live, "vm", "iscsi", None, "hv01") == []  # a guest without a cluster: nothing to check for vm
    [f] = judge(live, "in-guest", "iscsi", None, "hv01")
    assert f.check == "guest-answers" and not f.overridable
