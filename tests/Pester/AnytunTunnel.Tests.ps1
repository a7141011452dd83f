#Requires -Version 7.4
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
}

Describe 'Get-AnytunTunnel / Stop-AnytunTunnel / Get-AnytunConnection without tunnels' -Tag 'Unit' {
    It 'lists nothing when no tunnel runs' {
        Get-AnytunTunnel | Should -BeNullOrEmpty
        Get-AnytunConnection | Should -BeNullOrEmpty
    }

    It 'reports TunnelNotFound (ObjectNotFound) for a plain name, naming it' {
        $err = { Get-AnytunTunnel -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'TunnelNotFound,Anytun.GetAnytunTunnelCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be 'nope'
    }

    It 'is silent for a wildcard that matches nothing' {
        Get-AnytunTunnel -Name 'nope*' -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'reports TunnelNotFound from Stop-AnytunTunnel and Get-AnytunConnection' {
        { Stop-AnytunTunnel -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'TunnelNotFound,Anytun.StopAnytunTunnelCommand'
        { Get-AnytunConnection -TunnelName nope -ErrorAction Stop } | Should -Throw -ErrorId 'TunnelNotFound,Anytun.GetAnytunConnectionCommand'
    }

    It 'keeps going after a missing name (non-terminating)' {
        $result = Get-AnytunTunnel -Name nope1, nope2 -ErrorVariable errors -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $errors.Count | Should -Be 2
    }
}

Describe 'Start-AnytunTunnel without side effects' -Tag 'Unit' {
    It '-WhatIf leaves no tunnel, no job and no device' {
        $before = @(Get-Job).Count
        $result = Start-AnytunTunnel -Name whatif1 -DeviceName anyps-wi0 -DeviceType Tun -Passphrase x -LocalPort 0 -WhatIf
        $result | Should -BeNullOrEmpty
        Get-AnytunTunnel | Should -BeNullOrEmpty
        @(Get-Job).Count | Should -Be $before
        Test-Path /sys/class/net/anyps-wi0 | Should -BeFalse
    }

    It '-WhatIf on a piped definition leaves nothing either' {
        New-AnytunTunnel -Name whatif2 -DeviceName anyps-wi1 -DeviceType Tun -Passphrase x -LocalPort 0 | Start-AnytunTunnel -WhatIf
        Get-AnytunTunnel | Should -BeNullOrEmpty
        Get-Job | Where-Object PSJobTypeName -eq 'AnytunTunnel' | Should -BeNullOrEmpty
        Test-Path /sys/class/net/anyps-wi1 | Should -BeFalse
    }

    It 'takes -IdleMode Warm, Cold or Pipeline with either parameter set, and names the parameter for anything else' {
        Start-AnytunTunnel -Name whatif3 -DeviceName anyps-wi2 -Passphrase x -LocalPort 0 -IdleMode Cold -WhatIf
        New-AnytunTunnel -Name whatif4 -DeviceName anyps-wi3 -Passphrase x -LocalPort 0 | Start-AnytunTunnel -IdleMode Pipeline -WhatIf
        Get-AnytunTunnel | Should -BeNullOrEmpty
        (Get-Command Start-AnytunTunnel).Parameters['IdleMode'].ParameterType.FullName | Should -Be 'Anytun.AnytunIdleMode'
        [enum]::GetNames([Anytun.AnytunIdleMode]) | Should -Be @('Warm', 'Cold', 'Pipeline')
        $failure = { Start-AnytunTunnel -Name whatif5 -Passphrase x -IdleMode Hot -WhatIf } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Match '^CannotConvertArgumentNoMessage,'
        $failure.Exception.Message | Should -Match "parameter 'IdleMode'"
    }

    It 'refuses options that are not implemented yet before opening anything' {
        # A definition can only carry such options from a command line, which ConvertFrom already refuses,
        # so start from a valid definition with an invalid parameter instead.
        { Start-AnytunTunnel -Key ('0' * 30) -Salt ('0' * 28) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,Anytun.StartAnytunTunnelCommand'
        Get-AnytunTunnel | Should -BeNullOrEmpty
    }

    It 'declares its output types' {
        (Get-Command Start-AnytunTunnel).OutputType.Type | Should -Contain ([Anytun.AnytunTunnelJob])
        (Get-Command Get-AnytunTunnel).OutputType.Type | Should -Contain ([Anytun.AnytunTunnel])
        (Get-Command Get-AnytunConnection).OutputType.Type | Should -Contain ([Anytun.AnytunConnection])
        (Get-Command Stop-AnytunTunnel).OutputType.Type | Should -Contain ([Anytun.AnytunTunnel])
        (Get-Command New-AnytunTunnel).OutputType.Type | Should -Contain ([Anytun.AnytunTunnelDefinition])
    }

    It 'supports ShouldProcess on every command that changes state' {
        foreach ($name in 'New-AnytunTunnel', 'Start-AnytunTunnel', 'Stop-AnytunTunnel') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command $name).Parameters.Keys | Should -Contain 'Confirm'
        }
    }

    It 'binds Get-AnytunConnection -TunnelName by property name, with Name as alias' {
        $parameter = (Get-Command Get-AnytunConnection).Parameters['TunnelName']
        $parameter.Aliases | Should -Contain 'Name'
        $parameter.ParameterSets.Values.ValueFromPipelineByPropertyName | Should -Contain $true
    }
}
