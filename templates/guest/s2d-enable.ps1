# azguest-step: s2d-enable
<#
.SYNOPSIS
    Enable-ClusterS2D (no cache, auto-replace off) and one CSV volume.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "s2d-enable", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$VolumeName = ''
)
$ErrorActionPreference = 'Stop'

# S2D in Azure VMs [WSD storage/storage-spaces/storage-spaces-direct-in-vm.md; deploy-storage-spaces-direct.md]:
# Enable-ClusterStorageSpacesDirect -Confirm:$false (uniform Premium disks: no cache device, "a flat storage
# design with no caching devices"); automatic disk replacement off (a VM's disks are not swapped by hand);
# one CSV volume on the pool ("S2D on <cluster>") at C:\ClusterStorage\<VolumeName>.
$changed = $false
$s2d = Get-ClusterStorageSpacesDirect -ErrorAction SilentlyContinue
if (-not $s2d -or [string]$s2d.State -ne 'Enabled') {
    Enable-ClusterStorageSpacesDirect -Confirm:$false -WarningAction SilentlyContinue | Out-Null
    $changed = $true
}

$subsystem = Get-StorageSubSystem -FriendlyName 'Clus*'
$autoReplace = 'System.Storage.PhysicalDisk.AutoReplace.Enabled'
$setting = $subsystem | Get-StorageHealthSetting -Name $autoReplace -ErrorAction SilentlyContinue
if (-not $setting -or [string]$setting.Value -ne 'False') {
    $subsystem | Set-StorageHealthSetting -Name $autoReplace -Value 'False'
    $changed = $true
}

$disk = Get-VirtualDisk -FriendlyName $VolumeName -ErrorAction SilentlyContinue
if (-not $disk) {
    New-Volume -StoragePoolFriendlyName 'S2D*' -FriendlyName $VolumeName -FileSystem CSVFS_ReFS -UseMaximumSize | Out-Null
    $changed = $true
}

$csv = Get-ClusterSharedVolume | Where-Object { $_.SharedVolumeInfo.FriendlyVolumeName -like "*\$VolumeName" } |
    Select-Object -First 1
if (-not $csv) { throw "s2d-enable: the volume $VolumeName is not a cluster shared volume" }
$pool = Get-StoragePool -IsPrimordial $false | Select-Object -First 1
$data = [ordered]@{ pool = $pool.FriendlyName; poolHealth = [string]$pool.HealthStatus; volume = $VolumeName
    csv = $csv.SharedVolumeInfo.FriendlyVolumeName; autoReplace = $false }
$result = [ordered]@{ step = 's2d-enable'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
