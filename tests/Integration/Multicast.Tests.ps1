# Multicast remote endpoints (spec dataplane §12.4) between two namespaces on one veth: a sender whose remote is the
# group 239.1.2.3, a receiver that joins it. The module adds -MulticastTtl, -MulticastInterface and
# -JoinMulticastGroup (anytun sets no multicast option and never joins). Namespaces i10xm*/i10xn*, underlay
# 10.200.21x.0/24, inside the tunnel 192.168.21x.0/24. Needs root; missing prerequisites skip (fail under CI=true).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NetnsLab.psm1') -Force
    $script:ModulePath = if ($env:ANYTUN_MODULE_PATH) { $env:ANYTUN_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/Anytun' }
    $script:Group = '239.1.2.3'
    $script:KeyHex = '0123456789abcdef0123456789abcdef'
    $script:SaltHex = '0123456789abcdef0123456789ab'

    function Skip-WhenMissing {
        param([string[]] $Program)
        $missing = @(Get-NetnsLabPrerequisite -Program $Program)
        if (-not (Test-Path (Join-Path $script:ModulePath 'Anytun.psd1'))) { $missing += 'out/Anytun (run build.ps1 -Task Build)' }
        if ($missing.Count -eq 0) { return $false }
        $reason = "missing prerequisite: $($missing -join ', ')"
        if ($env:CI -eq 'true') { throw $reason }
        Set-ItResult -Skipped -Because $reason
        return $true
    }

    function Get-Diagnostic {
        param($Lab)
        $lines = foreach ($endpoint in $Lab.Endpoints) { "--- $($endpoint.Label): $($endpoint.Arguments)"; Get-TunnelEndpointLog $endpoint -Tail 40 }
        $lines -join [Environment]::NewLine
    }

    function Get-LearnedRemote {
        # the endpoint's first connection's remote address; its counters file is refreshed every 250 ms
        param($Endpoint, [string] $Expected)
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        do {
            $remote = (@(Get-TunnelEndpointCounter $Endpoint) | Select-Object -First 1).RemoteAddress
            if ($remote -eq $Expected) { break }
            Start-Sleep -Milliseconds 100
        } while ([DateTime]::UtcNow -lt $deadline)
        $remote
    }

    function Get-ReceiverParameters {
        # a module receiver: wildcard socket (no -LocalAddress), no remote, joined to the group on its veth
        param($Lab)
        @{ LocalPort = 4444; DeviceName = 'satp0'; DeviceType = 'Tun'; InterfaceAddress = "$($Lab.InnerB)/24"; Role = 'Right'
            Key = $script:KeyHex; Salt = $script:SaltHex; JoinMulticastGroup = @($script:Group); MulticastInterface = $Lab.VethB }
    }
}

Describe 'module to module with a multicast remote' -Tag 'RequiresRoot', 'Interop' {
    BeforeAll {
        $script:Lab = $null
        if (@(Get-NetnsLabPrerequisite -Program 'tcpdump').Count -gt 0) { return }
        $script:Lab = New-NetnsLab -Name 'i10xm' -Subnet 212
        # The capture starts before the tunnels: once the tun devices are up the kernel sends IPv6 link-local traffic
        # (router solicitation, MLD) through them, the receiver answers it and the sender follows the receiver to
        # unicast, all within a second or two. The first datagram to the group, whatever carries it, is the one to see.
        $script:Capture = Join-Path $Lab.StateDir 'group.txt'
        $script:Tcpdump = & (Get-Module NetnsLab) { param($n, $a, $l) Start-LabProcess -Namespace $n -Argv $a -LogFile $l } $Lab.NsB @(
            'timeout', '90', 'tcpdump', '-n', '-v', '-l', '-c', '1', '-i', $Lab.VethB, "udp and dst host $Group") $Capture
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while (-not ((Test-Path $Capture) -and (Get-Content -Raw $Capture) -match 'listening on')) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "tcpdump on $($Lab.VethB) did not say 'listening on' within 15 s: $(Get-Content -Raw $Capture -ErrorAction Ignore)" }
            Start-Sleep -Milliseconds 100
        }
        # The sender has no -LocalAddress and the namespace no multicast route: only -MulticastInterface says where
        # group datagrams leave (anytun would fail to send them, silently).
        $senderParameters = @{ LocalPort = 4444; RemoteAddress = $Group; RemotePort = 4444; DeviceName = 'satp0'; DeviceType = 'Tun'
            InterfaceAddress = "$($Lab.InnerA)/24"; Role = 'Left'; Key = $KeyHex; Salt = $SaltHex
            MulticastInterface = $Lab.VethA; MulticastTtl = 3 }
        $script:Sender = Start-TunnelEndpoint -Lab $Lab -Side A -Kind module -Arguments 'multicast sender' -Parameters $senderParameters -ModulePath $ModulePath
        $script:Receiver = Start-TunnelEndpoint -Lab $Lab -Side B -Kind module -Arguments 'multicast receiver' -Parameters (Get-ReceiverParameters $Lab) -ModulePath $ModulePath
        Wait-TunnelEndpoint $Sender -TimeoutSeconds 45
        Wait-TunnelEndpoint $Receiver -TimeoutSeconds 45
    }

    AfterAll {
        Remove-NetnsLab $script:Lab
    }

    It 'sends to the group with the hop limit given, out of the interface given' {
        if (Skip-WhenMissing -Program 'tcpdump') { return }
        # a ping in case the kernel has sent nothing yet: until the receiver answers, the sender sends to the group
        $null = & ip netns exec $Lab.NsA ping -n -q -c 1 -W 1 $Lab.InnerB 2>&1
        $Tcpdump.WaitForExit(20000) | Should -BeTrue -Because 'tcpdump sees one datagram to the group within 20 s of the ping'
        $text = Get-Content -Raw $Capture
        $text | Should -Match "ttl 3\b" -Because $text
        $text | Should -Match "$([regex]::Escape($Lab.UnderA))\.4444 > $([regex]::Escape($Group))\.4444" -Because $text
    }

    It 'reaches the joined receiver, which answers by unicast (anytun semantics: the sender then follows it)' {
        if (Skip-WhenMissing -Program 'tcpdump') { return }
        Test-LabPing $Lab.NsA $Lab.InnerB | Should -BeTrue -Because (Get-Diagnostic $Lab)
        Get-LearnedRemote $Receiver $Lab.UnderA | Should -Be $Lab.UnderA
        Get-LearnedRemote $Sender $Lab.UnderB | Should -Be $Lab.UnderB -Because 'the sender roams to the receiver that answered, as anytun does'
    }
}

Describe 'real anytun sending to a group the module joined' -Tag 'RequiresRoot', 'Interop' {
    BeforeAll {
        $script:Lab = $null
        if (@(Get-NetnsLabPrerequisite -Program 'anytun').Count -gt 0) { return }
        $script:Lab = New-NetnsLab -Name 'i10xn' -Subnet 213
        # the multicast vector's sender: anytun -i <unicast> -r 239.1.2.3 (leaves through -i's interface, TTL 1)
        $arguments = "-i $($Lab.UnderA) -p 4444 -r $Group -o 4444 -d satp0 -t tun -n $($Lab.InnerA)/24 -e left -K $KeyHex -A $SaltHex"
        $script:Sender = Start-TunnelEndpoint -Lab $Lab -Side A -Kind anytun -Arguments $arguments
        $script:Receiver = Start-TunnelEndpoint -Lab $Lab -Side B -Kind module -Arguments 'multicast receiver' -Parameters (Get-ReceiverParameters $Lab) -ModulePath $ModulePath
        Wait-TunnelEndpoint $Sender -TimeoutSeconds 30
        Wait-TunnelEndpoint $Receiver -TimeoutSeconds 45
    }

    AfterAll {
        Remove-NetnsLab $script:Lab
    }

    It 'carries pings from anytun through the group to the module and back (cell anytun -r group / module -JoinMulticastGroup)' {
        if (Skip-WhenMissing -Program 'anytun') { return }
        Test-LabPing $Lab.NsA $Lab.InnerB | Should -BeTrue -Because (Get-Diagnostic $Lab)
        Get-LearnedRemote $Receiver $Lab.UnderA | Should -Be $Lab.UnderA
        (Get-TunnelEndpointLog $Sender) | Should -Match "autodetected remote host ip changed $([regex]::Escape($Lab.UnderB)):4444"
    }
}
