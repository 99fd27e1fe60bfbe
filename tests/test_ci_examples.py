"""The CI examples (examples/ci/) are valid YAML, sign in without a stored secret, run nightly over a matrix of
shards, and every azguest command and option they call exists in the CLI (the Typer app walked): a renamed
option or command fails here, not in a trainer's pipeline at 04:00."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from ruamel.yaml import YAML

from azguest.cli.main import app

CI = Path(__file__).resolve().parents[1] / "examples" / "ci"
GITHUB, PIPELINES = CI / "github-actions.yml", CI / "azure-pipelines.yml"
SCRIPT_KEYS = {"run", "script", "inlineScript", "bash"}
_SUBST = re.compile(r"\$\{\{[^}]*\}\}|\$\([^)]*\)")  # ${{ matrix.shard }}, $(SHARDS): values, not words


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def scripts(node) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in SCRIPT_KEYS and isinstance(v, str):
                yield v
            else:
                yield from scripts(v)
    elif isinstance(node, list):
        for v in node:
            yield from scripts(v)


def azguest_calls(script: str) -> Iterator[list[str]]:
    """Each azguest command line of a shell script, as words (line continuations joined, redirections cut)."""
    text = _SUBST.sub("X", script.replace("\\\n", " "))
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if "azguest" in words:
            words = words[words.index("azguest") + 1:]
            yield [w for w in _until_redirect(words)]


def _until_redirect(words: list[str]) -> Iterator[str]:
    for w in words:
        if w in (">", ">>", "|", "&&", ";", "2>&1") or w.startswith(">"):
            return
        yield w


def check_call(root, argv: list[str]) -> list[str]:
    """Problems of one call: an unknown command, option, or a missing value."""
    return resolve(root, argv)[1]


def resolve(root, argv: list[str]) -> tuple[str, list[str]]:
    """(the command's path, the call's problems)."""
    cmd, path, rest = root, [], list(argv)
    while hasattr(cmd, "commands") and rest and not rest[0].startswith("-"):
        name = rest.pop(0)
        sub = cmd.commands.get(name)
        if sub is None:
            return " ".join(path), [f"unknown command: azguest {' '.join([*path, name])}"]
        cmd, path = sub, [*path, name]
    if hasattr(cmd, "commands"):
        return " ".join(path), [f"azguest {' '.join(path)} is a group, not a command"]
    opts = {o: p for p in cmd.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    problems = []
    while rest:
        w = rest.pop(0)
        if not w.startswith("-"):
            continue
        name = w.split("=", 1)[0]
        p = opts.get(name)
        if p is None:
            problems.append(f"azguest {' '.join(path)}: unknown option {name}")
        elif not p.is_flag and "=" not in w:
            if not rest:
                problems.append(f"azguest {' '.join(path)}: {name} needs a value")
            else:
                rest.pop(0)
    return " ".join(path), problems


ROOT = typer.main.get_command(app)


@pytest.mark.parametrize("path", [GITHUB, PIPELINES], ids=["github", "azure-pipelines"])
def test_ci_example__every_azguest_command_and_option_exists(path):
    calls = [c for s in scripts(load(path)) for c in azguest_calls(s)]
    assert {resolve(ROOT, c)[0] for c in calls} == {"gc", "lab clone", "lab rebuild", "lab list"}
    problems = [p for c in calls for p in check_call(ROOT, c)]
    assert problems == []
    for c in calls:
        assert "-o" in c and c[c.index("-o") + 1] == "json"  # every call leaves its documented JSON


def test_checker__fails_on_an_unknown_command_option_or_missing_value():
    [bad] = azguest_calls('azguest lab clone "$B" --count 3 --shards 1/2 -o json > x.json')
    assert check_call(ROOT, bad) == ["azguest lab clone: unknown option --shards"]
    [bad] = azguest_calls("azguest lab klone B --count 3")
    assert check_call(ROOT, bad) == ["unknown command: azguest lab klone"]
    [bad] = azguest_calls("azguest gc --yes -o")
    assert check_call(ROOT, bad) == ["azguest gc: -o needs a value"]


def test_github_actions__oidc_without_secrets_nightly_matrix_over_shards():
    text = GITHUB.read_text(encoding="utf-8")
    doc = load(GITHUB)
    assert doc["permissions"]["id-token"] == "write"
    assert "${{ secrets." not in text and "secrets.AZURE" not in text  # OIDC: ids in variables, no secret
    assert doc[True if True in doc else "on"]["schedule"][0]["cron"]  # YAML 1.1 reads `on` as true
    clone = doc["jobs"]["clone"]
    shards = clone["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and doc["env"]["SHARDS"] == str(len(shards))
    assert clone["strategy"]["fail-fast"] is False and "gc" in clone["needs"]
    logins = [s for j in doc["jobs"].values() for s in j["steps"] if str(s.get("uses", "")).startswith("azure/login")]
    assert len(logins) == len(doc["jobs"]) and all(set(s["with"]) == {"client-id", "tenant-id", "subscription-id"}
                                                  for s in logins)
    assert "--shard ${{ matrix.shard }}/${{ env.SHARDS }}" in " ".join(scripts(clone))


def test_azure_pipelines__workload_identity_connection_nightly_matrix_over_shards():
    doc = load(PIPELINES)
    assert doc["schedules"][0]["cron"] and doc["schedules"][0]["always"] is True
    tasks = [s for st in doc["stages"] for j in st["jobs"] for s in j["steps"] if "task" in s]
    cli_tasks = [t for t in tasks if t["task"] == "AzureCLI@2"]
    assert len(cli_tasks) == 4 and all(t["inputs"]["azureSubscription"] == "$(SERVICE_CONNECTION)" for t in cli_tasks)
    assert all(t["env"]["AZURE_SUBSCRIPTION_ID"] for t in cli_tasks)
    assert any(t["inputs"].get("addSpnToEnvironment") is True for t in cli_tasks)
    [clone] = [j for st in doc["stages"] for j in st["jobs"] if j["job"] == "clone"]
    matrix = clone["strategy"]["matrix"]
    assert sorted(v["SHARD"] for v in matrix.values()) == list(range(1, len(matrix) + 1))
    assert doc["variables"]["SHARDS"] == str(len(matrix))
    assert '--shard "$(SHARD)/$(SHARDS)"' in " ".join(scripts(clone))
    assert "servicePrincipalKey" not in PIPELINES.read_text(encoding="utf-8")


def test_docs_ci__documents_every_result_key_of_the_pipeline_commands():
    from azguest.deploy.labs import LabSummary
    from azguest.restore.fleet import CloneRecord, LabOutcome, RebuildRecord

    rows = {line.split("|")[1].strip(" `"): line for line in
            (CI.parents[1] / "docs" / "ci.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `")}
    lab = LabOutcome("student-1", "created", "rg-student-1")
    documented = {
        "lab clone": {*CloneRecord("b", "student-", 1, "1/1", (lab,), 0.0).to_dict(), *lab.to_dict()},
        "lab rebuild": set(RebuildRecord("l", "b", None, {"ok": True}, 0.0).to_dict()),
        "lab list": set(LabSummary("l", "rg", "westeurope", None, 0, (), True).to_dict()),
    }
    for command, keys in documented.items():
        missing = [k for k in keys if not re.search(rf"\b{k}\b", rows[command])]
        assert missing == [], command
