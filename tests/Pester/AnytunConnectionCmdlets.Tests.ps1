#Requires -Version 7.4
# The connection and route cmdlets without root: New-AnytunConnection end to end, parameter binding and metadata
# (sets, pipeline, ShouldProcess, ConfirmImpact, OutputType), errors and ErrorIds that need no running tunnel, and
# the 80-column views of the new output types. The behaviour on running tunnels is in AnytunConnection.Root.Tests.ps1
# and tests/Integration/MultiConnection.Interop.Tests.ps1.
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
    $script:Key = '00112233445566778899aabbccddeeff'
    $script:Salt = '00112233445566778899aabbccdd'

    function script:New-Shaped([string] $TypeName, [hashtable] $Properties) {
        $object = [pscustomobject] $Properties
        $object.PSObject.TypeNames.Insert(0, $TypeName)
        $object
    }
}

Describe 'New-AnytunConnection' -Tag 'Unit' {
    It 'describes a connection with anytun-config''s defaults' {
        $definition = New-AnytunConnection
        $definition | Should -BeOfType Anytun.AnytunConnectionDefinition
        $definition.Mux | Should -Be 0
        $definition.RemotePort | Should -Be 4444
        $definition.KdPrf | Should -Be AesCtr128
        $definition.Role | Should -Be Left
        $definition.WindowSize | Should -Be 0
        $definition.HasKey | Should -BeFalse
    }

    It 'takes every setting, with routes as typed prefixes' {
        $definition = New-AnytunConnection -Mux 7 -RemoteAddress 198.51.100.7 -RemotePort 4500 -AddressFamily IPv4 -WindowSize 64 `
            -KdPrf aes-ctr-256 -Role bob -Passphrase 'p' -Route 192.168.50.11/32, fd00:1::/64, 10.9.8.7
        $definition.Mux | Should -Be 7
        $definition.RemoteAddress | Should -Be '198.51.100.7'
        $definition.RemotePort | Should -Be 4500
        $definition.AddressFamily | Should -Be IPv4
        $definition.WindowSize | Should -Be 64
        $definition.KdPrf | Should -Be AesCtr256
        $definition.Role | Should -Be Right
        $definition.HasKey | Should -BeTrue
        $definition.HasSalt | Should -BeTrue
        @($definition.Routes | ForEach-Object ToString) | Should -Be @('192.168.50.11/32', 'fd00:1::/64', '10.9.8.7/32')
        $definition.Routes[0].GetType().Name | Should -Be 'IPPrefix'
    }

    It 'derives the key exactly as anytun-config does from a passphrase, and accepts -Key/-Salt as hex or bytes' {
        $fromHex = New-AnytunConnection -Key $script:Key -Salt $script:Salt
        $fromBytes = New-AnytunConnection -Key ([Convert]::FromHexString($script:Key)) -Salt ([Convert]::FromHexString($script:Salt))
        $fromHex.HasKey | Should -BeTrue
        $fromBytes.HasSalt | Should -BeTrue
    }

    It 'never shows key material: not in ToString, Format-List *, the table or JSON' {
        $definition = New-AnytunConnection -Mux 1 -Key $script:Key -Salt $script:Salt -Route 10.0.0.0/8
        $text = @("$definition", ($definition | Format-List * | Out-String), ($definition | Out-String), ($definition | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue)) -join "`n"
        $text | Should -Not -Match '00112233'
        $text | Should -Not -Match '0, 17, 34'   # the key bytes as numbers
        "$definition" | Should -Be 'mux 1: remote learned, role Left, 10.0.0.0/8'
    }

    It 'zeroes its key material on Dispose' {
        $definition = New-AnytunConnection -Key $script:Key -Salt $script:Salt
        $definition.Dispose()
        $definition.IsDisposed | Should -BeTrue
        $definition.HasKey | Should -BeFalse
    }

    It 'reports a bad -Route as InvalidPrefix naming -Route' {
        $record = $null
        try { New-AnytunConnection -Route 10.0.0.0/33 -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'InvalidPrefix,*'
        $record.CategoryInfo.Category | Should -Be InvalidArgument
        "$record" | Should -Match '^-Route ''10\.0\.0\.0/33'''
        $record.TargetObject | Should -Be '10.0.0.0/33'
    }

    It 'reports a key of the wrong length as InvalidOption naming -Key, without the digits' {
        $record = $null
        try { New-AnytunConnection -Key '0011223344' -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'InvalidOption,*'
        "$record" | Should -Match '^-Key has 10 hex digits'
        "$record" | Should -Not -Match '0011223344'
    }

    It 'refuses a window size above 65536' {
        { New-AnytunConnection -WindowSize 65537 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOption,*'
    }

    It 'warns about a prefix that hangs a real anytun' {
        $null = New-AnytunConnection -Route 10.0.0.128/25 -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Match '-Route 10\.0\.0\.128/25: a real anytun 0\.3\.8'
    }
}

Describe 'Connection and route cmdlets: metadata' -Tag 'Unit' {
    It '<Name> supports ShouldProcess with ConfirmImpact <Impact>' -ForEach @(
        @{ Name = 'Add-AnytunConnection'; Impact = 'Medium' }
        @{ Name = 'Set-AnytunConnection'; Impact = 'Medium' }
        @{ Name = 'Remove-AnytunConnection'; Impact = 'High' }
        @{ Name = 'Add-AnytunRoute'; Impact = 'Medium' }
        @{ Name = 'Remove-AnytunRoute'; Impact = 'High' }
        @{ Name = 'Sync-AnytunConnection'; Impact = 'Medium' }
    ) {
        $command = Get-Command $Name
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be $Impact
    }

    It '<Name> declares <Type> as its output' -ForEach @(
        @{ Name = 'New-AnytunConnection'; Type = 'Anytun.AnytunConnectionDefinition' }
        @{ Name = 'Add-AnytunConnection'; Type = 'Anytun.AnytunConnection' }
        @{ Name = 'Set-AnytunConnection'; Type = 'Anytun.AnytunConnection' }
        @{ Name = 'Remove-AnytunConnection'; Type = 'Anytun.AnytunConnection' }
        @{ Name = 'Get-AnytunRoute'; Type = 'Anytun.AnytunRoute' }
        @{ Name = 'Add-AnytunRoute'; Type = 'Anytun.AnytunRoute' }
        @{ Name = 'Remove-AnytunRoute'; Type = 'Anytun.AnytunRoute' }
        @{ Name = 'Sync-AnytunConnection'; Type = 'Anytun.AnytunSyncResult' }
    ) {
        (Get-Command $Name).OutputType.Name | Should -Contain $Type
    }

    It 'binds a connection from the pipeline to Remove-AnytunConnection, Set-AnytunConnection and Add-AnytunRoute by TunnelName and Mux' {
        foreach ($name in 'Remove-AnytunConnection', 'Set-AnytunConnection', 'Add-AnytunRoute') {
            $parameters = (Get-Command $name).Parameters
            foreach ($parameter in 'TunnelName', 'Mux') {
                @($parameters[$parameter].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipelineByPropertyName }).Count |
                    Should -BeGreaterThan 0 -Because "$name -$parameter binds from Get-AnytunConnection output"
            }
        }
    }

    It 'binds routes from Get-AnytunRoute to Remove-AnytunRoute by TunnelName and DestinationPrefix' {
        $parameters = (Get-Command Remove-AnytunRoute).Parameters
        foreach ($parameter in 'TunnelName', 'DestinationPrefix') {
            @($parameters[$parameter].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipelineByPropertyName }).Count | Should -BeGreaterThan 0
        }
        [Anytun.AnytunRoute].GetProperty('DestinationPrefix') | Should -Not -BeNullOrEmpty
        [Anytun.AnytunConnection].GetProperty('TunnelName') | Should -Not -BeNullOrEmpty
    }

    It 'takes definitions from New-AnytunConnection on the pipeline (Add-AnytunConnection, Sync-AnytunConnection)' {
        foreach ($name in 'Add-AnytunConnection', 'Sync-AnytunConnection') {
            $inputObject = (Get-Command $name).Parameters['InputObject']
            $inputObject.ParameterType | Should -Be ([Anytun.AnytunConnectionDefinition[]])
            @($inputObject.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline }).Count | Should -BeGreaterThan 0
        }
    }

    It 'completes tunnel names on -TunnelName of every new cmdlet' {
        foreach ($name in 'Add-AnytunConnection', 'Set-AnytunConnection', 'Remove-AnytunConnection', 'Add-AnytunRoute', 'Get-AnytunRoute', 'Remove-AnytunRoute', 'Sync-AnytunConnection') {
            $completer = (Get-Command $name).Parameters['TunnelName'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }
            $completer.Type | Should -Be ([Anytun.TunnelNameCompleter]) -Because "$name -TunnelName"
        }
    }

    It 'accepts the contract''s command lines (parameter binding only)' {
        $errors = $null
        foreach ($line in @(
                'Add-AnytunConnection -TunnelName srv -Mux 1 -Passphrase $k1 -Role Left -Route 192.168.50.11/32'
                'Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.50.0.0/16'
                'Get-AnytunRoute -TunnelName srv'
                'Remove-AnytunRoute -TunnelName srv -DestinationPrefix 192.168.50.11/32 -Confirm:$false'
                'Get-AnytunConnection -TunnelName srv -Mux 1 | Remove-AnytunConnection -Confirm:$false')) {
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($line, [ref] $null, [ref] $errors)
            $errors | Should -BeNullOrEmpty
            foreach ($commandAst in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($commandAst, $true)
                $binding.BindingExceptions.Count | Should -Be 0 -Because "$line must bind: $($binding.BindingExceptions.Values.BindingException.Message)"
            }
        }
    }
}

Describe 'Connection and route cmdlets: errors without a running tunnel' -Tag 'Unit' {
    It '<Name> reports TunnelNotFound naming the tunnel' -ForEach @(
        @{ Name = 'Add-AnytunConnection'; Arguments = @{ TunnelName = 'i9c-none'; Mux = 1 } }
        @{ Name = 'Set-AnytunConnection'; Arguments = @{ TunnelName = 'i9c-none'; Mux = 1; WindowSize = 8 } }
        @{ Name = 'Remove-AnytunConnection'; Arguments = @{ TunnelName = 'i9c-none'; Mux = 1; Confirm = $false } }
        @{ Name = 'Add-AnytunRoute'; Arguments = @{ TunnelName = 'i9c-none'; Mux = 1; DestinationPrefix = '10.0.0.0/8' } }
        @{ Name = 'Remove-AnytunRoute'; Arguments = @{ TunnelName = 'i9c-none'; DestinationPrefix = '10.0.0.0/8'; Confirm = $false } }
        @{ Name = 'Get-AnytunRoute'; Arguments = @{ TunnelName = 'i9c-none' } }
    ) {
        $record = $null
        & $Name @Arguments -ErrorAction SilentlyContinue -ErrorVariable record
        @($record)[0].FullyQualifiedErrorId | Should -BeLike 'TunnelNotFound,*'
        @($record)[0].TargetObject | Should -Be 'i9c-none'
    }

    It 'Sync-AnytunConnection reports TunnelNotFound' {
        $record = $null
        New-AnytunConnection -Mux 1 | Sync-AnytunConnection -TunnelName i9c-none -ErrorAction SilentlyContinue -ErrorVariable record
        @($record)[0].FullyQualifiedErrorId | Should -BeLike 'TunnelNotFound,*'
    }

    It 'Get-AnytunRoute lists nothing without tunnels and reports a bad -DestinationPrefix as InvalidPrefix' {
        @(Get-AnytunRoute) | Should -BeNullOrEmpty
        $record = $null
        try { Get-AnytunRoute -DestinationPrefix 10.0.0.300/8 -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'InvalidPrefix,*'
        "$record" | Should -Match '^-DestinationPrefix ''10\.0\.0\.300/8'''
    }

    It 'New-AnytunTunnel -Route takes prefixes and reports a bad one as InvalidPrefix naming -Route' {
        $definition = New-AnytunTunnel -Name i9c-def -Passphrase x -Route 10.50.0.0/16, fd00:50::/64
        @($definition.Routes | ForEach-Object ToString) | Should -Be @('10.50.0.0/16', 'fd00:50::/64')
        $definition.CommandLine | Should -Match '-R 10\.50\.0\.0/16 -R fd00:50::/64'
        { New-AnytunTunnel -Passphrase x -Route 'not-a-prefix' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPrefix,*'
    }

    It 'ConvertFrom-AnytunCommandLine keeps -R as the definition''s routes' {
        $definition = ConvertFrom-AnytunCommandLine 'anytun -r 198.51.100.1 -R 10.60.0.0/16 -R 192.168.60.11/32 -E x'
        @($definition.Routes | ForEach-Object ToString) | Should -Be @('10.60.0.0/16', '192.168.60.11/32')
    }

    It 'Start-AnytunTunnel -Route -WhatIf starts nothing' {
        Start-AnytunTunnel -Name i9c-whatif -DeviceName i9c-whatif -Route 10.61.0.0/16 -Passphrase x -WhatIf
        Get-AnytunTunnel -Name i9c-whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Job -Name i9c-whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Views of the new output types at 80 columns' -Tag 'Unit' {
    It '<Type> lines fit in 80 columns and show <Columns>' -ForEach @(
        @{ Type = 'AnytunConnectionDefinition'; Columns = @('Mux', 'RemoteAddress', 'RemotePort', 'Role', 'KdPrf', 'Window', 'Routes') }
        @{ Type = 'AnytunRoute'; Columns = @('DestinationPrefix', 'Mux', 'RemoteEndPoint', 'Origin') }
        @{ Type = 'AnytunSyncResult'; Columns = @('TunnelName', 'Mode', 'Added', 'Changed', 'Removed', 'Routes') }
    ) {
        # long, realistic values (built here: the module's types exist only after BeforeAll imported it)
        $longV6 = [Anytun.Engine.Routing.IPPrefix]::Parse('2001:db8:1234:5678:9abc:def0:1234:5678/128')
        $Properties = switch ($Type) {
            'AnytunConnectionDefinition' { [ordered]@{ Mux = 65535; RemoteAddress = 'vpn-gateway.frankfurt.example.com'; RemotePort = 65535; Role = [Anytun.AnytunRole]::Right
                    KdPrf = [Anytun.AnytunKdPrf]::AesCtr256; WindowSize = 65536; Routes = @($longV6, [Anytun.Engine.Routing.IPPrefix]::Parse('10.0.0.0/8')) } }
            'AnytunRoute' { [ordered]@{ TunnelName = 'site-to-site-frankfurt'; DestinationPrefix = $longV6; Mux = 65535; HasConnection = $true
                    RemoteEndPoint = [System.Net.IPEndPoint]::new([ipaddress] '2001:db8:1234:5678:9abc:def0:1234:5678', 44444); Origin = [Anytun.AnytunEntryOrigin]::ControlHost } }
            'AnytunSyncResult' { [ordered]@{ TunnelName = 'site-to-site-frankfurt'; Mode = [Anytun.AnytunSyncMode]::Replace; ConnectionsAdded = [uint16[]] (1..40)
                    ConnectionsChanged = [uint16[]] @(65535); ConnectionsRemoved = [uint16[]] @(); RoutesAdded = @(); RoutesRemoved = @(); HasChanges = $true } }
        }
        $object = New-Shaped "Anytun.$Type" $Properties
        $text = $object | Out-String -Width 80
        $lines = @($text -split "`r?`n")
        @($lines | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty -Because "every line must fit 80 columns:`n$text"
        $header = @($lines | Where-Object { $_ -match '^\s*\S' -and $_ -notmatch '^\s*TunnelName:' })[0] -split '\s+' | Where-Object { $_ }
        foreach ($column in $Columns) { $header | Should -Contain $column -Because "the $Type table needs the $column column:`n$text" }
    }

    It 'shows a route of a missing connection as such' {
        $route = New-Shaped 'Anytun.AnytunRoute' ([ordered]@{ TunnelName = 'srv'; DestinationPrefix = [Anytun.Engine.Routing.IPPrefix]::Parse('10.50.0.0/16'); Mux = 9
                HasConnection = $false; RemoteEndPoint = $null; Origin = [Anytun.AnytunEntryOrigin]::Cmdlet })
        ($route | Out-String -Width 80) | Should -Match '10\.50\.0\.0/16\s+9\s+\(no connection\)\s+Cmdlet'
    }

    It 'shows a sync without changes as "no changes"' {
        $result = New-Shaped 'Anytun.AnytunSyncResult' ([ordered]@{ TunnelName = 'srv'; Mode = [Anytun.AnytunSyncMode]::Replace; ConnectionsAdded = @(); ConnectionsChanged = @()
                ConnectionsRemoved = @(); RoutesAdded = @(); RoutesRemoved = @(); HasChanges = $false })
        ($result | Out-String -Width 80) | Should -Match 'srv\s+Replace\s+no changes'
    }
}
