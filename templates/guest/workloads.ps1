# azguest-step: workloads
<#
.SYNOPSIS
    nested VMs on the CSV as clustered roles with soft anti-affinity.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "workloads", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$Workloads = '',
    [string]$SwitchName = ''
)
$ErrorActionPreference = 'Stop'

# Stub: the step's body comes with the guest scripts (item 4).
$result = [ordered]@{ step = 'workloads'; changed = $false; rebootRequired = $false; data = @{} }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
