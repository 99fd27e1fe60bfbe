"""Retention as the user meets it: `azguest backup prune LAB` keeps keepLast / keepDaily / keepWeekly, never
the newest complete backup or a labelled one, and removes failed ones; `azguest backup LAB` (the issue's
spelling) works next to `backup list`, in human output too."""

from __future__ import annotations

import dataclasses

from azguest.backup import store
from azguest.backup.retention import prune, select
from azguest.backup.run import Request, backup
from azguest.cli.main import run
from azguest.emulator.profile import Faults, LroFailure
from azguest.errors import AzguestError
from tests.backup.conftest import deployed


def _item(i: str, created: str, status: str = "complete", label: str | None = None) -> dict:
    return {"id": i, "created": created, "status": status, "label": label}


def test_select__keep_last_daily_weekly_label_and_never_the_newest():
    items = [_item("a", "2026-11-01T10:00:00Z", label="golden"), _item("b", "2026-11-20T10:00:00Z"),
             _item("c", "2026-11-29T09:00:00Z"), _item("d", "2026-11-29T18:00:00Z"),
             _item("e", "2026-11-30T08:00:00Z", "failed"), _item("f", "2026-11-30T09:00:00Z")]
    keep = {v.id: v.keep for v in select(items, keep_last=1, keep_daily=2, keep_weekly=0)}
    assert keep == {"a": True, "b": False, "c": False, "d": True, "e": False, "f": True}
    keep = {v.id: v.keep for v in select(items, keep_last=0, keep_daily=0, keep_weekly=0)}
    assert keep == {"a": True, "b": False, "c": False, "d": False, "e": False, "f": True}  # newest + label
    keep = {v.id: v.keep for v in select(items, keep_last=0, keep_daily=0, keep_weekly=3)}
    assert keep["b"] and keep["d"] and not keep["c"]  # one per ISO week: the week's newest


def test_prune__on_the_emulator_removes_what_retention_does_not_keep(sess, engine, clock):
    lab = deployed(sess, "iscsi", guest=False)
    spec = lab.model_copy(update={"backup": lab.backup.model_copy(update={
        "retention": lab.backup.retention.model_copy(update={"keep_last": 1, "keep_daily": 0, "keep_weekly": 0})})})
    ids = []
    for label in ("golden", None, None):
        ids.append(backup(sess, Request(lab.name, "vm", label=label, spec=spec)).id)
        clock.advance(3 * 3600 + 1)
    engine.profile = dataclasses.replace(engine.profile, faults=Faults(lro_failures=(
        LroFailure("Microsoft.Compute/restorePointCollections/restorePoints", "*", "create", "InternalServerError"),)))
    try:
        backup(sess, Request(lab.name, "vm", spec=spec))
    except AzguestError:
        pass
    failed = [i["id"] for i in store.list_backups(sess, lab.name) if i["status"] == "failed"]
    result = prune(sess, lab.name)  # the retention comes from the newest manifest's spec, in Azure
    assert result["retention"] == {"keepLast": 1, "keepDaily": 0, "keepWeekly": 0}
    assert sorted(result["deleted"]) == sorted([ids[1], *failed])
    assert [i["id"] for i in store.list_backups(sess, lab.name)] == [ids[0], ids[2]]


def test_cli__backup_lab_is_backup_create_and_human_output_names_the_pieces(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AZGUEST_EMULATOR", "1")
    monkeypatch.setenv("AZGUEST_EMULATOR_STATE", str(tmp_path / "e.db"))
    monkeypatch.setenv("AZGUEST_EMULATOR_PROFILE", "fast")
    monkeypatch.setenv("AZGUEST_ADMIN_PASSWORD", "Test-Only-Pa55!")
    for var in ("AZGUEST_ARM_ENDPOINT", "AZGUEST_OUTPUT"):
        monkeypatch.delenv(var, raising=False)
    spec = str(__import__("tests.deploy.conftest", fromlist=["EXAMPLES"]).EXAMPLES / "iscsi-2node.yaml")
    assert run(["deploy", spec, "--yes", "--no-configure"]) == 0
    capsys.readouterr()
    assert run(["backup", spec, "--mode", "vm", "--label", "golden"]) == 0  # a spec file: its lab, and the spec
    out = capsys.readouterr().out
    assert "restorePoint@hv-iscsi-dc01" in out and "complete, vm (supported)" in out
    assert run(["backup", "list"]) == 0
    out = capsys.readouterr().out
    assert "hv-iscsi" in out and "golden" in out and "complete" in out
