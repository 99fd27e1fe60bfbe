# azguest-step: node-join
<#
.SYNOPSIS
    DNS to the DC (guest level), join the domain without -Restart.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "node-join", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): AdminPassword.
#>
[CmdletBinding()]
param(
    [string]$DomainName = '',
    [string]$DnsServer = '',
    [string]$AdminUser = '',
    [string]$AdminPassword = ''
)
$ErrorActionPreference = 'Stop'

# The node's DNS switches to the DC here, in the guest, once the DC answers for the domain (design.md, "DNS");
# then Add-Computer -Credential (the domain admin, from the protected parameter), without -Restart: azguest
# restarts the VM once through ARM [PowerShell-Docs 5.1 Microsoft.PowerShell.Management/Add-Computer].
if ([string]::IsNullOrEmpty($AdminPassword)) { throw 'node-join: the protected parameter AdminPassword is empty' }

$changed = $false
$reboot = $false
$cs = Get-CimInstance -ClassName Win32_ComputerSystem
$joinPending = Test-Path -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\JoinDomain'

# Wait until the DC answers for the domain (it may still be restarting after its promotion).
$deadline = (Get-Date).AddMinutes(20)
while (-not (Resolve-DnsName -Name $DomainName -Type SOA -Server $DnsServer -DnsOnly -ErrorAction SilentlyContinue)) {
    if ((Get-Date) -gt $deadline) { throw "node-join: the DNS server $DnsServer does not answer for $DomainName" }
    Start-Sleep -Seconds 10
}

# Every interface with an IPv4 address from Azure's DHCP (a VF of accelerated networking has none).
$interfaces = @(Get-NetIPAddress -AddressFamily IPv4 | Where-Object PrefixOrigin -eq 'Dhcp' |
        ForEach-Object { $_.InterfaceIndex } | Sort-Object -Unique)
foreach ($index in $interfaces) {
    $servers = @((Get-DnsClientServerAddress -InterfaceIndex $index -AddressFamily IPv4).ServerAddresses)
    if (($servers -join ',') -ne $DnsServer) {
        Set-DnsClientServerAddress -InterfaceIndex $index -ServerAddresses $DnsServer -Confirm:$false
        $changed = $true
    }
}

if ($cs.PartOfDomain -and $cs.Domain -eq $DomainName) {
    $reboot = $joinPending
} else {
    $secure = ConvertTo-SecureString -String $AdminPassword -AsPlainText -Force
    $credential = [System.Management.Automation.PSCredential]::new($AdminUser, $secure)
    try {
        Add-Computer -DomainName $DomainName -Credential $credential -Force -WarningAction SilentlyContinue
    } catch {
        throw ('node-join: Add-Computer failed: ' + $_.Exception.Message.Replace($AdminPassword, '<redacted>'))
    }
    $changed = $true
    $reboot = $true
}

$data = [ordered]@{ domain = $DomainName; dnsServer = $DnsServer; interfaces = $interfaces.Count }
$result = [ordered]@{ step = 'node-join'; changed = $changed; rebootRequired = $reboot; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
