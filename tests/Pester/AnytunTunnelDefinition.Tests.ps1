#Requires -Version 7.4
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
    $script:Key = '00112233445566778899aabbccddeeff'
    $script:Salt = '0123456789abcdef0123456789ab'
    $script:Key256 = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'

    # Every public property except the ones that legitimately differ between two builders.
    function script:Get-DefinitionShape([Anytun.AnytunTunnelDefinition] $Definition) {
        $Definition.PSObject.Properties |
            Where-Object Name -NotIn 'Warnings', 'PostUpScriptBlock' |
            ForEach-Object { '{0}={1}' -f $_.Name, $_.Value }
    }
}

Describe 'New-AnytunTunnel' -Tag 'Unit' {
    It 'returns an unstarted definition with anytun defaults' {
        $definition = New-AnytunTunnel -Passphrase 'x'
        $definition | Should -BeOfType Anytun.AnytunTunnelDefinition
        $definition.LocalPort | Should -Be 4444
        $definition.RemotePort | Should -Be 4444
        $definition.Cipher | Should -Be ([Anytun.AnytunCipher]::AesCtr128)
        $definition.KdPrf | Should -Be ([Anytun.AnytunKdPrf]::AesCtr128)
        $definition.AuthAlgorithm | Should -Be ([Anytun.AnytunAuthAlgorithm]::Sha1)
        $definition.AuthTagLength | Should -Be 10
        $definition.Role | Should -Be ([Anytun.AnytunRole]::Left)
        $definition.AddressFamily | Should -BeNullOrEmpty
        Get-AnytunTunnel | Should -BeNullOrEmpty
    }

    It 'takes every option and reports it back' {
        $d = New-AnytunTunnel -Name lab -DeviceType Tap -DeviceName tap5 -InterfaceAddress 192.168.50.1/24 `
            -PostUpScript /bin/true -LocalAddress 127.0.0.1 -LocalPort 5000 -RemoteAddress 127.0.0.2 -RemotePort 5001 `
            -AddressFamily IPv4 -Mux 7 -SenderId 3 -WindowSize 64 -KdPrf AesCtr256 -Role Right `
            -Key $script:Key256 -Salt $script:Salt -Cipher AesCtr256 -AuthAlgorithm Sha1 -AuthTagLength 20
        $d.Name | Should -Be 'lab'
        $d.DeviceType | Should -Be 'Tap'
        $d.DeviceName | Should -Be 'tap5'
        $d.InterfaceAddress | Should -Be '192.168.50.1/24'
        $d.PostUpScript | Should -Be '/bin/true'
        $d.LocalAddress | Should -Be '127.0.0.1'
        $d.LocalPort | Should -Be 5000
        $d.RemoteAddress | Should -Be '127.0.0.2'
        $d.RemotePort | Should -Be 5001
        $d.AddressFamily | Should -Be 'IPv4'
        $d.Mux | Should -Be 7
        $d.SenderId | Should -Be 3
        $d.WindowSize | Should -Be 64
        $d.KdPrf | Should -Be 'AesCtr256'
        $d.Role | Should -Be 'Right'
        $d.Cipher | Should -Be 'AesCtr256'
        $d.AuthTagLength | Should -Be 20
        $d.HasKey | Should -BeTrue
        $d.HasSalt | Should -BeTrue
        $d.HasPassphrase | Should -BeFalse
    }

    It 'accepts the anytun long option names as aliases and anytun spellings of choices' {
        $d = New-AnytunTunnel -dev tap0 -type tap -ifconfig 10.200.9.1/24 -interface 127.0.0.1 -port 4000 `
            -remote-host 127.0.0.1 -remote-port 4001 -sender-id 2 -window-size 32 -kd-prf aes-ctr-192 `
            -Role bob -Cipher aes-ctr -auth-algo sha1 -auth-tag-length 12 -Passphrase 'p'
        $d.DeviceName | Should -Be 'tap0'
        $d.DeviceType | Should -Be 'Tap'
        $d.LocalPort | Should -Be 4000
        $d.RemotePort | Should -Be 4001
        $d.KdPrf | Should -Be 'AesCtr192'
        $d.Role | Should -Be 'Right'
        $d.Cipher | Should -Be 'AesCtr128'
        $d.AuthTagLength | Should -Be 12
    }

    It 'accepts -Key/-Salt as byte arrays as well as hex strings' {
        $bytes = [byte[]] (0..15)
        $salt = [byte[]] (0..13)
        $fromBytes = New-AnytunTunnel -Key $bytes -Salt $salt
        $fromHex = New-AnytunTunnel -Key '000102030405060708090a0b0c0d0e0f' -Salt '000102030405060708090a0b0c0d'
        $fromBytes.HasKey | Should -BeTrue
        $fromBytes.CommandLine | Should -Be $fromHex.CommandLine
    }

    It 'accepts a SecureString passphrase and a plain one alike, and never shows it' {
        $secure = ConvertTo-SecureString 'correct horse' -AsPlainText -Force
        $a = New-AnytunTunnel -Passphrase $secure
        $b = New-AnytunTunnel -Passphrase 'correct horse'
        $a.HasPassphrase | Should -BeTrue
        $a.CommandLine | Should -Be $b.CommandLine
        ($a | Format-List * | Out-String) | Should -Not -Match 'correct horse'
        $a.CommandLine | Should -Not -Match 'correct horse'
    }

    It 'never shows key bytes' {
        $d = New-AnytunTunnel -Key $script:Key -Salt $script:Salt
        ($d | Format-List * | Out-String) + $d.CommandLine + $d.ToString() | Should -Not -Match $script:Key
    }

    It 'accepts a ScriptBlock as -PostUpScript' {
        $d = New-AnytunTunnel -Passphrase x -PostUpScript { param($Tunnel) $Tunnel.Name }
        $d.PostUpScriptBlock | Should -BeOfType scriptblock
        $d.PostUpScript | Should -BeNullOrEmpty
    }

    It 'produces nothing with -WhatIf' {
        New-AnytunTunnel -Passphrase x -WhatIf | Should -BeNullOrEmpty
    }

    It 'rejects a key of the wrong length with InvalidOption naming -Key' {
        $err = { New-AnytunTunnel -Key ('0' * 30) -Salt $script:Salt -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,Anytun.NewAnytunTunnelCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be '-Key'
        "$err" | Should -Match '-Key'
        "$err" | Should -Match '30 hex digits'
    }

    It 'rejects a key that is not hex at binding, naming the parameter' {
        $err = { New-AnytunTunnel -Key 'xyz1' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Anytun.NewAnytunTunnelCommand' -PassThru
        "$err" | Should -Match "'Key'"
        "$err" | Should -Not -Match 'xyz1'
    }

    It 'rejects a bad interface address with InvalidOption naming -InterfaceAddress and the value' {
        $err = { New-AnytunTunnel -Passphrase x -InterfaceAddress '10.1.2.3' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,*' -PassThru
        $err.TargetObject | Should -Be '-InterfaceAddress'
        "$err" | Should -Match '10\.1\.2\.3'
    }

    It 'rejects an unknown choice at binding' {
        { New-AnytunTunnel -Cipher 'rot13' -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,*'
    }

    It 'rejects an out-of-range port at binding' {
        { New-AnytunTunnel -LocalPort 70000 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'warns about a clamped tag length' {
        $d = New-AnytunTunnel -Passphrase x -AuthTagLength 32 -WarningVariable warnings -WarningAction SilentlyContinue
        $d.EffectiveAuthTagLength | Should -Be 20
        $warnings | Should -Not -BeNullOrEmpty
    }
}

Describe 'ConvertFrom-AnytunCommandLine' -Tag 'Unit' {
    It 'produces the same definition as New-AnytunTunnel for the same options' {
        $line = "anytun -d tun7 -t tun -n 192.168.77.1/24 -i 127.0.0.1 -p 4000 -r 127.0.0.2 -o 4001 -m 3 -s 9 -w 16 -k aes-ctr-256 -e bob -K $($script:Key256) -A $($script:Salt) -c aes-ctr-256 -a sha1 -b 14"
        $fromLine = ConvertFrom-AnytunCommandLine -CommandLine $line -Name lab
        $fromParameters = New-AnytunTunnel -Name lab -DeviceName tun7 -DeviceType Tun -InterfaceAddress 192.168.77.1/24 `
            -LocalAddress 127.0.0.1 -LocalPort 4000 -RemoteAddress 127.0.0.2 -RemotePort 4001 -Mux 3 -SenderId 9 -WindowSize 16 `
            -KdPrf AesCtr256 -Role Right -Key $script:Key256 -Salt $script:Salt -Cipher AesCtr256 -AuthAlgorithm Sha1 -AuthTagLength 14
        $fromLine | Should -BeOfType Anytun.AnytunTunnelDefinition
        Get-DefinitionShape $fromLine | Should -Be (Get-DefinitionShape $fromParameters)
    }

    It 'produces the same definition for a passphrase, from -ArgumentList and from the pipeline' {
        # Null cipher and auth: the passphrase is then ignored, with a warning (checked here, kept off the screen).
        $a = ConvertFrom-AnytunCommandLine -ArgumentList @('-r', '127.0.0.1', '-E', 'my secret', '-c', 'null', '-a', 'null') -WarningVariable warnings -WarningAction SilentlyContinue
        $b = "anytun -r 127.0.0.1 -E 'my secret' -c null -a null" | ConvertFrom-AnytunCommandLine -WarningAction SilentlyContinue
        $c = New-AnytunTunnel -RemoteAddress 127.0.0.1 -Passphrase 'my secret' -Cipher Null -AuthAlgorithm Null -WarningAction SilentlyContinue
        $warnings | Should -Not -BeNullOrEmpty
        Get-DefinitionShape $a | Should -Be (Get-DefinitionShape $c)
        Get-DefinitionShape $b | Should -Be (Get-DefinitionShape $c)
    }

    It 'accepts a leading program path' {
        (ConvertFrom-AnytunCommandLine "/usr/sbin/anytun -E x -r 127.0.0.1").RemoteAddress | Should -Be '127.0.0.1'
    }

    It 'refuses options that are not implemented yet with NotSupportedYet' {
        $err = { ConvertFrom-AnytunCommandLine "anytun -E x -M sync.example:2323" -ErrorAction Stop } | Should -Throw -ErrorId 'NotSupportedYet,Anytun.ConvertFromAnytunCommandLineCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'NotImplemented'
        "$err" | Should -Match '-M'
    }

    It 'rejects an unknown option with InvalidOption naming it' {
        $err = { ConvertFrom-AnytunCommandLine "anytun --frobnicate 3" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,*' -PassThru
        "$err" | Should -Match 'frobnicate'
    }

    It 'rejects a missing option value with InvalidOption naming the option' {
        $err = { ConvertFrom-AnytunCommandLine "anytun -E x -r" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,*' -PassThru
        "$err" | Should -Match '-r'
    }

    It 'rejects a short key with InvalidOption naming -K' {
        $err = { ConvertFrom-AnytunCommandLine "anytun -K $('0' * 30) -A $($script:Salt)" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be '-K/--key'
        "$err" | Should -Not -Match ('0' * 30)
    }
}
