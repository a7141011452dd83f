#Requires -Version 7.4
# What a new user meets after the first tunnel (issue 8), with real tun devices in network namespaces created here:
# the log in Receive-Job without switches, warnings for bad tags and unresolvable peers, -ErrorAction on start
# failures, error texts of the device, -L targets, the foreground (-Wait) messages and the tables at 80 columns.
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
    Import-Module "$PSScriptRoot/AnytunTestHelpers.psm1" -Force
    $script:Manifest = (Resolve-Path "$PSScriptRoot/../../out/Anytun/Anytun.psd1").Path
    $script:Reason = Test-AnytunRootPrerequisite
}

Describe 'A tunnel job''s log and errors' -Tag 'RequiresRoot' {
    BeforeAll {
        if ($script:Reason) { return }
        $script:Ns = New-AnytunTestNamespace -Tag ux
        $script:R = Invoke-AnytunInNamespace -Namespace $script:Ns -ManifestPath $script:Manifest -WorkDirectory $TestDrive -Script @'
$ErrorActionPreference = 'Continue'
$r = [ordered]@{}
function Wait-Until([scriptblock] $Condition, [int] $Seconds = 15) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while (-not (& $Condition) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
}

# The log, without -Verbose.
$job = Start-AnytunTunnel -Name uxlog -DeviceName tun-uxl0 -InterfaceAddress 192.168.231.1/24 -RemoteAddress 127.0.0.1 `
    -RemotePort 4621 -LocalPort 4620 -Passphrase 'log test'
$r.HasMoreDataAtStart = $job.HasMoreData
$kept = @(Receive-Job $job -Keep)
$r.KeptTypes = @($kept | ForEach-Object { $_.GetType().FullName } | Sort-Object -Unique)
$r.KeptEvents = @($kept | ForEach-Object EventName)
$r.UpMessages = @($kept | Where-Object EventName -eq 'TunnelRunning' | ForEach-Object Message)
$r.KeptLevels = @($kept | ForEach-Object { "$($_.Level)" } | Sort-Object -Unique)
$r.HasMoreDataAfterKeep = $job.HasMoreData
$r.VerboseCount = $job.Verbose.Count
$r.KeptCount = $kept.Count
$r.ReceivedCount = @(Receive-Job $job).Count
$r.HasMoreDataAfterReceive = $job.HasMoreData
$r.SecretInLog = ($kept | Out-String) -match 'log test'
$r.LogTable = $kept | Out-String -Width 80
$r.TunnelTable = Get-AnytunTunnel | Out-String -Width 80
$r.ConnectionTable = Get-AnytunConnection | Out-String -Width 80

# -Debug lowers the level of the log.
$debugJob = Start-AnytunTunnel -Name uxdebug -DeviceName tun-uxl1 -LocalPort 4622 -Passphrase x -Debug
$r.DebugLevels = @(Receive-Job $debugJob -Keep | ForEach-Object { "$($_.Level)" } | Sort-Object -Unique)

# A peer with another passphrase: its packets fail authentication on uxlog, which warns once, naming the connection.
$peer = Start-AnytunTunnel -Name uxpeer -DeviceName tun-uxl2 -InterfaceAddress 192.168.232.1/24 -LocalPort 4621 `
    -RemoteAddress 127.0.0.1 -RemotePort 4620 -Role Right -Passphrase 'another passphrase'
$null = & ping -c 3 -i 0.2 -W 1 192.168.232.2
Wait-Until { $job.Warning.Count -gt 0 }
Start-Sleep -Milliseconds 1500
$r.BadTagWarnings = @($job.Warning | ForEach-Object Message)
$everything = Receive-Job $job -Keep *>&1 | Out-String -Width 300
$r.BadTagShown = ([regex]::Matches($everything, 'failed authentication')).Count
$r.DropSummaries = @(Receive-Job $job -Keep | Where-Object EventName -eq 'PacketsDropped' | ForEach-Object Message)

# -ErrorAction decides about a start failure, for parameters as for the pipeline (port 4620 is uxlog's).
Start-AnytunTunnel -Name uxinuse1 -DeviceName tun-uxl3 -LocalPort 4620 -Passphrase x -ErrorAction SilentlyContinue
$r.InUseStatus = $?
$r.InUseErrorId = $Error[0].FullyQualifiedErrorId
# A terminating error would be caught here whatever -ErrorAction says; a non-terminating one only with Stop.
try { Start-AnytunTunnel -Name uxinuse2 -DeviceName tun-uxl3 -LocalPort 4620 -Passphrase x -ErrorAction SilentlyContinue; $r.InUseCaught = $false }
catch { $r.InUseCaught = $true }
$errorsBefore = $Error.Count
Start-AnytunTunnel -Name uxinuse5 -DeviceName tun-uxl3 -LocalPort 4620 -Passphrase x -ErrorAction Ignore
$r.InUseIgnoredErrors = $Error.Count - $errorsBefore
try { Start-AnytunTunnel -Name uxinuse3 -DeviceName tun-uxl3 -LocalPort 4620 -Passphrase x -ErrorAction Stop; $r.InUseStop = 'none' }
catch { $r.InUseStop = $_.FullyQualifiedErrorId }
New-AnytunTunnel -Name uxinuse4 -DeviceName tun-uxl3 -LocalPort 4620 -Passphrase x | Start-AnytunTunnel -ErrorAction SilentlyContinue
$r.InUsePipeStatus = $?
$r.InUseDevice = Test-Path /sys/class/net/tun-uxl3

# A device name another tunnel holds (EBUSY).
try { Start-AnytunTunnel -Name uxbusy -DeviceName tun-uxl0 -LocalPort 4623 -Passphrase x -ErrorAction Stop; $r.BusyId = 'none' }
catch { $r.BusyId = $_.FullyQualifiedErrorId; $r.BusyCategory = "$($_.CategoryInfo.Category)"; $r.BusyMessage = "$_"; $r.BusyAction = $_.ErrorDetails.RecommendedAction }

# A typo in -RemoteAddress: a warning at start, a running job that keeps retrying.
$typo = Start-AnytunTunnel -Name uxtypo -DeviceName tun-uxl4 -LocalPort 4624 -RemoteAddress no.such.host.invalid -Passphrase x `
    -WarningVariable typoWarnings -WarningAction SilentlyContinue
$r.TypoState = "$($typo.State)"
$r.TypoWarnings = @($typoWarnings | ForEach-Object Message)
$r.TypoJobWarnings = @($typo.Warning | ForEach-Object Message)

# A piped definition with another -Name.
$renamed = New-AnytunTunnel -Name original -DeviceName tun-uxl5 -LocalPort 4625 -Passphrase x | Start-AnytunTunnel -Name renamed
$r.RenamedJob = $renamed.Name
$r.RenamedTunnels = @(Get-AnytunTunnel -Name renamed -ErrorAction SilentlyContinue).Count

# -WaitForPeer progress that fits a progress line.
# (A PowerShell of its own runspace collects the progress records; one nested in this runspace sends them to the host.)
$ps = [powershell]::Create()
$null = $ps.AddCommand('Import-Module').AddParameter('Name', (Get-Module Anytun).Path).AddStatement()
$null = $ps.AddCommand('Start-AnytunTunnel').AddParameters(@{
    Name = 'uxwait-frankfurt'; DeviceName = 'tun-uxl6'; LocalPort = 4626; RemoteAddress = '127.0.0.1'; RemotePort = 4699
    Passphrase = 'x'; WaitForPeer = $true; TimeoutSec = 2; ErrorAction = 'SilentlyContinue' })
$null = $ps.Invoke()
$r.Progress = @($ps.Streams.Progress | ForEach-Object { [ordered]@{ Activity = $_.Activity; Status = $_.StatusDescription; Type = "$($_.RecordType)" } })
$ps.Dispose()

# The device is deleted under a running tunnel.
$faulty = Start-AnytunTunnel -Name uxfault -DeviceName tun-uxlf -LocalPort 4627 -RemoteAddress 127.0.0.1 -RemotePort 4698 -Passphrase x
& ip link del tun-uxlf
Wait-Until { $faulty.State -ne 'Running' }
$r.FaultState = "$($faulty.State)"
$r.FaultMessages = @($faulty.Error | ForEach-Object { "$_" })

Get-AnytunTunnel | Stop-AnytunTunnel
$r.AfterStop = @(Receive-Job $job | ForEach-Object EventName)
Get-Job | Remove-Job -Force
$r | ConvertTo-Json -Compress -Depth 4
'@
    }
    AfterAll { Remove-AnytunTestNamespace $script:Ns }

    It 'Receive-Job returns AnytunLogRecord objects without -Verbose, including the "up" record' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.HasMoreDataAtStart | Should -BeTrue
        $script:R.KeptTypes | Should -Be @('Anytun.AnytunLogRecord')
        $script:R.KeptEvents | Should -Contain 'TunnelRunning'
        $script:R.KeptEvents | Should -Contain 'ConnectionAdded'
        @($script:R.UpMessages) | Should -Be @("tunnel 'uxlog' is up on tun-uxl0 (UDP 0.0.0.0:4620, [::]:4620)")
        $script:R.KeptLevels | Should -Be @('Information') -Because 'the default level is Information'
        $script:R.VerboseCount | Should -Be 0
        $script:R.SecretInLog | Should -BeFalse
    }

    It 'keeps HasMoreData as PowerShell defines it (-Keep keeps, Receive-Job hands over once)' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.HasMoreDataAfterKeep | Should -BeTrue
        $script:R.ReceivedCount | Should -Be $script:R.KeptCount
        $script:R.HasMoreDataAfterReceive | Should -BeFalse
    }

    It 'records Debug events with -Debug' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.DebugLevels | Should -Contain 'Debug'
        $script:R.DebugLevels | Should -Contain 'Information'
    }

    It 'warns once when a connection sees bad tags, naming it and the likely cause, and summarises the drops' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        @($script:R.BadTagWarnings).Count | Should -Be 1
        $script:R.BadTagWarnings[0] | Should -Match "^uxlog: connection 0 \(127\.0\.0\.1:4621\): \d+ datagrams? failed authentication \(bad tag\): wrong passphrase/key or role on the peer\?$"
        $script:R.BadTagShown | Should -Be 1 -Because 'a plain Receive-Job shows each event once'
        $script:R.DropSummaries | Should -Not -BeNullOrEmpty
        $script:R.DropSummaries[0] | Should -Match '^receive: dropped \d+ packets? \(BadTag\)'
    }

    It 'makes a start failure non-terminating, so -ErrorAction and $? work for parameters and pipeline alike' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.InUseStatus | Should -BeFalse
        $script:R.InUseErrorId | Should -Be 'AddressInUse,Anytun.StartAnytunTunnelCommand'
        $script:R.InUseCaught | Should -BeFalse -Because 'with -ErrorAction SilentlyContinue nothing is thrown'
        $script:R.InUseIgnoredErrors | Should -Be 0 -Because '-ErrorAction Ignore keeps a non-terminating error out of $Error'
        $script:R.InUseStop | Should -Be 'AddressInUse,Anytun.StartAnytunTunnelCommand'
        $script:R.InUsePipeStatus | Should -BeFalse
        $script:R.InUseDevice | Should -BeFalse
    }

    It 'says that a device name is in use by another program (EBUSY), with a fitting recommendation' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.BusyId | Should -Be 'DeviceInUse,Anytun.StartAnytunTunnelCommand'
        $script:R.BusyCategory | Should -Be 'ResourceBusy'
        $script:R.BusyMessage | Should -Match "the device name 'tun-uxl0' is in use by another program"
        $script:R.BusyAction | Should -Match '-DeviceName'
        $script:R.BusyAction | Should -Not -Match 'modprobe'
    }

    It 'warns at start when -RemoteAddress does not resolve, and keeps the tunnel running' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.TypoState | Should -Be 'Running'
        @($script:R.TypoWarnings).Count | Should -Be 1
        $script:R.TypoWarnings[0] | Should -Match "^Tunnel 'uxtypo': could not resolve 'no\.such\.host\.invalid' \(.+\); the tunnel keeps retrying every 10 s\.$"
        $script:R.TypoJobWarnings | Should -Match "could not resolve 'no\.such\.host\.invalid'"
    }

    It 'starts a piped definition under the -Name given' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.RenamedJob | Should -Be 'renamed'
        $script:R.RenamedTunnels | Should -Be 1
    }

    It 'keeps the -WaitForPeer progress short enough for an 80-column progress line, and completes it' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.Progress | Should -Not -BeNullOrEmpty
        foreach ($record in $script:R.Progress) {
            ($record.Activity.Length + $record.Status.Length) | Should -BeLessOrEqual 60 -Because "'$($record.Activity)' + '$($record.Status)' share one line with the bar"
        }
        $script:R.Progress[-1].Type | Should -Be 'Completed'
    }

    It 'reports a deleted device as deleted' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.FaultState | Should -Be 'Failed'
        $script:R.FaultMessages -join "`n" | Should -Match "device 'tun-uxlf' was deleted"
        $script:R.FaultMessages -join "`n" | Should -Not -Match 'revents'
    }

    It 'logs the stop and renders real tunnels, connections and log records within 80 columns' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.AfterStop | Should -Contain 'TunnelStopped'
        foreach ($table in $script:R.TunnelTable, $script:R.ConnectionTable, $script:R.LogTable) {
            @($table -split "`r?`n" | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty -Because $table
        }
        $script:R.TunnelTable | Should -Match 'RemoteEndPoint'
        $script:R.TunnelTable | Should -Match 'uxlog\s+Running\s+tun-uxl0\s+4620\s+127\.0\.0\.1:4621\s+AesCtr128\s+\d+'
        $script:R.ConnectionTable | Should -Match 'TunnelName: uxlog'
    }
}

Describe 'A foreground tunnel with anytun log targets' -Tag 'RequiresRoot' {
    BeforeAll {
        if ($script:Reason) { return }
        $script:Ns = New-AnytunTestNamespace -Tag uxfg
        $script:FileLog = Join-Path $TestDrive 'ux-file.log'
        $script:Log = Join-Path $TestDrive 'ux-foreground.log'
        $process = Start-AnytunInNamespace -Namespace $script:Ns -ManifestPath $script:Manifest -LogPath $script:Log -Script @"
ConvertFrom-AnytunCommandLine '-d tun-uxw0 -p 4640 -E x -L stdout:3 -L stderr:2 -L file:5,$($script:FileLog)' -Name uxwait |
    Start-AnytunTunnel -Wait | ForEach-Object { "REC: `$(`$_.EventName) | `$(`$_.Message)" }
'EXITED-CLEANLY'
"@
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline -and -not ((Get-Content -Raw $script:Log -ErrorAction SilentlyContinue) -match 'REC: TunnelRunning')) {
            Start-Sleep -Milliseconds 200
        }
        # A datagram that cannot authenticate: a warning (stderr:2) and a drop summary (stdout:3).
        & ip netns exec $script:Ns bash -c 'printf "%060d" 0 > /dev/udp/127.0.0.1/4640'
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ([DateTime]::UtcNow -lt $deadline -and -not ((Get-Content -Raw "$($script:Log).err" -ErrorAction SilentlyContinue) -match 'WARNING')) {
            Start-Sleep -Milliseconds 200
        }
        & kill -TERM $process.Id
        $script:Exited = $process.WaitForExit(20000)
        if (-not $script:Exited) { $process.Kill($true) }
        $script:Stdout = Get-Content -Raw $script:Log -ErrorAction SilentlyContinue
        $script:Stderr = Get-Content -Raw "$($script:Log).err" -ErrorAction SilentlyContinue
        $script:File = Get-Content -Raw $script:FileLog -ErrorAction SilentlyContinue
    }
    AfterAll { Remove-AnytunTestNamespace $script:Ns }

    It 'writes its log records to the pipeline, says once that it is up and how to stop it, and once that it stops' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:Exited | Should -BeTrue -Because $script:Stdout
        ([regex]::Matches($script:Stdout, 'REC: TunnelRunning \| .*is up on tun-uxw0 \(UDP .*\); press Ctrl\+C to stop')).Count | Should -Be 1
        ([regex]::Matches($script:Stdout, "REC: TunnelStopping \| tunnel 'uxwait' is stopping \(SIGTERM\)")).Count | Should -Be 1
        $script:Stdout | Should -Match 'REC: TunnelStopped'
        $script:Stdout | Should -Match 'EXITED-CLEANLY'
    }

    It 'honours -L stdout, stderr and file, each at its level, in anytun''s line format' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:Stdout | Should -Match "(?m)^\d{4}-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d NOTICE: tunnel 'uxwait' is up on tun-uxw0"
        $script:Stdout | Should -Match '(?m)NOTICE: receive: dropped 1 packet \(BadTag\)'
        $script:Stdout | Should -Not -Match '(?m)^\S+ \S+ DEBUG: '
        $script:Stderr | Should -Match '(?m)WARNING: 1 datagram failed authentication \(bad tag\) before any peer was learned'
        $script:Stderr | Should -Not -Match 'NOTICE'
        $script:File | Should -Match "NOTICE: tunnel 'uxwait' stopped"
        $script:File | Should -Match 'DEBUG: '
        $script:File | Should -Not -Match "-E x\b"
    }
}
