# azguest-step: workloads-stop
<#
.SYNOPSIS
    Shut down every clustered VM role (Stop-ClusterGroup), before Stop-Cluster.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". Run by `azguest stop` on one running
    node; a VM role's offline action shuts its guest down; idempotent (roles already offline are listed in
    "alreadyOff"); never prompts; never reboots.
    One JSON line: {"step": "workloads-stop", "changed": bool, "rebootRequired": false,
                    "data": {"stopped": ["<role>", ...], "alreadyOff": ["<role>", ...]}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$stopped = @()
$off = @()
foreach ($group in @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' })) {
    if ("$($group.State)" -eq 'Offline') {
        $off += $group.Name
        continue
    }
    Stop-ClusterGroup -Name $group.Name | Out-Null
    $stopped += $group.Name
}
$result = [ordered]@{ step = 'workloads-stop'; changed = ($stopped.Count -gt 0); rebootRequired = $false
    data = [ordered]@{ stopped = $stopped; alreadyOff = $off } }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
