# azguest-step: witness-cloud
<#
.SYNOPSIS
    cloud witness on the lab's storage account (key protected).
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "witness-cloud", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): StorageKey.
#>
[CmdletBinding()]
param(
    [string]$AccountName = '',
    [string]$Endpoint = '',
    [string]$StorageKey = ''
)
$ErrorActionPreference = 'Stop'

# The cloud witness on the lab's storage account [WSD failover-clustering/deploy-cloud-witness.md]: the key comes
# only from the protected parameter and goes only to Set-ClusterQuorum -AccessKey (the cluster keeps a SAS
# derived from it, not the key); -Endpoint is the cloud's storage suffix (core.windows.net in Azure's public cloud).
if ([string]::IsNullOrEmpty($StorageKey)) { throw 'witness-cloud: the protected parameter StorageKey is empty' }
$changed = $false
$witness = Get-ClusterResource | Where-Object { $_.ResourceType.Name -eq 'Cloud Witness' } | Select-Object -First 1
$account = ''
if ($witness) { $account = [string](Get-ClusterParameter -InputObject $witness -Name 'AccountName').Value }
if (-not $witness -or $account -ne $AccountName) {
    try {
        Set-ClusterQuorum -CloudWitness -AccountName $AccountName -AccessKey $StorageKey -Endpoint $Endpoint | Out-Null
    } catch {
        throw ('witness-cloud: Set-ClusterQuorum failed: ' + $_.Exception.Message.Replace($StorageKey, '<redacted>'))
    }
    $changed = $true
    $witness = Get-ClusterResource | Where-Object { $_.ResourceType.Name -eq 'Cloud Witness' } | Select-Object -First 1
}
$data = [ordered]@{ witness = 'cloud'; accountName = $AccountName; endpoint = $Endpoint; state = [string]$witness.State }
$result = [ordered]@{ step = 'witness-cloud'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
