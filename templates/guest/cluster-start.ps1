# azguest-step: cluster-start
<#
.SYNOPSIS
    Start-Cluster: the cluster service on every node that runs, from one of them.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". Run by `azguest start` on one node
    once every node runs again (azguest then polls cluster-health until the nodes are Up); idempotent
    (Start-Cluster starts the service where it is stopped); never prompts; never reboots.
    One JSON line: {"step": "cluster-start", "changed": bool, "rebootRequired": false,
                    "data": {"cluster": "<name>", "nodes": [{"name": "...", "state": "Up|Down|Paused|Joining"}]}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$changed = $false
$service = Get-Service -Name ClusSvc
if ($service.Status -ne 'Running') {
    Start-Cluster | Out-Null
    $changed = $true
}
$cluster = Get-Cluster
$nodes = @(Get-ClusterNode -Cluster $cluster.Name | ForEach-Object {
    [ordered]@{ name = $_.Name; state = "$($_.State)" } })
$result = [ordered]@{ step = 'cluster-start'; changed = $changed; rebootRequired = $false
    data = [ordered]@{ cluster = $cluster.Name; nodes = $nodes } }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
