# azguest-step: cluster-create
<#
.SYNOPSIS
    New-Cluster -NoStorage -ManagementPointNetworkType Distributed, as the domain admin.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "cluster-create", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): AdminPassword.
#>
[CmdletBinding()]
param(
    [string]$ClusterName = '',
    [string]$Nodes = '',
    [string]$AdminUser = '',
    [string]$AdminPassword = ''
)
$ErrorActionPreference = 'Stop'
if ([string]::IsNullOrEmpty($AdminPassword)) { throw 'cluster-create: the protected parameter AdminPassword is empty' }

# azguest-include: lib/as-domain-admin.ps1

# New-Cluster as the domain admin: the creator must be an administrator on every node and may create the
# cluster's computer object [WSD failover-clustering/create-failover-cluster.md]. No storage (the storage mode's
# steps add it); a distributed network name, which answers on every node's address: a static cluster IP in one
# Azure subnet answers only on its owner node unless an internal load balancer is added
# [sql-docs failover-cluster-instance-overview.md]. A node missing from an existing cluster is added.
$work = {
    param([string]$ArgsPath, [string]$OutPath)
    $ErrorActionPreference = 'Stop'
    $a = Get-Content -Path $ArgsPath -Raw | ConvertFrom-Json
    $out = [ordered]@{ ok = $false; created = $false; added = @(); error = '' }
    try {
        $nodes = @($a.nodes -split ',')
        $cluster = Get-Cluster -ErrorAction SilentlyContinue
        if (-not $cluster) {
            New-Cluster -Name $a.name -Node $nodes -NoStorage -ManagementPointNetworkType Distributed -Force `
                -WarningAction SilentlyContinue | Out-Null
            $out.created = $true
        } else {
            $members = @(Get-ClusterNode | ForEach-Object { $_.Name.ToLower() })
            foreach ($node in $nodes) {
                if ($members -notcontains $node.ToLower()) {
                    Add-ClusterNode -Name $node -NoStorage -WarningAction SilentlyContinue | Out-Null
                    $out.added += $node
                }
            }
        }
        $out.ok = $true
    } catch {
        $out.error = $_.Exception.Message
    }
    Set-Content -Path $OutPath -Value ($out | ConvertTo-Json -Compress) -Encoding UTF8
}

$changed = $false
$cluster = Get-Cluster -ErrorAction SilentlyContinue
if ($cluster -and $cluster.Name -ne $ClusterName) {
    throw "cluster-create: $env:COMPUTERNAME is already in the cluster $($cluster.Name), not $ClusterName"
}
$members = @()
if ($cluster) { $members = @(Get-ClusterNode | ForEach-Object { $_.Name.ToLower() }) }
$missing = @($Nodes -split ',' | Where-Object { $members -notcontains $_.ToLower() })
if ($missing.Count -gt 0) {
    try {
        $run = Invoke-AsDomainAdmin -Work $work -Arguments @{ name = $ClusterName; nodes = $Nodes } -User $AdminUser `
            -Password $AdminPassword -TimeoutSeconds 1500
    } catch {
        throw ('cluster-create: ' + $_.Exception.Message.Replace($AdminPassword, '<redacted>'))
    }
    if (-not $run.ok) { throw ('cluster-create: ' + $run.error.Replace($AdminPassword, '<redacted>')) }
    $changed = $true
}

$cluster = Get-Cluster
$name = Get-ClusterResource -Name 'Cluster Name' -ErrorAction SilentlyContinue
$data = [ordered]@{ cluster = $cluster.Name; nodes = @(Get-ClusterNode | ForEach-Object { $_.Name })
    managementPoint = 'Distributed'; nameState = [string]$name.State }
$result = [ordered]@{ step = 'cluster-create'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
