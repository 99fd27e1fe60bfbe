# azguest-step: workload-switch
<#
.SYNOPSIS
    one internal NAT switch, same name on every node.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "workload-switch", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): none.
#>
[CmdletBinding()]
param(
    [string]$SwitchName = '',
    [string]$NatPrefix = '',
    [string]$GatewayAddress = ''
)
$ErrorActionPreference = 'Stop'

# One internal switch with NAT, the same name on every node, so a nested VM keeps its network on any node
# [AZD virtual-machines/windows/nested-virtualization.md: New-VMSwitch -SwitchType Internal, New-NetIPAddress on
# vEthernet (<switch>), New-NetNat]. WinNAT supports one internal prefix per host: another NAT is refused here
# rather than added ("Set up a NAT network", learn.microsoft.com virtualization/hyper-v-on-windows/user-guide/setup-nat-network).
$changed = $false
$prefixLength = [int]($NatPrefix -split '/')[1]

$switch = Get-VMSwitch -Name $SwitchName -ErrorAction SilentlyContinue
if ($switch -and [string]$switch.SwitchType -ne 'Internal') {
    throw "workload-switch: $SwitchName on $env:COMPUTERNAME is a $($switch.SwitchType) switch, not Internal"
}
if (-not $switch) {
    New-VMSwitch -Name $SwitchName -SwitchType Internal | Out-Null
    $changed = $true
}

$adapter = Get-NetAdapter -Name "vEthernet ($SwitchName)"
$address = Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
    Where-Object IPAddress -eq $GatewayAddress
if (-not $address) {
    New-NetIPAddress -IPAddress $GatewayAddress -PrefixLength $prefixLength -InterfaceIndex $adapter.ifIndex | Out-Null
    $changed = $true
}

$nats = @(Get-NetNat -ErrorAction SilentlyContinue)
$mine = $nats | Where-Object InternalIPInterfaceAddressPrefix -eq $NatPrefix | Select-Object -First 1
if (-not $mine) {
    if ($nats.Count -gt 0) {
        throw ("workload-switch: $env:COMPUTERNAME already has the NAT $($nats[0].Name) " +
            "($($nats[0].InternalIPInterfaceAddressPrefix)); WinNAT supports one internal prefix per host")
    }
    New-NetNat -Name $SwitchName -InternalIPInterfaceAddressPrefix $NatPrefix | Out-Null
    $changed = $true
}

$data = [ordered]@{ switch = $SwitchName; gateway = $GatewayAddress; nat = $NatPrefix }
$result = [ordered]@{ step = 'workload-switch'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
