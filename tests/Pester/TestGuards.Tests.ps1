#Requires -Version 7.4
# The suite-wide hang guards of build.ps1 -Task Test (build/TestRunner.psm1): a test that hangs is killed, named and
# counted as failed, and the run goes on to its summary line. Each guard is run here on a deliberately hanging test
# with a short limit.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $script:RepoRoot 'build/TestRunner.psm1') -Force
    $script:PesterManifest = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'
}

Describe 'The Pester hang guard' -Tag 'Unit' {
    BeforeAll {
        $tests = Join-Path $TestDrive 'Hang.Tests.ps1'
        Set-Content -Path $tests -Value @'
Describe 'guard demo' {
    Context 'case <Case>' -ForEach @(@{ Case = 'one' }) {
        It 'passes' { 1 | Should -Be 1 }
        It 'is skipped' { Set-ItResult -Skipped -Because 'it says so' }
        It 'hangs in <Case>' { Start-Sleep -Seconds 3600 }
        It 'never runs' { }
    }
}
'@
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $script:Result = Invoke-AnytunPesterSuite -PesterManifest $script:PesterManifest -Path $tests `
            -ResultDirectory (Join-Path $TestDrive 'results') -HangTimeoutSeconds 15 -Name 'guarded' -LogPath (Join-Path $TestDrive 'pester.log') 6>$null
        $script:Seconds = $clock.Elapsed.TotalSeconds
    }

    It 'kills the run within seconds of the limit' {
        $script:Seconds | Should -BeLessThan 90
    }

    It 'names the hanging test, with its data filled in' {
        $script:Result.Hung | Should -Be @('guard demo.case one.hangs in one')
    }

    It 'counts the hanging test as failed and keeps the results of the tests before it' {
        $script:Result.Failed | Should -Be 1
        $script:Result.Passed | Should -Be 1
        $script:Result.Skipped | Should -Be 1
    }
}

Describe 'The xunit hang guard' -Tag 'Unit' {
    BeforeAll {
        $project = Join-Path $script:RepoRoot 'tests/Anytun.Engine.Tests/Anytun.Engine.Tests.csproj'
        $built = Test-Path (Join-Path $script:RepoRoot 'tests/Anytun.Engine.Tests/bin/Release/net10.0/Anytun.Engine.Tests.dll')
        $env:ANYTUN_HANG_SELFTEST = '1'
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $script:Result = Invoke-AnytunXunitSuite -Project $project -ResultDirectory (Join-Path $TestDrive 'xunit') `
                -Filter 'Category=HangGuardSelfTest' -HangTimeoutSeconds 10 -NoBuild:$built -Name 'guarded' -LogPath (Join-Path $TestDrive 'xunit.log') 6>$null
            $script:Seconds = $clock.Elapsed.TotalSeconds
        }
        finally {
            Remove-Item Env:ANYTUN_HANG_SELFTEST
        }
    }

    It 'kills the test host within seconds of the limit' {
        $script:Seconds | Should -BeLessThan 90
    }

    It 'names the hanging test and counts it as failed' {
        $script:Result.Hung | Should -Be @('Anytun.Engine.Tests.Guards.HangGuardSelfTest.BlocksUntilTheHangGuardKillsIt')
        $script:Result.Failed | Should -Be 1
        $script:Result.Passed | Should -Be 0
    }
}
