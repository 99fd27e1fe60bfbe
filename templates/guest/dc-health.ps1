# azguest-step: dc-health
<#
.SYNOPSIS
    AD DS and DNS answer on the DC: the domain, and its name resolved by the DC's own DNS.
.NOTES
    Contract: docs/design.md, "Guest steps" and "Stop, start and test". An operations step (azguest start
    polls it until it succeeds); runs as SYSTEM; changes nothing; never prompts; never reboots. It fails
    (Get-ADDomain's terminating error) while Active Directory Web Services or the DNS server do not answer.
    One JSON line: {"step": "dc-health", "changed": false, "rebootRequired": false, "data": {"forest": "<fqdn>",
      "netbios": "...", "state": "Running", "adws": "Running", "dnsServer": "Running", "forwarders": ["..."]}}
#>
[CmdletBinding()]
param(
)
$ErrorActionPreference = 'Stop'

$domain = Get-ADDomain -Current LocalComputer
$answer = Resolve-DnsName -Name $domain.DNSRoot -Server '127.0.0.1' -DnsOnly -QuickTimeout
if (-not $answer) { throw "DNS on this DC does not resolve $($domain.DNSRoot)" }
$forwarders = @((Get-DnsServerForwarder).IPAddress | ForEach-Object { "$_" })
$data = [ordered]@{ forest = $domain.DNSRoot; netbios = $domain.NetBIOSName; state = 'Running'
    adws = "$((Get-Service -Name ADWS).Status)"; dnsServer = "$((Get-Service -Name DNS).Status)"; forwarders = $forwarders }
$result = [ordered]@{ step = 'dc-health'; changed = $false; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
