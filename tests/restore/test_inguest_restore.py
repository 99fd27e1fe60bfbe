"""`azguest restore BACKUP` of an in-guest backup (docs/design.md, "Restore", in-guest): a freshly deployed and
configured lab, then the `restore-wsb` guest step from a disk made from the backup's snapshot of the target disk,
then `azguest test`'s checks. An existing lab is never overwritten."""

from __future__ import annotations

import pytest

from azguest.backup.run import Request as BackupRequest
from azguest.backup.run import backup
from azguest.deploy.teardown import destroy, plan_teardown
from azguest.errors import ConflictError, GuestError
from azguest.restore.core import Request, restore
from tests.backup.conftest import PASSWORD, deployed, setup_once, stored
from tests.deploy.conftest import emulated  # noqa: F401  (fixture)
from tests.restore.conftest import step_runs


def _clusters(engine) -> list[dict]:
    return [g["facts"] for g in engine.store.state["guests"].values()
            if isinstance(g.get("facts"), dict) and "csvs" in g["facts"] and "roles" in g["facts"]]


def _in_guest_backup(sess, engine):
    def build():  # once per test process on a fresh engine (setup_once)
        lab = deployed(sess, "s2d")
        m = backup(sess, BackupRequest(lab.name, "in-guest", spec=lab))
        assert m.complete and m.method == "in-guest" and m.guest["workloads"]
        engine.advance(3600)
        return lab, m

    return setup_once(sess, ("in-guest backup", "s2d"), build)


def test_in_guest_restore__deploys_a_fresh_lab_restores_the_data_and_passes_its_checks(sess, engine):
    lab, m = _in_guest_backup(sess, engine)
    assert destroy(sess, plan_teardown(sess, lab.name), confirm=lambda _td: True).ok
    assert not any(r.get("wsbRestores") for r in _clusters(engine))
    engine.reset_log()
    record = restore(sess, Request(m.id), password=lambda: PASSWORD)
    assert record.lab == lab.name and record.method == "in-guest" and record.health["ok"]
    assert [s["phase"] for s in record.stages] == ["deploy", "configure", "restore-wsb", "health"]
    assert len(step_runs(engine, "restore-wsb")) == 1
    [rec] = [r for r in _clusters(engine) if r.get("wsbRestores")]
    [done] = rec["wsbRestores"]
    assert done["label"] == m.id and done["volumes"] == m.guest["volumes"]
    assert sorted(done["workloads"]) == sorted(m.guest["workloads"]) and set(m.guest["workloads"]) <= set(rec["roles"])
    temp = [d for d in stored(engine, "Microsoft.Compute/disks") if d["name"].startswith("wsb-restore-")]
    assert not temp  # detached and deleted


def test_in_guest_restore__into_a_new_lab_while_the_original_runs(sess, engine):
    lab, m = _in_guest_backup(sess, engine)
    record = restore(sess, Request(m.id, into="s2d-copy"), password=lambda: PASSWORD)
    assert record.lab == "s2d-copy" and record.resource_group != lab.resource_group_name and record.health["ok"]
    assert len(step_runs(engine, "restore-wsb")) == 1 and [r for r in _clusters(engine) if r.get("wsbRestores")]


def test_in_guest_restore__over_an_existing_lab_is_refused_with_no_write(sess, engine):
    lab, m = _in_guest_backup(sess, engine)
    engine.reset_log()
    with pytest.raises(ConflictError) as info:
        restore(sess, Request(m.id), password=lambda: PASSWORD)
    assert info.value.code == "AZG-RESTORE-TARGET-EXISTS" and "--into" in info.value.message
    assert not [e for e in engine.request_log if e.method in ("PUT", "PATCH", "DELETE", "POST")]


def test_in_guest_restore__fails_when_the_disk_holds_no_backup_version(sess, engine):
    lab, m = _in_guest_backup(sess, engine)
    for guest in engine.store.state["guests"].values():
        if isinstance(guest.get("facts"), dict):
            guest["facts"].pop("wsbVersions", None)
    for snap in stored(engine, "Microsoft.Compute/snapshots"):  # a snapshot's content: what the target held
        ((snap.get("_content") or {}).get("facts") or {}).pop("wsbVersions", None)
    with pytest.raises(GuestError) as info:
        restore(sess, Request(m.id, into="s2d-empty"), password=lambda: PASSWORD)
    err = info.value  # a restore's failure, not a backup's
    assert err.code == "AZG-RESTORE-GUEST" and "in-guest restore step restore-wsb" in err.message
    assert "no backup version" in err.message
    assert not [d for d in stored(engine, "Microsoft.Compute/disks") if d["name"].startswith("wsb-restore-")]


@pytest.mark.usefixtures("emulated")
def test_in_guest_restore__cli_json_into_a_new_lab(capsys):
    import json

    from azguest.cli.main import run
    from tests.deploy.conftest import EXAMPLES
    spec = str(EXAMPLES / "s2d-2node.yaml")
    assert run(["deploy", spec, "--yes"]) == 0
    capsys.readouterr()
    assert run(["backup", spec, "--mode", "in-guest", "-o", "json"]) == 0
    bid = json.loads(capsys.readouterr().out)["result"]["id"]
    assert run(["restore", bid, "-o", "json"]) != 0  # the lab exists: refused
    capsys.readouterr()
    assert run(["restore", bid, "--into", "s2d-wsb", "-o", "json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)["result"]
    assert result["lab"] == "s2d-wsb" and result["method"] == "in-guest" and result["health"]["ok"]
    assert PASSWORD not in out

