#Requires -Version 7.4
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
}

Describe '-ControlHost (anytun -X)' -Tag 'Unit' {
    It 'describes a tunnel that fetches its tables from a control host and needs no keys of its own' {
        $definition = New-AnytunTunnel -ControlHost '127.0.0.1:2424' -DeviceType Tun
        $definition.ControlHost | Should -Be '127.0.0.1:2424'
        $definition.CommandLine | Should -Match '-X 127\.0\.0\.1:2424'
        $definition.HasPassphrase | Should -BeFalse
    }

    It 'takes the anytun long name as an alias' {
        (New-AnytunTunnel -control-host 'ctl.example').ControlHost | Should -Be 'ctl.example'
    }

    It 'converts anytun -X with the [v6]:port syntax' {
        $definition = ConvertFrom-AnytunCommandLine 'anytun -t tun -X [::1]:2424 -i 192.0.2.1'
        $definition.ControlHost | Should -Be '[::1]:2424'
        $definition.CommandLine | Should -Match "-X '?\[::1\]:2424"
        $definition.ControlHost | Should -Be '[::1]:2424'
    }

    It 'names -ControlHost when the address is invalid' {
        $err = { New-AnytunTunnel -ControlHost 'ctl.example:99999' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,*' -PassThru
        $err.ToString() | Should -Match "^-ControlHost 'ctl\.example:99999': the port '99999' is not a number"
        $err.TargetObject | Should -Be '-ControlHost'
    }

    It 'keeps refusing the sync options that are not implemented' {
        { ConvertFrom-AnytunCommandLine 'anytun -X 127.0.0.1 -M peer.example' -ErrorAction Stop } | Should -Throw -ErrorId 'NotSupportedYet,*'
    }
}

Describe 'multicast parameters' -Tag 'Unit' {
    It 'carries hop limit, interface and groups into the definition' {
        $definition = New-AnytunTunnel -Passphrase 'x' -RemoteAddress 239.1.2.3 -MulticastTtl 4 -MulticastInterface 'lo' -JoinMulticastGroup 239.1.2.3, ff15::1:2
        $definition.MulticastTtl | Should -Be 4
        $definition.MulticastInterface | Should -Be 'lo'
        $definition.JoinMulticastGroup.IPAddressToString | Should -Be @('239.1.2.3', 'ff15::1:2')
    }

    It 'refuses a hop limit above 255 at binding' {
        { New-AnytunTunnel -Passphrase 'x' -MulticastTtl 256 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'refuses a group that is not a multicast address, naming the parameter' {
        $err = { New-AnytunTunnel -Passphrase 'x' -JoinMulticastGroup 192.0.2.1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,*' -PassThru
        $err.Exception.Message | Should -Match '-JoinMulticastGroup 192\.0\.2\.1 is not a multicast address'
    }
}
