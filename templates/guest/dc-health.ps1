# azguest-step: dc-health
<#
.SYNOPSIS
    AD DS and DNS answer on the domain controller: the domain, and its name resolved by the DC's own DNS.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". An operations step (azguest start
    polls it until both answer); runs as SYSTEM; changes nothing; never prompts; never reboots. Exit code 0
    with "ad"/"dns" false when a service does not answer yet; a terminating error only when it cannot look.
    One JSON line: {"step": "dc-health", "changed": false, "rebootRequired": false,
                    "data": {"domain": "<fqdn>", "ad": bool, "dns": bool}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$domain = ''
$ad = $false
$dns = $false
try {
    $domain = (Get-ADDomain -Current LocalComputer).DNSRoot
    $ad = [bool]$domain
} catch {
    $ad = $false
}
if ($ad) {
    try {
        $answer = Resolve-DnsName -Name $domain -Server '127.0.0.1' -DnsOnly -QuickTimeout
        $dns = [bool]$answer
    } catch {
        $dns = $false
    }
}
$result = [ordered]@{ step = 'dc-health'; changed = $false; rebootRequired = $false
    data = [ordered]@{ domain = $domain; ad = $ad; dns = $dns } }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
