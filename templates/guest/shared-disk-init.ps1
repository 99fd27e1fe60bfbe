# azguest-step: shared-disk-init
<#
.SYNOPSIS
    initialise the shared disks once, from the first node (GPT, NTFS, label).
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "shared-disk-init", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$Disks = ''
)
$ErrorActionPreference = 'Stop'

# azguest-include: lib/disks.ps1

# Azure shared disks (Disks: lun=label;...) are initialised once, from the first node, before the cluster exists;
# the cluster then arbitrates them with SCSI persistent reservations [ACD disks-shared.md]. The other nodes only
# need to see them (AutomatedLab formats on the first node and brings the disks online elsewhere).
$changed = $false
$labels = [ordered]@{}
foreach ($pair in ($Disks -split ';' | Where-Object { $_ })) {
    $lun, $label = $pair -split '=', 2
    $disk = Get-DataDiskByLun -Lun ([int]$lun)
    if (Initialize-LabelledDisk -Disk $disk -Label $label) { $changed = $true }
    $labels[$label] = [int]$lun
}

$data = [ordered]@{ disks = $labels }
$result = [ordered]@{ step = 'shared-disk-init'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
