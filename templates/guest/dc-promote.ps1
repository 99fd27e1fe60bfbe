# azguest-step: dc-promote
<#
.SYNOPSIS
    AD DS and DNS, new forest on the data disk, -NoRebootOnCompletion.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "dc-promote", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): SafeModePassword.
#>
[CmdletBinding()]
param(
    [string]$DomainName = '',
    [string]$NetbiosName = '',
    [string]$DataDiskLun = '',
    [string]$DataDriveLetter = '',
    [string]$SafeModePassword = ''
)
$ErrorActionPreference = 'Stop'

# AD DS on Azure: NTDS, logs and SYSVOL on a data disk with host caching None
# [WSD identity/ad-ds/deploy/virtual-dc/adds-on-azure-vm.md]; the disk's caching is set by the plan.
# Install-ADDSForest -NoRebootOnCompletion: azguest restarts the VM through ARM [ADDSDeployment/Install-ADDSForest].
if ([string]::IsNullOrEmpty($SafeModePassword)) { throw 'dc-promote: the protected parameter SafeModePassword is empty' }

# azguest-include: lib/disks.ps1

$changed = $false
$reboot = $false
$drive = $DataDriveLetter.TrimEnd(':')
$paths = [ordered]@{ database = "${drive}:\NTDS"; logs = "${drive}:\NTDS"; sysvol = "${drive}:\SYSVOL" }
$role = (Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole  # 4 backup DC, 5 primary DC
$ntds = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\NTDS\Parameters' -ErrorAction SilentlyContinue
if ($role -ge 4) {
    Write-Host "azguest: $env:COMPUTERNAME is already a domain controller"
} elseif ($ntds -and $ntds.'DSA Database file') {
    Write-Host 'azguest: promoted, waiting for the restart'
    $reboot = $true
} else {
    if (-not (Get-Volume -DriveLetter $drive -ErrorAction SilentlyContinue)) {
        $disk = Get-DataDiskByLun -Lun ([int]$DataDiskLun)
        if (Initialize-LabelledDisk -Disk $disk -Label 'ADDS' -DriveLetter $drive) { $changed = $true }
    }
    $feature = Get-WindowsFeature -Name 'AD-Domain-Services'
    if (-not $feature.Installed) {
        Install-WindowsFeature -Name 'AD-Domain-Services' -IncludeManagementTools | Out-Null
        $changed = $true
    }
    $secure = ConvertTo-SecureString -String $SafeModePassword -AsPlainText -Force
    try {
        Install-ADDSForest -DomainName $DomainName -DomainNetbiosName $NetbiosName -SafeModeAdministratorPassword $secure `
            -InstallDns -DatabasePath $paths.database -LogPath $paths.logs -SysvolPath $paths.sysvol `
            -NoRebootOnCompletion -Force -WarningAction SilentlyContinue | Out-Null
    } catch {
        throw ('dc-promote: Install-ADDSForest failed: ' + $_.Exception.Message.Replace($SafeModePassword, '<redacted>'))
    }
    $changed = $true
    $reboot = $true
}

$data = [ordered]@{ domain = $DomainName; netbios = $NetbiosName; databasePath = $paths.database
    logPath = $paths.logs; sysvolPath = $paths.sysvol }
$result = [ordered]@{ step = 'dc-promote'; changed = $changed; rebootRequired = $reboot; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
