# azguest-step: cluster-disks
<#
.SYNOPSIS
    available disks into the cluster, named by label; CSVs.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "cluster-disks", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$CsvLabels = ''
)
$ErrorActionPreference = 'Stop'

# Stub: the step's body comes with the guest scripts (item 4).
$result = [ordered]@{ step = 'cluster-disks'; changed = $false; rebootRequired = $false; data = @{} }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
