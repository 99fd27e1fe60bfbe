# azguest-step: witness-cloud
<#
.SYNOPSIS
    cloud witness on the lab's storage account (key protected).
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "witness-cloud", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): StorageKey.
#>
[CmdletBinding()]
param(
    [string]$AccountName = '',
    [string]$Endpoint = '',
    [string]$StorageKey = ''
)
$ErrorActionPreference = 'Stop'

# Stub: the step's body comes with the guest scripts (item 4).
$result = [ordered]@{ step = 'witness-cloud'; changed = $false; rebootRequired = $false; data = @{} }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
