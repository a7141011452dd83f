#Requires -Version 7.4
# The control-plane cmdlets without root: tables written byte for byte as anytun-config writes them (vectors set1-set6),
# read back, served by Start-AnytunControlServer on loopback (port 0) and decoded as anytun-showtables decodes them
# (every recorded probe, byte for byte). Every live read has a deadline.
BeforeDiscovery {
    $sets = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'AnytunConfigSets.psd1')
    $setCases = foreach ($name in $sets.Keys | Sort-Object) { @{ File = $name; Arguments = $sets[$name] } }
    $probeCases = foreach ($file in Get-ChildItem (Join-Path $PSScriptRoot '../Anytun.Engine.Tests/Vectors/controlplane/showtables') -Filter '*.in' | Sort-Object Name) {
        @{ Probe = $file.BaseName }
    }
}

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
    $script:Vectors = Join-Path $PSScriptRoot '../Anytun.Engine.Tests/Vectors/controlplane'
    $script:Sets = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'AnytunConfigSets.psd1')

    function script:Get-Bytes([string] $Path) { [IO.File]::ReadAllBytes($Path) }

    # What anytun-showtables wrote: the lines, each followed by "\n".
    function script:Join-Lines([string[]] $Lines) { -join @(foreach ($line in $Lines) { "$line`n" }) }

    function script:Wait-Until([scriptblock] $Condition, [string] $What, [int] $Seconds = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "timed out after $Seconds s waiting for $What" }
            Start-Sleep -Milliseconds 50
        }
    }

    function script:Start-TestServer([string] $Path, [string] $Name) {
        $job = Start-AnytunControlServer -Path $Path -Port 0 -Name $Name
        $job.State | Should -Be 'Running'
        [pscustomobject]@{ Job = $job; Port = (Get-AnytunControlServer -Name $Name).Port }
    }
}

AfterAll {
    Get-AnytunControlServer | Stop-AnytunControlServer
    Get-Job | Where-Object PSJobTypeName -EQ 'AnytunControlServer' | Remove-Job -Force
}

Describe 'Export-AnytunConnectionTable' -Tag 'Unit' {
    It 'writes <File> byte for byte as anytun-config did' -ForEach $setCases {
        $path = Join-Path $TestDrive $File
        $definition = if ($Arguments) { ConvertFrom-AnytunCommandLine -Program anytun-config $Arguments } else { ConvertFrom-AnytunCommandLine -Program anytun-config -ArgumentList @() 3>$null }
        $definition | Export-AnytunConnectionTable -Path $path
        Get-Bytes $path | Should -Be (Get-Bytes (Join-Path $script:Vectors "anytun-config/$File"))
    }

    It 'writes set1 from New-AnytunConnection parameters as anytun-config did' {
        $path = Join-Path $TestDrive 'set1-new'
        New-AnytunConnection -Mux 12 -Role Left -Key 0123456789ABCDEFFEDCBA9876543210 -Salt 0123456789ABCDDCBA9876543210 -Route 192.0.2.0/24, 192.168.1.1/32 |
            Export-AnytunConnectionTable -Path $path
        Get-Bytes $path | Should -Be (Get-Bytes (Join-Path $script:Vectors 'anytun-config/set1-manpage-example.txt'))
    }

    It 'creates the file readable by its owner only (it holds keys)' {
        $path = Join-Path $TestDrive 'mode'
        ConvertFrom-AnytunCommandLine -Program anytun-config '-m 1 -E x' | Export-AnytunConnectionTable -Path $path
        (Get-Item $path).UnixMode | Should -Be '-rw-------'
    }

    It '-Append adds frames as anytun-config >> file does; the default overwrites' {
        $path = Join-Path $TestDrive 'append'
        ConvertFrom-AnytunCommandLine -Program anytun-config $script:Sets['set3-aes256-default-role.txt'] | Export-AnytunConnectionTable -Path $path
        ConvertFrom-AnytunCommandLine -Program anytun-config $script:Sets['set4-null-kd.txt'] | Export-AnytunConnectionTable -Path $path -Append
        $expected = (Get-Bytes "$script:Vectors/anytun-config/set3-aes256-default-role.txt") + (Get-Bytes "$script:Vectors/anytun-config/set4-null-kd.txt")
        Get-Bytes $path | Should -Be $expected

        ConvertFrom-AnytunCommandLine -Program anytun-config $script:Sets['set4-null-kd.txt'] | Export-AnytunConnectionTable -Path $path
        Get-Bytes $path | Should -Be (Get-Bytes "$script:Vectors/anytun-config/set4-null-kd.txt")
    }

    It '-NoClobber refuses an existing file with NoClobber and leaves it unchanged' {
        $path = Join-Path $TestDrive 'noclobber'
        Set-Content -Path $path -Value 'keep'
        { ConvertFrom-AnytunCommandLine -Program anytun-config '-m 1 -E x' | Export-AnytunConnectionTable -Path $path -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId 'NoClobber,*'
        Get-Content $path | Should -Be 'keep'
    }

    It '-Force overrides a read-only file; without it the write fails with FileNotWritable' {
        $path = Join-Path $TestDrive 'readonly'
        Set-Content -Path $path -Value 'old'
        [IO.File]::SetUnixFileMode($path, [IO.UnixFileMode]::UserRead)
        $definition = ConvertFrom-AnytunCommandLine -Program anytun-config $script:Sets['set4-null-kd.txt']
        if ((id -u) -ne 0) {
            { $definition | Export-AnytunConnectionTable -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'FileNotWritable,*'
        }
        $definition | Export-AnytunConnectionTable -Path $path -Force
        Get-Bytes $path | Should -Be (Get-Bytes "$script:Vectors/anytun-config/set4-null-kd.txt")
    }

    It '-WhatIf writes no file' {
        $path = Join-Path $TestDrive 'whatif'
        ConvertFrom-AnytunCommandLine -Program anytun-config '-m 1 -E x' | Export-AnytunConnectionTable -Path $path -WhatIf
        $path | Should -Not -Exist
    }
}

Describe 'Import-AnytunConnectionTable' -Tag 'Unit' {
    It 'reads <File> back into definitions that export to the same bytes, with and without newlines' -ForEach $setCases {
        $recorded = Get-Bytes "$script:Vectors/anytun-config/$File"
        $chomped = Join-Path $TestDrive "$File.chomped"
        [IO.File]::WriteAllBytes($chomped, [byte[]]@($recorded | Where-Object { $_ -ne 10 }))
        foreach ($source in "$script:Vectors/anytun-config/$File", $chomped) {
            $out = Join-Path $TestDrive "$File.out"
            $definitions = @(Import-AnytunConnectionTable -Path $source 3>$null)
            $definitions | Should -HaveCount 1
            $definitions[0] | Should -BeOfType Anytun.AnytunConnectionDefinition
            $definitions | Export-AnytunConnectionTable -Path $out
            Get-Bytes $out | Should -Be $recorded -Because "$source must round-trip"
        }
    }

    It 'returns one definition per connection with its routes (the controld table)' {
        $definitions = @(Import-AnytunConnectionTable -Path "$script:Vectors/controld/table.txt")
        $definitions.Mux | Should -Be @(1, 2)
        @($definitions[1].Routes | ForEach-Object ToUnmaskedString) | Should -Be @('10.200.0.3/32', '10.201.0.0/16')
        $definitions | ForEach-Object { $_.HasKey | Should -BeTrue }
    }

    It 'reports a malformed line as InvalidSyncData naming the line and keeps the good entries' {
        $path = Join-Path $TestDrive 'broken'
        [IO.File]::WriteAllBytes($path, (Get-Bytes "$script:Vectors/anytun-config/set4-null-kd.txt") + [Text.Encoding]::ASCII.GetBytes("# a comment`n"))
        $definitions = @(Import-AnytunConnectionTable -Path $path -ErrorVariable problems -ErrorAction SilentlyContinue)
        $definitions | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSyncData,*'
        "$problems" | Should -Match 'line 3'
    }

    It 'a missing file is TableFileNotFound' {
        { Import-AnytunConnectionTable -Path (Join-Path $TestDrive 'missing') -ErrorAction Stop } | Should -Throw -ErrorId 'TableFileNotFound,*'
    }
}

Describe 'ConvertFrom-AnytunSyncStream' -Tag 'Unit' {
    It '-AsText prints probe <Probe> exactly as anytun-showtables did' -ForEach $probeCases {
        $expected = Get-Content -Raw -Path "$script:Vectors/showtables/$Probe.out"
        $hangs = @{ 'route-10.0.0.128-25' = "Route: 10.0.0.128/25 -> 3`n"; 'route-10.128.0.0-9' = "Route: 10.128.0.0/9 -> 3`n" }
        if ($hangs.ContainsKey($Probe)) {
            # The reference never finished (timeout, empty output); we print the route, which is what it means.
            $expected | Should -BeNullOrEmpty
            $expected = $hangs[$Probe]
        }
        $text = Join-Lines (ConvertFrom-AnytunSyncStream -Path "$script:Vectors/showtables/$Probe.in" -AsText)
        $text | Should -BeExactly "$expected"
    }

    It '-AsText prints the recorded capture <Capture> byte for byte, from a file and from piped bytes' -ForEach @(
        @{ Capture = 'controld/nc-controld.bin'; Output = 'controld/showtables-controld.txt' }
        @{ Capture = 'controld/table.txt'; Output = 'controld/showtables-file-raw.txt' }
        @{ Capture = 'sync-mesh/nc-s1-after-traffic.bin'; Output = 'sync-mesh/showtables-s1-after-traffic.txt' }
    ) {
        $expected = Get-Content -Raw "$script:Vectors/$Output"
        Join-Lines (ConvertFrom-AnytunSyncStream -Path "$script:Vectors/$Capture" -AsText) | Should -BeExactly $expected
        Join-Lines (Get-Content -AsByteStream "$script:Vectors/$Capture" | ConvertFrom-AnytunSyncStream -AsText) | Should -BeExactly $expected
        Join-Lines (ConvertFrom-AnytunSyncStream -InputObject (Get-Bytes "$script:Vectors/$Capture") -AsText) | Should -BeExactly $expected
    }

    It 'returns typed connection and route entries in stream order' {
        $entries = @(ConvertFrom-AnytunSyncStream -Path "$script:Vectors/sync-mesh/nc-s1-after-traffic.bin")
        $entries | Should -HaveCount 2
        $entries[0] | Should -BeOfType Anytun.AnytunSyncConnection
        $entries[0].RemoteEndPoint | Should -Be ([System.Net.IPEndPoint]::new([ipaddress] '10.99.9.2', 4444))
        $entries[0].SequenceNumber | Should -Be 6
        $entries[0].KdPrf | Should -Be ([Anytun.AnytunKdPrf]::AesCtr128)
        $entries[1] | Should -BeOfType Anytun.AnytunSyncRoute
        $entries[1].DestinationPrefix.ToUnmaskedString() | Should -Be '10.200.0.2/32'
        $entries[1].Mux | Should -Be 0
    }

    It 'reads a table file with newlines as anytun-controld serves it' {
        $entries = @(ConvertFrom-AnytunSyncStream -Path "$script:Vectors/controld/table.txt")
        $entries.Kind | Should -Be @('Connection', 'Route', 'Connection', 'Route', 'Route')
        $entries[0].Line | Should -Be 1
    }

    It 'reports a malformed frame as InvalidSyncData and carries on' {
        $bytes = [Text.Encoding]::ASCII.GetBytes('00010 garbage...') + (Get-Bytes "$script:Vectors/controld/nc-controld.bin")
        $entries = @(ConvertFrom-AnytunSyncStream -InputObject $bytes -ErrorVariable problems -ErrorAction SilentlyContinue)
        $entries | Should -HaveCount 5
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSyncData,*'
    }

    It '-Follow keeps the connection until -TimeoutSec and returns what arrived' {
        $server = Start-TestServer "$script:Vectors/controld/table.txt" 'i10s-follow'
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $entries = @(ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $server.Port -Follow -TimeoutSec 3)
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2.5 -Because '-Follow waits for updates until -TimeoutSec'
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
            $entries | Should -HaveCount 5
        }
        finally { Stop-AnytunControlServer i10s-follow; Remove-Job $server.Job }
    }

    It 'a closed port is ConnectFailed' {
        $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        { ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $port -ConnectTimeoutSec 5 -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectFailed,*'
    }
}

Describe 'Start-AnytunControlServer and Stop-AnytunControlServer' -Tag 'Unit' {
    It 'serves a table file as anytun-controld did; a live read shows what anytun-showtables showed' {
        $server = Start-TestServer "$script:Vectors/controld/table.txt" 'i10s-file'
        $lines = ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $server.Port -AsText
        # Live, the connection stays open, so there is no end of input and no closing 'input stream error' line.
        $recorded = @(Get-Content "$script:Vectors/controld/showtables-controld.txt")
        $lines | Should -Be $recorded[0..($recorded.Count - 2)]

        $client = [System.Net.Sockets.TcpClient]::new()
        $client.ConnectAsync('127.0.0.1', $server.Port).Wait(10000) | Should -BeTrue -Because 'the server accepts within 10 s'
        $buffer = [byte[]]::new(661)
        $stream = $client.GetStream()
        $read = 0
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ($read -lt 661 -and [DateTime]::UtcNow -lt $deadline) {
            $task = $stream.ReadAsync($buffer, $read, 661 - $read)
            if (-not $task.Wait(10000)) { throw 'no bytes from the control server within 10 s' }
            if ($task.Result -eq 0) { break }
            $read += $task.Result
        }
        $client.Dispose()
        $buffer | Should -Be (Get-Bytes "$script:Vectors/controld/nc-controld.bin")

        $status = Get-AnytunControlServer -Name i10s-file
        $status.ConnectionCount | Should -Be 2
        $status.RouteCount | Should -Be 3
        $status.ClientsServed | Should -BeGreaterOrEqual 2
        Stop-AnytunControlServer -Name i10s-file
        $server.Job.State | Should -Be 'Stopped'
        $log = @(Receive-Job $server.Job)
        $log.Message | Should -Contain "sync server listening on 127.0.0.1:$($server.Port)"
        ($log.Message -match '^new sync client connected from 127\.0\.0\.1:') | Should -Not -BeNullOrEmpty
        Remove-Job $server.Job
    }

    It 'serves piped connection definitions exactly as anytun-config prints them' {
        $job = ConvertFrom-AnytunCommandLine -Program anytun-config $script:Sets['set2-passphrase-ipv6-remote.txt'] |
            Start-AnytunControlServer -Port 0 -Name i10s-objects
        try {
            $port = (Get-AnytunControlServer i10s-objects).Port
            $entries = @(ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $port)
            $entries | Should -HaveCount 3
            $entries[0].RemoteEndPoint | Should -Be ([System.Net.IPEndPoint]::new([ipaddress] '198.51.100.7', 4444))
            $entries[0].WindowSize | Should -Be 64
            Join-Lines (ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $port -AsText) |
                Should -BeExactly (Join-Lines ((Get-Bytes "$script:Vectors/anytun-config/set2-passphrase-ipv6-remote.txt") -ne 10 | ConvertFrom-AnytunSyncStream -AsText | Select-Object -SkipLast 1))
        }
        finally { $job | Stop-Job; $job | Remove-Job }
    }

    It 'serves a changed table file to new clients without a restart' {
        $path = Join-Path $TestDrive 'changing'
        ConvertFrom-AnytunCommandLine -Program anytun-config '-m 1 -E one -R 192.0.2.1/32' | Export-AnytunConnectionTable -Path $path
        $server = Start-TestServer $path 'i10s-reload'
        try {
            (ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $server.Port).Mux | Should -Be @(1, 1)
            ConvertFrom-AnytunCommandLine -Program anytun-config '-m 2 -E two -R 192.0.2.2/32' | Export-AnytunConnectionTable -Path $path -Append
            Wait-Until { (Get-AnytunControlServer i10s-reload).TableVersion -eq 2 } 'the server to re-read the changed table'
            (ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $server.Port).Mux | Should -Be @(1, 1, 2, 2)
        }
        finally { Stop-AnytunControlServer i10s-reload; Remove-Job $server.Job }
    }

    It 'takes an anytun-controld command line from ConvertFrom-AnytunCommandLine; -Port overrides its address' {
        $definition = ConvertFrom-AnytunCommandLine -Program anytun-controld "-f $script:Vectors/controld/table.txt -X 127.0.0.1:2424" -Name i10s-controld
        $definition | Should -BeOfType Anytun.AnytunControlServerDefinition
        $definition.Port | Should -Be 2424
        $job = $definition | Start-AnytunControlServer -Port 0
        try {
            $job.Name | Should -Be 'i10s-controld'
            $server = Get-AnytunControlServer i10s-controld
            $server.Port | Should -Not -Be 2424
            $server.ListenAddress | Should -Be '127.0.0.1'
            @(ConvertFrom-AnytunSyncStream -ComputerName 127.0.0.1 -Port $server.Port) | Should -HaveCount 5
        }
        finally { $job | Stop-Job; $job | Remove-Job }
    }

    It '-Wait runs in the foreground, writes its log and returns after Stop-AnytunControlServer' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$PSScriptRoot/../../out/Anytun/Anytun.psd1'; Start-AnytunControlServer -Path '$script:Vectors/controld/table.txt' -Port 0 -Name i10s-wait -Wait")
            $running = $shell.BeginInvoke()
            Wait-Until { Get-AnytunControlServer -Name i10s-wait -ErrorAction SilentlyContinue } 'the -Wait server to be listed'
            Stop-AnytunControlServer -Name i10s-wait
            $running.AsyncWaitHandle.WaitOne(15000) | Should -BeTrue -Because 'Start-AnytunControlServer -Wait returns within 15 s of the stop'
            $records = @($shell.EndInvoke($running))
            $records.Message | Should -Contain 'control server stopped (0 client(s) served, 0 refused)'
        }
        finally { $shell.Dispose() }
    }

    It '-WhatIf starts nothing' {
        Start-AnytunControlServer -Path "$script:Vectors/controld/table.txt" -Port 0 -Name i10s-whatif -WhatIf
        Get-AnytunControlServer -Name i10s-whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Job | Where-Object Name -EQ 'i10s-whatif' | Should -BeNullOrEmpty
    }

    It 'reports <ErrorId> and leaves no job behind' -ForEach @(
        @{ ErrorId = 'TableFileNotFound'; Case = 'missing' }
        @{ ErrorId = 'AddressInUse'; Case = 'busy' }
        @{ ErrorId = 'ControlServerAlreadyExists'; Case = 'duplicate' }
    ) {
        $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $listener.Start()
        $existing = $null
        try {
            $arguments = @{ Path = "$script:Vectors/controld/table.txt"; Port = 0; Name = "i10s-error-$Case" }
            switch ($Case) {
                'missing' { $arguments.Path = Join-Path $TestDrive 'nope' }
                'busy' { $arguments.Port = $listener.LocalEndpoint.Port }
                'duplicate' { $existing = Start-AnytunControlServer @arguments }
            }
            $before = @(Get-Job).Count
            { Start-AnytunControlServer @arguments -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"
            @(Get-Job).Count | Should -Be $before
        }
        finally {
            $listener.Stop()
            if ($existing) { $existing | Stop-Job; $existing | Remove-Job }
        }
    }

    It 'Stop-AnytunControlServer without a name is ControlServerNotSpecified; an unknown name is ControlServerNotFound' {
        { Stop-AnytunControlServer -ErrorAction Stop } | Should -Throw -ErrorId 'ControlServerNotSpecified,*'
        { Stop-AnytunControlServer -Name i10s-nothing -ErrorAction Stop } | Should -Throw -ErrorId 'ControlServerNotFound,*'
        { Get-AnytunControlServer -Name i10s-nothing -ErrorAction Stop } | Should -Throw -ErrorId 'ControlServerNotFound,*'
    }
}

Describe 'ConvertFrom-AnytunCommandLine -Program' -Tag 'Unit' {
    It 'anytun-config gives a connection definition; a leading program name selects it too' {
        $a = ConvertFrom-AnytunCommandLine -Program anytun-config '-m 9 -E x -R 10.0.0.0/8'
        $b = ConvertFrom-AnytunCommandLine 'anytun-config -m 9 -E x -R 10.0.0.0/8'
        foreach ($definition in $a, $b) {
            $definition | Should -BeOfType Anytun.AnytunConnectionDefinition
            $definition.Mux | Should -Be 9
        }
    }

    It 'anytun-controld: the default listen address is 127.0.0.1:2323; :port means every address' {
        $default = ConvertFrom-AnytunCommandLine -Program anytun-controld '-f /tmp/table'
        ($default.ListenAddress, $default.Port, $default.Path) | Should -Be @('127.0.0.1', 2323, '/tmp/table')
        $any = ConvertFrom-AnytunCommandLine 'anytun-controld -f /tmp/table -X :4444'
        ($any.ListenAddress, $any.Port) | Should -Be @('*', 4444)
    }

    It '<Program> ''<Arguments>'' fails with InvalidOption naming <Target>' -ForEach @(
        @{ Program = 'anytun-config'; Arguments = '--bogus'; Target = '--bogus' }
        @{ Program = 'anytun-config'; Arguments = '-m 65536'; Target = '-m/--mux' }
        @{ Program = 'anytun-config'; Arguments = '-R 10.0.0.0/33'; Target = '-R/--route' }
        @{ Program = 'anytun-controld'; Arguments = '-X host:'; Target = '-X/--control-host' }
        @{ Program = 'anytun-controld'; Arguments = '-r x'; Target = '-r' }
    ) {
        $failure = $null
        try { ConvertFrom-AnytunCommandLine -Program $Program $Arguments -ErrorAction Stop } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidOption,*'
        $failure.TargetObject | Should -Be $Target
    }

    It 'an anytun-controld definition without -f is TableFileNotSpecified at start' {
        { ConvertFrom-AnytunCommandLine -Program anytun-controld '-X 127.0.0.1:2424' | Start-AnytunControlServer -ErrorAction Stop } |
            Should -Throw -ErrorId 'TableFileNotSpecified,*'
    }
}
