# azguest-step: cluster-health
<#
.SYNOPSIS
    The cluster as `azguest test` checks it: nodes, last validation report, pool, virtual disks, cluster
    disks, CSVs, storage jobs, witness, roles with owners and anti-affinity, DNS of the cluster name.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". An operations step run on one node by
    `azguest test` and `azguest start`; changes nothing; never prompts; never reboots. It reports what it
    finds (exit code 0), healthy or not; with the cluster service stopped everywhere it reports
    state "Stopped". The validation verdict is the one cluster-validate saved in
    $env:ProgramData\azguest\cluster-validate.json ({"passed": bool, "failed": [...], "time": "...", "tests": [...]}).
    One JSON line: {"step": "cluster-health", "changed": false, "rebootRequired": false, "data": {
      "cluster": "<name>", "state": "Running|Stopped|NoQuorum", "quorum": bool, "localNode": "<name>",
      "nodes": [{"name": "...", "state": "Up|Down|Paused|Joining"}],
      "validation": {"passed": bool, "failed": [...], "time": "...", "tests": [...]} | null,
      "pool": {"name": "...", "health": "Healthy|Warning|Unhealthy", "operational": "OK|Degraded|..."} | null,
      "virtualDisks": [{"name": "...", "health": "...", "operational": "..."}],
      "disks": [{"name": "...", "state": "Online|Offline|Failed"}],
      "csvs": [{"name": "...", "path": "...", "state": "Online|Offline|Failed"}],
      "witness": {"type": "Cloud|Disk", "resource": "...", "state": "Online|Offline"} | null,
      "roles": [{"name": "...", "owner": "<node>", "state": "Online|Offline|Failed|Pending|...", "antiAffinityClassNames": [...],
                 "migrating": bool}],
      "storageJobs": [{"name": "...", "state": "Running|Suspended|Completed", "percentComplete": 0-100}],
      "dns": {"name": "<cluster name>", "server": "<ip>", "addresses": ["<ip>", ...]}}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$data = [ordered]@{ cluster = ''; state = 'Stopped'; quorum = $false; localNode = $env:COMPUTERNAME; nodes = @()
    validation = $null; pool = $null; virtualDisks = @(); disks = @(); csvs = @(); witness = $null; roles = @()
    storageJobs = @(); dns = [ordered]@{ name = ''; server = ''; addresses = @() } }
$saved = Join-Path $env:ProgramData 'azguest\cluster-validate.json'
if (Test-Path -Path $saved) {
    $data.validation = Get-Content -Path $saved -Raw | ConvertFrom-Json
}
if ((Get-Service -Name ClusSvc).Status -eq 'Running') {
    $cluster = Get-Cluster
    $data.cluster = $cluster.Name
    $data.state = 'Running'
    $data.quorum = $true
    $data.nodes = @(Get-ClusterNode | ForEach-Object { [ordered]@{ name = $_.Name; state = "$($_.State)" } })
    $pool = Get-StoragePool -IsPrimordial $false -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($pool) {
        $data.pool = [ordered]@{ name = $pool.FriendlyName; health = "$($pool.HealthStatus)"
            operational = "$($pool.OperationalStatus)" }
    }
    $data.virtualDisks = @(Get-VirtualDisk -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.FriendlyName; health = "$($_.HealthStatus)"; operational = "$($_.OperationalStatus)" } })
    $data.disks = @(Get-ClusterResource | Where-Object { "$($_.ResourceType)" -eq 'Physical Disk' } | ForEach-Object {
        [ordered]@{ name = $_.Name; state = "$($_.State)" } })
    $data.csvs = @(Get-ClusterSharedVolume | ForEach-Object {
        [ordered]@{ name = $_.Name; path = "$($_.SharedVolumeInfo.FriendlyVolumeName)"; state = "$($_.State)" } })
    $data.storageJobs = @(Get-StorageJob -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.Name; state = "$($_.JobState)"; percentComplete = [int]$_.PercentComplete } })
    $quorum = Get-ClusterQuorum
    if ($quorum.QuorumResource) {
        $res = $quorum.QuorumResource
        $type = if ("$($res.ResourceType)" -eq 'Cloud Witness') { 'Cloud' } else { 'Disk' }
        $data.witness = [ordered]@{ type = $type; resource = $res.Name; state = "$($res.State)" }
    }
    $data.roles = @(Get-ClusterGroup | Where-Object { "$($_.GroupType)" -eq 'VirtualMachine' } | ForEach-Object {
        # the VM resource's MigrationState: 1 Setup, 2 Data Transfer, 3 Move = a live migration in progress
        # [learn.microsoft.com previous-versions windows desktop mscs virtual-machines-migrationstate]
        $migration = @($_ | Get-ClusterResource | Where-Object { "$($_.ResourceType)" -eq 'Virtual Machine' } |
            Get-ClusterParameter -Name MigrationState -ErrorAction SilentlyContinue | ForEach-Object { [int]$_.Value })
        [ordered]@{ name = $_.Name; owner = "$($_.OwnerNode)"; state = "$($_.State)"
            antiAffinityClassNames = @($_.AntiAffinityClassNames | Where-Object { $_ })
            migrating = [bool]($migration | Where-Object { $_ -ge 1 -and $_ -le 3 }) } })
    $server = @((Get-DnsClientServerAddress -AddressFamily IPv4 | Where-Object { $_.ServerAddresses }) |
        Select-Object -First 1 | ForEach-Object { $_.ServerAddresses })
    $addresses = @()
    try {
        $addresses = @(Resolve-DnsName -Name $cluster.Name -Type A -DnsOnly | ForEach-Object { $_.IPAddress } |
            Where-Object { $_ })
    } catch {
        $addresses = @()
    }
    $data.dns = [ordered]@{ name = $cluster.Name; server = "$($server | Select-Object -First 1)"; addresses = $addresses }
}
$result = [ordered]@{ step = 'cluster-health'; changed = $false; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 6)
