# azguest-step: backup-wsb
<#
.SYNOPSIS
    One Windows Server Backup of every cluster shared volume (and so of the nested VMs on them) to the dedicated
    backup disk at LUN DiskLun, kept out of the S2D pool.
.NOTES
    Contract: docs/design.md, "Backup" (in-guest). Run on one node (a CSV's volume-level backup "can be run from
    any node"); Windows Server Backup gives only crash-consistent backups of VMs on a CSV
    [learn.microsoft.com windows-server failover-clustering failover-cluster-csvs]. The disk is a WSB target
    (New-WBBackupTarget -Disk formats it the first time; -PreserveExistingBackups keeps the earlier versions,
    which live in the target's shadow copies). With S2D the disk is kept out of the pool
    (Set-ClusterStorageSpacesDirectDisk -CanBeClaimed $false) and brought online. Never prompts, never reboots.
    One JSON line: {"step": "backup-wsb", "changed": true, "rebootRequired": false, "data": {
      "label": "<BackupId>", "lun": n, "volumes": ["C:\\ClusterStorage\\..."], "workloads": ["<role>", ...],
      "versions": n, "versionTime": "<ISO 8601>", "consistency": "crash"}}
#>
[CmdletBinding()]
param(
    [string]$DiskLun = '',
    [string]$BackupId = '',
    [string]$KeepOutOfPool = ''
)
$ErrorActionPreference = 'Stop'
# azguest-include: lib/disks.ps1

$disk = Get-DataDiskByLun -Lun ([int]$DiskLun)
if ($KeepOutOfPool -eq 'true') {
    $physical = Get-PhysicalDisk -UniqueId $disk.UniqueId
    Set-ClusterStorageSpacesDirectDisk -PhysicalDiskIds $physical.UniqueId -CanBeClaimed $false
}
if ($disk.IsOffline) { Set-Disk -Number $disk.Number -IsOffline $false }
$volumes = @(Get-ClusterSharedVolume | Where-Object { "$($_.State)" -eq 'Online' } |
    ForEach-Object { "$($_.SharedVolumeInfo.FriendlyVolumeName)" })
if (-not $volumes) { throw 'no cluster shared volume is Online: nothing to back up' }
$workloads = @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' } | ForEach-Object { $_.Name })

$policy = New-WBPolicy
foreach ($path in $volumes) {
    Add-WBVolume -Policy $policy -Volume (Get-WBVolume -VolumePath $path)
}
$wbDisk = Get-WBDisk | Where-Object { $_.DiskNumber -eq $disk.Number } | Select-Object -First 1
if (-not $wbDisk) { throw "Windows Server Backup does not see disk $($disk.Number) (LUN $DiskLun)" }
$target = New-WBBackupTarget -Disk $wbDisk -Label $BackupId -PreserveExistingBackups $true
Add-WBBackupTarget -Policy $policy -Target $target -Force
Set-WBVssBackupOption -Policy $policy -VssFullBackup
Start-WBBackup -Policy $policy -Force
$job = Get-WBJob -Previous 1
if ("$($job.HResult)" -ne '0') { throw "Windows Server Backup failed: $($job.ErrorDescription)" }
$sets = @(Get-WBBackupSet -BackupTarget $target)
$last = $sets | Sort-Object -Property BackupTime | Select-Object -Last 1
$data = [ordered]@{ label = $BackupId; lun = [int]$DiskLun; volumes = $volumes; workloads = $workloads
    versions = $sets.Count; versionTime = $last.BackupTime.ToUniversalTime().ToString('o'); consistency = 'crash' }
$result = [ordered]@{ step = 'backup-wsb'; changed = $true; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 4)
