# Shared functions, inlined by azguest (steps.script_text) where a script's include line names this file.
# Identity (design.md, "Guest steps"): run commands run as SYSTEM, which reaches the other nodes as the computer
# account; this cmdlet needs the domain admin. It runs in a one-shot scheduled task registered as the domain admin
# (the password only ever comes from the protected parameter and goes only to Register-ScheduledTask -Password),
# started, polled until it has written its result file, and unregistered in finally. Nothing stays behind.
function Invoke-AsDomainAdmin {
    param(
        [scriptblock]$Work,
        [hashtable]$Arguments,
        [string]$User,
        [string]$Password,
        [int]$TimeoutSeconds
    )
    $id = [guid]::NewGuid().ToString('N')
    $dir = Join-Path $env:ProgramData "azguest\task-$id"
    New-Item -ItemType Directory -Path $dir -Force | Out-Null
    # Only SYSTEM and the Administrators (the domain admin among them) may read or change the task's files.
    $acl = Get-Acl -Path $dir
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in 'S-1-5-18', 'S-1-5-32-544') {
        $who = [System.Security.Principal.SecurityIdentifier]::new($sid)
        $acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new(
                $who, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow'))
    }
    Set-Acl -Path $dir -AclObject $acl
    $script = Join-Path $dir 'work.ps1'
    $argsPath = Join-Path $dir 'args.json'
    $outPath = Join-Path $dir 'result.json'
    Set-Content -Path $script -Value $Work.ToString() -Encoding UTF8
    Set-Content -Path $argsPath -Value ($Arguments | ConvertTo-Json -Compress -Depth 5) -Encoding UTF8
    $name = "azguest-$id"
    try {
        $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument (
            "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$script`" -ArgsPath `"$argsPath`" -OutPath `"$outPath`"")
        $settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Seconds $TimeoutSeconds)
        Register-ScheduledTask -TaskName $name -Action $action -Settings $settings -User $User -Password $Password `
            -RunLevel Highest -Force | Out-Null
        Start-ScheduledTask -TaskName $name
        $deadline = (Get-Date).AddSeconds($TimeoutSeconds + 60)
        while (-not (Test-Path -Path $outPath)) {
            $info = Get-ScheduledTaskInfo -TaskName $name
            $state = (Get-ScheduledTask -TaskName $name).State
            # 267009 = still running, 267011 = not yet run (SCHED_S_TASK_RUNNING / SCHED_S_TASK_HAS_NOT_RUN).
            if ($state -ne 'Running' -and $info.LastTaskResult -notin 267009, 267011) {
                Start-Sleep -Seconds 5
                if (-not (Test-Path -Path $outPath)) {
                    throw "the task as $User ended with $($info.LastTaskResult) and no result (logon refused?)"
                }
            }
            if ((Get-Date) -gt $deadline) { throw "the task as $User did not finish in $TimeoutSeconds s" }
            Start-Sleep -Seconds 5
        }
        return (Get-Content -Path $outPath -Raw | ConvertFrom-Json)
    } finally {
        Unregister-ScheduledTask -TaskName $name -Confirm:$false -ErrorAction SilentlyContinue
        Remove-Item -Path $dir -Recurse -Force -ErrorAction SilentlyContinue
    }
}
