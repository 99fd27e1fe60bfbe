# azguest-step: dc-dns
<#
.SYNOPSIS
    DNS forwarder to Azure DNS; waits until AD DS and DNS answer.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "dc-dns", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$DomainName = '',
    [string]$Forwarder = ''
)
$ErrorActionPreference = 'Stop'

# After the DC's one restart: wait until AD DS and DNS answer for the domain, then forward everything else to
# Azure's recursive resolver (168.63.129.16, the same in every cloud [AZD virtual-network/
# what-is-ip-address-168-63-129-16.md]). Set-DnsServerForwarder overwrites the list, so a re-run is a no-op.
function Test-DomainAnswers {
    $services = @(Get-Service -Name 'NTDS', 'DNS', 'ADWS' -ErrorAction SilentlyContinue | Where-Object Status -eq 'Running')
    if ($services.Count -ne 3) { return $false }
    try {
        # Get-ADDomain throws while AD Web Services still starts; a failed try is "not yet".
        $soa = Resolve-DnsName -Name $DomainName -Type SOA -Server '127.0.0.1' -DnsOnly
        $domain = Get-ADDomain -Identity $DomainName
        return [bool]($soa -and $domain)
    } catch {
        return $false
    }
}

$deadline = (Get-Date).AddMinutes(25)
$ready = $false
while (-not $ready) {
    $ready = Test-DomainAnswers
    if (-not $ready) {
        if ((Get-Date) -gt $deadline) { throw "dc-dns: AD DS and DNS on $env:COMPUTERNAME do not answer for $DomainName" }
        Start-Sleep -Seconds 10
    }
}

$changed = $false
$current = @(Get-DnsServerForwarder | ForEach-Object { $_.IPAddress } | ForEach-Object { $_.IPAddressToString })
if (($current -join ',') -ne $Forwarder) {
    Set-DnsServerForwarder -IPAddress $Forwarder -Confirm:$false
    $changed = $true
}

# The forwarder answers Azure names (the run command handler's storage endpoints, among others).
$probe = $null
for ($i = 0; $i -lt 12 -and -not $probe; $i++) {
    $probe = Resolve-DnsName -Name 'azure.microsoft.com' -Server '127.0.0.1' -DnsOnly -ErrorAction SilentlyContinue
    if (-not $probe) { Start-Sleep -Seconds 5 }
}
if (-not $probe) { throw "dc-dns: the DNS server on $env:COMPUTERNAME does not resolve Azure names through $Forwarder" }

$data = [ordered]@{ domain = $DomainName; forwarders = @($Forwarder); dnsServer = $env:COMPUTERNAME }
$result = [ordered]@{ step = 'dc-dns'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
