# azguest-step: iscsi-target
<#
.SYNOPSIS
    iSCSI Target Server, one virtual disk per data disk, initiator ACLs for the nodes.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "iscsi-target", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$TargetName = '',
    [string]$InitiatorIds = '',
    [string]$DiskLuns = ''
)
$ErrorActionPreference = 'Stop'

# azguest-include: lib/disks.ps1

# The iSCSI target VM [PSD IscsiTarget; WSD storage/iscsi/iscsi-target-server-limits.md]: the iSCSI Target Server
# feature; each Azure data disk (DiskLuns) an NTFS volume holding one dynamic VHDX (New-IscsiVirtualDisk, an
# absolute .vhdx path); one target whose ACL lists the nodes (InitiatorIds: IPAddress:<node's address>,...);
# each virtual disk mapped at iSCSI LUN <its position in DiskLuns>; TCP 3260 allowed in.
$changed = $false
$reboot = $false
$feature = Get-WindowsFeature -Name 'FS-iSCSITarget-Server'
if (-not $feature.Installed) {
    $out = Install-WindowsFeature -Name 'FS-iSCSITarget-Server' -IncludeManagementTools
    if ([string]$out.RestartNeeded -eq 'Yes') { $reboot = $true }
    $changed = $true
}
if (-not (Get-NetFirewallRule -Name 'azguest-iscsi-target' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name 'azguest-iscsi-target' -DisplayName 'azguest iSCSI target (TCP 3260)' -Direction Inbound `
        -Protocol TCP -LocalPort 3260 -Action Allow | Out-Null
    $changed = $true
}

$paths = @()
$luns = @($DiskLuns -split ',' | Where-Object { $_ -ne '' })
for ($i = 0; $i -lt $luns.Count; $i++) {
    $label = "iscsi$i"
    $volume = Get-Volume -FileSystemLabel $label -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $volume) {
        $disk = Get-DataDiskByLun -Lun ([int]$luns[$i])
        if (Initialize-LabelledDisk -Disk $disk -Label $label -DriveLetter '*') { $changed = $true }
        $volume = Get-Volume -FileSystemLabel $label | Select-Object -First 1
    }
    $letter = (Get-Partition -Volume $volume | Where-Object DriveLetter | Select-Object -First 1).DriveLetter
    $path = "${letter}:\iSCSIVirtualDisks\lun$i.vhdx"
    if (-not (Get-IscsiVirtualDisk -Path $path -ErrorAction SilentlyContinue)) {
        New-Item -ItemType Directory -Path "${letter}:\iSCSIVirtualDisks" -Force | Out-Null
        # 90% of the volume, in whole MiB: room for the dynamic VHDX's own metadata as it grows.
        $mib = [int64]1048576
        $size = [int64][math]::Floor($volume.Size * 0.9 / $mib) * $mib
        New-IscsiVirtualDisk -Path $path -SizeBytes $size | Out-Null
        $changed = $true
    }
    $paths += $path
}

$ids = @($InitiatorIds -split ',' | Where-Object { $_ })
$target = Get-IscsiServerTarget -TargetName $TargetName -ErrorAction SilentlyContinue
if (-not $target) {
    $target = New-IscsiServerTarget -TargetName $TargetName -InitiatorIds $ids
    $changed = $true
} elseif ((@($target.InitiatorIds | ForEach-Object { [string]$_ } | Sort-Object) -join ',') -ne
          (@($ids | Sort-Object) -join ',')) {
    Set-IscsiServerTarget -TargetName $TargetName -InitiatorIds $ids
    $changed = $true
}
$mapped = @((Get-IscsiServerTarget -TargetName $TargetName).LunMappings | ForEach-Object { $_.Path })
for ($i = 0; $i -lt $paths.Count; $i++) {
    if ($mapped -notcontains $paths[$i]) {
        Add-IscsiVirtualDiskTargetMapping -TargetName $TargetName -Path $paths[$i] -Lun $i
        $changed = $true
    }
}

$target = Get-IscsiServerTarget -TargetName $TargetName
$data = [ordered]@{ targetName = $TargetName; targetIqn = [string]$target.TargetIqn; luns = $paths.Count
    initiators = $ids }
$result = [ordered]@{ step = 'iscsi-target'; changed = $changed; rebootRequired = $reboot; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
