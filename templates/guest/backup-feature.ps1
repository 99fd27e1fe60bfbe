# azguest-step: backup-feature
<#
.SYNOPSIS
    Windows Server Backup (the Windows-Server-Backup feature, with its PowerShell module WindowsServerBackup) on
    the node that runs the in-guest backup.
.NOTES
    Contract: docs/design.md, "Backup" (in-guest). Run by `azguest backup LAB --mode in-guest` before backup-wsb;
    idempotent; never prompts; never reboots (the feature needs no restart: Install-WindowsFeature reports
    RestartNeeded, which is passed on as rebootRequired, and azguest refuses to go on if it is ever true).
    One JSON line: {"step": "backup-feature", "changed": bool, "rebootRequired": bool,
      "data": {"feature": "Windows-Server-Backup", "installed": true}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$changed = $false
$reboot = $false
$feature = Get-WindowsFeature -Name Windows-Server-Backup
if (-not $feature.Installed) {
    $installed = Install-WindowsFeature -Name Windows-Server-Backup
    $changed = $true
    $reboot = "$($installed.RestartNeeded)" -eq 'Yes'
}
$data = [ordered]@{ feature = 'Windows-Server-Backup'; installed = $true }
$result = [ordered]@{ step = 'backup-feature'; changed = $changed; rebootRequired = $reboot; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 4)
