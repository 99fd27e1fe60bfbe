# azguest-step: restore-wsb
<#
.SYNOPSIS
    Restore every cluster shared volume of one Windows Server Backup version (BackupId, or the latest) from the
    disk at LUN DiskLun (a copy of the backup's snapshot of the backup target disk) into a freshly deployed lab.
.NOTES
    Contract: docs/design.md, "Restore" (in-guest). Runs on the first node after configure made the cluster, its
    CSVs and workloads. The disk keeps the versions Windows Server Backup wrote (its shadow copies); each volume of
    the version is recovered onto the CSV of the same path (Start-WBVolumeRecovery -Force, no prompt). Never
    reboots. One JSON line: {"step": "restore-wsb", "changed": true, "rebootRequired": false, "data": {
      "label": "<version label>", "lun": n, "volumes": ["C:\\ClusterStorage\\..."], "workloads": ["<role>", ...],
      "versionTime": "<ISO 8601>"}}
#>
[CmdletBinding()]
param(
    [string]$DiskLun = '',
    [string]$BackupId = ''
)
$ErrorActionPreference = 'Stop'
# azguest-include: lib/disks.ps1

$disk = Get-DataDiskByLun -Lun ([int]$DiskLun)
if ($disk.IsOffline) { Set-Disk -Number $disk.Number -IsOffline $false }
$volume = Get-Partition -DiskNumber $disk.Number | Get-Volume | Where-Object FileSystem | Select-Object -First 1
if (-not $volume) { throw "disk $($disk.Number) (LUN $DiskLun) holds no Windows Server Backup target volume" }
$target = New-WBBackupTarget -VolumePath $volume.Path
$sets = @(Get-WBBackupSet -BackupTarget $target)
if (-not $sets) { throw "no backup version on disk $($disk.Number) (LUN $DiskLun)" }
$set = $sets | Where-Object { "$($_.VersionId)" -eq $BackupId -or "$($_.Label)" -eq $BackupId } |
    Select-Object -Last 1
if (-not $set) { $set = $sets | Sort-Object -Property BackupTime | Select-Object -Last 1 }
$restored = @()
foreach ($csv in @(Get-ClusterSharedVolume)) {
    $path = "$($csv.SharedVolumeInfo.FriendlyVolumeName)"
    $source = $set.Volume | Where-Object { "$($_.MountPath)" -eq $path } | Select-Object -First 1
    if (-not $source) { continue }
    Start-WBVolumeRecovery -BackupSet $set -VolumeInBackup $source -RecoveryTargetVolume (Get-WBVolume -VolumePath $path) -Force
    $restored += $path
}
if (-not $restored) { throw 'the backup version holds none of the cluster shared volumes' }
$workloads = @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' } | ForEach-Object { $_.Name })
$data = [ordered]@{ label = $BackupId; lun = [int]$DiskLun; volumes = $restored; workloads = $workloads
    versionTime = $set.BackupTime.ToUniversalTime().ToString('o') }
$result = [ordered]@{ step = 'restore-wsb'; changed = $true; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 4)
