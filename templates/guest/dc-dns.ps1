# azguest-step: dc-dns
<#
.SYNOPSIS
    DNS forwarder to Azure DNS; waits until AD DS and DNS answer.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "dc-dns", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$DomainName = '',
    [string]$Forwarder = ''
)
$ErrorActionPreference = 'Stop'

# Stub: the step's body comes with the guest scripts (item 4).
$result = [ordered]@{ step = 'dc-dns'; changed = $false; rebootRequired = $false; data = @{} }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
