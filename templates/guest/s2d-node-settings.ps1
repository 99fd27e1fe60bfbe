# azguest-step: s2d-node-settings
<#
.SYNOPSIS
    spaceport HwTimeout 30 s for S2D in VMs, before the node's one reboot.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "s2d-node-settings", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$HwTimeoutMs = ''
)
$ErrorActionPreference = 'Stop'

# S2D in Azure VMs: spaceport HwTimeout 0x7530 (30 s; default 6 s) [WSD storage/storage-spaces/
# storage-spaces-direct-in-vm.md]. Whether it needs a restart is not documented: the step reports one, and the
# node's single ARM restart (after node-join) covers it.
$key = 'HKLM:\SYSTEM\CurrentControlSet\Services\spaceport\Parameters'
$want = [int]$HwTimeoutMs
$changed = $false
if (-not (Test-Path -Path $key)) { New-Item -Path $key -Force | Out-Null }
$current = (Get-ItemProperty -Path $key -Name 'HwTimeout' -ErrorAction SilentlyContinue).HwTimeout
if ($current -ne $want) {
    New-ItemProperty -Path $key -Name 'HwTimeout' -PropertyType DWord -Value $want -Force | Out-Null
    $changed = $true
}

$data = [ordered]@{ hwTimeoutMs = $want }
$result = [ordered]@{ step = 's2d-node-settings'; changed = $changed; rebootRequired = $changed; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
