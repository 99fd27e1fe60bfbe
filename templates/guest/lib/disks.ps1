# Shared functions, inlined by azguest (steps.script_text) where a script's include line names this file.
# Azure data disks show their LUN in Location ("Integrated : Adapter 1 : Port 0 : Target 0 : LUN <n>")
# [learn.microsoft.com troubleshoot/windows-server/backup-and-storage/manage-disks-standalone-storage-spaces];
# the OS and temporary disks sit on another adapter and may share the number, so they are left out.
function Get-DataDiskByLun {
    param([int]$Lun)
    $disks = @(Get-Disk | Where-Object { $_.Location -match ": LUN $Lun`$" -and $_.BusType -ne 'iSCSI' -and
            -not $_.IsBoot -and -not $_.IsSystem })
    $disks = @($disks | Where-Object { -not (Get-Partition -DiskNumber $_.Number -ErrorAction SilentlyContinue |
                Get-Volume -ErrorAction SilentlyContinue | Where-Object FileSystemLabel -eq 'Temporary Storage') })
    if ($disks.Count -ne 1) { throw "expected one data disk at LUN $Lun, found $($disks.Count)" }
    return $disks[0]
}

# A disk is initialised once: GPT, one NTFS partition with the label (DriveLetter: none, a letter, or '*' for the
# next free one); a disk that already holds a volume keeps it (azguest never formats a disk with data), and one
# the cluster owns is left to the cluster.
function Initialize-LabelledDisk {
    param(
        $Disk,
        [string]$Label,
        [string]$DriveLetter = ''
    )
    if ($Disk.IsClustered) { return $false }
    if ($Disk.IsOffline) { Set-Disk -Number $Disk.Number -IsOffline $false }
    if ($Disk.IsReadOnly) { Set-Disk -Number $Disk.Number -IsReadOnly $false }
    $volume = Get-Partition -DiskNumber $Disk.Number -ErrorAction SilentlyContinue | Get-Volume -ErrorAction SilentlyContinue |
        Where-Object FileSystem | Select-Object -First 1
    if ($volume) {
        if ($volume.FileSystemLabel -ne $Label) {
            throw "disk $($Disk.Number) already holds the volume '$($volume.FileSystemLabel)', not '$Label'"
        }
        return $false
    }
    if ($Disk.PartitionStyle -eq 'RAW') { Initialize-Disk -Number $Disk.Number -PartitionStyle GPT -Confirm:$false }
    if ($DriveLetter -eq '*') { $part = New-Partition -DiskNumber $Disk.Number -UseMaximumSize -AssignDriveLetter }
    elseif ($DriveLetter) { $part = New-Partition -DiskNumber $Disk.Number -UseMaximumSize -DriveLetter $DriveLetter }
    else { $part = New-Partition -DiskNumber $Disk.Number -UseMaximumSize }
    Format-Volume -Partition $part -FileSystem NTFS -NewFileSystemLabel $Label -Confirm:$false | Out-Null
    return $true
}
