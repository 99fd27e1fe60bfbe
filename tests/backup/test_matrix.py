"""Every storage mode x method on the emulator, as the user runs `azguest backup LAB --mode M`: a supported
combination gives a complete backup whose manifest names every disk of every VM (DC, storage target and
witness included), found again from Azure alone; a refused one raises UNSUPPORTED (exit 8) with the reason
and makes no write call. The matrix is the storage-mode registry's, rendered into docs/backup.md."""

from __future__ import annotations

import pytest

from azguest.backup import store
from azguest.backup.run import RUNNERS, Request, backup
from azguest.backup.support import UNSUPPORTED_CODE, BackupUnsupported, choose
from azguest.cli.exitcodes import KIND_TO_EXIT, ExitCode
from azguest.guest import ops
from azguest.storage import mode_for
from tests.backup.conftest import LABS, deployed, lab_disks, writes

CASES = [(mode, method) for mode in LABS for method in ("vm", "cold", "in-guest", "auto")]


def _verdict(mode: str, method: str) -> str:
    if method == "auto":
        return "supported"
    return mode_for(mode).backup[method].verdict


@pytest.mark.parametrize("mode,method", CASES)
def test_backup__supported_is_complete_with_every_disk_refused_writes_nothing(sess, engine, mode, method):
    verdict = _verdict(mode, method)
    chosen = choose(mode, method).method if verdict != "refused" else method
    assert verdict == "refused" or chosen in RUNNERS
    lab = deployed(sess, mode, guest=chosen in ("cold", "in-guest"))  # in-guest backs up the running cluster
    engine.reset_log()
    if verdict == "refused":
        with pytest.raises(BackupUnsupported) as info:
            backup(sess, Request(lab.name, method, spec=lab))
        err = info.value
        assert err.code == UNSUPPORTED_CODE and KIND_TO_EXIT[err.kind] == ExitCode.UNSUPPORTED
        assert mode_for(mode).backup[method].reason in err.message and err.details["source"]
        assert writes(engine) == []  # not one write call
        assert store.list_backups(sess, lab.name) == []
        return
    m = backup(sess, Request(lab.name, method, spec=lab))
    assert m.status == "complete" and m.method == chosen and m.verdict == _verdict(mode, chosen)
    again = store.load(sess, m.id)  # from Azure alone
    assert again == m
    roles = {v.role for v in again.vms}
    assert "dc" in roles and "node" in roles
    named = {d.id.lower() for v in again.vms for d in (v.os_disk, *v.data_disks)}
    assert named == lab_disks(engine, lab)  # every disk of every VM
    if chosen == "in-guest":  # the data is in Windows Server Backup's version on the target disk's snapshot
        assert again.guest["target"]["snapshotId"] == again.pieces[0].id and again.guest["volumes"]
        assert again.consistency == "crash" and again.pieces[0].state == "succeeded"
    else:
        assert all(d.restore_from is not None for v in again.vms for d in (v.os_disk, *v.data_disks))
    assert [i["status"] for i in store.list_backups(sess, lab.name)] == ["complete"]
    assert again.skew_s is not None and again.restore_order[0] == tuple(v.name for v in again.vms if v.tier == "dc")
    assert {v.power for v in ops.inventory(sess, lab.name).vms} == {"running"}  # cold: running again


def test_auto__says_which_method_and_why():
    c = choose("s2d", "auto")
    assert c.method == "in-guest" and "auto chose in-guest" in c.why and "vm: refused" in c.why
    c = choose("iscsi", "auto")
    assert c.method == "vm" and c.verdict == "supported"


def test_auto__never_picks_a_lab_only_method():
    with pytest.raises(BackupUnsupported):
        choose("s2d", "auto", implemented=("vm", "cold"))  # cold is lab-only for S2D: not auto's choice


def test_docs_backup_md__is_the_generated_matrix():
    from azguest.cli.backup_cmds import matrix_markdown
    from azguest.docs import ROOT

    text = (ROOT / "docs" / "backup.md").read_text(encoding="utf-8")
    assert text == matrix_markdown(), "run python -m azguest.docs"
    for mode in LABS:
        for method, s in mode_for(mode).backup.items():
            assert f"| {mode} | `{method}` | {s.verdict} |" in text
