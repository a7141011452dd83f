#Requires -Version 7.4
# The default views fit an 80-column terminal: every line of Out-String -Width 80 is at most 80 characters, even with
# long, realistic values, and the key columns are there. The objects carry the output types' names, so the module's
# views format them exactly as they format real ones.
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force

    function script:New-Shaped([string] $TypeName, [hashtable] $Properties) {
        $object = [pscustomobject] $Properties
        $object.PSObject.TypeNames.Insert(0, $TypeName)
        $object
    }

    # Log records are real ones (their view reads ShortLevel, which the record computes).
    function script:New-LogRecord([datetime] $Timestamp, [Anytun.AnytunLogLevel] $Level, [string] $TunnelName, [string] $Message) {
        $constructor = [Anytun.AnytunLogRecord].GetConstructors([System.Reflection.BindingFlags] 'NonPublic, Instance')[0]
        $constructor.Invoke(@($Timestamp, $Level, $TunnelName, 'Tunnel', 1, 'Test', $Message))
    }

    function script:Get-Rendered($Objects) {
        $text = $Objects | Out-String -Width 80
        [pscustomobject]@{ Text = $text; Lines = @($text -split "`r?`n"); Header = @($text -split "`r?`n" | Where-Object { $_ -match '\S' })[0] }
    }

    $script:LongIPv6 = [System.Net.IPEndPoint]::new([ipaddress] '2001:db8:1234:5678:9abc:def0:1234:5678', 44444)
    $script:Tunnels = @(
        New-Shaped 'Anytun.AnytunTunnel' ([ordered]@{
            Name = 'site-to-site-frankfurt'; State = [Anytun.AnytunTunnelState]::Stopping; DeviceName = 'tun-frankfurt1'
            LocalPort = 44444; RemoteEndPoint = $script:LongIPv6; Cipher = [Anytun.AnytunCipher]::AesCtr256; JobId = 12345 })
        New-Shaped 'Anytun.AnytunTunnel' ([ordered]@{
            Name = 'lab'; State = [Anytun.AnytunTunnelState]::Running; DeviceName = 'tun0'
            LocalPort = 4444; RemoteEndPoint = [System.Net.IPEndPoint]::new([ipaddress] '198.51.100.200', 4444); Cipher = [Anytun.AnytunCipher]::AesCtr128; JobId = 3 })
    )
    $script:Connections = @(
        New-Shaped 'Anytun.AnytunConnection' ([ordered]@{
            TunnelName = 'site-to-site-frankfurt'; Mux = 65535; RemoteAddress = $script:LongIPv6.Address; RemotePort = 65535
            State = [Anytun.AnytunConnectionState]::Established; PacketsReceived = 123456789012; PacketsSent = 98765432109; DropsTotal = 1234567 })
    )
    $script:Definitions = @(
        New-Shaped 'Anytun.AnytunTunnelDefinition' ([ordered]@{
            Name = 'site-to-site-frankfurt'; DeviceName = 'tun-frankfurt1'; RemoteAddress = 'vpn-gateway.frankfurt.example.com'
            RemotePort = 65535; LocalPort = 65535; Cipher = [Anytun.AnytunCipher]::AesCtr256; Role = [Anytun.AnytunRole]::Right })
    )
    $script:LogRecords = @(
        New-LogRecord '2026-11-26 12:00:01' Information 'site-to-site-frankfurt' "connection 0 (192.0.2.7:4444): 99,998 datagrams failed authentication (bad tag): wrong passphrase/key or role on the peer? and more text so that it has to wrap"
        New-LogRecord '2026-11-26 12:00:02' Debug 'srv' 'opening socket: 0.0.0.0:4444'
    )
}

Describe 'Default views at 80 columns' -Tag 'Unit' {
    It '<Type> lines fit in 80 columns and show <Columns>' -ForEach @(
        @{ Type = 'AnytunTunnel'; Data = 'Tunnels'; Columns = @('Name', 'State', 'DeviceName', 'LocalPort', 'RemoteEndPoint', 'Cipher', 'JobId') }
        @{ Type = 'AnytunConnection'; Data = 'Connections'; Columns = @('Mux', 'RemoteAddress', 'RemotePort', 'State', 'Received', 'Sent', 'Drops') }
        @{ Type = 'AnytunTunnelDefinition'; Data = 'Definitions'; Columns = @('Name', 'DeviceName', 'RemoteAddress', 'RemotePort', 'LocalPort', 'Cipher', 'Role') }
        @{ Type = 'AnytunLogRecord'; Data = 'LogRecords'; Columns = @('Time', 'Level', 'TunnelName', 'Message') }
    ) {
        $rendered = Get-Rendered (Get-Variable -Scope Script -Name $Data -ValueOnly)
        $long = @($rendered.Lines | Where-Object { $_.Length -gt 80 })
        $long | Should -BeNullOrEmpty -Because "every line must fit 80 columns:`n$($rendered.Text)"
        $headers = @($rendered.Lines | Where-Object { $_ -match '^\s*\S' -and $_ -notmatch '^\s*TunnelName:' })[0] -split '\s+' | Where-Object { $_ }
        foreach ($column in $Columns) { $headers | Should -Contain $column -Because "the $Type table needs the $column column:`n$($rendered.Text)" }
    }

    It 'groups connections under their tunnel name' {
        (Get-Rendered $script:Connections).Text | Should -Match 'TunnelName: site-to-site-frankfurt'
    }

    It 'shows each log level in at most five letters and the time with colons in any culture' {
        $culture = [cultureinfo]::CurrentCulture
        try {
            # Finnish writes times with dots (12.00.01); the log's time column stays 12:00:01.
            [cultureinfo]::CurrentCulture = 'fi-FI'
            $records = foreach ($level in [enum]::GetValues([Anytun.AnytunLogLevel])) { New-LogRecord '2026-11-26 12:00:01' $level 'lab' "a $level event" }
            $lines = @(($records | Out-String -Width 80) -split "`r?`n" | Where-Object { $_ -match '^12:00:01' })
        }
        finally {
            [cultureinfo]::CurrentCulture = $culture
        }

        $lines -replace '\s+', ' ' | Should -Be @(
            '12:00:01 Trace lab a Trace event', '12:00:01 Debug lab a Debug event', '12:00:01 Info lab a Information event',
            '12:00:01 Warn lab a Warning event', '12:00:01 Error lab a Error event', '12:00:01 Crit lab a Critical event')
        (Get-Member -InputObject $records[0] -Name ShortLevel) | Should -BeNullOrEmpty -Because 'the display-only property is hidden'
    }

    It 'wraps a long log message instead of cutting it' {
        $text = (Get-Rendered $script:LogRecords[0]).Text -replace '\s+', ' '
        $text | Should -Match 'and more text so that it has to wrap'
        $text | Should -Match '12:00:01 Info site-to-si'
    }

    It 'shows the tunnel''s remote endpoint and job id for a realistic row' {
        $text = (Get-Rendered $script:Tunnels[1]).Text
        $text | Should -Match 'lab\s+Running\s+tun0\s+4444\s+198\.51\.100\.200:4444\s+AesCtr128\s+3'
    }
}
