<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the Anytun PowerShell module.
.DESCRIPTION
    Plain PowerShell build script (no Invoke-Build). Run it through the pinned PowerShell tool:
        dotnet tool restore
        dotnet pwsh ./build.ps1 -Task Build
    Tasks:
      Build    dotnet build src/Anytun.PowerShell, then stage exactly the module payload into out/Anytun/.
      Test     Prerequisites, Build, then xunit (tests/Anytun.Engine.Tests) and Pester 6.2.0 (tests/Pester,
               tests/Integration), each under a hang guard (-HangTimeoutSeconds); ends with one line
               "Tests: N passed, N failed, N skipped"; exit code 1 on any failure.
      Package  Build, then zip out/Anytun into out/Anytun-<version>.zip.
      Demo     Prerequisites, Build, then a tunnel between two network namespaces (root).
      Bench    BenchmarkDotNet micro benchmarks; with -Tunnel also bench/tunnel-bench.sh (prerequisites first).
      Prerequisites  Only check (and install) what Demo and Test need; exit code 1 when something stays missing.
      Clean    Remove out/, BenchmarkDotNet.Artifacts/ and the projects' bin/ and obj/.
    Prerequisites: the programs listed in build/prerequisites.json (iproute2, iputils-ping, procps, anytun,
    uanytun, ...). Run as root on Debian/Ubuntu, Demo/Test/Bench -Tunnel install the missing packages with apt-get
    (one line says which, first); -NoInstall refuses. Without root the exact apt-get command is printed; Demo then
    stops, Test goes on and the tests that need the missing programs skip (under CI=true they fail).
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Prerequisites', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Bench: also run the tunnel benchmark (module vs anytun vs uanytun; root, iperf3).
    [switch] $Tunnel,

    # Test: Pester tags to exclude (e.g. 'RequiresRoot' on a laptop without root).
    [string[]] $ExcludeTag = @(),

    # Demo/Test/Bench/Prerequisites: never install missing packages; list them (Demo then stops with exit code 1).
    [switch] $NoInstall,

    # Test: a test (or Pester block setup) that runs longer than this is killed and counted as failed by name.
    [ValidateRange(10, 3600)]
    [int] $HangTimeoutSeconds = 120
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$RepoRoot = $PSScriptRoot
$OutRoot = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutRoot 'Anytun'
$PesterVersion = '6.2.0'

Import-Module (Join-Path $RepoRoot 'build/Prerequisites.psm1') -Force
Import-Module (Join-Path $RepoRoot 'build/TestRunner.psm1') -Force

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

function Invoke-TestTask {
    $resultDir = Join-Path $OutRoot 'TestResults'
    $null = New-Item -ItemType Directory -Force $resultDir
    $project = Join-Path $RepoRoot 'tests/Anytun.Engine.Tests/Anytun.Engine.Tests.csproj'
    $pesterPaths = @('tests/Pester', 'tests/Integration') | ForEach-Object { Join-Path $RepoRoot $_ } | Where-Object { Test-Path $_ }
    $suites = @(
        Invoke-AnytunXunitSuite -Project $project -Configuration $Configuration -ResultDirectory $resultDir -HangTimeoutSeconds $HangTimeoutSeconds
        Invoke-AnytunPesterSuite -PesterManifest (Get-PesterModulePath) -Path $pesterPaths -ResultDirectory $resultDir `
            -ExcludeTag $ExcludeTag -HangTimeoutSeconds $HangTimeoutSeconds
    )

    Write-Host ''
    Write-Host 'Test summary' -ForegroundColor Cyan
    foreach ($s in $suites) {
        $note = if ($s.RunnerFailed) { '  (RUNNER FAILED)' } else { '' }
        Write-Host ('  {0,-8} {1,5} passed {2,5} failed {3,5} skipped{4}' -f $s.Name, $s.Passed, $s.Failed, $s.Skipped, $note)
        foreach ($test in @($s.Hung)) { Write-Host "    hung (killed after $HangTimeoutSeconds s): $test" -ForegroundColor Red }
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

function Resolve-TaskPrerequisite {
    # Checks (and, as root on Debian/Ubuntu, installs) what -For needs; with -Required a gap stops the build.
    param([Parameter(Mandatory)] [string[]] $For, [string] $What, [switch] $Required)
    $result = Resolve-AnytunPrerequisite -For $For -NoInstall:$NoInstall
    if ($result.Missing.Count -eq 0 -and $result.Problems.Count -eq 0) { return }
    $needs = @($result.Problems) + @(if ($result.Missing.Count -gt 0) { Format-AnytunPrerequisite $result.Missing })
    if ($Required) {
        Write-Host "$What cannot run: it needs $($needs -join '; ')." -ForegroundColor Red
        if ($result.Problems -match '^root') { Write-Host "Run it as root: sudo dotnet pwsh ./build.ps1 -Task $($For -join ',')" -ForegroundColor Red }
        exit 1
    }
    $consequence = if ($env:CI -eq 'true') { 'fail (CI=true)' } else { 'are skipped, each naming what it lacks' }
    Write-Host "$What that need $($needs -join '; ') $consequence." -ForegroundColor Yellow
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
# prerequisites before the build, so a missing program is named (or installed) before minutes of compiling
if ($Task -contains 'Prerequisites') {
    $for = @('Demo', 'Test') + @(if ($Tunnel) { 'Bench' })
    $result = Resolve-AnytunPrerequisite -For $for -NoInstall:$NoInstall
    if ($result.Missing.Count -gt 0) { exit 1 }
}
if ($Task -contains 'Demo') { Resolve-TaskPrerequisite -For Demo -What 'The demo' -Required }
if ($Task -contains 'Bench' -and $Tunnel) { Resolve-TaskPrerequisite -For Bench -What 'The tunnel benchmark' -Required }
if ($Task -contains 'Test') { Resolve-TaskPrerequisite -For Test -What 'The tests' }
if ($needsBuild) { Invoke-BuildTask }
if ($Task -contains 'Package') { Invoke-PackageTask }
if ($Task -contains 'Demo') { Invoke-DemoTask }
if ($Task -contains 'Bench') { Invoke-BenchTask }
if ($Task -contains 'Test') { Invoke-TestTask }
