#Requires -Version 7.4
# Tunnels with real tun devices, each scenario in network namespaces created (and deleted) here.
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
    Import-Module "$PSScriptRoot/AnytunTestHelpers.psm1" -Force
    $script:Manifest = (Resolve-Path "$PSScriptRoot/../../out/Anytun/Anytun.psd1").Path
    $script:Reason = Test-AnytunRootPrerequisite
}

Describe 'A tunnel job in a fresh network namespace' -Tag 'RequiresRoot' {
    BeforeAll {
        if ($script:Reason) { return }
        $script:Ns = New-AnytunTestNamespace -Tag job
        $script:R = Invoke-AnytunInNamespace -Namespace $script:Ns -ManifestPath $script:Manifest -WorkDirectory $TestDrive -Script @'
$r = [ordered]@{}
Remove-Item Env:ANYTUN_IDLE_MODE -ErrorAction SilentlyContinue
$job = Start-AnytunTunnel -Name lab1 -DeviceName tun-any0 -InterfaceAddress 192.168.211.1/24 -RemoteAddress 127.0.0.1 `
    -RemotePort 4445 -LocalPort 4444 -Passphrase 'job test' -Verbose `
    -PostUpScript { param($Tunnel) "post-up:$($Tunnel.Name):$($Tunnel.DeviceName)"; Write-Warning 'post-up warning' } 4>$null
$r.JobType = $job.GetType().FullName
$r.JobState = "$($job.State)"
$r.GetJobType = @(Get-Job -Name lab1).PSJobTypeName
$r.GetJobById = (Get-Job -Id $job.Id).InstanceId -eq $job.InstanceId
$tunnel = Get-AnytunTunnel -Name lab1
$r.TunnelType = $tunnel.GetType().FullName
$r.TunnelState = "$($tunnel.State)"
$r.TunnelJobIdMatches = $tunnel.JobId -eq $job.Id
$r.TunnelDevice = $tunnel.DeviceName
$r.TunnelIdleMode = "$($tunnel.IdleMode)"
$r.WildcardCount = @(Get-AnytunTunnel -Name 'lab*').Count
$r.Completion = @((TabExpansion2 'Stop-AnytunTunnel -Name la').CompletionMatches.CompletionText)
$r.DeviceExists = Test-Path /sys/class/net/tun-any0
$r.DeviceAddress = "$(ip -br -4 addr show tun-any0)"
$connections = @(Get-AnytunTunnel lab1 | Get-AnytunConnection)
$r.ConnectionTypes = @($connections | ForEach-Object { $_.GetType().FullName })
$r.ConnectionRemote = '{0}:{1}' -f $connections[0].RemoteAddress, $connections[0].RemotePort
$r.ConnectionByInputObject = @(Get-AnytunConnection -InputObject $tunnel).Count
try { Start-AnytunTunnel -Name lab2 -DeviceName tun-any1 -LocalPort 4444 -Passphrase x -ErrorAction Stop; $r.InUseError = 'none' }
catch { $r.InUseError = $_.FullyQualifiedErrorId; $r.InUseCategory = "$($_.CategoryInfo.Category)"; $r.InUseAction = $_.ErrorDetails.RecommendedAction }
$r.InUseDevice = Test-Path /sys/class/net/tun-any1
$r.InUseRegistered = @(Get-AnytunTunnel -Name lab2 -ErrorAction SilentlyContinue).Count
$r.JobsAfterInUse = @(Get-Job).Count
$r.FirstAfterInUse = "$((Get-AnytunTunnel lab1).State)"
$r.FirstDeviceAfterInUse = Test-Path /sys/class/net/tun-any0
try { Start-AnytunTunnel -Name lab1 -DeviceName tun-any2 -LocalPort 4446 -Passphrase x -ErrorAction Stop; $r.DuplicateError = 'none' }
catch { $r.DuplicateError = $_.FullyQualifiedErrorId; $r.DuplicateCategory = "$($_.CategoryInfo.Category)" }
$r.DuplicateSilentCount = @(Start-AnytunTunnel -Name lab1 -DeviceName tun-any2 -LocalPort 4446 -Passphrase x -ErrorAction SilentlyContinue).Count
Start-Sleep -Milliseconds 1500
$r.HasMoreData = $job.HasMoreData
$received = @(Receive-Job $job 3>&1)
$r.SecretInLogs = ($received | Out-String) -match 'job test'
$r.ReceivedLogRecords = @($received | Where-Object { $_ -is [Anytun.AnytunLogRecord] }).Count
$r.ReceivedPostUp = @($received | Where-Object { "$_" -like 'post-up:lab1:tun-any0' }).Count
$r.ReceivedPostUpWarning = @($received | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -and "$_" -eq 'post-up warning' }).Count
Stop-Job $job
$r.StateAfterStop = "$($job.State)"
$r.TunnelsAfterStop = @(Get-AnytunTunnel).Count
$r.DeviceAfterStop = Test-Path /sys/class/net/tun-any0
Remove-Job $job
$r.JobsAfterRemove = @(Get-Job).Count
$job2 = Start-AnytunTunnel -Name lab3 -DeviceName tun-any3 -LocalPort 4447 -Passphrase x
$stopped = Stop-AnytunTunnel -Name 'lab*' -PassThru
$r.StopPassThruState = "$($stopped.State)"
$r.Job2StateAfterStopTunnel = "$($job2.State)"
$r.DeviceAfterStopTunnel = Test-Path /sys/class/net/tun-any3
$quiet = @(Receive-Job $job2 -Verbose 4>&1)
$r.QuietVerboseCount = @($quiet | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count
$r.QuietLogRecords = @($quiet | Where-Object { $_ -is [Anytun.AnytunLogRecord] }).Count
Remove-Job $job2
# Bounded streams: a post-up script that floods the output stream.
$flood = Start-AnytunTunnel -Name flood -DeviceName tun-any4 -LocalPort 4448 -Passphrase x -PostUpScript { 1..1500 }
$deadline = [DateTime]::UtcNow.AddSeconds(20)
while ($flood.Output.Count + $flood.DroppedRecordCount -lt 1500 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
$r.FloodOutputCount = $flood.Output.Count
$r.FloodDropped = $flood.DroppedRecordCount
$r.FloodWarning = @($flood.Warning | Where-Object { "$_" -like '*dropped*' }).Count
$r.FloodStatus = $flood.StatusMessage
$flood | Stop-Job -PassThru | Remove-Job
# Engine fault: the device vanishes under the tunnel.
$faulty = Start-AnytunTunnel -Name faulty -DeviceName tun-anyf -LocalPort 4454 -RemoteAddress 127.0.0.1 -RemotePort 4455 -Passphrase x
ip link del tun-anyf
$deadline = [DateTime]::UtcNow.AddSeconds(15)
while ($faulty.State -eq 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
$r.FaultState = "$($faulty.State)"
$r.FaultErrorIds = @($faulty.Error | ForEach-Object { $_.FullyQualifiedErrorId })
$r.FaultTunnels = @(Get-AnytunTunnel -Name faulty -ErrorAction SilentlyContinue).Count
Remove-Job $faulty
# Pipeline input: one bad item is a non-terminating error, the others start.
$definitions = @(
    New-AnytunTunnel -Name pipe1 -DeviceName tun-any5 -LocalPort 4451 -Passphrase x
    New-AnytunTunnel -Name pipe2 -DeviceName tun-any6 -DeviceType Tap -LocalPort 4452 -Passphrase x
    New-AnytunTunnel -Name pipe3 -DeviceName tun-any5 -DeviceType Tap -LocalPort 4453 -Passphrase x
)
$pipeJobs = @($definitions | Start-AnytunTunnel -ErrorVariable pipeErrors -ErrorAction SilentlyContinue)
$r.PipeJobs = $pipeJobs.Count
$r.PipeErrors = @($pipeErrors | ForEach-Object { $_.FullyQualifiedErrorId })
$r.PipeErrorTarget = @($pipeErrors | ForEach-Object { "$($_.TargetObject)" })
$r.PipeTunnels = @(Get-AnytunTunnel -Name 'pipe*' | ForEach-Object Name)
# Remove-Module stops every tunnel of the process.
Remove-Module Anytun
$r.DevicesAfterRemoveModule = @(Get-ChildItem /sys/class/net -Name | Where-Object { $_ -like 'tun-any*' }).Count
$r.JobStatesAfterRemoveModule = @($pipeJobs | ForEach-Object { "$($_.State)" })
$r | ConvertTo-Json -Compress -Depth 3
'@
    }
    AfterAll { Remove-AnytunTestNamespace $script:Ns }

    It 'returns an AnytunTunnelJob that Get-Job lists as Running' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.JobType | Should -Be 'Anytun.AnytunTunnelJob'
        $script:R.JobState | Should -Be 'Running'
        $script:R.GetJobType | Should -Be 'AnytunTunnel'
        $script:R.GetJobById | Should -BeTrue
    }

    It 'shows the tunnel in Get-AnytunTunnel with its device, address and job id' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.TunnelType | Should -Be 'Anytun.AnytunTunnel'
        $script:R.TunnelState | Should -Be 'Running'
        $script:R.TunnelJobIdMatches | Should -BeTrue
        $script:R.TunnelDevice | Should -Be 'tun-any0'
        $script:R.TunnelIdleMode | Should -Be 'Warm'
        $script:R.WildcardCount | Should -Be 1
        $script:R.Completion | Should -Be @('lab1')
        $script:R.DeviceExists | Should -BeTrue
        $script:R.DeviceAddress | Should -Match '192\.168\.211\.1/24'
    }

    It 'returns AnytunConnection objects by pipeline and by -InputObject' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.ConnectionTypes | Should -Be @('Anytun.AnytunConnection')
        $script:R.ConnectionRemote | Should -Be '127.0.0.1:4445'
        $script:R.ConnectionByInputObject | Should -Be 1
    }

    It 'fails a second tunnel on a used port with AddressInUse and leaves the first untouched' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.InUseError | Should -Be 'AddressInUse,Anytun.StartAnytunTunnelCommand'
        $script:R.InUseCategory | Should -Be 'ResourceUnavailable'
        $script:R.InUseAction | Should -Not -BeNullOrEmpty
        $script:R.InUseDevice | Should -BeFalse
        $script:R.InUseRegistered | Should -Be 0
        $script:R.JobsAfterInUse | Should -Be 1
        $script:R.FirstAfterInUse | Should -Be 'Running'
        $script:R.FirstDeviceAfterInUse | Should -BeTrue
    }

    It 'refuses a second tunnel with a name in use (TunnelAlreadyExists, ResourceExists)' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.DuplicateError | Should -Be 'TunnelAlreadyExists,Anytun.StartAnytunTunnelCommand'
        $script:R.DuplicateCategory | Should -Be 'ResourceExists'
        $script:R.DuplicateSilentCount | Should -Be 0 -Because 'an existing name is non-terminating, so SilentlyContinue makes Start idempotent'
    }

    It 'delivers log records and the post-up ScriptBlock output through Receive-Job' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.HasMoreData | Should -BeTrue
        $script:R.ReceivedLogRecords | Should -BeGreaterThan 0
        $script:R.ReceivedPostUp | Should -Be 1
        $script:R.ReceivedPostUpWarning | Should -Be 1
        $script:R.SecretInLogs | Should -BeFalse -Because 'the passphrase must never reach a log record'
    }

    It 'Stop-Job stops the tunnel (job Stopped, device gone) and Remove-Job forgets it' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.StateAfterStop | Should -Be 'Stopped'
        $script:R.TunnelsAfterStop | Should -Be 0
        $script:R.DeviceAfterStop | Should -BeFalse
        $script:R.JobsAfterRemove | Should -Be 0
    }

    It 'Stop-AnytunTunnel stops by wildcard, returns the stopped tunnel with -PassThru and ends its job' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.StopPassThruState | Should -Be 'Stopped'
        $script:R.Job2StateAfterStopTunnel | Should -Be 'Stopped'
        $script:R.DeviceAfterStopTunnel | Should -BeFalse
    }

    It 'records log records, not verbose messages, for a tunnel started without -Verbose' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.QuietVerboseCount | Should -Be 0
        $script:R.QuietLogRecords | Should -BeGreaterThan 0
    }

    It 'caps each job stream, counts the dropped records and says so once' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        # The output stream holds the tunnel's log records too, so a little more than the 500 surplus items is dropped.
        $script:R.FloodOutputCount | Should -Be 1000
        $script:R.FloodDropped | Should -BeGreaterOrEqual 500
        $script:R.FloodDropped | Should -BeLessThan 520
        $script:R.FloodWarning | Should -Be 1
        $script:R.FloodStatus | Should -Match "$($script:R.FloodDropped) log records dropped"
    }

    It 'turns an engine fault into a Failed job with the error recorded first' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.FaultState | Should -Be 'Failed'
        $script:R.FaultErrorIds | Should -Contain 'TunnelFaulted'
        $script:R.FaultTunnels | Should -Be 0
    }

    It 'reports a failing pipeline item as a non-terminating error and starts the others' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.PipeJobs | Should -Be 2
        $script:R.PipeErrors | Should -Be @('DeviceOpenFailed,Anytun.StartAnytunTunnelCommand')
        $script:R.PipeTunnels | Should -Be @('pipe1', 'pipe2')
    }

    It 'stops every tunnel on Remove-Module' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:R.DevicesAfterRemoveModule | Should -Be 0
        $script:R.JobStatesAfterRemoveModule | Should -Be @('Stopped', 'Stopped')
    }
}

Describe 'Two tunnels talking across namespaces' -Tag 'RequiresRoot' {
    BeforeAll {
        # both ends ping through the tunnel
        if (Test-AnytunRootPrerequisite -Program ping) { return }
        $script:NsA = New-AnytunTestNamespace -Tag a
        $script:NsB = New-AnytunTestNamespace -Tag b
        $veth = 'anypsv{0}' -f (Get-Random -Maximum 9999)
        & ip link add "${veth}a" netns $script:NsA type veth peer name "${veth}b" netns $script:NsB
        & ip -n $script:NsA addr add 10.200.77.1/24 dev "${veth}a"
        & ip -n $script:NsB addr add 10.200.77.2/24 dev "${veth}b"
        & ip -n $script:NsA link set "${veth}a" up
        & ip -n $script:NsB link set "${veth}b" up

        # Peer B runs in the foreground (-Wait) until SIGTERM, as under systemd.
        $script:LogB = Join-Path $TestDrive 'peer-b.log'
        $script:PeerB = Start-AnytunInNamespace -Namespace $script:NsB -ManifestPath $script:Manifest -LogPath $script:LogB -Script @'
Start-AnytunTunnel -Name peerb -DeviceName tun-anyb -InterfaceAddress 192.168.212.2/24 -RemoteAddress 10.200.77.1 `
    -Role Right -Passphrase 'two namespaces' -IdleMode Pipeline -Wait -Verbose *>&1 | ForEach-Object { "LOG: $_" }
"EXITED-CLEANLY devices=$(@(Get-ChildItem /sys/class/net -Name | Where-Object { $_ -eq 'tun-anyb' }).Count)"
'@
        # Wait until B's device exists before A starts pinging through it.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline -and -not ((& ip -n $script:NsB -br link show tun-anyb 2>$null) -match 'tun-anyb')) {
            Start-Sleep -Milliseconds 200
        }

        $script:R = Invoke-AnytunInNamespace -Namespace $script:NsA -ManifestPath $script:Manifest -WorkDirectory $TestDrive -Script @"
`$r = [ordered]@{}
# Traffic from B so that A sees its peer: B pings A's inner address.
`$pinger = Start-Process -FilePath ip -ArgumentList 'netns','exec','$($script:NsB)','ping','-c','40','-i','0.25','192.168.212.1' -PassThru -RedirectStandardOutput '$TestDrive/pinger.log'
`$job = Start-AnytunTunnel -Name peera -DeviceName tun-anya -InterfaceAddress 192.168.212.1/24 -RemoteAddress 10.200.77.2 ``
    -Role Left -Passphrase 'two namespaces' -IdleMode Cold -WaitForPeer -TimeoutSec 20
`$r.JobState = "`$(`$job.State)"
`$r.IdleMode = "`$((Get-AnytunTunnel -Name peera).IdleMode)"
`$ping = & ping -c 3 -W 2 192.168.212.2
`$r.PingExit = `$LASTEXITCODE
`$c = Get-AnytunConnection -TunnelName peera
`$r.ConnectionState = "`$(`$c.State)"
`$r.PacketsReceived = `$c.PacketsReceived
`$r.PacketsSent = `$c.PacketsSent
`$r.DropsBadTag = `$c.DropsBadTag
`$r.LastReceivedSet = `$null -ne `$c.LastReceived
try { Start-AnytunTunnel -Name lonely -DeviceName tun-anyl -LocalPort 4555 -RemoteAddress 10.200.77.99 -Passphrase x -WaitForPeer -TimeoutSec 2 -ErrorAction Stop; `$r.TimeoutError = 'none' }
catch { `$r.TimeoutError = `$_.FullyQualifiedErrorId; `$r.TimeoutCategory = "`$(`$_.CategoryInfo.Category)" }
`$r.LonelyTunnels = @(Get-AnytunTunnel -Name lonely -ErrorAction SilentlyContinue).Count
`$r.LonelyJobs = @(Get-Job -Name lonely -ErrorAction SilentlyContinue).Count
`$r.LonelyDevice = Test-Path /sys/class/net/tun-anyl
Stop-AnytunTunnel -Name peera
Remove-Job `$job
`$pinger | Stop-Process -ErrorAction SilentlyContinue
`$r | ConvertTo-Json -Compress
"@
        # SIGTERM to B: -Wait must stop the tunnel cleanly and return, so the rest of B's script runs.
        & kill -TERM $script:PeerB.Id
        $script:PeerBExited = $script:PeerB.WaitForExit(20000)
        $script:LogBText = Get-Content -Raw $script:LogB -ErrorAction SilentlyContinue
    }
    AfterAll {
        if ($script:PeerB -and -not $script:PeerB.HasExited) { $script:PeerB.Kill($true) }
        Remove-AnytunTestNamespace $script:NsA, $script:NsB
    }

    It '-WaitForPeer returns the running job once the peer has sent an authenticated packet' {
        if (-not (Assert-AnytunRootPrerequisite -Program ping)) { return }
        $script:R.JobState | Should -Be 'Running'
        $script:R.LastReceivedSet | Should -BeTrue
    }

    It 'carries pings through the tunnel and counts them (one end -IdleMode Cold, the other Pipeline)' {
        if (-not (Assert-AnytunRootPrerequisite -Program ping)) { return }
        $script:R.IdleMode | Should -Be 'Cold'
        $script:R.PingExit | Should -Be 0
        $script:R.ConnectionState | Should -Be 'Established'
        $script:R.PacketsReceived | Should -BeGreaterThan 0
        $script:R.PacketsSent | Should -BeGreaterThan 0
        $script:R.DropsBadTag | Should -Be 0
    }

    It '-WaitForPeer fails with PeerTimeout (OperationTimeout) and leaves no tunnel, job or device' {
        if (-not (Assert-AnytunRootPrerequisite -Program ping)) { return }
        $script:R.TimeoutError | Should -Be 'PeerTimeout,Anytun.StartAnytunTunnelCommand'
        $script:R.TimeoutCategory | Should -Be 'OperationTimeout'
        $script:R.LonelyTunnels | Should -Be 0
        $script:R.LonelyJobs | Should -Be 0
        $script:R.LonelyDevice | Should -BeFalse
    }

    It '-Wait writes log records to its own streams and stops cleanly on SIGTERM' {
        if (-not (Assert-AnytunRootPrerequisite -Program ping)) { return }
        $script:PeerBExited | Should -BeTrue -Because "B should exit after SIGTERM; log: $($script:LogBText)"
        $script:LogBText | Should -Match "LOG: .*tunnel 'peerb' is up on tun-anyb \(UDP .*\); press Ctrl\+C to stop"
        $script:LogBText | Should -Match 'EXITED-CLEANLY devices=0'
        $script:PeerB.ExitCode | Should -Be 0
    }
}

Describe 'SIGTERM to a pwsh that runs tunnel jobs' -Tag 'RequiresRoot' {
    BeforeAll {
        if ($script:Reason) { return }
        $script:Ns = New-AnytunTestNamespace -Tag term
        $log = Join-Path $TestDrive 'term.log'
        $process = Start-AnytunInNamespace -Namespace $script:Ns -ManifestPath $script:Manifest -LogPath $log -Script @'
$null = Start-AnytunTunnel -Name term1 -DeviceName tun-anyt -RemoteAddress 127.0.0.1 -RemotePort 4460 -Passphrase x
'STARTED'
Start-Sleep -Seconds 60
'NOT-TERMINATED'
'@
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline -and -not ((Get-Content -Raw $log -ErrorAction SilentlyContinue) -match 'STARTED')) {
            Start-Sleep -Milliseconds 200
        }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        & kill -TERM $process.Id
        $script:Exited = $process.WaitForExit(15000)
        $script:Elapsed = $clock.Elapsed
        $script:ExitCode = if ($script:Exited) { $process.ExitCode } else { $process.Kill($true); -1 }
        $script:Log = Get-Content -Raw $log -ErrorAction SilentlyContinue
    }
    AfterAll { Remove-AnytunTestNamespace $script:Ns }

    It 'stops the tunnels and lets the process terminate as asked (143), promptly' {
        if (-not (Assert-AnytunRootPrerequisite)) { return }
        $script:Exited | Should -BeTrue
        $script:ExitCode | Should -Be 143
        $script:Elapsed.TotalSeconds | Should -BeLessThan 10
        $script:Log | Should -Not -Match 'NOT-TERMINATED'
    }
}
