#Requires -Version 7.4
# What a new user meets after the first tunnel (issue 8): passphrase files, error texts that name PowerShell parameters,
# pipeline binding, Stop-AnytunTunnel without arguments, output types. No root needed.
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force

    function script:Get-MasterKey([Anytun.AnytunTunnelDefinition] $Definition) {
        $options = [Anytun.AnytunTunnelDefinition].GetProperty('Options', [Reflection.BindingFlags] 'NonPublic, Instance').GetValue($Definition)
        [Anytun.Engine.Configuration.MasterKeyMaterial]::FromOptions($options)
    }
}

Describe 'A passphrase read from a file' -Tag 'Unit' {
    BeforeAll {
        $script:PassFile = Join-Path $TestDrive 'lab1.pass'
        Set-Content -Path $script:PassFile -Value 'secret'   # a text file: 'secret' and a line break
        $script:Anytun = Get-MasterKey (ConvertFrom-AnytunCommandLine '-E secret')
    }

    It 'gives the key of anytun -E when read as the help example does (Get-Content -TotalCount 1)' {
        $definition = New-AnytunTunnel -Passphrase (Get-Content $script:PassFile -TotalCount 1) -WarningVariable warnings
        $key = Get-MasterKey $definition
        $key.Key.ContentEquals($script:Anytun.Key) | Should -BeTrue
        $key.Salt.ContentEquals($script:Anytun.Salt) | Should -BeTrue
        $warnings | Should -BeNullOrEmpty
    }

    It 'warns that a line break read with -Raw is part of the passphrase (and of the key)' {
        $definition = New-AnytunTunnel -Passphrase (Get-Content $script:PassFile -Raw) -WarningVariable warnings -WarningAction SilentlyContinue
        (Get-MasterKey $definition).Key.ContentEquals($script:Anytun.Key) | Should -BeFalse
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -Match 'ends with a line break'
        "$($warnings[0])" | Should -Match 'Get-Content -TotalCount 1'
    }

    It 'is read with Get-Content -TotalCount 1 in the Start-AnytunTunnel help, never -Raw' {
        $page = Get-Content -Raw "$PSScriptRoot/../../docs/help/Start-AnytunTunnel.md"
        $page | Should -Match 'Get-Content /etc/anytun/lab1\.pass -TotalCount 1'
        $page | Should -Not -Match '-Passphrase \(Get-Content [^)]*-Raw'
    }
}

Describe 'Errors name the parameters the user typed' -Tag 'Unit' {
    It 'New-AnytunTunnel without key material names -Passphrase, -Key and -Salt' {
        $err = { New-AnytunTunnel -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,Anytun.NewAnytunTunnelCommand' -PassThru
        "$err" | Should -Match '-Passphrase'
        "$err" | Should -Match '-Key'
        "$err" | Should -Match '-Salt'
        "$err" | Should -Match '-Cipher null -AuthAlgorithm null'
        "$err" | Should -Not -Match '--|-E/|-K/|-A/'
        $err.TargetObject | Should -Be '-Key'
    }

    It 'says "1 byte", not "1 bytes"' {
        $err = { New-AnytunTunnel -Key '00' -Salt ('00' * 14) -ErrorAction Stop } | Should -Throw -PassThru
        "$err" | Should -Match '2 hex digits \(1 byte\);'
        "$err" | Should -Match '^-Key has'
    }

    It 'rewrites option names in warnings too' {
        $null = New-AnytunTunnel -Passphrase x -AuthTagLength 0 -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Match '^-AuthTagLength 0 with sha1'
    }

    It 'keeps anytun''s option names for ConvertFrom-AnytunCommandLine, where the user typed them' {
        $err = { ConvertFrom-AnytunCommandLine '-r 192.0.2.1' -ErrorAction Stop } | Should -Throw -PassThru
        "$err" | Should -Match 'give -E/--passphrase, or -K/--key'
    }
}

Describe 'Pipeline binding and arguments' -Tag 'Unit' {
    It 'binds a piped tunnel name to Get-AnytunConnection, like Get-AnytunTunnel' {
        { 'v' | Get-AnytunConnection -ErrorAction Stop } | Should -Throw -ErrorId 'TunnelNotFound,Anytun.GetAnytunConnectionCommand'
        { 'v' | Get-AnytunTunnel -ErrorAction Stop } | Should -Throw -ErrorId 'TunnelNotFound,Anytun.GetAnytunTunnelCommand'
    }

    It 'lets a piped definition get another -Name' {
        $definition = New-AnytunTunnel -Name original -DeviceName anyps-ux0 -Passphrase x -LocalPort 0
        { $definition | Start-AnytunTunnel -Name other -WhatIf -ErrorAction Stop } | Should -Not -Throw
        (Get-Command Start-AnytunTunnel).Parameters['Name'].ParameterSets.Keys | Should -Contain '__AllParameterSets'
    }

    It 'Stop-AnytunTunnel without a name or input fails at once instead of prompting' {
        $err = { Stop-AnytunTunnel -ErrorAction Stop } | Should -Throw -ErrorId 'TunnelNotSpecified,Anytun.StopAnytunTunnelCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ErrorDetails.RecommendedAction | Should -Match '-Name \*'
        (Get-Command Stop-AnytunTunnel).Parameters['Name'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Not -Contain $true
    }

    It 'Stop-AnytunTunnel after an empty pipeline does nothing' {
        @() | Stop-AnytunTunnel -ErrorAction Stop | Should -BeNullOrEmpty
    }
}

Describe 'Output types' -Tag 'Unit' {
    It 'has one local endpoint property (LocalEndPoints) and the bound LocalPort on AnytunTunnel' {
        [Anytun.AnytunTunnel].GetProperty('LocalEndPoint') | Should -BeNullOrEmpty
        [Anytun.AnytunTunnel].GetProperty('LocalEndPoints') | Should -Not -BeNullOrEmpty
        [Anytun.AnytunTunnel].GetProperty('LocalPort').PropertyType | Should -Be ([Nullable[int]])
    }

    It 'reports a connection''s State as an enum, like the tunnel''s' {
        [Anytun.AnytunConnection].GetProperty('State').PropertyType | Should -Be ([Anytun.AnytunConnectionState])
        [enum]::GetNames([Anytun.AnytunConnectionState]) | Should -Be @('Waiting', 'Established', 'Closed')
    }

    It 'declares log records as Start-AnytunTunnel output (-Wait writes them)' {
        (Get-Command Start-AnytunTunnel).OutputType.Type | Should -Contain ([Anytun.AnytunLogRecord])
    }

    It 'log records are public, sealed and read-only' {
        [Anytun.AnytunLogRecord].IsSealed | Should -BeTrue
        [Anytun.AnytunLogRecord].GetConstructors() | Should -BeNullOrEmpty
        foreach ($property in [Anytun.AnytunLogRecord].GetProperties()) { $property.CanWrite | Should -BeFalse }
        @([Anytun.AnytunLogRecord].GetProperties().Name | Sort-Object) | Should -Be @('Category', 'EventId', 'EventName', 'Level', 'Message', 'ShortLevel', 'Timestamp', 'TunnelName')
    }
}
