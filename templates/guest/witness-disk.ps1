# azguest-step: witness-disk
<#
.SYNOPSIS
    disk witness on the labelled cluster disk.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "witness-disk", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$DiskLabel = ''
)
$ErrorActionPreference = 'Stop'

# The disk witness on the labelled cluster disk (cluster-disks named it; never a CSV)
# [SQL hadr-cluster-best-practices.md; FailoverClusters/Set-ClusterQuorum].
$changed = $false
$quorum = Get-ClusterQuorum
if (-not $quorum.QuorumResource -or $quorum.QuorumResource.Name -ne $DiskLabel) {
    if (-not (Get-ClusterResource -Name $DiskLabel -ErrorAction SilentlyContinue)) {
        throw "witness-disk: no cluster disk named $DiskLabel"
    }
    Set-ClusterQuorum -DiskWitness $DiskLabel | Out-Null
    $changed = $true
}
$resource = Get-ClusterResource -Name $DiskLabel
$data = [ordered]@{ witness = 'disk'; resource = $DiskLabel; state = [string]$resource.State }
$result = [ordered]@{ step = 'witness-disk'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
