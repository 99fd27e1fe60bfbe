"""Action run command and managed run commands, with the guest model and the test guest hook."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azguest.emulator import Engine
from tests.emulator.lab import LOCATION, Lab, code_of

SECRET_VALUE = "Do-Not-Echo-Me-42"


def _run(lab: Lab, rg: str, vm: str, script: list[str], params: dict[str, str] | None = None):
    body = {
        "commandId": "RunPowerShellScript",
        "script": script,
        "parameters": [{"name": k, "value": v} for k, v in (params or {}).items()],
    }
    return lab.s.compute.virtual_machines.begin_run_command(rg, vm, body).result()


def test_run_command__declared_step_runs_in_the_guest_model(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg).name
    result = _run(lab, rg, vm, ["# azguest-step: hello", "Write-Output hello"])
    stdout = next(v for v in result.value if "StdOut" in v.code)
    assert stdout.code == "ComponentStatus/StdOut/succeeded"
    assert stdout.message.startswith("hello, world")


def test_run_command__guest_hook_sees_script_and_parameters(lab: Lab, engine: Engine):
    seen: list[tuple] = []

    def hook(vm_id: str, script, parameters: dict) -> tuple[int, str, str]:
        seen.append((vm_id, script, parameters))
        return 0, f"node says {parameters.get('Role')}", "a warning"

    engine.guest_hook = hook
    rg = lab.rg()
    vm = lab.vm(rg)
    result = _run(lab, rg, vm.name, ["param($Role)", "Write-Output $Role"], {"Role": "witness"})
    messages = {v.code: v.message for v in result.value}
    assert "node says witness" in messages["ComponentStatus/StdOut/succeeded"]
    assert "a warning" in messages["ComponentStatus/StdErr/succeeded"]
    assert len(seen) == 1
    assert seen[0][0].lower() == vm.id.lower()
    assert list(seen[0][1]) == ["param($Role)", "Write-Output $Role"]
    assert seen[0][2] == {"Role": "witness"}


def test_run_command__deallocated_vm_refused(lab: Lab):
    rg = lab.rg()
    vm = lab.vm(rg).name
    lab.s.compute.virtual_machines.begin_deallocate(rg, vm).result()
    with pytest.raises(HttpResponseError) as ei:
        _run(lab, rg, vm, ["Write-Output hi"])
    assert code_of(ei) in ("Conflict", "OperationNotAllowed", "VMAgentStatusCommunicationError")


def test_run_command__missing_vm(lab: Lab):
    rg = lab.rg()
    with pytest.raises(ResourceNotFoundError) as ei:
        _run(lab, rg, f"missing-{lab.uid}", ["Write-Output hi"])
    assert code_of(ei) == "ResourceNotFound"


def _managed_body(script: str) -> dict:
    return {
        "location": LOCATION,
        "properties": {
            "source": {"script": script},
            "parameters": [{"name": "Role", "value": "node"}],
            "protectedParameters": [{"name": "Password", "value": SECRET_VALUE}],
            "asyncExecution": False,
            "timeoutInSeconds": 600,
        },
    }


def test_managed_run_command__create_get_list_delete(lab: Lab, engine: Engine):
    seen: list[dict] = []
    engine.guest_hook = lambda vm_id, script, params: seen.append(params) or (0, "configured", "")
    rg = lab.rg()
    vm = lab.vm(rg).name
    ops = lab.s.compute.virtual_machine_run_commands
    name = lab.name("rc")
    created = ops.begin_create_or_update(rg, vm, name, _managed_body("Write-Output configured")).result()
    assert created.provisioning_state == "Succeeded"
    assert SECRET_VALUE not in json.dumps(created.as_dict())
    got = ops.get_by_virtual_machine(rg, vm, name, expand="instanceView")
    assert got.instance_view.execution_state == "Succeeded"
    assert got.instance_view.exit_code == 0
    assert "configured" in got.instance_view.output
    assert SECRET_VALUE not in json.dumps(got.as_dict())
    assert seen and seen[0].get("Password") == SECRET_VALUE  # the guest does get it
    assert [r.name for r in ops.list_by_virtual_machine(rg, vm)] == [name]
    ops.begin_delete(rg, vm, name).result()
    assert list(ops.list_by_virtual_machine(rg, vm)) == []


def test_managed_run_command__failed_script(lab: Lab, engine: Engine):
    engine.guest_hook = lambda vm_id, script, params: (3, "", "boom")
    rg = lab.rg()
    vm = lab.vm(rg).name
    ops = lab.s.compute.virtual_machine_run_commands
    name = lab.name("rc")
    try:
        ops.begin_create_or_update(rg, vm, name, _managed_body("exit 3")).result()
    except HttpResponseError:
        pass  # treatFailureAsDeploymentFailure semantics may surface it; the instance view must still say so
    got = ops.get_by_virtual_machine(rg, vm, name, expand="instanceView")
    assert got.instance_view.execution_state == "Failed"
    assert got.instance_view.exit_code == 3
    assert "boom" in got.instance_view.error


def test_managed_run_command__missing_vm(lab: Lab):
    rg = lab.rg()
    with pytest.raises(HttpResponseError) as ei:
        lab.s.compute.virtual_machine_run_commands.begin_create_or_update(
            rg, f"missing-{lab.uid}", lab.name("rc"), _managed_body("Write-Output x")
        ).result()
    assert code_of(ei) in ("ResourceNotFound", "ParentResourceNotFound")
