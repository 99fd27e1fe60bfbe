"""The guest PowerShell, checked statically (issue 10 item 8): no Windows runs here, so every step's script (as
azguest sends it, its shared functions inlined) parses with tree-sitter-powershell, calls only cmdlets and named
parameters that Windows Server 2022 / PowerShell 5.1 documents (azguest/catalog/data/windows-cmdlets.json), never
reboots its VM or prompts, ends with one JSON line, reads every parameter its contract passes, and hands a
protected value only to the cmdlet that needs it. The last tests feed deliberately broken scripts: every check
can fail. tests/guest/test_contract.py holds the header and the param() names to the step (both ways).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from azguest.catalog.cmdlets import COMMON_PARAMETERS_51, reference
from azguest.guest.steps import all_steps, script_text, steps_for, targets_of
from azguest.spec import load_lab
from tests.guest.ps_static import (
    calls,
    check_calls,
    check_output,
    check_safety,
    check_secrets,
    param_names,
    parse,
    syntax_errors,
    unused_parameters,
)

ROOT = Path(__file__).resolve().parents[2]
STEPS = all_steps()
REF = reference()
SCRIPTS = {sid: parse(script_text(step)) for sid, step in STEPS.items()}


# --- the reference --------------------------------------------------------------------------------------------

def test_reference__is_package_data_that_names_its_microsoft_sources():
    assert any(s.startswith("MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps @") for s in REF.sources)
    assert any(s.startswith("MicrosoftDocs/PowerShell-Docs reference/5.1 @") for s in REF.sources)
    assert len(REF.cmdlets) > 1500
    readme = (ROOT / "azguest" / "catalog" / "data" / "README.md").read_text(encoding="utf-8")
    assert all(s.split(" @ ")[-1] in readme for s in REF.sources)


def test_reference__aliases_resolve_and_table_cells_are_not_aliases():
    assert REF.lookup("Enable-ClusterS2D").name == "Enable-ClusterStorageSpacesDirect"
    assert REF.lookup("?").name == "Where-Object"
    assert REF.lookup("Register-ScheduledTask").aliases == {"Session": "CimSession"}  # not "Highest" (a value)
    assert REF.lookup("Install-WindowsFeature").aliases.get("cf") == "Confirm"
    assert not [a for c in REF.cmdlets.values() for a in c.aliases if ":" in a or " " in a]
    assert "ProgressAction" not in COMMON_PARAMETERS_51  # PowerShell 7.4's; a 5.1 guest refuses it


# --- every step's script, as azguest sends it -----------------------------------------------------------------

@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_script__parses_with_no_error_or_missing_node(step_id):
    assert syntax_errors(SCRIPTS[step_id]) == []


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_script__calls_only_ws2022_cmdlets_with_their_parameters(step_id):
    assert check_calls(SCRIPTS[step_id], REF) == []


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_script__never_reboots_its_vm_nor_prompts(step_id):
    assert check_safety(SCRIPTS[step_id]) == []


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_script__ends_with_exactly_one_json_line(step_id):
    assert check_output(SCRIPTS[step_id]) == []


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_script__reads_every_parameter_it_declares_and_declares_the_contract(step_id):
    s, step = SCRIPTS[step_id], STEPS[step_id]
    assert sorted(param_names(s)) == sorted([*step.params, *step.protected])  # the parse tree's view
    assert unused_parameters(s) == []


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_script__protected_values_reach_only_their_cmdlet(step_id):
    assert check_secrets(SCRIPTS[step_id], STEPS[step_id].protected) == []


def test_scripts__include_lines_are_replaced_by_the_shared_functions():
    raw = (ROOT / "templates" / "guest" / "cluster-create.ps1").read_text(encoding="utf-8")
    assert "# azguest-include: lib/as-domain-admin.ps1" in raw
    sent = script_text(STEPS["cluster-create"])
    assert "azguest-include" not in sent and "function Invoke-AsDomainAdmin" in sent
    assert not [sid for sid, s in SCRIPTS.items() if "azguest-include" in s.text]


def test_scripts__identity_steps_run_their_cmdlet_as_the_domain_admin_in_a_scheduled_task():
    for sid, cmdlet in (("cluster-validate", "Test-Cluster"), ("cluster-create", "New-Cluster")):
        s = SCRIPTS[sid]
        task = next(c for c in calls(s) if c.name == "Register-ScheduledTask")
        assert {"User", "Password", "RunLevel"} <= set(task.parameters)
        assert "Unregister-ScheduledTask" in {c.name for c in calls(s)}
        work = s.text[s.text.index("$work = {"):]
        assert cmdlet in work[:work.index("\n}\n")]  # the cmdlet runs inside the task's script block


def test_scripts__key_commands_carry_the_documented_switches():
    def params(sid, name):
        return {p for c in calls(SCRIPTS[sid]) if c.name == name for p in c.parameters}
    assert {"NoRebootOnCompletion", "Force", "DatabasePath", "LogPath", "SysvolPath"} <= params(
        "dc-promote", "Install-ADDSForest")
    assert {"NoStorage", "ManagementPointNetworkType"} <= params("cluster-create", "New-Cluster")
    assert "ManagementPointNetworkType Distributed" in SCRIPTS["cluster-create"].text
    assert "Set-DnsServerForwarder" in {c.name for c in calls(SCRIPTS["dc-dns"])}
    assert {"CloudWitness", "AccountName", "AccessKey", "Endpoint"} <= params("witness-cloud", "Set-ClusterQuorum")
    assert {"IsPersistent"} <= params("iscsi-initiator", "Connect-IscsiTarget")
    assert {"Dynamic", "SizeBytes"} <= params("workloads", "New-VHD")
    assert "AntiAffinityClassNames" in SCRIPTS["workloads"].text
    assert not re.search(r"ClusterEnforcedAntiAffinity\s*=", SCRIPTS["workloads"].text)  # soft (design.md)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_workloads_script__reads_only_keys_the_step_passes(path):
    import json

    lab = load_lab(path)
    step = next((s for s in steps_for(lab) if s.id == "workloads"), None)
    if step is None:
        pytest.skip("no workloads")
    values = step.values(lab, targets_of(lab, step)[0])
    passed = {k for w in json.loads(values["Workloads"]) for k in w} | {"image"}  # image: optional, a VHDX path
    read = set(re.findall(r"\$w\.([A-Za-z]+)", SCRIPTS["workloads"].text))
    assert read <= passed, read - passed


# --- the checks fail on broken scripts ------------------------------------------------------------------------

GOOD = """# azguest-step: demo
[CmdletBinding()]
param(
    [string]$Name = '',
    [string]$AdminPassword = ''
)
$ErrorActionPreference = 'Stop'
$secure = ConvertTo-SecureString -String $AdminPassword -AsPlainText -Force
Get-Service -Name $Name | Out-Null
$result = [ordered]@{ step = 'demo'; changed = $false; rebootRequired = $false; data = @{} }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
"""


def _all_problems(text: str) -> list[str]:
    s = parse(text)
    return [*syntax_errors(s), *check_calls(s, REF), *check_safety(s), *check_output(s),
            *check_secrets(s, ("AdminPassword",)), *(f"unused {p}" for p in unused_parameters(s))]


def _bad(line: str) -> str:
    return GOOD.replace("Get-Service -Name $Name | Out-Null\n", f"Get-Service -Name $Name | Out-Null\n{line}\n")


def test_checker__the_good_script_is_clean():
    assert _all_problems(GOOD) == []


@pytest.mark.parametrize(("line", "expected"), [
    ("Get-ClusterStuff -Name x", "unknown command 'Get-ClusterStuff'"),
    ("frobnicate now", "unknown command 'frobnicate'"),
    ("Get-Service -Nmae x", "Get-Service has no parameter -Nmae (unknown)"),
    ("New-Cluster -Name c -Confirm:$false", "New-Cluster has no parameter -Confirm"),  # no ShouldProcess
    ("Get-Service -ProgressAction SilentlyContinue", "no parameter -ProgressAction"),  # PowerShell 7.4 only
    ("Get-NetIPAddress -Pre 24", "ambiguous"),  # -PreferredLifetime or -PrefixLength, -PrefixOrigin
    ("New-Volume -StoragePoolFriendlyName p -DiskNumber 3 -FriendlyName v", "no parameter set takes"),
    ("$x = (Get-Service -Name a", "cannot parse"),
    ("if ($x) { Get-Item -Path a", "missing"),
])
def test_checker__reports_unknown_commands_parameters_and_parse_errors(line, expected):
    problems = _all_problems(_bad(line))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(("line", "expected"), [
    ("Restart-Computer -Force", "Restart-Computer reboots its own VM"),
    ("Install-WindowsFeature -Name Hyper-V -Restart", "-Restart reboots its own VM"),
    ("Add-Computer -DomainName d -Credential $c", "Add-Computer without -Force"),
    ("Install-ADDSForest -DomainName d -Force", "Install-ADDSForest without -NoRebootOnCompletion"),
    ("$n = Read-Host 'name'", "Read-Host prompts"),
    ("$c = Get-Credential", "Get-Credential prompts"),
])
def test_checker__reports_reboots_and_prompts(line, expected):
    problems = _all_problems(_bad(line))
    assert any(expected in p for p in problems), problems


def test_checker__reports_a_mandatory_parameter():
    assert any("Mandatory" in p for p in _all_problems(GOOD.replace(
        "    [string]$Name = '',", "    [Parameter(Mandatory = $true)][string]$Name,")))


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("Write-Output ($result", "Write-Output ($result | ConvertTo-Json -Compress)\nWrite-Output ($result"),
     "2 top-level JSON lines"),
    (GOOD + "Get-Service -Name x\n", "a statement after the JSON line"),
    (GOOD.replace("Write-Output ($result | ConvertTo-Json -Compress -Depth 5)", "Write-Output $result"),
     "0 top-level JSON lines"),
    (_bad("if ($x) { Write-Output (@{} | ConvertTo-Json -Compress) }"), "another JSON line written"),
])
def test_checker__reports_anything_but_one_final_json_line(text, expected):
    assert any(expected in p for p in _all_problems(text)), _all_problems(text)


@pytest.mark.parametrize("line", [
    'Write-Host "password: $AdminPassword"',
    "Write-Output $AdminPassword",
    "$copy = $AdminPassword",
    "Register-ScheduledTask -TaskName t -User u -Action $a $AdminPassword",  # positional: not the -Password sink
])
def test_checker__reports_a_protected_value_outside_its_sinks(line):
    assert any("protected $AdminPassword" in p for p in _all_problems(_bad(line)))


def test_checker__reports_a_declared_parameter_the_script_never_reads():
    text = GOOD.replace("    [string]$Name = '',", "    [string]$Name = '',\n    [string]$Forgotten = '',")
    assert "unused Forgotten" in _all_problems(text)


@pytest.mark.parametrize(("step_id", "good", "bad", "expected"), [
    ("workloads", "-Dynamic", "-Dynamik", "New-VHD has no parameter -Dynamik"),
    ("cluster-create", "-ManagementPointNetworkType Distributed", "-ManagementPoint Distributed -Confirm:$false",
     "New-Cluster has no parameter -Confirm"),
    ("dc-promote", " -NoRebootOnCompletion", "", "without -NoRebootOnCompletion"),
    ("witness-cloud", "Set-ClusterQuorum -CloudWitness", "Set-ClusterWitness -CloudWitness", "unknown command"),
])
def test_checker__catches_a_mistake_made_in_a_real_script(step_id, good, bad, expected):
    text = script_text(STEPS[step_id])
    assert good in text
    assert any(expected in p for p in _all_problems(text.replace(good, bad)))
