# azguest-step: dc-promote
<#
.SYNOPSIS
    AD DS and DNS, new forest on the data disk, -NoRebootOnCompletion.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "dc-promote", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): SafeModePassword.
#>
[CmdletBinding()]
param(
    [string]$DomainName = '',
    [string]$NetbiosName = '',
    [string]$DataDiskLun = '',
    [string]$DataDriveLetter = '',
    [string]$SafeModePassword = ''
)
$ErrorActionPreference = 'Stop'

# Stub: the step's body comes with the guest scripts (item 4).
$result = [ordered]@{ step = 'dc-promote'; changed = $false; rebootRequired = $false; data = @{} }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
