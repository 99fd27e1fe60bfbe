# azguest-step: iscsi-initiator
<#
.SYNOPSIS
    MSiSCSI, persistent session to the target; the first node initialises the LUNs.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "iscsi-initiator", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$TargetPortal = '',
    [string]$TargetName = '',
    [string]$InitializeDisks = ''
)
$ErrorActionPreference = 'Stop'

# azguest-include: lib/disks.ps1

# The node's iSCSI initiator [PSD iSCSI; AutomatedLab Install-LabFailoverStorage]: MSiSCSI automatic and running,
# the target portal (TCP 3260), a persistent session to the target ("automatically connected after each restart"
# [PSD iSCSI/Connect-IscsiTarget.md]). The target's IQN is iqn.1991-05.com.microsoft:<server>-<TargetName>-target.
# The first node (InitializeDisks: lun=label;... there, empty elsewhere) initialises the LUNs once.
$changed = $false
$service = Get-Service -Name 'MSiSCSI'
if ([string]$service.StartType -ne 'Automatic') { Set-Service -Name 'MSiSCSI' -StartupType Automatic; $changed = $true }
if ($service.Status -ne 'Running') { Start-Service -Name 'MSiSCSI'; $changed = $true }

if (-not (Get-IscsiTargetPortal -TargetPortalAddress $TargetPortal -ErrorAction SilentlyContinue)) {
    New-IscsiTargetPortal -TargetPortalAddress $TargetPortal | Out-Null
    $changed = $true
}
$target = $null
for ($i = 0; $i -lt 12 -and -not $target; $i++) {
    $target = Get-IscsiTarget | Where-Object { $_.NodeAddress -like "*-$TargetName-target" } | Select-Object -First 1
    if (-not $target) {
        Start-Sleep -Seconds 5
        Update-IscsiTargetPortal -TargetPortalAddress $TargetPortal | Out-Null
    }
}
if (-not $target) {
    throw "iscsi-initiator: $TargetPortal shows no target $TargetName to $env:COMPUTERNAME (is this node in its ACL?)"
}
if (-not $target.IsConnected) {
    Connect-IscsiTarget -NodeAddress $target.NodeAddress -TargetPortalAddress $TargetPortal -IsPersistent $true | Out-Null
    $changed = $true
}

$labels = [ordered]@{}
foreach ($pair in ($InitializeDisks -split ';' | Where-Object { $_ })) {
    $lun, $label = $pair -split '=', 2
    $disk = $null
    for ($i = 0; $i -lt 12 -and -not $disk; $i++) {
        $disk = Get-Disk | Where-Object { $_.BusType -eq 'iSCSI' -and $_.Location -match ": LUN $lun`$" } |
            Select-Object -First 1
        if (-not $disk) { Start-Sleep -Seconds 5 }
    }
    if (-not $disk) { throw "iscsi-initiator: no iSCSI disk at LUN $lun on $env:COMPUTERNAME" }
    if (Initialize-LabelledDisk -Disk $disk -Label $label) { $changed = $true }
    $labels[$label] = [int]$lun
}

$session = Get-IscsiSession | Where-Object { $_.TargetNodeAddress -eq $target.NodeAddress } | Select-Object -First 1
$data = [ordered]@{ targetIqn = $target.NodeAddress; portal = $TargetPortal; persistent = [bool]$session.IsPersistent
    disks = @(Get-Disk | Where-Object BusType -eq 'iSCSI').Count; initialized = $labels }
$result = [ordered]@{ step = 'iscsi-initiator'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
