<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the Anytun PowerShell module.
.DESCRIPTION
    Plain PowerShell build script (no Invoke-Build). Run it through the pinned PowerShell tool:
        dotnet tool restore
        dotnet pwsh ./build.ps1 -Task Build
    Tasks:
      Build    dotnet build src/Anytun.PowerShell, then stage exactly the module payload into out/Anytun/.
      Test     Build, then xunit (tests/Anytun.Engine.Tests) and Pester 6.2.0 (tests/Pester, tests/Integration);
               ends with one line "Tests: N passed, N failed, N skipped"; exit code 1 on any failure.
      Package  Build, then zip out/Anytun into out/Anytun-<version>.zip.
      Demo     Build, then a tunnel between two network namespaces (root + iproute2).
      Bench    BenchmarkDotNet micro benchmarks; with -Tunnel also bench/tunnel-bench.sh.
      Clean    Remove out/, BenchmarkDotNet.Artifacts/ and the projects' bin/ and obj/.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Bench: also run the tunnel benchmark (module vs anytun vs uanytun; root, iperf3).
    [switch] $Tunnel,

    # Test: Pester tags to exclude (e.g. 'RequiresRoot' on a laptop without root).
    [string[]] $ExcludeTag = @()
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$RepoRoot = $PSScriptRoot
$OutRoot = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutRoot 'Anytun'
$PesterVersion = '6.2.0'

function Invoke-Native {
    # Runs a native command and throws when it fails, so a broken step stops the build.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [switch] $AllowFailure)
    Write-Host "> $FilePath $($ArgumentList -join ' ')" -ForegroundColor DarkGray
    & $FilePath @ArgumentList | Out-Host
    $code = $LASTEXITCODE
    if ($code -ne 0 -and -not $AllowFailure) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $code" }
    return $code
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props')
    $node = $props.SelectSingleNode('/Project/PropertyGroup/ModuleVersion')
    if ($null -eq $node -or [string]::IsNullOrWhiteSpace($node.InnerText)) { throw 'Directory.Build.props has no <ModuleVersion>' }
    return $node.InnerText.Trim()
}

function Find-ManifestSource {
    foreach ($candidate in @('Anytun.psd1', 'src/Anytun.PowerShell/Anytun.psd1')) {
        $path = Join-Path $RepoRoot $candidate
        if (Test-Path $path) { return $path }
    }
    throw 'Anytun.psd1 not found (looked in the repository root and src/Anytun.PowerShell)'
}

function Invoke-BuildTask {
    $project = Join-Path $RepoRoot 'src/Anytun.PowerShell/Anytun.PowerShell.csproj'
    $null = Invoke-Native dotnet @('build', $project, '-c', $Configuration, '-nologo', '-v', 'minimal')

    $binDir = Join-Path $RepoRoot "src/Anytun.PowerShell/bin/$Configuration/net8.0"
    if (-not (Test-Path (Join-Path $binDir 'Anytun.PowerShell.dll'))) { throw "build output not found in $binDir" }

    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $null = New-Item -ItemType Directory -Force $ModuleOut

    # The payload: our two assemblies and their dependencies. System.Management.Automation comes from the host pwsh.
    $excluded = @('System.Management.Automation.dll')
    Get-ChildItem $binDir -Filter *.dll -File |
        Where-Object { $_.Name -notin $excluded } |
        Copy-Item -Destination $ModuleOut

    Get-ChildItem (Join-Path $RepoRoot 'src/Anytun.PowerShell') -Filter *.ps1xml -File -Recurse |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
        Copy-Item -Destination $ModuleOut

    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Find-ManifestSource)
    $manifest = $manifest.Replace('{{ModuleVersion}}', $version)
    $manifest = [regex]::Replace($manifest, "(?m)^(\s*ModuleVersion\s*=\s*)['""][^'""]*['""]", "`${1}'$version'")
    Set-Content -Path (Join-Path $ModuleOut 'Anytun.psd1') -Value $manifest -Encoding utf8NoBOM

    Invoke-HelpGenerator

    Write-Host "Module $version staged in $ModuleOut" -ForegroundColor Green
}

function Invoke-HelpGenerator {
    # The generator is another part of the project; build help once it has an entry point.
    $generatorDir = Join-Path $RepoRoot 'tools/Anytun.HelpGen'
    if (-not (Test-Path (Join-Path $generatorDir 'Program.cs'))) {
        Write-Warning 'tools/Anytun.HelpGen has no Program.cs yet: module staged without en-US help'
        return
    }
    $helpOut = Join-Path $ModuleOut 'en-US'
    $null = New-Item -ItemType Directory -Force $helpOut
    $null = Invoke-Native dotnet @('run', '--project', $generatorDir, '-c', $Configuration, '--',
        (Join-Path $RepoRoot 'docs/help'), $helpOut)
}

function Get-PesterModulePath {
    # Restore Pester from NuGet without PowerShellGet: a throwaway project with a PackageDownload.
    $packagesRoot = $env:NUGET_PACKAGES
    if (-not $packagesRoot) { $packagesRoot = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $manifest = Join-Path $packagesRoot "pester/$PesterVersion/tools/Pester.psd1"
    if (Test-Path $manifest) { return $manifest }

    $restoreDir = Join-Path $OutRoot 'pester-restore'
    $null = New-Item -ItemType Directory -Force $restoreDir
    # empty props files here shadow the repository's (central package versions, warnings as errors)
    foreach ($props in 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props') {
        Set-Content -Path (Join-Path $restoreDir $props) -Value '<Project />' -Encoding utf8NoBOM
    }
    @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$PesterVersion]" />
  </ItemGroup>
</Project>
"@ | Set-Content -Path (Join-Path $restoreDir 'PesterRestore.csproj') -Encoding utf8NoBOM
    $null = Invoke-Native dotnet @('restore', (Join-Path $restoreDir 'PesterRestore.csproj'), '-nologo')
    if (-not (Test-Path $manifest)) { throw "Pester $PesterVersion was restored but $manifest does not exist" }
    return $manifest
}

function Read-JUnitCounts {
    # Sums the <testsuite> counters of a JUnit XML file (JunitXml.TestLogger and Pester both write them).
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

function Invoke-XunitSuite {
    $resultDir = Join-Path $OutRoot 'TestResults'
    $junit = Join-Path $resultDir 'xunit.junit.xml'
    Remove-Item $junit -ErrorAction SilentlyContinue
    $project = Join-Path $RepoRoot 'tests/Anytun.Engine.Tests/Anytun.Engine.Tests.csproj'
    $code = Invoke-Native dotnet @('test', $project, '-c', $Configuration, '-nologo',
        '--logger', "junit;LogFilePath=$junit", '--logger', 'console;verbosity=normal') -AllowFailure
    if (-not (Test-Path $junit)) {
        Write-Host "xunit: runner failed (exit code $code), no result file" -ForegroundColor Red
        return [pscustomobject] @{ Name = 'xunit'; Passed = 0; Failed = 0; Skipped = 0; RunnerFailed = $true }
    }
    $counts = Read-JUnitCounts $junit
    [pscustomobject] @{ Name = 'xunit'; Passed = $counts.Passed; Failed = $counts.Failed; Skipped = $counts.Skipped
        RunnerFailed = ($code -ne 0 -and $counts.Failed -eq 0) }
}

function Invoke-PesterSuite {
    $pesterManifest = Get-PesterModulePath
    $resultDir = Join-Path $OutRoot 'TestResults'
    $null = New-Item -ItemType Directory -Force $resultDir
    $junit = Join-Path $resultDir 'pester.junit.xml'
    $summary = Join-Path $resultDir 'pester.summary.json'
    Remove-Item $junit, $summary -ErrorAction SilentlyContinue

    $paths = @('tests/Pester', 'tests/Integration') | ForEach-Object { Join-Path $RepoRoot $_ } | Where-Object { Test-Path $_ }
    $runner = Join-Path $resultDir 'run-pester.ps1'
    # Pester runs in its own pwsh so the module under test loads into a fresh process.
    @'
param([string] $PesterManifest, [string[]] $Path, [string] $JUnit, [string] $Summary, [string[]] $ExcludeTag)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force
# -File passes each array as one comma-joined string
$Path = $Path -split ','
$ExcludeTag = @($ExcludeTag -split ',' | Where-Object { $_ })
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'JUnitXml'
$config.TestResult.OutputPath = $JUnit
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }
$result = Invoke-Pester -Configuration $config
# tests under a failed BeforeAll already count as failed; a container that failed discovery has no tests, count it
[pscustomobject] @{
    Passed = $result.PassedCount; Failed = $result.FailedCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount + $result.InconclusiveCount; Result = $result.Result
    FailedBlocks = @($result.FailedBlocks | ForEach-Object { $_.ExpandedPath })
} | ConvertTo-Json | Set-Content -Path $Summary
'@ | Set-Content -Path $runner -Encoding utf8NoBOM

    $pwshArgs = @('pwsh', '-NoProfile', '-NonInteractive', '-File', $runner, '-PesterManifest', $pesterManifest,
        '-Path', ($paths -join ','), '-JUnit', $junit, '-Summary', $summary)
    if ($ExcludeTag) { $pwshArgs += @('-ExcludeTag', ($ExcludeTag -join ',')) }
    $code = Invoke-Native dotnet $pwshArgs -AllowFailure
    if (-not (Test-Path $summary)) {
        Write-Host "Pester: runner failed (exit code $code), no summary" -ForegroundColor Red
        return [pscustomobject] @{ Name = 'Pester'; Passed = 0; Failed = 0; Skipped = 0; RunnerFailed = $true }
    }
    $counts = Get-Content -Raw $summary | ConvertFrom-Json
    foreach ($block in @($counts.FailedBlocks)) { if ($block) { Write-Host "Pester: block failed: $block" -ForegroundColor Red } }
    # a failing AfterAll fails the run without failing a test: report it as a runner failure
    [pscustomobject] @{ Name = 'Pester'; Passed = [int] $counts.Passed; Failed = [int] $counts.Failed
        Skipped = [int] $counts.Skipped; RunnerFailed = ($code -ne 0 -or ($counts.Result -eq 'Failed' -and [int] $counts.Failed -eq 0)) }
}

function Invoke-TestTask {
    $resultDir = Join-Path $OutRoot 'TestResults'
    $null = New-Item -ItemType Directory -Force $resultDir
    $suites = @(Invoke-XunitSuite; Invoke-PesterSuite)

    Write-Host ''
    Write-Host 'Test summary' -ForegroundColor Cyan
    foreach ($s in $suites) {
        $note = if ($s.RunnerFailed) { '  (RUNNER FAILED)' } else { '' }
        Write-Host ('  {0,-8} {1,5} passed {2,5} failed {3,5} skipped{4}' -f $s.Name, $s.Passed, $s.Failed, $s.Skipped, $note)
    }
    $passed = ($suites | Measure-Object Passed -Sum).Sum
    $failed = ($suites | Measure-Object Failed -Sum).Sum
    $skipped = ($suites | Measure-Object Skipped -Sum).Sum
    $runnerFailed = @($suites | Where-Object RunnerFailed).Count -gt 0
    "Tests: $passed passed, $failed failed, $skipped skipped" | Write-Host
    if ($failed -gt 0 -or $runnerFailed) { exit 1 }
}

function Invoke-PackageTask {
    $version = Get-ModuleVersion
    $zip = Join-Path $OutRoot "Anytun-$version.zip"
    Remove-Item $zip -ErrorAction SilentlyContinue
    Compress-Archive -Path $ModuleOut -DestinationPath $zip
    Write-Host "Package: $zip" -ForegroundColor Green
}

function Invoke-DemoTask {
    $demo = Join-Path $RepoRoot 'demo/Start-AnytunDemo.ps1'
    & $demo -ModulePath $ModuleOut
    if (-not $? -or $LASTEXITCODE -ne 0) { exit 1 }
}

function Invoke-BenchTask {
    $null = Invoke-Native dotnet @('run', '-c', 'Release', '--project', (Join-Path $RepoRoot 'bench/Anytun.Bench'), '--',
        '--filter=*', '--job', 'short')   # '--filter=*': a bare '*' would be globbed by pwsh on Unix
    if ($Tunnel) {
        $null = Invoke-Native bash @((Join-Path $RepoRoot 'bench/tunnel-bench.sh'), '--compare', '--module', $ModuleOut)
    }
}

function Invoke-CleanTask {
    foreach ($generated in @($OutRoot, (Join-Path $RepoRoot 'BenchmarkDotNet.Artifacts'))) {
        if (Test-Path $generated) { Remove-Item -Recurse -Force $generated }
    }
    foreach ($project in @('src/Anytun.PowerShell', 'src/Anytun.Engine', 'tests/Anytun.Engine.Tests', 'tools/Anytun.HelpGen', 'bench/Anytun.Bench')) {
        foreach ($dir in @('bin', 'obj')) {
            $path = Join-Path $RepoRoot "$project/$dir"
            if (Test-Path $path) { Remove-Item -Recurse -Force $path }
        }
    }
}

$needsBuild = @($Task | Where-Object { $_ -in 'Build', 'Test', 'Package', 'Demo' }).Count -gt 0 -or ($Task -contains 'Bench' -and $Tunnel)
if ($Task -contains 'Clean') { Invoke-CleanTask }
if ($needsBuild) { Invoke-BuildTask }
if ($Task -contains 'Package') { Invoke-PackageTask }
if ($Task -contains 'Demo') { Invoke-DemoTask }
if ($Task -contains 'Bench') { Invoke-BenchTask }
if ($Task -contains 'Test') { Invoke-TestTask }
