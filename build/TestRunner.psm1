# Runs the xunit and Pester suites for build.ps1 -Task Test, each under a hang guard: a test that runs past
# -HangTimeoutSeconds is killed and counted as failed by name, so a stuck test cannot stall CI. Each suite returns
#   Name, Passed, Failed, Skipped, RunnerFailed, Hung (names of the tests the guard killed)

Set-StrictMode -Version 3.0

function Write-RunnerLine {
    param([string] $Text, [string] $Color = 'Gray')
    Write-Host $Text -ForegroundColor $Color
}

function Read-AnytunJUnitCount {
    <# Sums the <testsuite> counters of a JUnit XML file (JunitXml.TestLogger and Pester both write them). #>
    param([Parameter(Mandatory)] [string] $Path)
    [xml] $xml = Get-Content -Raw $Path
    $total = 0; $failed = 0; $skipped = 0
    foreach ($suite in $xml.SelectNodes('//testsuite')) {
        $total += [int] $suite.GetAttribute('tests')
        $failed += [int] $suite.GetAttribute('failures') + [int] ('0' + $suite.GetAttribute('errors'))
        $skipped += [int] ('0' + $suite.GetAttribute('skipped'))
    }
    [pscustomobject] @{ Passed = $total - $failed - $skipped; Failed = $failed; Skipped = $skipped }
}

function Get-ChildPwshCommand {
    <# The command line (program and arguments) that starts the pwsh we run in, as a child. #>
    # The pwsh we run in: under the dotnet tool, ProcessPath is dotnet and the entry assembly is pwsh.dll. Starting
    # pwsh.dll directly (not the tool's shim) makes the child's PID the real pwsh, so killing it kills the tests.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, [Reflection.Assembly]::GetEntryAssembly().Location)
    }
    return @($process)
}

function Get-UnfinishedXunitTest {
    <# Tests that vstest's blame collector saw start but not finish (Sequence_*.xml, Completed="False"). #>
    param([Parameter(Mandatory)] [string] $Directory)
    foreach ($file in @(Get-ChildItem -Path $Directory -Recurse -Filter 'Sequence_*.xml' -File -ErrorAction SilentlyContinue)) {
        [xml] $sequence = Get-Content -Raw $file.FullName
        foreach ($test in @($sequence.SelectNodes('//Test[@Completed="False"]'))) { $test.GetAttribute('Name') }
    }
}

function Invoke-AnytunXunitSuite {
    <#
    dotnet test with JUnit output and `--blame-hang-timeout`: when no test starts or finishes for -HangTimeoutSeconds,
    vstest kills the test host; the tests it left unfinished are reported by name and counted as failed.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Project,
        [Parameter(Mandatory)] [string] $ResultDirectory,
        [string] $Configuration = 'Release',
        [int] $HangTimeoutSeconds = 120,
        # the guard's own deliberately hanging test runs only when asked for
        [string] $Filter = 'Category!=HangGuardSelfTest',
        [switch] $NoBuild,
        [string] $Name = 'xunit',
        # the test output goes to this file instead of the console (the guards' own tests use it)
        [string] $LogPath
    )
    $null = New-Item -ItemType Directory -Force $ResultDirectory
    $junit = Join-Path $ResultDirectory "$Name.junit.xml"
    $blameDirectory = Join-Path $ResultDirectory "$Name.blame"
    Remove-Item $junit -ErrorAction SilentlyContinue
    Remove-Item $blameDirectory -Recurse -Force -ErrorAction SilentlyContinue
    $arguments = @('test', $Project, '-c', $Configuration, '-nologo', '--filter', $Filter,
        '--blame-hang-timeout', "${HangTimeoutSeconds}s", '--blame-hang-dump-type', 'none', '--results-directory', $blameDirectory,
        '--logger', "junit;LogFilePath=$junit", '--logger', 'console;verbosity=normal')
    if ($NoBuild) { $arguments += '--no-build' }
    Write-RunnerLine "> dotnet $($arguments -join ' ')" DarkGray
    if ($LogPath) { & dotnet @arguments *> $LogPath } else { & dotnet @arguments | Out-Host }
    $code = $LASTEXITCODE

    $hung = @(Get-UnfinishedXunitTest -Directory $blameDirectory)
    foreach ($test in $hung) {
        Write-RunnerLine "${Name}: FAILED (hang guard): $test did not finish; no test finished for $HangTimeoutSeconds s, so the test host was killed" Red
    }
    $counts = if (Test-Path $junit) { Read-AnytunJUnitCount $junit } else { [pscustomobject] @{ Passed = 0; Failed = 0; Skipped = 0 } }
    if (-not (Test-Path $junit)) { Write-RunnerLine "${Name}: runner failed (exit code $code), no result file" Red }
    [pscustomobject] @{
        Name = $Name; Passed = $counts.Passed; Failed = $counts.Failed + $hung.Count; Skipped = $counts.Skipped
        RunnerFailed = ($code -ne 0 -and $counts.Failed -eq 0 -and $hung.Count -eq 0) -or -not (Test-Path $junit)
        Hung = $hung
    }
}

# Runs in the Pester child: Invoke-Pester with a progress plugin that appends one line per event to a file the parent
# watches ("discover<TAB><file>", "block<TAB><path>", "start<TAB><test>", "end<TAB><Passed|Failed|Skipped><TAB><test>").
$script:PesterRunner = @'
param([string] $PesterManifest, [string] $PathList, [string] $JUnit, [string] $Summary, [string] $ExcludeTagList, [string] $Progress)
$ErrorActionPreference = 'Stop'
$pester = Import-Module $PesterManifest -Force -PassThru
# Pester has no public per-test hook; its plugin list has one documented entry point for external runners
# (additionalPlugins, used by the VS Code adapter). Pester is pinned, and tests/Pester/TestGuards.Tests.ps1
# proves this still works.
$watch = & $pester {
    param($ProgressFile)
    $append = { param([string] $Line) [IO.File]::AppendAllText($ProgressFile, $Line + "`n") }.GetNewClosure()
    $testName = {
        # at setup the test's name is not expanded yet: fill in its <data> placeholders
        param($Context)
        $name = $Context.Test.Name
        foreach ($data in @($Context.Test.Data, $Context.Block.Data)) {
            if ($data -isnot [System.Collections.IDictionary]) { continue }
            foreach ($key in $data.Keys) { $name = $name.Replace("<$key>", "$($data[$key])") }
        }
        "$($Context.Block.ExpandedPath).$name"
    }
    New-PluginObject -Name 'AnytunHangGuard' `
        -ContainerDiscoveryStart { param($Context) & $append "discover`t$($Context.BlockContainer.Item)" }.GetNewClosure() `
        -EachBlockSetupStart { param($Context) & $append "block`t$($Context.Block.ExpandedPath)" }.GetNewClosure() `
        -EachTestSetupStart { param($Context) & $append "start`t$(& $testName $Context)" }.GetNewClosure() `
        -EachTestTeardownEnd {
            param($Context)
            $result = if (-not $Context.Test.Passed) { 'Failed' } elseif ($Context.Test.Skipped) { 'Skipped' } else { 'Passed' }
            & $append "end`t$result`t$($Context.Test.ExpandedPath)"
        }.GetNewClosure()
} $Progress
& $pester { param($Plugins) $script:additionalPlugins = $Plugins } @($watch)

$config = New-PesterConfiguration
$config.Run.Path = @($PathList -split ',')
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'JUnitXml'
$config.TestResult.OutputPath = $JUnit
$excludeTag = @($ExcludeTagList -split ',' | Where-Object { $_ })
if ($excludeTag) { $config.Filter.ExcludeTag = $excludeTag }
$result = Invoke-Pester -Configuration $config
# tests under a failed BeforeAll already count as failed; a container that failed discovery has no tests, count it
[pscustomobject] @{
    Passed = $result.PassedCount; Failed = $result.FailedCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount + $result.InconclusiveCount; Result = $result.Result
    FailedBlocks = @($result.FailedBlocks | ForEach-Object { $_.ExpandedPath })
} | ConvertTo-Json | Set-Content -Path $Summary
'@

function Read-PesterProgress {
    <# Parses the progress file: counts of finished tests and what ran last (for the hang report). #>
    param([Parameter(Mandatory)] [string] $Path)
    $state = [pscustomobject] @{ Passed = 0; Failed = 0; Skipped = 0; Last = $null; LastKind = $null; Block = $null }
    if (-not (Test-Path $Path)) { return $state }
    foreach ($line in [IO.File]::ReadAllLines($Path)) {
        $fields = $line -split "`t"
        switch ($fields[0]) {
            'discover' { $state.Last = $fields[1]; $state.LastKind = 'discover' }
            'block' { $state.Block = $fields[1]; $state.Last = $fields[1]; $state.LastKind = 'block' }
            'start' { $state.Last = $fields[1]; $state.LastKind = 'start' }
            'end' {
                $state.($fields[1]) += 1
                $state.Last = $fields[2]; $state.LastKind = 'end'
            }
        }
    }
    return $state
}

function Invoke-AnytunPesterSuite {
    <#
    Invoke-Pester in a child pwsh (the module under test loads into a fresh process), watched: when no block or test
    starts or finishes for -HangTimeoutSeconds, the child and everything it started are killed, the test (or block
    setup) that was running is reported by name and counted as failed, and the tests finished so far are counted.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $PesterManifest,
        [Parameter(Mandatory)] [string[]] $Path,
        [Parameter(Mandatory)] [string] $ResultDirectory,
        [string[]] $ExcludeTag = @(),
        [int] $HangTimeoutSeconds = 120,
        [string] $Name = 'Pester',
        # the test output goes to this file instead of the console (the guards' own tests use it)
        [string] $LogPath
    )
    $null = New-Item -ItemType Directory -Force $ResultDirectory
    $junit = Join-Path $ResultDirectory "$Name.junit.xml"
    $summary = Join-Path $ResultDirectory "$Name.summary.json"
    $progress = Join-Path $ResultDirectory "$Name.progress.txt"
    $runner = Join-Path $ResultDirectory "run-$Name.ps1"
    Remove-Item $junit, $summary, $progress -ErrorAction SilentlyContinue
    Set-Content -Path $runner -Value $script:PesterRunner -Encoding utf8NoBOM
    $null = New-Item -ItemType File -Force $progress

    $start = [Diagnostics.ProcessStartInfo]::new()
    $pwsh = @(Get-ChildPwshCommand)
    $start.FileName = $pwsh[0]
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $runner,
            '-PesterManifest', $PesterManifest, '-PathList', ($Path -join ','), '-JUnit', $junit, '-Summary', $summary,
            '-ExcludeTagList', ($ExcludeTag -join ','), '-Progress', $progress)) {
        $start.ArgumentList.Add($argument)
    }
    $start.UseShellExecute = $false   # without -LogPath the output goes straight to our console
    $start.RedirectStandardOutput = $start.RedirectStandardError = [bool] $LogPath
    Write-RunnerLine "> pwsh -File $runner ($($Path -join ', '))" DarkGray
    $child = [Diagnostics.Process]::Start($start)
    $output = if ($LogPath) { @($child.StandardOutput.ReadToEndAsync(), $child.StandardError.ReadToEndAsync()) }

    $lastSize = 0L
    $lastActivity = [Diagnostics.Stopwatch]::StartNew()
    $hung = @()
    while (-not $child.WaitForExit(1000)) {
        $size = ([IO.FileInfo] $progress).Length
        if ($size -ne $lastSize) { $lastSize = $size; $lastActivity.Restart() }
        if ($lastActivity.Elapsed.TotalSeconds -lt $HangTimeoutSeconds) { continue }
        $child.Kill($true)
        $null = $child.WaitForExit(10000)
        $state = Read-PesterProgress $progress
        $what = switch ($state.LastKind) {
            'start' { $state.Last }
            'block' { "the setup (BeforeAll) of $($state.Last)" }
            'end' { "what ran after $($state.Last) (AfterEach/AfterAll, or the next block's setup in $($state.Block))" }
            'discover' { "the discovery of $($state.Last)" }
            default { 'the start of Pester' }
        }
        $hung = @($what)
        Write-RunnerLine "${Name}: FAILED (hang guard): $what ran for more than $HangTimeoutSeconds s; the test run was killed" Red
        break
    }
    if ($LogPath) {
        $null = [Threading.Tasks.Task]::WaitAll($output, 10000)
        Set-Content -Path $LogPath -Value (@($output | Where-Object IsCompleted | ForEach-Object Result) -join "`n")
    }

    if ($hung) {
        return [pscustomobject] @{ Name = $Name; Passed = $state.Passed; Failed = $state.Failed + 1; Skipped = $state.Skipped
            RunnerFailed = $false; Hung = $hung }
    }
    $code = $child.ExitCode
    if (-not (Test-Path $summary)) {
        Write-RunnerLine "${Name}: runner failed (exit code $code), no summary" Red
        return [pscustomobject] @{ Name = $Name; Passed = 0; Failed = 0; Skipped = 0; RunnerFailed = $true; Hung = @() }
    }
    $counts = Get-Content -Raw $summary | ConvertFrom-Json
    foreach ($block in @($counts.FailedBlocks)) { if ($block) { Write-RunnerLine "${Name}: block failed: $block" Red } }
    # a failing AfterAll fails the run without failing a test: report it as a runner failure
    [pscustomobject] @{ Name = $Name; Passed = [int] $counts.Passed; Failed = [int] $counts.Failed
        Skipped = [int] $counts.Skipped; RunnerFailed = ($code -ne 0 -or ($counts.Result -eq 'Failed' -and [int] $counts.Failed -eq 0))
        Hung = @() }
}

Export-ModuleMember -Function Read-AnytunJUnitCount, Invoke-AnytunXunitSuite, Invoke-AnytunPesterSuite, Get-ChildPwshCommand
