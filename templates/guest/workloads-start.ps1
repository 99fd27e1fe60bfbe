# azguest-step: workloads-start
<#
.SYNOPSIS
    Start every clustered VM role; of two roles of one anti-affinity class on one node, move one away.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". Run by `azguest start` after
    Start-Cluster. Anti-affinity is soft (AntiAffinityClassNames only), so roles that failed over while a
    node was away stay together when it returns: a role that shares a node with another of its class is
    live-migrated to an Up node holding none of that class, then every VM role is started. Idempotent;
    never prompts; never reboots.
    One JSON line: {"step": "workloads-start", "changed": bool, "rebootRequired": false,
                    "data": {"roles": {"<role>": "Online|Failed|...", ...},
                             "moved": [{"name": "...", "from": "...", "to": "..."}]}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$started = @()
$moved = @()
$up = @(Get-ClusterNode | Where-Object { "$($_.State)" -eq 'Up' } | ForEach-Object { $_.Name })
$roles = @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' })
$placed = @{}
foreach ($role in $roles) {
    $owner = "$($role.OwnerNode)"
    foreach ($class in @($role.AntiAffinityClassNames)) {
        if (-not $class) { continue }
        $key = "$class|$owner"
        if ($placed.ContainsKey($key)) {
            $free = @($up | Where-Object { -not $placed.ContainsKey("$class|$_") })
            if ($free.Count -gt 0) {
                Move-ClusterVirtualMachineRole -Name $role.Name -Node $free[0] -MigrationType Live | Out-Null
                $moved += [ordered]@{ name = $role.Name; from = $owner; to = $free[0] }
                $owner = $free[0]
                $key = "$class|$owner"
            }
        }
        $placed[$key] = $role.Name
    }
}
foreach ($role in @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' })) {
    if ("$($role.State)" -eq 'Online') { continue }
    Start-ClusterGroup -Name $role.Name | Out-Null
    $started += $role.Name
}
$states = [ordered]@{}
foreach ($role in @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' })) {
    $states[$role.Name] = "$($role.State)"
}
$result = [ordered]@{ step = 'workloads-start'; changed = (($started.Count + $moved.Count) -gt 0)
    rebootRequired = $false; data = [ordered]@{ roles = $states; moved = $moved } }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
