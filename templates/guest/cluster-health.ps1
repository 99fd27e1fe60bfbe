# azguest-step: cluster-health
<#
.SYNOPSIS
    The cluster as `azguest test` checks it: nodes, last validation report, pool, virtual disks, CSVs,
    storage jobs, witness, workloads with owners and anti-affinity, DNS of the cluster name.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". An operations step run on one node by
    `azguest test` and `azguest start`; changes nothing; never prompts; never reboots. It reports what it
    finds (exit code 0), healthy or not; with the cluster service stopped on this node it reports the
    cluster "Down" and empty lists. The validation verdict is the one cluster-validate saved in
    $env:ProgramData\azguest\cluster-validate.json ({"passed": bool, "failed": [...], "report": "<path>"}).
    One JSON line: {"step": "cluster-health", "changed": false, "rebootRequired": false, "data": {
      "cluster": {"name": "...", "state": "Up|Down"},
      "nodes": [{"name": "...", "state": "Up|Down|Paused|Joining"}],
      "validation": {"passed": bool, "failed": ["<test>", ...], "report": "<path>"},
      "pools": [{"name": "...", "health": "Healthy|Warning|Unhealthy", "status": "OK|Degraded|..."}],
      "virtualDisks": [{"name": "...", "health": "...", "status": "..."}],
      "csvs": [{"name": "...", "state": "Online|Offline|Failed", "owner": "<node>"}],
      "jobs": [{"name": "...", "state": "Running|Completed|...", "percent": 0-100}],
      "witness": {"type": "Cloud|Disk|None", "name": "...", "state": "Online|Offline|Failed|"},
      "workloads": [{"name": "...", "state": "Online|Offline|Failed", "owner": "<node>", "antiAffinity": ["..."]}],
      "dns": {"name": "<cluster fqdn>", "addresses": ["<ip>", ...]}}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$data = [ordered]@{ cluster = [ordered]@{ name = ''; state = 'Down' }; nodes = @()
    validation = [ordered]@{ passed = $false; failed = @(); report = '' }; pools = @(); virtualDisks = @()
    csvs = @(); jobs = @(); witness = [ordered]@{ type = 'None'; name = ''; state = '' }; workloads = @()
    dns = [ordered]@{ name = ''; addresses = @() } }
$saved = Join-Path $env:ProgramData 'azguest\cluster-validate.json'
if (Test-Path -Path $saved) {
    $v = Get-Content -Path $saved -Raw | ConvertFrom-Json
    $data.validation = [ordered]@{ passed = [bool]$v.passed; failed = @($v.failed); report = "$($v.report)" }
}
if ((Get-Service -Name ClusSvc).Status -eq 'Running') {
    $cluster = Get-Cluster
    $data.cluster = [ordered]@{ name = $cluster.Name; state = 'Up' }
    $data.nodes = @(Get-ClusterNode | ForEach-Object { [ordered]@{ name = $_.Name; state = "$($_.State)" } })
    $data.pools = @(Get-StoragePool -IsPrimordial $false -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.FriendlyName; health = "$($_.HealthStatus)"; status = "$($_.OperationalStatus)" } })
    $data.virtualDisks = @(Get-VirtualDisk -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.FriendlyName; health = "$($_.HealthStatus)"; status = "$($_.OperationalStatus)" } })
    $data.csvs = @(Get-ClusterSharedVolume | ForEach-Object {
        [ordered]@{ name = $_.Name; state = "$($_.State)"; owner = "$($_.OwnerNode)" } })
    $data.jobs = @(Get-StorageJob -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.Name; state = "$($_.JobState)"; percent = [int]$_.PercentComplete } })
    $quorum = Get-ClusterQuorum
    if ($quorum.QuorumResource) {
        $res = $quorum.QuorumResource
        $type = if ("$($res.ResourceType)" -eq 'Cloud Witness') { 'Cloud' } else { 'Disk' }
        $data.witness = [ordered]@{ type = $type; name = $res.Name; state = "$($res.State)" }
    }
    $data.workloads = @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' } | ForEach-Object {
        [ordered]@{ name = $_.Name; state = "$($_.State)"; owner = "$($_.OwnerNode)"
            antiAffinity = @($_.AntiAffinityClassNames | Where-Object { $_ }) } })
    $fqdn = "$($cluster.Name).$($cluster.Domain)"
    $addresses = @()
    try {
        $addresses = @(Resolve-DnsName -Name $fqdn -Type A -DnsOnly | ForEach-Object { $_.IPAddress } |
            Where-Object { $_ })
    } catch {
        $addresses = @()
    }
    $data.dns = [ordered]@{ name = $fqdn; addresses = $addresses }
}
$result = [ordered]@{ step = 'cluster-health'; changed = $false; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 6)
