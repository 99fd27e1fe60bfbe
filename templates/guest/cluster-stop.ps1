# azguest-step: cluster-stop
<#
.SYNOPSIS
    Stop-Cluster -Force: the cluster service on every node, once the workloads are off.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". Run by `azguest stop` on one running
    node after workloads-stop and before the nodes are deallocated; idempotent (a stopped cluster is left
    as it is); never prompts; never reboots.
    One JSON line: {"step": "cluster-stop", "changed": bool, "rebootRequired": false,
                    "data": {"cluster": "<name>"}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$name = ''
$changed = $false
$service = Get-Service -Name ClusSvc
if ($service.Status -eq 'Running') {
    $name = (Get-Cluster).Name
    Stop-Cluster -Force -Confirm:$false
    $changed = $true
}
$result = [ordered]@{ step = 'cluster-stop'; changed = $changed; rebootRequired = $false
    data = [ordered]@{ cluster = $name } }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
