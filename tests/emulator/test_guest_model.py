"""The guest-model seam (issue 8 item 3): a run command runs the step its script declares, in the
guest model the profile selects, with per-VM guest state that persists; anything else is a failed run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azguest.azure import AzureSession
from azguest.emulator import Engine, load_profile
from azguest.emulator.guest import GuestResult, parse_step_id, registered
from azguest.errors import ConfigError
from tests.emulator.lab import LOCATION, Lab

SECRET = "Guest-Only-S3cret-91!"


def _managed(lab: Lab, rg: str, vm: str, name: str, script: str, params: dict | None = None,
             protected: dict | None = None):
    ops = lab.s.compute.virtual_machine_run_commands
    body = {"location": LOCATION, "properties": {
        "source": {"script": script},
        "parameters": [{"name": k, "value": v} for k, v in (params or {}).items()],
        "protectedParameters": [{"name": k, "value": v} for k, v in (protected or {}).items()]}}
    made = ops.begin_create_or_update(rg, vm, name, body).result()
    return made, ops.get_by_virtual_machine(rg, vm, name, expand="instanceView")


def _action(lab: Lab, rg: str, vm: str, script: list[str], params: dict | None = None) -> tuple[str, str]:
    body = {"commandId": "RunPowerShellScript", "script": script,
            "parameters": [{"name": k, "value": v} for k, v in (params or {}).items()]}
    result = lab.s.compute.virtual_machines.begin_run_command(rg, vm, body).result()
    msgs = {v.code.split("/")[1]: v.message for v in result.value}
    return msgs["StdOut"], msgs["StdErr"]


def test_managed_run_command__declared_steps_share_persisted_guest_state(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg).name
    _, first = _managed(lab, rg, vm, "hello", "# azguest-step: hello\nWrite-Output hi", {"Name": "azguest"})
    assert (first.instance_view.execution_state, first.instance_view.exit_code) == ("Succeeded", 0)
    assert first.instance_view.output.startswith("hello, azguest, from ")
    _, info = _managed(lab, rg, vm, "info", "# azguest-step: get-computer-info\nGet-ComputerInfo")
    facts = json.loads(info.instance_view.output)
    assert facts["helloCount"] == 1 and facts["lastHello"] == "azguest" and facts["osType"] == "Windows"


def test_action_run_command__runs_the_declared_step(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg).name
    out, err = _action(lab, rg, vm, ["# azguest-step: hello", "Write-Output hi"])
    assert out.startswith("hello, world") and err == ""
    out, _ = _action(lab, rg, vm, ["# azguest-step: get-computer-info"])
    assert json.loads(out)["helloCount"] == 1


@pytest.mark.parametrize("script,why", [
    ("Write-Output 'looks fine'", "declares no step"),
    ("# azguest-step: format-all-disks\nWrite-Output ok", "unknown guest step 'format-all-disks'"),
    ("Write-Output hi\n# azguest-step: hello", "declares no step"),  # the declaration must come first
], ids=["no step", "unknown step", "step not on the first line"])
def test_managed_run_command__undeclared_or_unknown_step_is_a_failed_run(lab: Lab, script: str, why: str) -> None:
    rg = lab.rg()
    vm = lab.vm(rg).name
    _, got = _managed(lab, rg, vm, "rc", script)
    iv = got.instance_view
    assert iv.execution_state == "Failed" and iv.exit_code != 0
    assert why in iv.error and "azguest-step" in iv.error


def test_action_run_command__unknown_step_reports_on_stderr(lab: Lab) -> None:
    rg = lab.rg()
    vm = lab.vm(rg).name
    out, err = _action(lab, rg, vm, ["# azguest-step: nope"])
    assert out == "" and "unknown guest step 'nope'" in err


def test_protected_parameters__reach_the_step_but_are_never_stored_or_echoed(tmp_path: Path) -> None:
    seen: list[str] = []

    def needs_secret(run, facts):
        seen.append(run.protected.get("Password", ""))
        facts["passwordSet"] = bool(run.protected.get("Password"))
        return GuestResult(0, "password applied", "")

    state = tmp_path / "emulator.db"
    with registered("set-password", needs_secret), AzureSession.for_engine(
            Engine(state_path=state, profile=load_profile("fast"))) as s:
        lab = Lab(s, "sec")
        rg = lab.rg()
        vm = lab.vm(rg).name
        made, got = _managed(lab, rg, vm, "pw", "# azguest-step: set-password\n", protected={"Password": SECRET})
        _, info = _managed(lab, rg, vm, "info", "# azguest-step: get-computer-info")
    assert seen == [SECRET]
    assert got.instance_view.output == "password applied"
    for shown in (made.as_dict(), got.as_dict(), info.as_dict()):
        assert SECRET not in json.dumps(shown)
    data = state.read_bytes()
    assert SECRET.encode() not in data and b'"passwordSet":true' in data


def test_careless_step__cannot_echo_or_keep_a_protected_parameter(lab: Lab, engine: Engine) -> None:
    def echoes(run, facts):
        return GuestResult(0, f"password is {run.protected['Password']}", f"also {run.protected['Password']}")

    def keeps(run, facts):
        facts["password"] = run.protected["Password"]
        return GuestResult(0, "kept", "")

    rg = lab.rg()
    vm = lab.vm(rg).name
    with registered("echo-secret", echoes), registered("keep-secret", keeps):
        _, echoed = _managed(lab, rg, vm, "e", "# azguest-step: echo-secret", protected={"Password": SECRET})
        _, kept = _managed(lab, rg, vm, "k", "# azguest-step: keep-secret", protected={"Password": SECRET})
        _, info = _managed(lab, rg, vm, "i", "# azguest-step: get-computer-info")
    assert echoed.instance_view.output == "password is ***" and echoed.instance_view.error == "also ***"
    assert kept.instance_view.exit_code == 1 and "protected parameter" in kept.instance_view.error
    assert SECRET not in json.dumps([echoed.as_dict(), kept.as_dict(), info.as_dict()])
    assert SECRET not in json.dumps(engine.store.state)


def test_careless_step__keeping_a_secret_drops_all_its_changes_other_runs_keep_theirs(lab: Lab,
                                                                                      engine: Engine) -> None:
    def noted(run, facts):
        facts.setdefault("notes", []).append(run.parameters.get("Note"))
        if run.protected.get("Password"):
            facts["password"] = run.protected["Password"]
        return GuestResult(0, "noted", "")

    rg = lab.rg()
    vm = lab.vm(rg)
    with registered("note", noted):
        _managed(lab, rg, vm.name, "a", "# azguest-step: note", {"Note": "plain"})
        _, kept = _managed(lab, rg, vm.name, "b", "# azguest-step: note", {"Note": "with-secret"},
                           protected={"Password": SECRET})
        _managed(lab, rg, vm.name, "c", "# azguest-step: note", {"Note": "unrelated"}, protected={"Other": "x-9"})
    assert kept.instance_view.exit_code == 1 and "protected parameter" in kept.instance_view.error
    facts = engine.store.state["guests"][vm.id.lower()]["facts"]
    assert facts["notes"] == ["plain", "unrelated"] and "password" not in facts
    assert SECRET not in json.dumps(engine.store.state)


def test_guest_state__persists_across_engines_and_goes_with_the_vm(tmp_path: Path) -> None:
    state = tmp_path / "emulator.db"
    with AzureSession.for_engine(Engine(state_path=state, profile=load_profile("fast"))) as s:
        lab = Lab(s, "gp")
        rg = lab.rg()
        vm = lab.vm(rg).name
        _managed(lab, rg, vm, "hello", "# azguest-step: hello")
    with AzureSession.for_engine(Engine(state_path=state, profile=load_profile("fast"))) as s:
        lab = Lab(s, "gp")
        _, info = _managed(lab, rg, vm, "info", "# azguest-step: get-computer-info")
        assert json.loads(info.instance_view.output)["helloCount"] == 1
        s.compute.virtual_machines.begin_delete(rg, vm).result()
    assert json.loads(state.read_bytes())["guests"] == {}


def test_profile_guest_none__runs_nothing_and_says_so(lab: Lab, engine: Engine) -> None:
    engine.profile = engine.profile.replace(guest="none")
    rg = lab.rg()
    vm = lab.vm(rg).name
    _, got = _managed(lab, rg, vm, "rc", "# azguest-step: hello")
    assert got.instance_view.execution_state == "Failed" and "guest: none" in got.instance_view.error


def test_profile_file__selects_the_guest_model_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    good = tmp_path / "p.json"
    good.write_text(json.dumps({"base": "fast", "guest": "none"}))
    assert load_profile(good).guest == "none"
    assert load_profile("fast").guest == load_profile("realistic").guest == "windows-model"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"guest": "linux-magic"}))
    with pytest.raises(ConfigError, match="linux-magic"):
        load_profile(bad)


@pytest.mark.parametrize("script,step", [
    ("# azguest-step: hello", "hello"),
    ("\ufeff  #azguest-step:Get-Computer-Info  \r\nrest", "get-computer-info"),
    (["", "# azguest-step: hello", "x"], "hello"),
    (["Write-Output '# azguest-step: hello'"], None),
    ("# azguest-step: ../../etc", None),
    (None, None),
])
def test_parse_step_id__only_the_first_line_declares(script, step) -> None:
    assert parse_step_id(script) == step
