# azguest-step: cluster-validate
<#
.SYNOPSIS
    Test-Cluster as the domain admin; fails with the failing tests.
.NOTES
    Contract: docs/design.md, "Guest steps". Runs as SYSTEM in a managed run command; idempotent
    (check, then act); never prompts (-Force / -Confirm:$false); never reboots its own VM; ends by
    writing one JSON line: {"step": "cluster-validate", "changed": bool, "rebootRequired": bool, "data": {...}}.
    Protected parameters (only ever in protectedParameters, never echoed): AdminPassword.
#>
[CmdletBinding()]
param(
    [string]$Nodes = '',
    [string]$Tests = '',
    [string]$AdminUser = '',
    [string]$AdminPassword = ''
)
$ErrorActionPreference = 'Stop'
if ([string]::IsNullOrEmpty($AdminPassword)) { throw 'cluster-validate: the protected parameter AdminPassword is empty' }

# azguest-include: lib/as-domain-admin.ps1

# Test-Cluster, as the domain admin, in the scheduled task. It writes its report to %SystemRoot%\Cluster\Reports:
# "Validation Report <date>.htm" and the data behind it, "Validation Data <...>.xml".
$work = {
    param([string]$ArgsPath, [string]$OutPath)
    $ErrorActionPreference = 'Stop'
    $a = Get-Content -Path $ArgsPath -Raw | ConvertFrom-Json
    $out = [ordered]@{ ok = $false; report = ''; error = '' }
    try {
        $report = Test-Cluster -Node ($a.nodes -split ',') -Include ($a.tests -split ',') -Force -WarningAction SilentlyContinue
        $out.report = [string]$report.FullName
        $out.ok = $true
    } catch {
        $out.error = $_.Exception.Message
    }
    Set-Content -Path $OutPath -Value ($out | ConvertTo-Json -Compress) -Encoding UTF8
}

# The validation data: Report/Channel/ValidationResult is a bit mask (1 completed, 4 has failures, 8 has
# warnings), and each test is a Report/Channel/Channel with a Title and a ResultDescription
# ("Success", "Warning", "Failed", "Not Applicable"), as Microsoft's AzStackHci.EnvironmentChecker reads it.
function Read-ValidationData {
    param([string]$Path)
    [xml]$doc = Get-Content -Path $Path -Raw
    $mask = 0
    $node = $doc.SelectSingleNode('/Report/Channel/ValidationResult/Value')
    if ($node) { $mask = [int]$node.InnerText }
    $failed = @()
    $warnings = @()
    foreach ($test in $doc.SelectNodes('/Report/Channel/Channel')) {
        $title = $test.SelectSingleNode('Title/Value')
        $outcome = $test.SelectSingleNode('ResultDescription/Value')
        if (-not $title -or -not $outcome) { continue }
        if ($outcome.InnerText -match 'Fail') { $failed += $title.InnerText.Trim() }
        elseif ($outcome.InnerText -match 'Warn') { $warnings += $title.InnerText.Trim() }
    }
    return [ordered]@{ mask = $mask; failed = @($failed | Select-Object -Unique); warnings = @($warnings | Select-Object -Unique) }
}

$changed = $false
$passed = $true
$data = [ordered]@{ nodes = @($Nodes -split ','); tests = @($Tests -split ','); passed = $true
    failedTests = @(); warnings = @(); report = '' }
$cluster = Get-Cluster -ErrorAction SilentlyContinue
if ($cluster) {
    # The cluster exists, so its validation passed before New-Cluster ran (cluster-create follows this step).
    $data.report = 'validated before the cluster was created'
} else {
    $started = Get-Date
    try {
        $run = Invoke-AsDomainAdmin -Work $work -Arguments @{ nodes = $Nodes; tests = $Tests } -User $AdminUser `
            -Password $AdminPassword -TimeoutSeconds 3300
    } catch {
        throw ('cluster-validate: ' + $_.Exception.Message.Replace($AdminPassword, '<redacted>'))
    }
    $changed = $true
    if (-not $run.ok) { throw ('cluster-validate: Test-Cluster failed: ' + $run.error.Replace($AdminPassword, '<redacted>')) }
    $data.report = $run.report
    $xml = Get-ChildItem -Path (Join-Path $env:SystemRoot 'Cluster\Reports') -Filter 'Validation Data*.xml' |
        Where-Object LastWriteTime -ge $started | Sort-Object -Property LastWriteTime | Select-Object -Last 1
    if (-not $xml) { throw "cluster-validate: Test-Cluster wrote no validation data next to $($run.report)" }
    $read = Read-ValidationData -Path $xml.FullName
    $data.failedTests = @($read.failed | Select-Object -First 20)
    $data.warnings = @($read.warnings | Select-Object -First 20)
    $passed = (($read.mask -band 1) -ne 0) -and (($read.mask -band 4) -eq 0) -and ($read.failed.Count -eq 0)
    $data.passed = $passed
    $data.validationResult = $read.mask
}

$result = [ordered]@{ step = 'cluster-validate'; changed = $changed; rebootRequired = $false; data = $data }
Write-Output ($result | ConvertTo-Json -Compress -Depth 5)
if (-not $passed) {
    throw ("cluster-validate: validation did not pass (result $($data.validationResult)): " + ($data.failedTests -join '; '))
}
