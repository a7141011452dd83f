# Helpers for the RequiresRoot Pester tests: private network namespaces and a child pwsh inside them.
# A tunnel's device and sockets live in the namespace of the process that opens them, so each scenario runs
# in a child pwsh started with `ip netns exec`, which prints one JSON object as its last line.

Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot '../../build/Prerequisites.psm1')
# Get-ChildPwshCommand: the command line of the pwsh we run in, to start a child pwsh
Import-Module (Join-Path $PSScriptRoot '../../build/TestRunner.psm1')

function Test-AnytunRootPrerequisite {
    # Returns $null when root tests can run, else the reason they cannot. Root tests always need ip and kill;
    # -Program names more programs (their Debian packages come from build/prerequisites.json).
    param([string[]] $Program = @())
    $problems = @(Get-AnytunEnvironmentProblem -HostState (Get-AnytunHostState))
    if ($problems) { return "needs $($problems -join ', ')" }
    $missing = @(Get-AnytunMissingPrerequisite -Program (@('ip', 'kill') + $Program))
    if ($missing) {
        return "needs $(Format-AnytunPrerequisite $missing): 'dotnet pwsh ./build.ps1 -Task Test' run as root installs it"
    }
    return $null
}

function Assert-AnytunRootPrerequisite {
    # In an It block: skip with the reason locally, fail in CI.
    param([string[]] $Program = @())
    $reason = Test-AnytunRootPrerequisite -Program $Program
    if ($null -eq $reason) { return $true }
    if ($env:CI -eq 'true') { throw "RequiresRoot test cannot run in CI: $reason" }
    Set-ItResult -Skipped -Because $reason
    return $false
}

function New-AnytunTestNamespace {
    param([Parameter(Mandatory)] [string] $Tag)
    $name = 'anyps-{0}-{1}' -f $Tag, (Get-Random -Maximum 99999)
    & ip netns add $name
    if ($LASTEXITCODE -ne 0) { throw "ip netns add $name failed" }
    & ip -n $name link set lo up
    return $name
}

function Remove-AnytunTestNamespace {
    param([string[]] $Name)
    foreach ($ns in $Name) {
        if ($ns) {
            # Kill whatever still runs inside, then delete; both must succeed even after a failed test.
            foreach ($procId in @(& ip netns pids $ns 2>$null)) { & kill -9 $procId 2>$null }
            & ip netns del $ns 2>$null
        }
    }
}


function Start-AnytunInNamespace {
    # Starts $Script (after importing $ManifestPath) in a child pwsh inside $Namespace without waiting; stdout goes
    # to $LogPath. Returns the process: its PID is the real pwsh, because `ip netns exec` execs and we start
    # pwsh.dll directly, not the tool shim, so signals sent to it reach the module.
    param(
        [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string] $Script,
        [Parameter(Mandatory)] [string] $ManifestPath,
        [Parameter(Mandatory)] [string] $LogPath
    )
    $file = "$LogPath.ps1"
    @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ManifestPath' -Force
$Script
"@ | Set-Content -Path $file
    $arguments = @('netns', 'exec', $Namespace) + (Get-ChildPwshCommand) + @('-NoProfile', '-NonInteractive', '-File', $file)
    return Start-Process -FilePath ip -ArgumentList $arguments -RedirectStandardOutput $LogPath -RedirectStandardError "$LogPath.err" -PassThru
}

function Invoke-AnytunInNamespace {
    # Runs $Script in a child pwsh inside $Namespace and returns the object deserialized from the last JSON line
    # it printed (the script must end with ConvertTo-Json -Compress).
    param(
        [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string] $Script,
        [Parameter(Mandatory)] [string] $ManifestPath,
        [Parameter(Mandatory)] [string] $WorkDirectory,
        # below the suite's 120 s hang guard, so this message (with the scenario's log) is the one reported
        [int] $TimeoutSec = 90
    )
    $log = Join-Path $WorkDirectory ("scenario-{0}.log" -f (Get-Random))
    $process = Start-AnytunInNamespace -Namespace $Namespace -Script $Script -ManifestPath $ManifestPath -LogPath $log
    if (-not $process.WaitForExit($TimeoutSec * 1000)) {
        $process.Kill($true)
        throw "scenario timed out after $TimeoutSec s: $(Get-Content -Raw $log -ErrorAction SilentlyContinue)"
    }
    $lines = @(Get-Content $log | Where-Object { $_ -match '^\{' })
    if ($lines.Count -eq 0) {
        throw "scenario printed no JSON (exit $($process.ExitCode)): $(Get-Content -Raw $log) $(Get-Content -Raw "$log.err")"
    }
    return $lines[-1] | ConvertFrom-Json
}

Export-ModuleMember -Function Test-AnytunRootPrerequisite, Assert-AnytunRootPrerequisite, New-AnytunTestNamespace,
    Remove-AnytunTestNamespace, Invoke-AnytunInNamespace, Start-AnytunInNamespace
