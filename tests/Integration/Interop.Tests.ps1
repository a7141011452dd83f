# Interop: the module against Debian anytun 0.3.8, uanytun 0.3.7 and itself, through real tun/tap devices in
# private network namespaces (10.200.x.x underlay, fd00:x::/64 for IPv6, 192.168.x.x inside the tunnel).
# Needs root, /dev/net/tun, the built module (out/Anytun) and the programs of build/prerequisites.json (iproute2,
# iputils-ping, procps, anytun, uanytun, ...). Locally a missing prerequisite skips naming its package; under CI=true it fails.

BeforeDiscovery {
    $key = '-K 0123456789abcdef0123456789abcdef -A 0123456789abcdef0123456789ab'
    $configurations = @(
        @{ Config = 'default crypto -K/-A'; Common = $key }
        @{ Config = 'passphrase aes-ctr-256'; Common = '-E interop-test-passphrase -c aes-ctr-256 -k aes-ctr-256' }
        @{ Config = 'null cipher, null auth'; Common = '-c null -a null' }
        @{ Config = 'sha1 tag length 4'; Common = "$key -b 4" }
        @{ Config = 'sha1 tag length 20'; Common = "$key -b 20" }
        @{ Config = 'tap device'; Common = $key; DeviceType = 'tap' }
        @{ Config = 'window size 64'; Common = "$key -w 64" }
        @{ Config = 'IPv6 outer addresses'; Common = $key; IPv6 = $true }
        @{ Config = 'IPv6 inside the tunnel'; Common = $key; InnerIPv6 = $true }
        @{ Config = 'mux 7'; Common = "$key -m 7" }
        @{ Config = 'module without -r learns the peer'; Common = $key; ModuleNoRemote = $true }
        @{ Config = 'peer roams to another port'; Common = $key; Roam = $true }
        @{ Config = 'two-thread pipeline (ANYTUN_IDLE_MODE=pipeline)'; Common = $key; IdleMode = 'pipeline' }
        @{ Config = 'single thread, no keep-warm (ANYTUN_IDLE_MODE=single)'; Common = $key; IdleMode = 'single' }
    )
    $script:Cells = [System.Collections.Generic.List[hashtable]]::new()
    $subnet = 20
    foreach ($peer in 'anytun', 'uanytun', 'module') {
        foreach ($configuration in $configurations) {
            $subnet++
            $cell = @{ Peer = $peer; Subnet = $subnet; DeviceType = 'tun'; IPv6 = $false; InnerIPv6 = $false; ModuleNoRemote = $false; Roam = $false; IdleMode = $null }
            foreach ($k in $configuration.Keys) { $cell[$k] = $configuration[$k] }
            # exercise both roles on the module side: left against anytun, right against uanytun
            $cell.ModuleRole = if ($peer -eq 'uanytun') { 'right' } else { 'left' }
            $script:Cells.Add(@{ Peer = $peer; Config = $cell.Config; Roam = $cell.Roam; Tap = ($cell.DeviceType -eq 'tap'); Cell = $cell })
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NetnsLab.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/Prerequisites.psm1') -Force
    # ANYTUN_MODULE_PATH points the suite at another build of the module (default: the staged out/Anytun)
    $script:ModulePath = if ($env:ANYTUN_MODULE_PATH) { $env:ANYTUN_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/Anytun' }
    $script:BaseMissing = @(Get-NetnsLabPrerequisite -Program 'stdbuf')
    if (-not (Test-Path (Join-Path $script:ModulePath 'Anytun.psd1'))) { $script:BaseMissing += 'out/Anytun (run build.ps1 -Task Build)' }

    function Get-MissingPrerequisite {
        # what a test group against -Peer lacks (module-only groups need no peer program)
        param([string] $Peer)
        $missing = @($script:BaseMissing)
        if ($Peer -in 'anytun', 'uanytun') { $missing += @(Get-AnytunMissingPrerequisite -Program $Peer | ForEach-Object { Format-AnytunPrerequisite $_ }) }
        return $missing
    }

    function Skip-WhenMissingPrerequisite {
        # Locally: skip with the reason. In CI a missing prerequisite is a failure.
        param([string] $Peer)
        $missing = @(Get-MissingPrerequisite $Peer)
        if ($missing.Count -eq 0) { return $false }
        $reason = "missing prerequisite: $($missing -join ', ')"
        if ($env:CI -eq 'true') { throw $reason }
        Set-ItResult -Skipped -Because $reason
        return $true
    }

    function Start-Cell {
        # Module on side A; the peer (anytun, uanytun or a second module) on side B with the opposite role.
        param([hashtable] $Cell)
        $lab = New-NetnsLab -Name "atit$($Cell.Subnet)" -Subnet $Cell.Subnet
        $peerRole = if ($Cell.ModuleRole -eq 'left') { 'right' } else { 'left' }
        $common = @{ Lab = $lab; Common = $Cell.Common; DeviceType = $Cell.DeviceType; IPv6 = $Cell.IPv6 }
        $moduleArgs = Get-EndpointArgument @common -Side A -Role $Cell.ModuleRole -NoRemote:$Cell.ModuleNoRemote
        $peerArgs = Get-EndpointArgument @common -Side B -Role $peerRole
        # The module endpoints inherit the environment: ANYTUN_IDLE_MODE picks their threading (default: single thread
        # under light traffic, kept warm); the other cells run the default.
        $idleModeBefore = $env:ANYTUN_IDLE_MODE
        $env:ANYTUN_IDLE_MODE = $Cell.IdleMode
        try {
            $module = Start-TunnelEndpoint -Lab $lab -Side A -Kind module -Arguments $moduleArgs -ModulePath $script:ModulePath
            $peer = Start-TunnelEndpoint -Lab $lab -Side B -Kind $Cell.Peer -Arguments $peerArgs -ModulePath $script:ModulePath
        }
        finally {
            $env:ANYTUN_IDLE_MODE = $idleModeBefore
        }
        # ping targets: the IPv4 tunnel addresses from -n, or IPv6 ones added to both devices once they exist
        $targetA = if ($Cell.InnerIPv6) { $lab.Inner6A } else { $lab.InnerA }
        $targetB = if ($Cell.InnerIPv6) { $lab.Inner6B } else { $lab.InnerB }
        [pscustomobject] @{ Lab = $lab; Module = $module; Peer = $peer; PeerRole = $peerRole; Common = $common
            TargetA = $targetA; TargetB = $targetB }
    }

    $script:Key = '-K 0123456789abcdef0123456789abcdef -A 0123456789abcdef0123456789ab'

    function Start-ModuleWithAnytun {
        # the module on side A, anytun on side B, both up; on a failed start the lab is removed before the throw
        param([string] $Name, [int] $Subnet, [string] $ModuleCommon = $script:Key, [string] $PeerCommon = $ModuleCommon)
        $lab = New-NetnsLab -Name $Name -Subnet $Subnet
        try {
            $run = [pscustomobject] @{ Lab = $lab; Module = $null; Peer = $null }
            $run.Module = Start-TunnelEndpoint -Lab $lab -Side A -Kind module -ModulePath $script:ModulePath `
                -Arguments (Get-EndpointArgument -Lab $lab -Side A -Common $ModuleCommon)
            Restart-AnytunPeer $run $PeerCommon
            Wait-TunnelEndpoint $run.Module -TimeoutSeconds 45
            return $run
        }
        catch {
            Remove-NetnsLab $lab
            throw
        }
    }

    function Restart-AnytunPeer {
        # (re)starts anytun on side B with -Common and waits for its device
        param($Run, [string] $Common)
        if ($null -ne $Run.Peer) { $null = Stop-TunnelEndpoint $Run.Peer }
        $Run.Peer = Start-TunnelEndpoint -Lab $Run.Lab -Side B -Kind anytun `
            -Arguments (Get-EndpointArgument -Lab $Run.Lab -Side B -Common $Common)
        Wait-TunnelEndpoint $Run.Peer -TimeoutSeconds 45
    }

    function Assert-PingBothWay {
        # side B pings first: a module started without -r only learns its peer from the first datagram
        param($Run)
        Test-LabPing $Run.Lab.NsB $Run.Lab.InnerA | Should -BeTrue -Because (Get-Diagnostic $Run)
        Test-LabPing $Run.Lab.NsA $Run.Lab.InnerB | Should -BeTrue -Because (Get-Diagnostic $Run)
    }

    function Get-Diagnostic {
        param($Run)
        if ($null -eq $Run) { return 'no lab' }
        $lines = foreach ($endpoint in $Run.Lab.Endpoints) { "--- $($endpoint.Label): $($endpoint.Arguments)"; Get-TunnelEndpointLog $endpoint }
        $lines -join [Environment]::NewLine
    }

    function Get-ModuleConnection {
        param($Endpoint)
        $connections = @(Get-TunnelEndpointCounter $Endpoint)
        $connections | Should -Not -BeNullOrEmpty -Because 'the module endpoint reports its connection'
        $connections[0]
    }
}

Describe 'Lab sanity: anytun and uanytun between the namespaces, no module involved' -Tag 'RequiresRoot', 'Interop' {
    # if this fails, the lab (namespaces, veth, the Debian daemons) is broken, not the module
    BeforeAll {
        $script:Run = $null
        if (@(Get-MissingPrerequisite 'uanytun').Count -gt 0 -or @(Get-MissingPrerequisite 'anytun').Count -gt 0) { return }
        $lab = New-NetnsLab -Name 'atit20' -Subnet 20
        $left = Start-TunnelEndpoint -Lab $lab -Side A -Kind anytun -Arguments (Get-EndpointArgument -Lab $lab -Side A -Common $Key)
        $right = Start-TunnelEndpoint -Lab $lab -Side B -Kind uanytun -Arguments (Get-EndpointArgument -Lab $lab -Side B -Common $Key)
        $script:Run = [pscustomobject] @{ Lab = $lab; Module = $null; Peer = $right }
        Wait-TunnelEndpoint $left -TimeoutSeconds 30
        Wait-TunnelEndpoint $right -TimeoutSeconds 30
    }
    AfterAll {
        if ($null -ne $script:Run) { Remove-NetnsLab $script:Run.Lab }
    }

    It 'carries a ping from anytun to uanytun and back' {
        if (Skip-WhenMissingPrerequisite 'anytun') { return }
        if (Skip-WhenMissingPrerequisite 'uanytun') { return }
        Assert-PingBothWay $Run
    }
}

Describe 'Interop with anytun, uanytun and the module itself' -Tag 'RequiresRoot', 'Interop' {

    Context 'module and <Peer>: <Config>' -ForEach $Cells {
        BeforeAll {
            $script:Run = $null
            if (@(Get-MissingPrerequisite $Peer).Count -gt 0) { return }
            $script:Run = Start-Cell $Cell
            Wait-TunnelEndpoint $script:Run.Module -TimeoutSeconds 45
            Wait-TunnelEndpoint $script:Run.Peer -TimeoutSeconds 45
            if ($Cell.InnerIPv6) {
                $lab = $script:Run.Lab
                foreach ($side in @(@($lab.NsA, $lab.Inner6A), @($lab.NsB, $lab.Inner6B))) {
                    $out = & ip -n $side[0] addr add "$($side[1])/64" dev satp0 nodad 2>&1
                    if ($LASTEXITCODE -ne 0) { throw "adding $($side[1]) in $($side[0]): $out" }
                }
            }
        }
        AfterAll {
            if ($null -ne $script:Run) { Remove-NetnsLab $script:Run.Lab }
        }

        It 'carries a ping from the <Peer> side to the module side' {
            if (Skip-WhenMissingPrerequisite $Peer) { return }
            # the peer pings first: a module started without -r only learns the peer from its first datagram
            Test-LabPing $Run.Lab.NsB $Run.TargetA | Should -BeTrue -Because (Get-Diagnostic $Run)
        }

        It 'carries a ping from the module side to the <Peer> side' {
            if (Skip-WhenMissingPrerequisite $Peer) { return }
            Test-LabPing $Run.Lab.NsA $Run.TargetB | Should -BeTrue -Because (Get-Diagnostic $Run)
        }

        if ($Roam) {
            It 'keeps carrying traffic after the peer restarts on local port 4555' {
                if (Skip-WhenMissingPrerequisite $Peer) { return }
                $null = Stop-TunnelEndpoint $Run.Peer
                $common = $Run.Common
                $roamArgs = Get-EndpointArgument @common -Side B -Role $Run.PeerRole -LocalPort 4555
                $Run.Peer = Start-TunnelEndpoint -Lab $Run.Lab -Side B -Kind $Peer -Arguments $roamArgs -ModulePath $ModulePath
                Wait-TunnelEndpoint $Run.Peer -TimeoutSeconds 45
                Assert-PingBothWay $Run
                $connection = Get-ModuleConnection $Run.Module
                $connection.RemotePort | Should -Be 4555 -Because 'the module follows the roaming peer'
            }
        }

        if ($Tap) {
            # tap with the offloads on (the default): the kernel hands the module TSO super-frames (Ethernet frames of up
            # to 64 KiB) that it must cut into MTU-sized frames, one SATP datagram each, as the peer expects; frames
            # received in runs (from a module peer) are merged into super-frames for the kernel
            It 'carries a 4 MiB TCP transfer each way, the kernel handing the module super-frames' -Tag 'TapOffloads' {
                if (Skip-WhenMissingPrerequisite $Peer) { return }
                $lab = $Run.Lab
                $framesBefore = Get-LabDeviceCounter -Namespace $lab.NsA -Device satp0 -Counter tx_packets
                Start-Sleep -Milliseconds 400   # one driver refresh period
                $sentBefore = (Get-ModuleConnection $Run.Module).PacketsSent
                $toPeer = Invoke-LabTcpTransfer -ClientNamespace $lab.NsA -ServerNamespace $lab.NsB -Address $lab.InnerB -Bytes 4MB
                $toPeer.Received | Should -Be (4MB) -Because (Get-Diagnostic $Run)
                $toPeer.ReceivedHash | Should -Be $toPeer.SentHash
                $frames = (Get-LabDeviceCounter -Namespace $lab.NsA -Device satp0 -Counter tx_packets) - $framesBefore
                Start-Sleep -Milliseconds 400
                $datagrams = (Get-ModuleConnection $Run.Module).PacketsSent - $sentBefore
                # ~3,100 data frames of 1,400 bytes went out; as super-frames the device handed over far fewer
                $datagrams | Should -BeGreaterThan 3000
                $frames * 2 | Should -BeLessThan $datagrams -Because "the module read $frames frames from satp0 and sent $datagrams datagrams (no super-frames?)"

                $writesBefore = Get-LabDeviceCounter -Namespace $lab.NsA -Device satp0 -Counter rx_packets
                $receivedBefore = (Get-ModuleConnection $Run.Module).PacketsReceived
                $toModule = Invoke-LabTcpTransfer -ClientNamespace $lab.NsB -ServerNamespace $lab.NsA -Address $lab.InnerA -Bytes 4MB
                $toModule.Received | Should -Be (4MB) -Because (Get-Diagnostic $Run)
                $toModule.ReceivedHash | Should -Be $toModule.SentHash
                $writes = (Get-LabDeviceCounter -Namespace $lab.NsA -Device satp0 -Counter rx_packets) - $writesBefore
                Start-Sleep -Milliseconds 400
                $received = (Get-ModuleConnection $Run.Module).PacketsReceived - $receivedBefore
                $received | Should -BeGreaterThan 3000
                if ($Peer -eq 'module') {
                    # a module peer sends with UDP GSO, so runs of datagrams arrive per receive (UDP GRO) and are merged
                    # into super-frames: fewer device writes than datagrams (anytun/uanytun send one datagram per call,
                    # nothing arrives in runs and every frame is written alone)
                    $writes * 2 | Should -BeLessThan $received -Because "the module received $received datagrams and wrote $writes frames to satp0 (no coalescing?)"
                }
                Test-LabPing $lab.NsA $Run.TargetB | Should -BeTrue -Because (Get-Diagnostic $Run)
            }
        }

        It 'counts packets in and out and no bad tags on the module side' {
            if (Skip-WhenMissingPrerequisite $Peer) { return }
            Test-TunnelEndpointAlive $Run.Module | Should -BeTrue -Because (Get-Diagnostic $Run)
            Start-Sleep -Milliseconds 400   # one driver refresh period
            $connection = Get-ModuleConnection $Run.Module
            $connection.PacketsReceived | Should -BeGreaterThan 0
            $connection.PacketsSent | Should -BeGreaterThan 0
            $connection.DropsBadTag | Should -Be 0
        }

        It 'stops cleanly and reports final counters' {
            if (Skip-WhenMissingPrerequisite $Peer) { return }
            $final = @(Stop-TunnelEndpoint $Run.Module -TimeoutSeconds 15)
            $Run.Module.Process.HasExited | Should -BeTrue
            $final | Should -Not -BeNullOrEmpty -Because (Get-Diagnostic $Run)
            $final[0].PacketsReceived | Should -BeGreaterThan 0
        }
    }
}

Describe 'Bad input does not break the module tunnel' -Tag 'RequiresRoot', 'Interop' {

    Context 'wrong passphrase on the anytun side' {
        BeforeAll {
            $script:Run = $null
            if (@(Get-MissingPrerequisite 'anytun').Count -gt 0) { return }
            $script:Run = Start-ModuleWithAnytun -Name 'atit90' -Subnet 90 -ModuleCommon '-E the-right-passphrase' -PeerCommon '-E a-wrong-passphrase'
        }
        AfterAll {
            if ($null -ne $script:Run) { Remove-NetnsLab $script:Run.Lab }
        }

        It 'drops the traffic and counts bad tags' {
            if (Skip-WhenMissingPrerequisite 'anytun') { return }
            Test-LabPing $Run.Lab.NsB $Run.Lab.InnerA -Attempts 1 | Should -BeFalse
            Start-Sleep -Milliseconds 400
            (Get-ModuleConnection $Run.Module).DropsBadTag | Should -BeGreaterThan 0 -Because (Get-Diagnostic $Run)
            (Get-ModuleConnection $Run.Module).PacketsReceived | Should -Be 0
        }

        It 'keeps running and works once the peer uses the right passphrase' {
            if (Skip-WhenMissingPrerequisite 'anytun') { return }
            Test-TunnelEndpointAlive $Run.Module | Should -BeTrue -Because (Get-Diagnostic $Run)
            Restart-AnytunPeer $Run '-E the-right-passphrase'
            Assert-PingBothWay $Run
        }
    }

    Context 'the anytun peer is killed while traffic flows' {
        BeforeAll {
            $script:Run = $null
            if (@(Get-MissingPrerequisite 'anytun').Count -gt 0) { return }
            $script:Run = Start-ModuleWithAnytun -Name 'atit92' -Subnet 92
        }
        AfterAll {
            if ($null -ne $script:Run) { Remove-NetnsLab $script:Run.Lab }
        }

        It 'keeps running while it sends into a dead peer (ICMP port unreachable comes back)' {
            if (Skip-WhenMissingPrerequisite 'anytun') { return }
            Test-LabPing $Run.Lab.NsA $Run.Lab.InnerB | Should -BeTrue -Because (Get-Diagnostic $Run)
            & kill -9 $Run.Peer.Process.Id
            $null = $Run.Peer.Process.WaitForExit(5000)
            $Run.Peer.Stopped = $true
            # the device is gone with the peer; traffic from the module side now hits a closed UDP port
            $null = & ip netns exec $Run.Lab.NsA ping -n -q -c 10 -i 0.1 -W 1 $Run.Lab.InnerB 2>&1
            Start-Sleep -Milliseconds 400
            Test-TunnelEndpointAlive $Run.Module | Should -BeTrue -Because (Get-Diagnostic $Run)
            (Get-ModuleConnection $Run.Module).PacketsSent | Should -BeGreaterThan 3
        }

        It 'carries traffic again once the peer is back' {
            if (Skip-WhenMissingPrerequisite 'anytun') { return }
            Restart-AnytunPeer $Run $Key
            Assert-PingBothWay $Run
        }
    }

    Context 'a flood of random UDP datagrams at the module port' {
        BeforeAll {
            $script:Run = $null
            if (@(Get-MissingPrerequisite 'anytun').Count -gt 0) { return }
            $script:Run = Start-ModuleWithAnytun -Name 'atit91' -Subnet 91
        }
        AfterAll {
            if ($null -ne $script:Run) { Remove-NetnsLab $script:Run.Lab }
        }

        It 'works before the flood' {
            if (Skip-WhenMissingPrerequisite 'anytun') { return }
            Test-LabPing $Run.Lab.NsA $Run.Lab.InnerB | Should -BeTrue -Because (Get-Diagnostic $Run)
        }

        It 'survives 3000 random datagrams and keeps carrying valid traffic' {
            if (Skip-WhenMissingPrerequisite 'anytun') { return }
            Send-LabUdpNoise -Namespace $Run.Lab.NsB -Target $Run.Lab.UnderA -Port 4444 -Count 3000
            Test-TunnelEndpointAlive $Run.Module | Should -BeTrue -Because (Get-Diagnostic $Run)
            Assert-PingBothWay $Run
        }

        It 'counted the garbage as drops, not as traffic, and did not roam to it' {
            if (Skip-WhenMissingPrerequisite 'anytun') { return }
            Start-Sleep -Milliseconds 400
            $connection = Get-ModuleConnection $Run.Module
            $connection.DropsTotal | Should -BeGreaterThan 0 -Because 'every garbage datagram is a counted drop'
            $connection.RemoteAddress | Should -Be $Run.Lab.UnderB -Because 'unauthenticated datagrams never move the peer endpoint'
            $connection.RemotePort | Should -Be 4444
        }
    }
}
