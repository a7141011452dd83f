# Many connections on one tunnel (issue 9), through real tun devices in private network namespaces:
# ONE module server tunnel (no -RemoteAddress; connections added with Add-AnytunConnection), three clients — the real
# anytun, uanytun and a module client — each with its own mux, key, role and route.
#   i9c-s  server (module)      10.209.1.1 / 10.209.2.1 / 10.209.3.1 on three veths; tunnel 192.168.209.1/24
#   i9c-a  anytun client         10.209.1.2, mux 1, passphrase, -e right       192.168.209.11 (+ 10.209.50.11)
#   i9c-u  uanytun client        10.209.2.2, mux 2, passphrase, -e left        192.168.209.12
#   i9c-m  module client         10.209.3.2, mux 3, -K/-A,      -e right       192.168.209.13 (+ 10.209.60.13)
# Needs root, /dev/net/tun, the built module (out/Anytun), anytun and uanytun. Locally a missing prerequisite skips
# naming its package; under CI=true it fails. Run under the machine-wide lock (flock /tmp/anytun-root.lock).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NetnsLab.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/Prerequisites.psm1') -Force
    $script:ModulePath = if ($env:ANYTUN_MODULE_PATH) { $env:ANYTUN_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/Anytun' }
    $script:Missing = @(Get-NetnsLabPrerequisite -Program 'stdbuf', 'anytun', 'uanytun')
    if (-not (Test-Path (Join-Path $script:ModulePath 'Anytun.psd1'))) { $script:Missing += 'out/Anytun (run build.ps1 -Task Build)' }

    $script:Server = 'i9c-s'
    $script:Clients = [ordered] @{
        anytun  = @{ Namespace = 'i9c-a'; Subnet = 1; Mux = 1; Inner = '192.168.209.11'; ClientRole = 'right'; ServerRole = 'Left' }
        uanytun = @{ Namespace = 'i9c-u'; Subnet = 2; Mux = 2; Inner = '192.168.209.12'; ClientRole = 'left'; ServerRole = 'Right' }
        module  = @{ Namespace = 'i9c-m'; Subnet = 3; Mux = 3; Inner = '192.168.209.13'; ClientRole = 'right'; ServerRole = 'Left' }
    }
    $script:Key3 = '00112233445566778899aabbccddeeff'
    $script:Salt3 = '00112233445566778899aabbccdd'

    function script:Skip-WhenMissing {
        if ($script:Missing.Count -eq 0 -and $script:Ready) { return $false }
        $reason = if ($script:Missing.Count -gt 0) { "missing prerequisite: $($script:Missing -join ', ')" } else { "lab setup failed: $script:SetupError" }
        if ($env:CI -eq 'true') { throw $reason }
        Set-ItResult -Skipped -Because $reason
        return $true
    }

    function script:Invoke-Netns([string] $Namespace, [string[]] $Command) {
        $out = & ip netns exec $Namespace @Command 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ip netns exec $Namespace $($Command -join ' ') failed: $out" }
        $out
    }

    function script:Invoke-IpCommand {
        # ip(8) with error checking: a failure in lab setup fails the whole file
        param([Parameter(ValueFromRemainingArguments)] [string[]] $IpArgs)
        $out = & ip @IpArgs 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ip $($IpArgs -join ' ') failed: $out" }
    }

    function script:Remove-I9cNamespace {
        foreach ($ns in @($script:Server) + @($script:Clients.Values | ForEach-Object Namespace)) {
            if (-not ((& ip netns list 2>$null) -match "^$ns(\s|$)")) { continue }
            foreach ($processId in @(& ip netns pids $ns 2>$null)) { if ($processId) { & kill -9 $processId 2>$null } }
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while (@(& ip netns pids $ns 2>$null).Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            & ip netns del $ns 2>$null
        }
    }

    function script:Invoke-ServerCommand {
        # Runs a script block's text inside the module server process (ModuleEndpoint's commands/ directory) and
        # returns its output; its errors fail the caller unless -AllowError. Bounded by -TimeoutSeconds.
        param([string] $Script, [int] $TimeoutSeconds = 15, [switch] $AllowError)
        $script:CommandNumber++
        $directory = Join-Path $script:ServerEndpoint.StateDirectory 'commands'
        $null = New-Item -ItemType Directory -Force $directory
        $file = Join-Path $directory ('{0:d4}.ps1' -f $script:CommandNumber)
        Set-Content -Path "$file.tmp" -Value $Script
        Move-Item "$file.tmp" $file
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (Test-Path "$file.done")) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "timed out after $TimeoutSeconds s waiting for the server to run: $Script`n$(Get-TunnelEndpointLog $script:ServerEndpoint)" }
            if ($script:ServerEndpoint.Process.HasExited) { throw "the server endpoint exited: $(Get-TunnelEndpointLog $script:ServerEndpoint)" }
            Start-Sleep -Milliseconds 50
        }
        $errors = (Get-Content -Raw "$file.err" -ErrorAction SilentlyContinue)
        if ($errors -and $errors.Trim() -and -not $AllowError) { throw "server command failed: $Script`n$errors" }
        [pscustomobject] @{ Output = (Get-Content -Raw "$file.out" -ErrorAction SilentlyContinue); Errors = "$errors".Trim() }
    }

    function script:Get-ServerState {
        # Fresh counters straight from the server process: per connection, and the tunnel's own drops.
        $json = (Invoke-ServerCommand @'
$connections = @(Get-AnytunConnection -TunnelName srv | Select-Object Mux, PacketsReceived, PacketsSent, DropsTotal, DropsBadTag)
$tunnel = Get-AnytunTunnel -Name srv | Select-Object ConnectionCount, RouteCount, DropsNoRoute, DropsWrongMux, TunnelDropsTotal
[pscustomobject] @{ Connections = $connections; Tunnel = $tunnel } | ConvertTo-Json -Depth 4 -Compress
'@).Output
        $json | ConvertFrom-Json
    }

    function script:Get-Connection($State, [int] $Mux) { @($State.Connections | Where-Object Mux -eq $Mux)[0] }

    function script:Test-Ping([string] $From, [string] $To, [int] $Count = 3) { Test-LabPing -Namespace $From -Target $To -Count $Count -Attempts 5 }

    $script:Ready = $false
    $script:SetupError = $null
    $script:CommandNumber = 0
    $script:Endpoints = [System.Collections.Generic.List[object]]::new()
    if ($script:Missing.Count -gt 0) { return }

    try {
        Remove-I9cNamespace
        Invoke-IpCommand netns add $script:Server
        Invoke-IpCommand -n $script:Server link set lo up
        foreach ($client in $script:Clients.Values) {
            $ns = $client.Namespace; $n = $client.Subnet
            Invoke-IpCommand netns add $ns
            Invoke-IpCommand -n $ns link set lo up
            Invoke-IpCommand link add "i9c-s$n" type veth peer name "i9c-c$n"
            Invoke-IpCommand link set "i9c-s$n" netns $script:Server
            Invoke-IpCommand link set "i9c-c$n" netns $ns
            Invoke-IpCommand -n $script:Server addr add "10.209.$n.1/24" dev "i9c-s$n"
            Invoke-IpCommand -n $ns addr add "10.209.$n.2/24" dev "i9c-c$n"
            Invoke-IpCommand -n $script:Server link set "i9c-s$n" up
            Invoke-IpCommand -n $ns link set "i9c-c$n" up
        }

        # The lab objects NetnsLab's endpoint functions expect: side A = the server, side B = one client.
        $stateRoot = Join-Path ([IO.Path]::GetTempPath()) "i9c-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Force $stateRoot
        $script:StateRoot = $stateRoot
        $labFor = @{}
        foreach ($kind in $script:Clients.Keys) {
            $labFor[$kind] = [pscustomobject] @{ NsA = $script:Server; NsB = $script:Clients[$kind].Namespace; StateDir = $stateRoot; Endpoints = $script:Endpoints }
        }

        # The server: the issue's contract, word for word (one connection per client, each with its own key, role, route).
        $setup = Join-Path $stateRoot 'server-setup.ps1'
        Set-Content -Path $setup -Value @"
param([string] `$TunnelName)
`$ErrorActionPreference = 'Stop'
`$k1 = ConvertTo-SecureString i9c-key-one -AsPlainText -Force
`$k2 = ConvertTo-SecureString i9c-key-two -AsPlainText -Force
Add-AnytunConnection -TunnelName `$TunnelName -Mux 1 -Passphrase `$k1 -Role $($script:Clients.anytun.ServerRole) -Route $($script:Clients.anytun.Inner)/32
Add-AnytunConnection -TunnelName `$TunnelName -Mux 2 -Passphrase `$k2 -Role $($script:Clients.uanytun.ServerRole) -Route $($script:Clients.uanytun.Inner)/32
New-AnytunConnection -Mux 3 -Key '$script:Key3' -Salt '$script:Salt3' -Role $($script:Clients.module.ServerRole) -Route $($script:Clients.module.Inner)/32 | Add-AnytunConnection -TunnelName `$TunnelName
"@
        $serverArgs = '-p 4444 -d i9c-tun -t tun -n 192.168.209.1/24 -E i9c-default -e left'
        $script:ServerEndpoint = Start-TunnelEndpoint -Lab $labFor.anytun -Side A -Kind module -Arguments $serverArgs -ModulePath $script:ModulePath -TunnelName srv -Device i9c-tun -SetupScript $setup
        Wait-TunnelEndpoint $script:ServerEndpoint -TimeoutSeconds 60

        $a = $script:Clients.anytun; $u = $script:Clients.uanytun; $m = $script:Clients.module
        $script:AnytunEndpoint = Start-TunnelEndpoint -Lab $labFor.anytun -Side B -Kind anytun -Device i9c-tun `
            -Arguments "-i 10.209.1.2 -p 4444 -r 10.209.1.1 -o 4444 -m $($a.Mux) -E i9c-key-one -e $($a.ClientRole) -d i9c-tun -t tun -n $($a.Inner)/24"
        $script:UanytunEndpoint = Start-TunnelEndpoint -Lab $labFor.uanytun -Side B -Kind uanytun -Device i9c-tun `
            -Arguments "-i 10.209.2.2 -p 4444 -r 10.209.2.1 -o 4444 -m $($u.Mux) -E i9c-key-two -e $($u.ClientRole) -d i9c-tun -t tun -n $($u.Inner)/24"
        $script:ModuleEndpoint = Start-TunnelEndpoint -Lab $labFor.module -Side B -Kind module -Device i9c-tun -ModulePath $script:ModulePath -TunnelName client `
            -Arguments "-i 10.209.3.2 -p 4444 -r 10.209.3.1 -o 4444 -m $($m.Mux) -K $script:Key3 -A $script:Salt3 -e $($m.ClientRole) -d i9c-tun -t tun -n $($m.Inner)/24"
        # Readiness = the socket is bound (the log says so), not merely that the device exists.
        Wait-TunnelEndpoint $script:AnytunEndpoint -ReadyPattern 'opening socket' -TimeoutSeconds 30
        Wait-TunnelEndpoint $script:UanytunEndpoint -ReadyPattern 'listening on' -TimeoutSeconds 30
        Wait-TunnelEndpoint $script:ModuleEndpoint -TimeoutSeconds 60
        $script:Ready = $true
    }
    catch {
        $script:SetupError = "$_"
        if ($env:CI -eq 'true') { throw }
    }
}

AfterAll {
    foreach ($endpoint in @($script:Endpoints)) {
        try { $null = Stop-TunnelEndpoint $endpoint -TimeoutSeconds 10 } catch { Write-Warning "stopping $($endpoint.Label): $_" }
    }
    if ($script:Missing.Count -eq 0) { Remove-I9cNamespace }
    if ($script:StateRoot -and (Test-Path $script:StateRoot)) { Remove-Item -Recurse -Force $script:StateRoot -ErrorAction SilentlyContinue }
}

Describe 'One module server, clients anytun / uanytun / module on their own mux, key, role and route' -Tag 'RequiresRoot', 'Interop' {
    It 'has the three connections and their routes on the server' {
        if (Skip-WhenMissing) { return }
        $state = Get-ServerState
        @($state.Connections.Mux | Sort-Object) | Should -Be @(1, 2, 3)
        $state.Tunnel.ConnectionCount | Should -Be 3
        $state.Tunnel.RouteCount | Should -Be 3
        $routes = (Invoke-ServerCommand 'Get-AnytunRoute -TunnelName srv | ForEach-Object { "$($_.DestinationPrefix)=$($_.Mux)" }').Output
        foreach ($client in $script:Clients.Values) { $routes | Should -Match ([regex]::Escape("$($client.Inner)/32=$($client.Mux)")) }
    }

    It '<_> client pings the server' -ForEach @('anytun', 'uanytun', 'module') {
        if (Skip-WhenMissing) { return }
        $client = $script:Clients[$_]
        Test-Ping -From $client.Namespace -To '192.168.209.1' | Should -BeTrue -Because "the $_ client (mux $($client.Mux)) must reach the server"
    }

    It 'the server pings the <_> client, and only its connection carries the packets' -ForEach @('anytun', 'uanytun', 'module') {
        if (Skip-WhenMissing) { return }
        $client = $script:Clients[$_]
        $null = Test-Ping -From $script:Server -To $client.Inner -Count 1   # first contact (ARP-free tun, but the peer may still be learning)
        $before = Get-ServerState
        $out = & ip netns exec $script:Server ping -n -q -c 5 -i 0.2 -W 2 $client.Inner 2>&1
        $out -join "`n" | Should -Match ' 5 received' -Because "the server must reach the $_ client: $out"
        $after = Get-ServerState
        foreach ($other in $script:Clients.Values) {
            $sent = (Get-Connection $after $other.Mux).PacketsSent - (Get-Connection $before $other.Mux).PacketsSent
            $received = (Get-Connection $after $other.Mux).PacketsReceived - (Get-Connection $before $other.Mux).PacketsReceived
            if ($other.Mux -eq $client.Mux) {
                $sent | Should -BeGreaterOrEqual 5 -Because "5 echo requests left through connection $($other.Mux)"
                $received | Should -BeGreaterOrEqual 5 -Because "5 echo replies came back through connection $($other.Mux)"
            }
            else {
                $sent | Should -Be 0 -Because "nothing routed to connection $($other.Mux) while pinging $($client.Inner)"
            }
        }
        foreach ($connection in $after.Connections) { $connection.DropsBadTag | Should -Be 0 -Because "connection $($connection.Mux) has its own key" }
    }
}

Describe 'Routes changed at run time' -Tag 'RequiresRoot', 'Interop' {
    BeforeAll {
        if ($script:Ready) {
            # Addresses behind two clients; the server's kernel sends 10.209.48.0/20 into the tunnel device whatever the
            # tunnel's own routes say, so a removed tunnel route shows as NoRoute drops rather than as a local error.
            $null = Invoke-Netns $script:Clients.anytun.Namespace @('ip', 'addr', 'add', '10.209.50.11/32', 'dev', 'i9c-tun')
            $null = Invoke-Netns $script:Clients.module.Namespace @('ip', 'addr', 'add', '10.209.60.13/32', 'dev', 'i9c-tun')
            $null = Invoke-Netns $script:Server @('ip', 'route', 'add', '10.209.48.0/21', 'dev', 'i9c-tun')
        }
    }

    It 'a route added with Add-AnytunRoute installs its kernel route and delivers at once; removing it takes both away' {
        if (Skip-WhenMissing) { return }
        $null = Invoke-ServerCommand 'Add-AnytunRoute -TunnelName srv -Mux 3 -DestinationPrefix 10.209.60.0/24'
        (Invoke-Netns $script:Server @('ip', 'route', 'show', '10.209.60.0/24')) -join ' ' | Should -Match 'dev i9c-tun'
        Test-Ping -From $script:Server -To '10.209.60.13' | Should -BeTrue -Because 'the new route points at the module client'
        $null = Invoke-ServerCommand 'Remove-AnytunRoute -TunnelName srv -DestinationPrefix 10.209.60.0/24 -Confirm:$false'
        (Invoke-Netns $script:Server @('ip', 'route', 'show', '10.209.60.0/24')) -join ' ' | Should -BeNullOrEmpty -Because 'the module removes the kernel route it added'
    }

    It 'removing and re-adding a route changes delivery at once (NoRoute drops) while a continuous ping of another client loses nothing' {
        if (Skip-WhenMissing) { return }
        $null = Invoke-ServerCommand 'Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.209.50.0/24 -NoKernelRoute'
        Test-Ping -From $script:Server -To '10.209.50.11' | Should -BeTrue -Because '10.209.50.0/24 now goes to the anytun client'

        # 120 pings of the uanytun client, 50 ms apart (~6 s), across both changes
        $log = Join-Path $script:StateRoot 'continuous-ping.log'
        $pinger = Start-Process -FilePath ip -ArgumentList @('netns', 'exec', $script:Server, 'ping', '-n', '-q', '-c', '120', '-i', '0.05', '-W', '2', $script:Clients.uanytun.Inner) `
            -RedirectStandardOutput $log -PassThru
        try {
            Start-Sleep -Milliseconds 500
            $before = Get-ServerState
            $null = Invoke-ServerCommand 'Remove-AnytunRoute -TunnelName srv -DestinationPrefix 10.209.50.0/24 -Confirm:$false'
            $out = & ip netns exec $script:Server ping -n -q -c 5 -i 0.2 -W 1 10.209.50.11 2>&1
            ($out -join "`n") | Should -Match ' 0 received' -Because "a removed route stops matching at once: $out"
            $after = Get-ServerState
            ($after.Tunnel.DropsNoRoute - $before.Tunnel.DropsNoRoute) | Should -BeGreaterOrEqual 5 -Because 'pings to the removed prefix are NoRoute drops on the tunnel'
            $null = Invoke-ServerCommand 'Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.209.50.0/24 -NoKernelRoute'
            Test-Ping -From $script:Server -To '10.209.50.11' | Should -BeTrue -Because 'the re-added route delivers at once'
        }
        finally {
            if (-not $pinger.WaitForExit(30000)) { $pinger.Kill($true); throw 'timed out after 30 s waiting for the continuous ping to finish' }
        }
        $summary = Get-Content -Raw $log
        $summary | Should -Match '120 packets transmitted, 120 received' -Because "the uanytun client's traffic must not be disturbed: $summary"
    }

    It 'Get-AnytunTunnel on the server counts tunnel-level drops, not charged to a connection' {
        if (Skip-WhenMissing) { return }
        $state = Get-ServerState
        $state.Tunnel.DropsNoRoute | Should -BeGreaterOrEqual 5
        $state.Tunnel.TunnelDropsTotal | Should -BeGreaterOrEqual $state.Tunnel.DropsNoRoute
    }

    It 'Remove-AnytunConnection from the pipeline stops delivery to that client only' {
        if (Skip-WhenMissing) { return }
        $null = Invoke-ServerCommand 'Get-AnytunConnection -TunnelName srv -Mux 3 | Remove-AnytunConnection -Confirm:$false'
        $state = Get-ServerState
        @($state.Connections.Mux | Sort-Object) | Should -Be @(1, 2)
        $out = & ip netns exec $script:Server ping -n -q -c 3 -i 0.2 -W 1 $script:Clients.module.Inner 2>&1
        ($out -join "`n") | Should -Match ' 0 received'
        Test-Ping -From $script:Server -To $script:Clients.anytun.Inner | Should -BeTrue
        Test-Ping -From $script:Server -To $script:Clients.uanytun.Inner | Should -BeTrue
    }
}
