# azguest-step: node-features
<#
.SYNOPSIS
    Hyper-V, Failover-Clustering, management tools; NICs named after their subnets.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "node-features", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$Features = '',
    [string]$NicNames = ''
)
$ErrorActionPreference = 'Stop'

# Hyper-V, Failover Clustering and their PowerShell tools, without -Restart: only Hyper-V needs a restart
# [WSD virtualization/hyper-v/get-started/Install-Hyper-V.md; failover-clustering/create-failover-cluster.md],
# which azguest does through ARM after node-join. Each NIC is named after its subnet (NicNames: ip=subnet;...).
$changed = $false
$reboot = $false
$installed = @()
foreach ($name in ($Features -split ',' | Where-Object { $_ })) {
    $feature = Get-WindowsFeature -Name $name
    if (-not $feature) { throw "node-features: no Windows feature named $name" }
    if ($feature.InstallState -eq 'InstallPending') { $reboot = $true; continue }
    if ($feature.Installed) { continue }
    $out = Install-WindowsFeature -Name $name -IncludeManagementTools
    if (-not $out.Success) { throw "node-features: installing $name failed ($($out.ExitCode))" }
    if ([string]$out.RestartNeeded -ne 'No') { $reboot = $true }
    $installed += $name
    $changed = $true
}

$nics = [ordered]@{}
foreach ($pair in ($NicNames -split ';' | Where-Object { $_ })) {
    $ip, $subnet = $pair -split '=', 2
    $address = Get-NetIPAddress -IPAddress $ip -AddressFamily IPv4 -ErrorAction SilentlyContinue
    if (-not $address) { throw "node-features: no network adapter on $env:COMPUTERNAME has the address $ip" }
    if ($address.InterfaceAlias -ne $subnet) {
        Rename-NetAdapter -Name $address.InterfaceAlias -NewName $subnet -Confirm:$false
        $changed = $true
    }
    $nics[$subnet] = $ip
}

$data = [ordered]@{ installed = $installed; nics = $nics }
$result = [ordered]@{ step = 'node-features'; changed = $changed; rebootRequired = $reboot; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
