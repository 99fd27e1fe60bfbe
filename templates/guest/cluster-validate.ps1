# azguest-step: cluster-validate
<#
.SYNOPSIS
    Test-Cluster as the domain admin; fails with the failing tests.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "cluster-validate", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): AdminPassword.
#>
[CmdletBinding()]
param(
    [string]$Nodes = '',
    [string]$Tests = '',
    [string]$AdminUser = '',
    [string]$AdminPassword = ''
)
$ErrorActionPreference = 'Stop'

# Stub: the step's body comes with the guest scripts (item 4).
$result = [ordered]@{ step = 'cluster-validate'; changed = $false; rebootRequired = $false; data = @{} }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
