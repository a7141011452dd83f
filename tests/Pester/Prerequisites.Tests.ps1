#Requires -Version 7.4
# The prerequisite check behind build.ps1 -Task Demo/Test (build/Prerequisites.psm1, build/prerequisites.json):
# the install decisions for every kind of host, and, with a PATH from which ping is removed, that the demo task, the
# prerequisite task and the xunit test that pings all name ping and its package promptly instead of hanging.
# Nothing is installed: -NoInstall, -DryRun and made-up host states stand in for the real thing.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'build/Prerequisites.psm1') -Force
    Import-Module (Join-Path $script:RepoRoot 'build/TestRunner.psm1') -Force

    function script:New-HostState([bool] $Root = $true, [bool] $Debian = $true) {
        [pscustomobject] @{ IsLinux = $true; IsRoot = $Root; IsDebian = $Debian; HasTunDevice = $true; OsId = 'debian' }
    }

    function script:Get-Entry([string[]] $Name) { Get-AnytunPrerequisiteList | Where-Object Name -In $Name }

    # Runs a child with a chosen environment and a deadline; returns its exit code, output and duration.
    function script:Invoke-Child([string] $FilePath, [string[]] $Arguments, [hashtable] $Environment, [int] $TimeoutSeconds = 90) {
        $start = [Diagnostics.ProcessStartInfo]::new($FilePath)
        foreach ($argument in $Arguments) { $start.ArgumentList.Add($argument) }
        foreach ($key in $Environment.Keys) { $start.Environment[$key] = $Environment[$key] }
        $start.WorkingDirectory = $script:RepoRoot
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $child = [Diagnostics.Process]::Start($start)
        $stdout = $child.StandardOutput.ReadToEndAsync()
        $stderr = $child.StandardError.ReadToEndAsync()
        if (-not $child.WaitForExit($TimeoutSeconds * 1000)) {
            $child.Kill($true)
            throw "timed out after $TimeoutSeconds s waiting for '$($Arguments -join ' ')'"
        }
        $null = $stdout.Wait(5000); $null = $stderr.Wait(5000)
        [pscustomobject] @{ ExitCode = $child.ExitCode; Output = "$($stdout.Result)`n$($stderr.Result)"; Seconds = $clock.Elapsed.TotalSeconds }
    }

    # the running pwsh, started directly so PATH does not matter
    $pwsh = @(Get-ChildPwshCommand)
    $script:Pwsh = $pwsh[0]
    $script:PwshArguments = @($pwsh | Select-Object -Skip 1)
}

Describe 'build/prerequisites.json' -Tag 'Unit' {
    It 'names a Debian package, a reason and a task for every program' {
        $entries = @(Get-AnytunPrerequisiteList)
        $entries.Count | Should -BeGreaterThan 5
        foreach ($entry in $entries) {
            $entry.Package | Should -Match '^[a-z0-9][a-z0-9.+-]+$' -Because "$($entry.Name) needs its Debian package"
            $entry.Why | Should -Not -BeNullOrEmpty -Because "$($entry.Name) needs a reason"
            @($entry.For | Where-Object { $_ -notin 'Demo', 'Test', 'Bench' }) | Should -BeNullOrEmpty
        }
    }

    It 'covers what the demo and the tests run: <Program> (<Package>)' -ForEach @(
        @{ Program = 'ip'; Package = 'iproute2'; For = 'Demo', 'Test' }
        @{ Program = 'ping'; Package = 'iputils-ping'; For = 'Demo', 'Test' }
        @{ Program = 'kill'; Package = 'procps'; For = 'Demo', 'Test' }
        @{ Program = 'anytun'; Package = 'anytun'; For = 'Demo', 'Test' }
        @{ Program = 'uanytun'; Package = 'uanytun'; For = @('Test') }
        @{ Program = 'iperf3'; Package = 'iperf3'; For = @('Bench') }
    ) {
        $entry = Get-Entry $Program
        $entry.Package | Should -Be $Package
        foreach ($task in $For) { $entry.For | Should -Contain $task }
    }

    It 'is copied next to the xunit test assembly, which reads the same list' {
        [xml] $project = Get-Content -Raw (Join-Path $script:RepoRoot 'tests/Anytun.Engine.Tests/Anytun.Engine.Tests.csproj')
        @($project.SelectNodes('//Content/@Include') | ForEach-Object Value) | Should -Contain '../../build/prerequisites.json'
    }
}

Describe 'Get-AnytunHostState' -Tag 'Unit' {
    It 'treats <Text> as Debian-like: <Expected>' -ForEach @(
        @{ Text = 'ID=debian'; Expected = $true }
        @{ Text = 'ID=ubuntu'; Expected = $true }
        @{ Text = "ID=linuxmint`nID_LIKE=`"ubuntu debian`""; Expected = $true }
        @{ Text = "ID=fedora`nID_LIKE=`"rhel centos`""; Expected = $false }
    ) {
        $file = Join-Path $TestDrive 'os-release'
        Set-Content -Path $file -Value $Text
        (Get-AnytunHostState -OsReleasePath $file).IsDebian | Should -Be $Expected
    }
}

Describe 'Install decisions' -Tag 'Unit' {
    It 'does nothing when nothing is missing' {
        (Get-AnytunInstallPlan -Missing @() -HostState (New-HostState)).Action | Should -Be 'None'
    }

    It 'as root on Debian installs the missing packages once each, non-interactively, without recommends' {
        $missing = @(Get-Entry 'ping', 'anytun', 'kill')
        $plan = Get-AnytunInstallPlan -Missing $missing -HostState (New-HostState) -FindUnknownPackage { @() }
        $plan.Action | Should -Be 'Install'
        $plan.Commands.Count | Should -Be 1
        ($plan.Commands[0] -join ' ') | Should -Be 'apt-get install -y --no-install-recommends iputils-ping procps anytun'
    }

    It 'runs apt-get update first when the package cache does not know a package (a fresh machine)' {
        $plan = Get-AnytunInstallPlan -Missing @(Get-Entry 'ping', 'anytun') -HostState (New-HostState) -FindUnknownPackage { param($Package) 'anytun' }
        $plan.Commands.Count | Should -Be 2
        ($plan.Commands[0] -join ' ') | Should -Be 'apt-get update'
        ($plan.Commands[1] -join ' ') | Should -Be 'apt-get install -y --no-install-recommends iputils-ping anytun'
    }

    It 'refuses with -NoInstall and says how to install' {
        $plan = Get-AnytunInstallPlan -Missing @(Get-Entry 'ping') -HostState (New-HostState) -NoInstall
        $plan.Action | Should -Be 'Refused'
        $plan.Commands | Should -BeNullOrEmpty
        $plan.Advice | Should -Match '-NoInstall'
        $plan.Advice | Should -Match 'apt-get install iputils-ping'
    }

    It 'without root gives the exact sudo apt-get command and installs nothing' {
        $plan = Get-AnytunInstallPlan -Missing @(Get-Entry 'ping', 'uanytun') -HostState (New-HostState -Root $false)
        $plan.Action | Should -Be 'NotRoot'
        $plan.Commands | Should -BeNullOrEmpty
        $plan.Advice | Should -Match ([regex]::Escape('sudo apt-get install iputils-ping uanytun'))
    }

    It 'without apt names the Debian packages to look for' {
        $plan = Get-AnytunInstallPlan -Missing @(Get-Entry 'ping') -HostState (New-HostState -Debian $false)
        $plan.Action | Should -Be 'NotDebian'
        $plan.Advice | Should -Match 'iputils-ping'
    }

    It 'says in one line what it installs before it installs it' {
        $lines = @(Resolve-AnytunPrerequisite -For Demo -DryRun -SearchPath $TestDrive -HostState (New-HostState) 6>&1 |
                Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
        $lines[0] | Should -Match '^Would install missing prerequisites: iproute2 iputils-ping .*\(apt-get\)$'
        $lines | Should -Contain '> apt-get install -y --no-install-recommends iproute2 iputils-ping procps util-linux anytun'
    }
}

Describe 'A PATH from which ping is removed' -Tag 'Unit' {
    BeforeAll {
        # symlinks to every program the list names (where this machine has it) and dotnet, but not ping
        $script:FakeBin = Join-Path $TestDrive 'bin'
        $null = New-Item -ItemType Directory $script:FakeBin
        $script:Present = [System.Collections.Generic.List[string]]::new()
        foreach ($name in @((Get-AnytunPrerequisiteList).Name) + 'dotnet') {
            $target = Find-AnytunProgram -Name $name
            if ($name -eq 'ping' -or -not $target) { continue }
            $null = New-Item -ItemType SymbolicLink -Path (Join-Path $script:FakeBin $name) -Target $target
            $script:Present.Add($name)
        }
        $script:ChildEnvironment = @{ PATH = $script:FakeBin; CI = 'false'; DOTNET_CLI_TELEMETRY_OPTOUT = '1'; DOTNET_NOLOGO = '1' }
        $script:TestAssembly = Join-Path $script:RepoRoot 'tests/Anytun.Engine.Tests/bin/Release/net10.0/Anytun.Engine.Tests.dll'
    }

    It 'makes the check name ping and its package, and nothing that is there' {
        $missing = @(Get-AnytunMissingPrerequisite -SearchPath $script:FakeBin)
        $missing.Name | Should -Contain 'ping'
        foreach ($name in $script:Present) { $missing.Name | Should -Not -Contain $name }
        Format-AnytunPrerequisite @(Get-Entry 'ping') | Should -Be 'ping (package iputils-ping)'
    }

    It 'makes build.ps1 -Task Demo -NoInstall name ping as missing and stop before building' {
        $run = Invoke-Child $script:Pwsh ($script:PwshArguments + @('-NoProfile', '-NonInteractive', '-File', 'build.ps1', '-Task', 'Demo', '-NoInstall')) `
            -Environment $script:ChildEnvironment -TimeoutSeconds 60
        $run.ExitCode | Should -Not -Be 0 -Because $run.Output
        $run.Output | Should -Match 'The demo cannot run: it needs .*ping \(package iputils-ping\)'
        $run.Output | Should -Match '-NoInstall'
        $run.Output | Should -Not -Match 'staged in' -Because 'the check comes before the build'
        $run.Seconds | Should -BeLessThan 60
    }

    It 'makes build.ps1 -Task Prerequisites -NoInstall name ping for the demo and the tests' {
        $run = Invoke-Child $script:Pwsh ($script:PwshArguments + @('-NoProfile', '-NonInteractive', '-File', 'build.ps1', '-Task', 'Prerequisites', '-NoInstall')) `
            -Environment $script:ChildEnvironment -TimeoutSeconds 60
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match 'Missing prerequisites for Demo/Test: .*ping \(package iputils-ping\)'
    }

    It 'makes the xunit test that pings <Outcome> naming ping at once, instead of waiting for a packet (CI=<Ci>)' -ForEach @(
        @{ Ci = 'false'; Outcome = 'skip'; Expect = 'Skipped' }
        @{ Ci = 'true'; Outcome = 'fail'; Expect = 'Failed' }
    ) {
        if (-not (Test-Path $script:TestAssembly)) {
            $null = & dotnet build (Join-Path $script:RepoRoot 'tests/Anytun.Engine.Tests') -c Release -nologo -v quiet
        }
        $environment = $script:ChildEnvironment.Clone()
        $environment.CI = $Ci
        $run = Invoke-Child (Find-AnytunProgram dotnet) @('test', $script:TestAssembly, '--filter', 'FullyQualifiedName~PacketsFlowBetweenTheKernelAndTheDevice',
            '--logger', 'console;verbosity=normal') -Environment $environment -TimeoutSeconds 90
        $run.Output | Should -Match "$Expect .*LinuxDeviceTests\.PacketsFlowBetweenTheKernelAndTheDevice" -Because $run.Output
        $run.Output | Should -Match 'needs .*ping \(Debian package iputils-ping\)'
        $run.Seconds | Should -BeLessThan 60
    }
}
