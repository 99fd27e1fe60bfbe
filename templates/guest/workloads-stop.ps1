# azguest-step: workloads-stop
<#
.SYNOPSIS
    Shut down every clustered VM role (Stop-ClusterGroup), before Stop-Cluster.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". Run by `azguest stop` on one running
    node; a VM role's offline action shuts its guest down; idempotent (roles already offline are left as
    they are); with the cluster service stopped there is no role to stop; never prompts; never reboots.
    One JSON line: {"step": "workloads-stop", "changed": bool, "rebootRequired": false,
                    "data": {"roles": {"<role>": "Offline", ...}}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$stopped = @()
$roles = [ordered]@{}
$groups = @()
if ((Get-Service -Name ClusSvc).Status -eq 'Running') {  # a stopped cluster has no role running
    $groups = @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' })
}
foreach ($group in $groups) {
    if ("$($group.State)" -ne 'Offline') {
        Stop-ClusterGroup -Name $group.Name | Out-Null
        $stopped += $group.Name
    }
    $roles[$group.Name] = "$((Get-ClusterGroup -Name $group.Name).State)"
}
$result = [ordered]@{ step = 'workloads-stop'; changed = ($stopped.Count -gt 0); rebootRequired = $false
    data = [ordered]@{ roles = $roles } }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
