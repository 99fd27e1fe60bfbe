"""Atomic backups: with a fault injected at each step in turn (each snapshot, a restore point, the stop and
the start of each VM), no backup is ever listed complete while a piece is missing; a failed backup is marked
failed and its pieces deleted; after a fault in `cold` mode the lab ends running again, in order; a run that
died midway is cleaned up and marked failed by the next one. Faults are the emulator profile's LRO failure
matchers, swapped in at run time."""

from __future__ import annotations

import dataclasses

import pytest

from azguest.backup import run as backup_run
from azguest.backup import store
from azguest.backup.run import Request, backup
from azguest.emulator.profile import Faults, LroFailure
from azguest.errors import AzguestError
from azguest.guest import ops
from tests.backup.conftest import deployed, lab_of, stored

SNAP = "Microsoft.Compute/snapshots"
VM = "Microsoft.Compute/virtualMachines"
RP = "Microsoft.Compute/restorePointCollections/restorePoints"


def _inject(engine, *failures: LroFailure) -> None:
    engine.profile = dataclasses.replace(engine.profile, faults=Faults(lro_failures=failures))


def _cold_faults() -> list[tuple[str, LroFailure]]:
    lab = lab_of("shared-disk")
    disks = sorted({d.name for d in lab.storage_layout().disks} | {f"{lab.name}-dc01-os", f"{lab.name}-dc01-adds"})
    vms = [f"{lab.name}-{c}" for c in ("dc01", "sd01", "sd02", "sd03")]
    out = [(f"snapshot {d}", LroFailure(SNAP, f"*-{d}", "create", "InternalServerError", "injected")) for d in disks]
    out += [(f"stop {v}", LroFailure(VM, v, "deallocate", "InternalServerError", "injected")) for v in vms]
    out += [(f"start {v}", LroFailure(VM, v, "start", "AllocationFailed", "injected")) for v in vms]
    return out


def _assert_never_complete_while_missing(sess, engine, lab) -> None:
    for item in store.list_backups(sess, lab.name):
        m = store.load(sess, item["id"])
        present = {r["id"].lower() for t in (SNAP, RP) for r in stored(engine, t)}
        missing = [p.id for p in m.pieces if p.id.lower() not in present]
        if item["status"] == "complete":
            assert m.status == "complete" and not missing, (item, missing)
            assert item["restorable"]
        else:
            assert not item["restorable"]
            assert m.status == item["status"] != "running"


@pytest.mark.parametrize("step,failure", _cold_faults(), ids=[s for s, _ in _cold_faults()])
def test_cold__a_fault_at_each_step_never_lists_a_complete_backup_with_a_missing_piece(sess, engine, step, failure):
    lab = deployed(sess, "shared-disk")
    _inject(engine, failure)
    try:
        m = backup(sess, Request(lab.name, "cold", spec=lab))
    except AzguestError as exc:
        items = store.list_backups(sess, lab.name)
        assert [i["status"] for i in items] == ["failed"]
        assert exc.result["status"] == "failed"
        tagged = [r for r in stored(engine, SNAP) if (r.get("tags") or {}).get("azguest-backup") == items[0]["id"]]
        assert tagged == []  # its pieces are deleted
    else:
        # a start that failed once is retried by the backup: the lab is up and the backup complete
        assert step.startswith("start") and m.status == "complete"
    assert sum(engine.store.state["fault_uses"].values()) == 1  # the fault did fire
    _assert_never_complete_while_missing(sess, engine, lab)
    powers = {v.computer: v.power for v in ops.inventory(sess, lab.name).vms}
    assert set(powers.values()) == {"running"}, powers  # the lab ends running again


def test_cold__the_start_after_a_fault_is_ordered_dc_first(sess, engine):
    lab = deployed(sess, "shared-disk")
    _inject(engine, LroFailure(SNAP, "*-sd01-os", "create", "InternalServerError", "injected"))
    engine.reset_log()
    with pytest.raises(AzguestError):
        backup(sess, Request(lab.name, "cold", spec=lab))
    starts = [e.path.split("/")[-2] for e in engine.request_log
              if e.method == "POST" and e.path.endswith("/start") and e.status < 300]
    assert starts[0] == f"{lab.name}-dc01" and len(set(starts)) == 4


@pytest.mark.parametrize("target", ["restore point", "shared snapshot"])
def test_vm__a_failed_piece_fails_the_backup_and_deletes_the_others(sess, engine, target):
    lab = deployed(sess, "shared-disk", guest=False)
    failure = (LroFailure(RP, "*", "create", "InternalServerError", "injected") if target == "restore point"
               else LroFailure(SNAP, "*-shared*", "create", "InternalServerError", "injected"))
    _inject(engine, failure)
    with pytest.raises(AzguestError):
        backup(sess, Request(lab.name, "vm", spec=lab))
    assert sum(engine.store.state["fault_uses"].values()) == 1
    assert [i["status"] for i in store.list_backups(sess, lab.name)] == ["failed"]
    assert [r for r in stored(engine, RP) if r["properties"].get("provisioningState") == "Succeeded"] == []
    assert stored(engine, SNAP) == []
    _assert_never_complete_while_missing(sess, engine, lab)


def test_a_run_that_died_midway__is_not_restorable_and_the_next_run_cleans_it_up(sess, engine, clock, monkeypatch):
    lab = deployed(sess, "iscsi", guest=False)

    def killed(ctx):  # the pieces are created, then the process dies: no cleanup, no final write
        backup_run.run_pieces(ctx)
        raise SystemExit(137)

    monkeypatch.setitem(backup_run.RUNNERS, "vm", killed)
    monkeypatch.setattr(backup_run, "_fail", lambda ctx, exc: None)
    with pytest.raises(SystemExit):
        backup(sess, Request(lab.name, "vm", spec=lab))
    [item] = store.list_backups(sess, lab.name)
    assert item["status"] == "running" and not item["restorable"]
    monkeypatch.undo()
    clock.advance(3 * 3600 + 1)
    second = backup(sess, Request(lab.name, "vm", spec=lab))
    items = {i["id"]: i["status"] for i in store.list_backups(sess, lab.name)}
    assert items == {item["id"]: "failed", second.id: "complete"}
    dead = store.load(sess, item["id"])
    assert dead.error["code"] == "AZG-BACKUP-INTERRUPTED"
    present = {r["id"].lower() for r in stored(engine, RP)}
    assert all(p.id.lower() not in present for p in dead.pieces)
    _assert_never_complete_while_missing(sess, engine, lab)
