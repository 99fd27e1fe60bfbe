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

# Shared disks or iSCSI LUNs (initialised once, labelled) become cluster disks named after their volume label;
# those in CsvLabels become cluster shared volumes [WSD failover-clustering/failover-cluster-csvs.md:
# Get-ClusterAvailableDisk | Add-ClusterDisk, then Add-ClusterSharedVolume]. A disk witness is never a CSV.
$changed = $false

# The labels by disk GUID, read on this node (the one that initialised the disks) before the cluster owns them.
$labelByGuid = @{}
foreach ($disk in Get-Disk | Where-Object { $_.Guid }) {
    $volume = Get-Partition -DiskNumber $disk.Number -ErrorAction SilentlyContinue | Get-Volume -ErrorAction SilentlyContinue |
        Where-Object FileSystemLabel | Select-Object -First 1
    if ($volume) { $labelByGuid[$disk.Guid.Trim('{}').ToLower()] = $volume.FileSystemLabel }
}

$available = @(Get-ClusterAvailableDisk)
if ($available.Count -gt 0) {
    $available | Add-ClusterDisk | Out-Null
    $changed = $true
}

foreach ($res in Get-ClusterResource | Where-Object { $_.ResourceType.Name -eq 'Physical Disk' }) {
    $guid = [string](Get-ClusterParameter -InputObject $res -Name 'DiskIdGuid').Value
    $label = $labelByGuid[$guid.Trim('{}').ToLower()]
    if ($label -and $res.Name -ne $label) {
        $res.Name = $label
        $changed = $true
    }
}

$csvs = @(Get-ClusterSharedVolume | ForEach-Object { $_.Name })
foreach ($label in ($CsvLabels -split ',' | Where-Object { $_ })) {
    if ($csvs -contains $label) { continue }
    if (-not (Get-ClusterResource -Name $label -ErrorAction SilentlyContinue)) {
        throw "cluster-disks: no cluster disk labelled $label"
    }
    Add-ClusterSharedVolume -Name $label | Out-Null
    $changed = $true
}

$data = [ordered]@{ disks = @(Get-ClusterResource | Where-Object { $_.ResourceType.Name -eq 'Physical Disk' } |
            ForEach-Object { $_.Name })
    csvs = @(Get-ClusterSharedVolume | ForEach-Object { [ordered]@{ name = $_.Name
                path = $_.SharedVolumeInfo.FriendlyVolumeName } }) }
$result = [ordered]@{ step = 'cluster-disks'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
