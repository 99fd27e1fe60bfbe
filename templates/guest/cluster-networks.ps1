# azguest-step: cluster-networks
<#
.SYNOPSIS
    cluster networks named after subnets, with their roles.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "cluster-networks", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$Networks = ''
)
$ErrorActionPreference = 'Stop'

# Cluster networks named after their subnets, with their roles (Networks: prefix=name:role;...; role 0 none,
# 1 cluster only, 3 cluster and client [Win32 CLUSTER_NETWORK_ROLE]); the NAT switch's network and the iSCSI
# network carry no cluster traffic. Heartbeats for Azure: SameSubnetDelay 1 s, SameSubnetThreshold 40,
# CrossSubnetDelay 1 s, CrossSubnetThreshold 40 [SQL hadr-cluster-best-practices.md].
function Get-PrefixLength {
    param([string]$Mask)
    $bits = 0
    foreach ($octet in $Mask -split '\.') { $bits += ([Convert]::ToString([int]$octet, 2) -replace '0', '').Length }
    return $bits
}

$changed = $false
$wanted = [ordered]@{}
foreach ($pair in ($Networks -split ';' | Where-Object { $_ })) {
    $prefix, $rest = $pair -split '=', 2
    $name, $role = $rest -split ':', 2
    $wanted[$prefix] = @{ name = $name; role = [int]$role }
}

$seen = @{}
foreach ($net in Get-ClusterNetwork) {
    $prefix = "$($net.Address)/$(Get-PrefixLength -Mask $net.AddressMask)"
    if (-not $wanted.Contains($prefix)) { continue }
    $want = $wanted[$prefix]
    if ($net.Name -ne $want.name) { $net.Name = $want.name; $changed = $true }
    if ([int]$net.Role -ne $want.role) { $net.Role = $want.role; $changed = $true }
    $seen[$prefix] = $true
}
$missing = @($wanted.Keys | Where-Object { -not $seen.ContainsKey($_) })
$missingClusterNets = @($missing | Where-Object { $wanted[$_].role -ne 0 })
if ($missingClusterNets.Count -gt 0) {
    throw "cluster-networks: no cluster network for $($missingClusterNets -join ', ')"
}

$cluster = Get-Cluster
$heartbeat = [ordered]@{ SameSubnetDelay = 1000; SameSubnetThreshold = 40; CrossSubnetDelay = 1000; CrossSubnetThreshold = 40 }
foreach ($property in @($heartbeat.Keys)) {
    if ($cluster.$property -ne $heartbeat[$property]) {
        $cluster.$property = $heartbeat[$property]
        $changed = $true
    }
}

$data = [ordered]@{ networks = @(Get-ClusterNetwork | ForEach-Object { [ordered]@{ name = $_.Name; role = [int]$_.Role } })
    absent = $missing; heartbeat = $heartbeat }
$result = [ordered]@{ step = 'cluster-networks'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
