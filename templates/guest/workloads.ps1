# azguest-step: workloads
<#
.SYNOPSIS
    nested VMs on the CSV as clustered roles with soft anti-affinity.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "workloads", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$Workloads = '',
    [string]$SwitchName = ''
)
$ErrorActionPreference = 'Stop'

# The nested VMs as clustered roles [WSD storage/storage-spaces/deploy-storage-spaces-direct.md: VM files on the
# CSV namespace; PSD FailoverClusters/Add-ClusterVirtualMachineRole: "The VHD... must be on the clustered disk"].
# Each VM: a folder on the CSV, a blank dynamic VHDX of diskGB (or a copy of the VHDX an "image" names), generation 2,
# the NAT switch; then its role, AntiAffinityClassNames from antiAffinity (a StringCollection
# [WSD failover-clustering/Cluster-Affinity.md]), placed round-robin over the nodes per class, and started.
# Anti-affinity stays soft: ClusterEnforcedAntiAffinity is left as it is (docs/design.md, "Anti-affinity").
$changed = $false
$gib = [int64]1073741824
$mib = [int64]1048576
$workloadList = @($Workloads | ConvertFrom-Json)
$csv = Get-ClusterSharedVolume | Sort-Object -Property Name | Select-Object -First 1
if (-not $csv) { throw 'workloads: the cluster has no cluster shared volume to hold the VMs' }
$root = $csv.SharedVolumeInfo.FriendlyVolumeName
$nodes = @(Get-ClusterNode | Sort-Object -Property Name | ForEach-Object { $_.Name })
$perClass = @{}

foreach ($w in $workloadList) {
    $name = [string]$w.name
    $group = Get-ClusterGroup -Name $name -ErrorAction SilentlyContinue
    if (-not $group) {
        if (-not (Get-VM -Name $name -ErrorAction SilentlyContinue)) {
            $folder = Join-Path $root $name
            $vhd = Join-Path $folder "$name.vhdx"
            New-Item -ItemType Directory -Path $folder -Force | Out-Null
            if (-not (Test-Path -Path $vhd)) {
                if ($w.image) { Copy-Item -Path ([string]$w.image) -Destination $vhd }
                else { New-VHD -Path $vhd -SizeBytes ([int64]$w.diskGB * $gib) -Dynamic | Out-Null }
            }
            New-VM -Name $name -Path $root -Generation 2 -MemoryStartupBytes ([int64]$w.memoryMB * $mib) `
                -VHDPath $vhd -SwitchName $SwitchName | Out-Null
            Set-VMProcessor -VMName $name -Count ([int]$w.vcpus)
        }
        Add-ClusterVirtualMachineRole -VMName $name -Name $name | Out-Null
        $group = Get-ClusterGroup -Name $name
        $changed = $true
    }
    $class = [string]$w.antiAffinity
    if ($class -and -not (@($group.AntiAffinityClassNames) -contains $class)) {
        $names = [System.Collections.Specialized.StringCollection]::new()
        $names.Add($class) | Out-Null
        $group.AntiAffinityClassNames = $names
        $changed = $true
    }
    # Soft anti-affinity steers failover; the first placement is made here: the k-th VM of a class on node k.
    $key = if ($class) { $class } else { '' }
    $k = [int]$perClass[$key]
    $perClass[$key] = $k + 1
    $owner = $nodes[$k % $nodes.Count]
    if ([string]$group.State -ne 'Online') {
        if ($group.OwnerNode.Name -ne $owner) { Move-ClusterGroup -Name $name -Node $owner | Out-Null }
        Start-ClusterGroup -Name $name | Out-Null
        $changed = $true
    }
}

$data = [ordered]@{ csv = $root; workloads = @($workloadList | ForEach-Object {
            $g = Get-ClusterGroup -Name $_.name
            [ordered]@{ name = $g.Name; owner = [string]$g.OwnerNode.Name; state = [string]$g.State
                antiAffinity = @($g.AntiAffinityClassNames) } }) }
$result = [ordered]@{ step = 'workloads'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
