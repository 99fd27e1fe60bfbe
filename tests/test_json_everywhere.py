"""`-o json` on every command (the Typer app walked), success and failure, usage errors included.

Each run must write exactly one JSON document on stdout that validates against the shipped envelope
schema (azguest/cli/output.schema.json: camelCase keys at every depth, a non-null ``error`` exactly when
not ``ok``), whose ``error.exitCode`` is the process exit code and a code documented in docs/exit-codes.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import typer

from azguest.cli import output
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import app, run
from tests.deploy.conftest import PASSWORD, deploy_key, emulated, from_template  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SPEC = str(EXAMPLES / "s2d-2node.yaml")
LAB = "hv-s2d"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(output.SCHEMA_FILE.read_text(encoding="utf-8")))


def _commands() -> dict[str, object]:
    """Every command and sub-command of the app, by path ("plan", "emulator stats")."""
    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs is None:
            return {" ".join(path): cmd}
        return {k: v for name, sub in subs.items() for k, v in walk(sub, (*path, name)).items()}

    return walk(typer.main.get_command(app), ())


COMMANDS = _commands()


def _documented_exit_codes() -> set[int]:
    text = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    return {int(m) for m in re.findall(r"^\| (\d+) \|", text, flags=re.M)}


def _bad_keys(value, path: str = "$") -> Iterator[str]:
    """Keys that are not camelCase, outside the documented foreign documents."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", k):
                yield f"{path}.{k}"
            if k not in output.OPAQUE_KEYS:
                yield from _bad_keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _bad_keys(v, f"{path}[]")


def check(doc: dict, rc: int, command: str) -> dict:
    """The envelope rules; returns the document."""
    VALIDATOR.validate(doc)
    assert list(_bad_keys(doc)) == []
    assert doc["command"] == command
    assert doc["ok"] is (rc == 0)
    if rc:
        assert doc["error"] is not None and doc["error"]["exitCode"] == rc and doc["error"]["message"]
        assert rc in _documented_exit_codes()
    else:
        assert doc["error"] is None
    assert PASSWORD not in json.dumps(doc)
    return doc


@pytest.fixture
def cli(emulated, tmp_path, monkeypatch, capsys):  # noqa: F811  (the fixture imported above)
    """Runs azguest in-process on a persisted embedded emulator; returns (exit code, the one JSON document)."""
    monkeypatch.chdir(tmp_path)

    def invoke(*argv: str, command: str | None = None, json_flag: bool = True) -> tuple[int, dict]:
        capsys.readouterr()
        rc = run([*argv, "-o", "json"] if json_flag else list(argv))
        out = capsys.readouterr().out
        doc = json.loads(out)  # exactly one document: json.loads refuses trailing data
        name = command if command is not None else next(p for p in sorted(COMMANDS, key=len, reverse=True)
                                                        if list(argv[: len(p.split())]) == p.split())
        return rc, check(doc, rc, name)

    invoke.state = emulated
    return invoke


def deploy(cli) -> None:
    """The example lab deployed and configured, as `azguest deploy SPEC --yes -o json` leaves it: for the tests
    whose subject comes after (test_lab_commands deploys for real, every time)."""
    def build() -> None:
        rc, doc = cli("deploy", SPEC, "--yes")
        assert rc == 0 and doc["result"]["configure"]["ok"]

    from_template(cli.state, deploy_key(SPEC), build)


# Each command's own success and failure (not a usage error), the user's actions on one emulated lab.

def test_spec_commands__success_and_failure(cli, tmp_path):
    rc, doc = cli("validate", SPEC)
    assert rc == 0 and doc["result"]["valid"] and doc["result"]["lab"] == LAB
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(SPEC).read_text().replace("count: 2", "count: 4"))
    rc, doc = cli("validate", str(bad))
    assert rc == ExitCode.SPEC_INVALID and doc["error"]["code"] == "AZG-SPEC-INVALID"  # was "error": null
    assert "AZG-S2D-NODES" in {f["code"] for f in doc["result"]["findings"]}
    rc, doc = cli("validate", "--show-defaults", str(EXAMPLES / "shared-disk-3node.yaml"))
    assert rc == 0 and "shared-disk" in json.dumps(doc["result"]["effective"])  # the spec's own names, verbatim

    rc, doc = cli("schema")
    assert rc == 0 and doc["result"]["kind"] == "lab" and "$defs" in doc["result"]["document"]
    rc, doc = cli("schema", "--envelope")
    assert rc == 0 and doc["result"]["document"] == VALIDATOR.schema
    rc, doc = cli("schema", "--out", str(tmp_path / "no-such-dir" / "lab.json"))
    assert rc == ExitCode.USAGE and "cannot write" in doc["error"]["message"]

    rc, doc = cli("init", "lab1", "--storage", "iscsi")
    assert rc == 0 and doc["result"]["file"] == "lab1.yaml" and (tmp_path / "lab1.yaml").exists()
    assert doc["result"]["storageDisks"] and doc["result"]["text"] is None
    rc, doc = cli("init", "lab1")
    assert rc == ExitCode.USAGE and "already exists" in doc["error"]["message"] and doc["error"]["hint"]
    rc, doc = cli("init", "lab2", "--out", "-")
    assert rc == 0 and doc["result"]["text"].startswith("#") and not (tmp_path / "lab2.yaml").exists()


def test_lab_commands__success_and_failure(cli, tmp_path, monkeypatch):
    rc, doc = cli("deploy", SPEC)
    assert rc == ExitCode.CONFIRM_NEEDED and doc["error"]["code"] == "AZG-CONFIRM-NEEDED"
    rc, doc = cli("plan", SPEC)
    assert rc == 0 and doc["result"]["summary"]["create"] > 0 and isinstance(doc["warnings"], list)
    rc, doc = cli("configure", SPEC, "--yes")  # before deploy: no VMs to run the steps on
    assert rc != 0 and doc["error"]["code"]
    rc, doc = cli("deploy", SPEC, "--yes")
    assert rc == 0 and doc["result"]["summary"]["created"] > 0 and doc["result"]["configure"]["ok"]
    rc, doc = cli("configure", SPEC)
    assert rc == 0 and doc["result"]["note"] == "no changes" and doc["result"]["steps"]
    rc, doc = cli("plan", SPEC)
    assert rc == 0 and set(doc["result"]["summary"]) == {"noChange"}  # was "no-change"
    rc, doc = cli("status", LAB, "--spec", SPEC)
    assert rc == 0 and doc["result"]["vms"]
    rc, doc = cli("status", "nolab")
    assert rc == ExitCode.NOT_FOUND and doc["error"]["code"] == "AZG-LAB-NOT-FOUND"
    rc, doc = cli("lab", "list")
    assert rc == 0 and [x["lab"] for x in doc["result"]["labs"]] == [LAB]
    rc, doc = cli("connect", LAB, "--rdp-dir", str(tmp_path))
    assert rc == 0 and doc["result"]["vms"]
    rc, doc = cli("connect", "nolab")
    assert rc == ExitCode.NOT_FOUND
    rc, doc = cli("gc", "--dry-run")
    assert rc == 0 and doc["result"]["expired"] == [] and doc["result"]["destroyed"] == []  # both lists
    rc, doc = cli("extend", LAB, "7d")
    assert rc == 0 and doc["result"]
    rc, doc = cli("extend", "nolab", "7d")
    assert rc == ExitCode.NOT_FOUND
    rc, doc = cli("extend", LAB, "seven days")
    assert rc == ExitCode.USAGE and doc["error"]["code"]
    rc, doc = cli("destroy", LAB)
    assert rc == ExitCode.CONFIRM_NEEDED
    rc, doc = cli("destroy", LAB, "--yes")
    assert rc == 0 and doc["result"]["ok"]
    rc, doc = cli("destroy", LAB, "--yes")
    assert rc == ExitCode.NOT_FOUND
    monkeypatch.delenv("AZGUEST_EMULATOR")  # no target: a configuration error, as data
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    for argv in (("lab", "list"), ("gc",)):
        rc, doc = cli(*argv)
        assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-CONFIG"


def test_emulator_commands__success_and_failure(cli, tmp_path, monkeypatch):
    rc, doc = cli("validate", SPEC)  # an empty state first
    rc, doc = cli("emulator", "stats")
    assert rc == 0 and doc["result"]["total"] == 0 and doc["result"]["byType"] == []
    cli("deploy", SPEC, "--yes")
    rc, doc = cli("emulator", "stats")  # was snake_case, with ARM types and statuses as keys
    r = doc["result"]
    assert rc == 0 and r["byKind"]["write"] > 0 and "injectedFaults" in r
    assert {"type": "Microsoft.Compute/virtualMachines"}.items() <= next(
        t for t in r["byType"] if t["type"] == "Microsoft.Compute/virtualMachines").items()
    assert all(isinstance(s["status"], int) for s in r["byStatus"])
    monkeypatch.setenv("SEED", "Seeded-Secret-1")
    rc, doc = cli("emulator", "set-secret", "kv-x", "admin", "--from-env", "SEED")
    assert rc == 0 and doc["result"]["name"] == "admin" and "Seeded-Secret-1" not in json.dumps(doc)
    rc, doc = cli("emulator", "set-secret", "kv-x", "admin", "--from-env", "UNSET_VARIABLE_X")
    assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-USAGE"
    rc, doc = cli("emulator", "reset")
    assert rc == 0 and doc["result"]["reset"] is True
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a state file")
    rc, doc = cli("emulator", "stats", "--state", str(corrupt))
    assert rc == ExitCode.USAGE and doc["error"]["message"]
    rc, doc = cli("emulator", "reset", "--state", str(tmp_path))  # a folder is not a state file
    assert rc == ExitCode.USAGE
    rc, doc = cli("emulator", "serve", "--host", "192.0.2.10")  # refused before binding
    assert rc == ExitCode.USAGE and "--allow-remote" in doc["error"]["hint"]


def test_emulator_serve__json_envelope_is_the_first_line(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "azguest", "emulator", "serve", "--state", str(tmp_path / "s.db"),
                             "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        doc = json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    check(doc, 0, "emulator serve")
    assert doc["result"]["endpoint"].startswith("http://127.0.0.1:")


def test_backup_commands__success_and_failure(cli, monkeypatch):
    deploy(cli)
    rc, doc = cli("backup", LAB, "--mode", "vm", command="backup create")  # `backup LAB` is `backup create LAB`
    assert rc == ExitCode.UNSUPPORTED and doc["error"]["code"] == "AZG-BACKUP-UNSUPPORTED"
    assert "host-level" in doc["error"]["message"]
    rc, doc = cli("backup", LAB, "--mode", "cold", "--label", "golden", command="backup create")
    assert rc == 0 and doc["result"]["id"] and doc["result"]["status"] == "complete"
    assert doc["result"]["verdict"] == "lab-only"
    bid = doc["result"]["id"]
    rc, doc = cli("backup", "create", "nolab")
    assert rc == ExitCode.NOT_FOUND
    rc, doc = cli("backup", "list", LAB)
    assert rc == 0 and [(b["id"], b["lab"], b["mode"], b["status"], b["label"]) for b in doc["result"]["backups"]] \
        == [(bid, LAB, "cold", "complete", "golden")] and doc["result"]["backups"][0]["created"]
    rc, doc = cli("backup", "show", bid)
    assert rc == 0 and doc["result"]["pieces"] and doc["result"]["skewS"] is not None
    assert doc["result"]["hasSpec"] is False  # a lab name, not a spec file
    rc, doc = cli("backup", "show", "nosuch")
    assert rc == ExitCode.NOT_FOUND and doc["error"]["code"] == "AZG-BACKUP-NOT-FOUND"
    rc, doc = cli("backup", "prune", LAB, "--yes")
    assert rc == 0 and doc["result"]["deleted"] == [] and doc["result"]["backups"][0]["keep"]
    rc, doc = cli("backup", "prune", str(EXAMPLES / "no-such.yaml"))
    assert rc == 0 and doc["result"]["backups"] == []  # not a file: a lab name without backups
    rc, doc = cli("backup", "delete", bid)
    assert rc == ExitCode.CONFIRM_NEEDED
    rc, doc = cli("backup", "delete", bid, "--yes")
    assert rc == 0 and doc["result"]["deletedPieces"]
    rc, doc = cli("backup", "delete", bid, "--yes")
    assert rc == ExitCode.NOT_FOUND
    monkeypatch.delenv("AZGUEST_EMULATOR")
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    rc, doc = cli("backup", "list")
    assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-CONFIG"


def test_power_commands__success_and_failure(cli):
    for command in ("stop", "start", "test"):  # no such lab yet
        rc, doc = cli(command, LAB)
        assert rc == ExitCode.NOT_FOUND and doc["error"]["code"] == "AZG-LAB-NOT-FOUND"
    deploy(cli)  # configures the guests
    rc, doc = cli("test", LAB)
    assert rc == 0 and doc["result"]["ok"] and len(doc["result"]["checks"]) == 10
    rc, doc = cli("stop", LAB)
    assert rc == 0 and doc["result"]["command"] == "stop" and doc["result"]["stages"][-1]["key"] == "deallocate@dc01"
    rc, doc = cli("test", LAB)
    assert rc == ExitCode.TEST_FAILED and doc["error"]["code"] == "AZG-TEST-FAILED" and not doc["result"]["ok"]
    assert "vms-running" in doc["error"]["details"]["failed"]
    rc, doc = cli("start", LAB)
    assert rc == 0 and doc["result"]["ok"] and doc["result"]["stages"][0]["key"] == "start@dc01"


def test_backup_in_guest__json_names_target_volumes_consistency_and_refuses_a_stopped_lab(cli):
    deploy(cli)  # configures the guests
    rc, doc = cli("backup", LAB, "--mode", "in-guest", "--force", command="backup create")
    assert rc == 0 and doc["result"]["method"] == "in-guest" and doc["result"]["consistency"] == "crash"
    g = doc["result"]["guest"]
    assert g["volumes"] and g["target"]["snapshotId"] == doc["result"]["pieces"][0]["id"]
    assert doc["result"]["forced"] == []  # nothing to force past on a healthy lab
    rc, doc = cli("backup", "show", doc["result"]["id"])
    assert rc == 0 and doc["result"]["guest"]["consistency"]["workloads"] == "crash"
    cli("stop", LAB)
    rc, doc = cli("backup", LAB, "--mode", "in-guest", "--force", command="backup create")
    assert rc == ExitCode.PREFLIGHT_FAILED and doc["error"]["code"] == "AZG-BACKUP-CHECK"
    assert any(p.startswith("guest-answers") for p in doc["error"]["details"]["problems"])


def test_lab_clone_and_rebuild__success_and_failure(cli):
    rc, doc = cli("lab", "clone", "nosuch", "--count", "2")
    assert rc == ExitCode.NOT_FOUND and doc["error"]["code"] == "AZG-BACKUP-NOT-FOUND"
    rc, doc = cli("lab", "clone", "nosuch", "--count", "2", "--shard", "3/2")
    assert rc == ExitCode.USAGE and "--shard" in doc["error"]["message"]
    rc, doc = cli("lab", "rebuild", "stu-1", "--from", "nosuch", "--yes")
    assert rc == ExitCode.NOT_FOUND and doc["error"]["code"] == "AZG-BACKUP-NOT-FOUND"
    deploy(cli)
    rc, doc = cli("backup", SPEC, "--mode", "cold", command="backup create")
    bid = doc["result"]["id"]
    rc, doc = cli("lab", "clone", bid, "--count", "2", "--prefix", "stu-", "--expires", "1d")
    assert rc == 0 and doc["result"]["summary"] == {"created": 2, "skipped": 0, "failed": 0}
    assert [(x["lab"], x["resourceGroup"], x["restore"]["ok"]) for x in doc["result"]["labs"]] == [
        ("stu-1", "rg-stu-1", True), ("stu-2", "rg-stu-2", True)]
    rc, doc = cli("lab", "clone", bid, "--count", "2", "--prefix", "stu-", "--shard", "2/2")
    assert rc == 0 and [(x["lab"], x["state"]) for x in doc["result"]["labs"]] == [("stu-2", "skipped")]
    rc, doc = cli("lab", "rebuild", "stu-1", "--from", bid)  # destroys first: no terminal, no --yes
    assert rc == ExitCode.CONFIRM_NEEDED
    rc, doc = cli("lab", "rebuild", "stu-1", "--from", bid, "--yes")
    assert rc == 0 and doc["result"]["ok"] and doc["result"]["destroyed"]["ok"] and doc["result"]["backup"] == bid
    rc, doc = cli("lab", "list")
    assert rc == 0 and {x["lab"] for x in doc["result"]["labs"]} == {LAB, "stu-1", "stu-2"}


def test_restore_command__success_and_failure(cli):
    rc, doc = cli("restore", "nosuch")
    assert rc == ExitCode.NOT_FOUND and doc["error"]["code"] == "AZG-BACKUP-NOT-FOUND"
    deploy(cli)  # configures the guests
    rc, doc = cli("backup", SPEC, "--mode", "cold", command="backup create")  # from the spec: --into needs it
    bid = doc["result"]["id"]
    rc, doc = cli("restore", bid)  # in place replaces the lab's disks: no terminal, no --yes
    assert rc == ExitCode.CONFIRM_NEEDED
    rc, doc = cli("restore", bid, "--yes")
    assert rc == 0 and doc["result"]["ok"] and doc["result"]["mode"] == "in-place" and doc["result"]["oldDisksDeleted"]
    rc, doc = cli("restore", bid, "--into", "hv-copy", "--expires", "1d")
    assert rc == 0 and doc["result"]["lab"] == "hv-copy" and doc["result"]["health"]["ok"]


# Commands run above, on success and on a failure of their own (a new command gets its scenario there).
COVERED = {"validate", "schema", "init", "plan", "deploy", "status", "lab list", "connect", "gc", "destroy",
           "extend", "configure", "backup create", "backup list", "backup show", "backup delete", "backup prune",
           "stop", "start", "test", "restore", "lab clone", "lab rebuild",
           "emulator stats", "emulator set-secret", "emulator reset", "emulator serve"}


def test_every_command__has_success_and_failure_scenarios_here():
    assert set(COMMANDS) <= COVERED, f"add JSON scenarios for {sorted(set(COMMANDS) - COVERED)}"


# Usage errors: every command, the envelope on stdout with exit 64.

@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command__has_output_json_and_reads_azguest_output(path):
    opt = next((p for p in COMMANDS[path].params if "--output" in getattr(p, "opts", ())), None)
    assert opt is not None and "-o" in opt.opts, f"azguest {path} has no -o/--output"
    assert opt.envvar == output.OUTPUT_ENV


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command__unknown_option_is_an_envelope(cli, path):
    rc, doc = cli(*path.split(), "--no-such-option")
    assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-USAGE-UNKNOWN-OPTION"
    assert doc["error"]["param"] == "--no-such-option" and f"azguest {path} --help" in doc["error"]["hint"]


@pytest.mark.parametrize("path", sorted(p for p, c in COMMANDS.items()
                                        if any(getattr(x, "required", False) for x in c.params)))
def test_every_command__missing_argument_is_an_envelope(cli, path):
    rc, doc = cli(*path.split())
    assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-USAGE-MISSING" and doc["error"]["param"]


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command__bad_output_choice_with_azguest_output_env(cli, monkeypatch, path):
    monkeypatch.setenv(output.OUTPUT_ENV, "json")
    rc, doc = cli(*path.split(), "-o", "xml", json_flag=False)
    assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-USAGE-BAD-VALUE"


@pytest.mark.parametrize("argv", [
    ["init", "x", "--storage", "zfs", "-o", "json"], ["init", "x", "--nodes", "0", "--output=json"],
    ["deploy", SPEC, "-j", "0", "-ojson"], ["destroy", LAB, "--concurrency", "many", "--output", "JSON"],
])
def test_bad_values__every_spelling_of_json(cli, argv):
    rc, doc = cli(*argv, json_flag=False)
    assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-USAGE-BAD-VALUE"
    assert doc["error"]["kind"] == "usage"


@pytest.mark.parametrize("argv,command,code", [
    (["nosuchcommand"], "", "AZG-USAGE"), (["emulator", "nosuch"], "emulator", "AZG-USAGE"),
    (["--no-such-root-option"], "", "AZG-USAGE-UNKNOWN-OPTION"),
])
def test_unknown_commands__are_envelopes(cli, monkeypatch, argv, command, code):
    monkeypatch.setenv(output.OUTPUT_ENV, "json")
    rc, doc = cli(*argv, command=command, json_flag=False)
    assert rc == ExitCode.USAGE and doc["error"]["code"] == code


@pytest.mark.parametrize("argv,names", [([], "azguest needs a command: validate"), (["emulator"], "stats")])
def test_group_without_command__one_line_error_naming_the_commands(cli, monkeypatch, argv, names):
    monkeypatch.setenv(output.OUTPUT_ENV, "json")
    rc, doc = cli(*argv, command=" ".join(argv), json_flag=False)
    assert rc == ExitCode.USAGE and doc["error"]["code"] == "AZG-USAGE-NO-COMMAND"
    assert "\n" not in doc["error"]["message"] and names in doc["error"]["message"]


def test_azguest_output_env__success_without_the_flag(cli, monkeypatch):
    monkeypatch.setenv(output.OUTPUT_ENV, "json")
    rc, doc = cli("validate", SPEC, json_flag=False)
    assert rc == 0 and doc["result"]["valid"]


def test_human_usage_error__nothing_on_stdout(capsys):
    assert run(["plan"]) == ExitCode.USAGE
    out = capsys.readouterr()
    assert out.out == "" and "Missing argument" in out.err


# The schema can fail: what the old output looked like is refused.

@pytest.mark.parametrize("doc", [
    {"schema": "azguest/v1", "command": "validate", "ok": False, "result": {}, "error": None},
    {"schema": "azguest/v1", "command": "emulator stats", "ok": True, "result": {"by_kind": {}}, "error": None},
    {"schema": "azguest/v1", "command": "gc", "ok": True, "result": {"expired": {"lab-1": "x"}}, "error": None},
    {"schema": "azguest/v1", "command": "plan", "ok": False, "result": None,
     "error": {"code": "AZG-X", "message": "m"}},
    {"schema": "azguest/v1", "command": "plan", "ok": False, "result": None,
     "error": {"code": "AZG-X", "message": "m", "exitCode": 99}},
])
def test_schema__refuses_the_defects_of_issue_9(doc):
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(doc)


def test_schema_and_docs__current():
    from azguest.cli.output_schema import docs_markdown, schema_text

    assert output.SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run python -m azguest.docs"
    assert (ROOT / "docs" / "output.md").read_text(encoding="utf-8") == docs_markdown(), "run python -m azguest.docs"
    documented = _documented_exit_codes()
    assert set(VALIDATOR.schema["$defs"]["error"]["properties"]["exitCode"]["enum"]) == documented - {0}
    assert {code for code, _ in output.CLI_ERROR_CODES.values()} <= documented


@pytest.mark.parametrize("raised,code,exit_code", [
    (KeyboardInterrupt(), "AZG-INTERRUPTED", ExitCode.INTERRUPTED),  # Ctrl-C while reading the spec
    (RuntimeError("a bug"), "AZG-INTERNAL", ExitCode.INTERNAL),  # the catch-all, without a traceback
])
def test_interrupt_and_internal_error__are_envelopes(cli, monkeypatch, capsys, raised, code, exit_code):
    def load(*_a, **_k):
        raise raised

    monkeypatch.setattr("azguest.spec.load", load)
    rc, doc = cli("validate", SPEC)
    assert rc == exit_code and doc["error"]["code"] == code
