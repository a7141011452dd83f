# NetnsLab: two private network namespaces joined by a veth pair, and tunnel endpoints running inside them.
# Used by the interop tests, the demo and the tunnel benchmark wrapper. Linux + root + iproute2 only.
# Every wait is bounded; Remove-NetnsLab kills whatever still runs in the namespaces and deletes them.

Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:DriverScript = Join-Path $PSScriptRoot 'ModuleEndpoint.ps1'
Import-Module (Join-Path $script:RepoRoot 'build/Prerequisites.psm1')

function Get-NetnsLabPrerequisite {
    <#
    Returns what a lab needs and lacks, as readable strings (empty = all present): root, /dev/net/tun, dotnet, and
    ip, ping, kill, setsid plus -Program, each with its Debian package (build/prerequisites.json).
    #>
    [CmdletBinding()]
    param([string[]] $Program = @())
    $missing = [System.Collections.Generic.List[string]]::new()
    foreach ($problem in @(Get-AnytunEnvironmentProblem -HostState (Get-AnytunHostState))) { $missing.Add($problem) }
    if (-not $IsLinux) { return $missing }
    foreach ($entry in @(Get-AnytunMissingPrerequisite -Program (@('ip', 'ping', 'kill', 'setsid') + $Program))) {
        $missing.Add((Format-AnytunPrerequisite $entry))
    }
    return $missing
}

function Get-PeerProgramPath {
    # anytun / uanytun as found on PATH (the prerequisite check looks there too); the Debian location otherwise
    param([string] $Name)
    $path = Find-AnytunProgram -Name $Name
    if ($path) { return $path }
    return "/usr/sbin/$Name"
}

function Invoke-Ip {
    # ip(8) with error checking; iproute2 failures in lab setup are fatal for the test group.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $IpArgs)
    $out = & ip @IpArgs 2>&1
    if ($LASTEXITCODE -ne 0) { throw "ip $($IpArgs -join ' ') failed: $out" }
}

function New-NetnsLab {
    <#
    Creates namespaces <Name>a and <Name>b, a veth pair <Name>va/<Name>vb, underlay addresses
    10.200.<Subnet>.1/.2 (/24) and fd00:<Subnet>::1/::2 (/64, no DAD). Inner (tunnel) addresses for the
    endpoints are 192.168.<Subnet>.1/.2 (/24), and fd01:<Subnet>::1/::2 (/64) for tests that add IPv6 inside. Returns a lab object; pass it to Remove-NetnsLab in a finally/AfterAll.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [ValidatePattern('^[a-z][a-z0-9]{1,10}$')] [string] $Name,
        [Parameter(Mandatory)] [ValidateRange(1, 254)] [int] $Subnet
    )
    $stateDir = Join-Path ([IO.Path]::GetTempPath()) "netnslab-$Name-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Force $stateDir
    $lab = [pscustomobject] @{
        Name = $Name; NsA = "${Name}a"; NsB = "${Name}b"; VethA = "${Name}va"; VethB = "${Name}vb"
        UnderA = "10.200.$Subnet.1"; UnderB = "10.200.$Subnet.2"
        Under6A = "fd00:$Subnet::1"; Under6B = "fd00:$Subnet::2"
        InnerA = "192.168.$Subnet.1"; InnerB = "192.168.$Subnet.2"; InnerPrefix = 24
        Inner6A = "fd01:$Subnet::1"; Inner6B = "fd01:$Subnet::2"
        StateDir = $stateDir
        Endpoints = [System.Collections.Generic.List[object]]::new()
    }
    # a leftover from an aborted earlier run would make `ip netns add` fail
    foreach ($ns in $lab.NsA, $lab.NsB) { Remove-Namespace $ns }
    $null = & ip link del $lab.VethA 2>&1   # a veth left in the root namespace by a setup that died half-way
    try {
        Invoke-Ip netns add $lab.NsA
        Invoke-Ip netns add $lab.NsB
        Invoke-Ip link add $lab.VethA type veth peer name $lab.VethB
        Invoke-Ip link set $lab.VethA netns $lab.NsA
        Invoke-Ip link set $lab.VethB netns $lab.NsB
        Invoke-Ip -n $lab.NsA addr add "$($lab.UnderA)/24" dev $lab.VethA
        Invoke-Ip -n $lab.NsB addr add "$($lab.UnderB)/24" dev $lab.VethB
        Invoke-Ip -n $lab.NsA addr add "$($lab.Under6A)/64" dev $lab.VethA nodad
        Invoke-Ip -n $lab.NsB addr add "$($lab.Under6B)/64" dev $lab.VethB nodad
        foreach ($side in @(@($lab.NsA, $lab.VethA), @($lab.NsB, $lab.VethB))) {
            Invoke-Ip -n $side[0] link set lo up
            Invoke-Ip -n $side[0] link set $side[1] up
        }
    }
    catch {
        Remove-NetnsLab $lab
        throw
    }
    return $lab
}

function Remove-Namespace {
    param([string] $Namespace)
    $exists = (& ip netns list 2>$null) -match "^$([regex]::Escape($Namespace))(\s|$)"
    if (-not $exists) { return }
    # everything still running inside our namespace was started by us
    foreach ($processId in @(& ip netns pids $Namespace 2>$null)) {
        if ($processId) { & kill -9 $processId 2>$null }
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(5)
    while (@(& ip netns pids $Namespace 2>$null).Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
    & ip netns del $Namespace 2>$null
}

function Remove-NetnsLab {
    <# Stops every endpoint (gracefully first), kills what is left in the namespaces, deletes them. Never throws. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [AllowNull()] $Lab, [switch] $KeepState)
    if ($null -eq $Lab) { return }
    foreach ($endpoint in @($Lab.Endpoints)) {
        try { $null = Stop-TunnelEndpoint $endpoint -TimeoutSeconds 5 } catch { Write-Warning "stopping $($endpoint.Label): $_" }
    }
    foreach ($ns in $Lab.NsA, $Lab.NsB) {
        try { Remove-Namespace $ns } catch { Write-Warning "removing namespace ${ns}: $_" }
    }
    if (-not $KeepState -and (Test-Path $Lab.StateDir)) { Remove-Item -Recurse -Force $Lab.StateDir -ErrorAction SilentlyContinue }
}

function Start-LabProcess {
    # Starts argv inside a namespace in its own process group (setsid), stdout+stderr to $LogFile.
    param([string] $Namespace, [string[]] $Argv, [string] $LogFile, [string] $WorkingDirectory = $script:RepoRoot)
    $psi = [System.Diagnostics.ProcessStartInfo]::new('bash')
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $WorkingDirectory
    foreach ($a in @('-c', 'log=$1; shift; exec setsid "$@" >>"$log" 2>&1 </dev/null', 'bash', $LogFile, 'ip', 'netns', 'exec', $Namespace) + $Argv) {
        $psi.ArgumentList.Add($a)
    }
    return [System.Diagnostics.Process]::Start($psi)
}

function Get-EndpointArgument {
    <#
    Builds an anytun command line for one side of a lab. Side A is left, side B is right unless -Role says otherwise.
    -Common carries the crypto/device options shared by both sides (e.g. '-K ... -A ...', '-c null -a null').
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [ValidateSet('A', 'B')] [string] $Side,
        [string] $Common = '',
        [string] $Role,
        [int] $LocalPort = 4444,
        [int] $RemotePort = 4444,
        [switch] $NoRemote,
        [switch] $IPv6,
        [string] $Device = 'satp0',
        [ValidateSet('tun', 'tap')] [string] $DeviceType = 'tun'
    )
    $local = if ($Side -eq 'A') { if ($IPv6) { $Lab.Under6A } else { $Lab.UnderA } } else { if ($IPv6) { $Lab.Under6B } else { $Lab.UnderB } }
    $remote = if ($Side -eq 'A') { if ($IPv6) { $Lab.Under6B } else { $Lab.UnderB } } else { if ($IPv6) { $Lab.Under6A } else { $Lab.UnderA } }
    $inner = if ($Side -eq 'A') { $Lab.InnerA } else { $Lab.InnerB }
    if (-not $Role) { $Role = if ($Side -eq 'A') { 'left' } else { 'right' } }
    $parts = @("-i $local -p $LocalPort")
    if (-not $NoRemote) { $parts += "-r $remote -o $RemotePort" }
    $parts += "-d $Device -t $DeviceType -n $inner/$($Lab.InnerPrefix) -e $Role"
    if ($Common) { $parts += $Common }
    return ($parts -join ' ')
}

function Start-TunnelEndpoint {
    <#
    Starts one tunnel endpoint in the lab namespace of -Side:
      -Kind anytun   /usr/sbin/anytun -D -L stdout:5 <args>
      -Kind uanytun  stdbuf -oL /usr/sbin/uanytun -D -L stdout:5 <args>  (stdout is block-buffered otherwise)
      -Kind module   dotnet pwsh ModuleEndpoint.ps1 (imports out/Anytun, ConvertFrom-AnytunCommandLine | Start-AnytunTunnel)
    Returns the endpoint object; call Wait-TunnelEndpoint next.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [ValidateSet('A', 'B')] [string] $Side,
        [Parameter(Mandatory)] [ValidateSet('module', 'anytun', 'uanytun')] [string] $Kind,
        [Parameter(Mandatory)] [string] $Arguments,
        [string] $ModulePath = (Join-Path $script:RepoRoot 'out/Anytun'),
        [string] $Device = 'satp0',
        # module only: the tunnel's name (Get-AnytunTunnel / Get-AnytunConnection)
        [string] $TunnelName = 'endpoint',
        # module only: a script the endpoint runs once its tunnel is Running, before it reports ready
        [string] $SetupScript,
        # module only: parameters for New-AnytunTunnel instead of -Arguments (options anytun has no flag for)
        [hashtable] $Parameters
    )
    $ns = if ($Side -eq 'A') { $Lab.NsA } else { $Lab.NsB }
    $label = "$Kind-$Side-$($Lab.Endpoints.Count)"
    $stateDir = Join-Path $Lab.StateDir $label
    $null = New-Item -ItemType Directory -Force $stateDir
    $log = Join-Path $stateDir 'output.log'
    $tokens = @($Arguments -split '\s+' | Where-Object { $_ })
    $argv = switch ($Kind) {
        'anytun' { @((Get-PeerProgramPath anytun), '-D', '-L', 'stdout:5') + $tokens }
        'uanytun' { @('stdbuf', '-oL', (Get-PeerProgramPath uanytun), '-D', '-L', 'stdout:5') + $tokens }
        # The command line goes through a file: pwsh -File would read a value starting with '-' as a parameter name.
        # A small bash parent turns SIGTERM/SIGINT into the driver's stop file, so `kill <pid>` stops the end
        # gracefully (a bare pwsh dies at once on SIGTERM, and the tool's pwsh is a shim around the real process).
        'module' { @('bash', '-c', 'trap ''touch "$0"'' TERM INT; "$@" & child=$!; wait $child; wait $child', (Join-Path $stateDir 'stop'),
                'dotnet', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $script:DriverScript,
                '-ModulePath', $ModulePath, '-StateDirectory', $stateDir, '-Name', $TunnelName) + $(if ($SetupScript) { @('-SetupScript', $SetupScript) } else { @() }) }
    }
    Set-Content -Path (Join-Path $stateDir 'commandline.txt') -Value $Arguments
    if ($Parameters) { ConvertTo-Json -InputObject $Parameters | Set-Content -Path (Join-Path $stateDir 'parameters.json') }
    $process = Start-LabProcess -Namespace $ns -Argv $argv -LogFile $log
    $endpoint = [pscustomobject] @{
        Label = $label; Kind = $Kind; Side = $Side; Namespace = $ns; Device = $Device; Arguments = $Arguments
        Process = $process; StateDirectory = $stateDir; LogFile = $log
        ReadyFile = Join-Path $stateDir 'ready'; StopFile = Join-Path $stateDir 'stop'
        CountersFile = Join-Path $stateDir 'counters.json'; FinalCountersFile = Join-Path $stateDir 'final.json'
        FinalTableFile = Join-Path $stateDir 'final.txt'
        ErrorFile = Join-Path $stateDir 'error.txt'
        Stopped = $false; FinalCounters = $null
    }
    $Lab.Endpoints.Add($endpoint)
    return $endpoint
}

function Get-TunnelEndpointLog {
    param([Parameter(Mandatory)] $Endpoint, [int] $Tail = 40)
    $text = @()
    if (Test-Path $Endpoint.LogFile) { $text += Get-Content $Endpoint.LogFile -Tail $Tail }
    if (Test-Path $Endpoint.ErrorFile) { $text += Get-Content $Endpoint.ErrorFile }
    return ($text -join [Environment]::NewLine)
}

function Wait-TunnelEndpoint {
    <#
    Waits until the endpoint is up: module = ready file; anytun/uanytun = device exists, or with -ReadyPattern a log
    line matching it (e.g. 'opening socket': the socket is bound, which the device's existence does not say).
    Throws with the log on timeout.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Endpoint, [int] $TimeoutSeconds = 30, [string] $ReadyPattern)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($Endpoint.Kind -eq 'module') {
            if (Test-Path $Endpoint.ReadyFile) { return }
            if (Test-Path $Endpoint.ErrorFile) { break }
        }
        elseif ($ReadyPattern) {
            if ((Test-Path $Endpoint.LogFile) -and (Select-String -Path $Endpoint.LogFile -Pattern $ReadyPattern -Quiet)) { return }
        }
        else {
            $null = & ip -n $Endpoint.Namespace link show dev $Endpoint.Device 2>&1
            if ($LASTEXITCODE -eq 0) { return }
        }
        if ($Endpoint.Process.HasExited) { break }
        Start-Sleep -Milliseconds 100
    }
    $what = if ($Endpoint.Kind -eq 'module') { 'its ready file' } elseif ($ReadyPattern) { "a log line matching '$ReadyPattern'" } else { "device $($Endpoint.Device)" }
    throw "endpoint $($Endpoint.Label) did not come up within $TimeoutSeconds s (waited for $what): $(Get-TunnelEndpointLog $Endpoint)"
}

function Stop-TunnelEndpoint {
    <#
    Module: writes the stop file, waits for the final counters, then the process exit. anytun/uanytun: SIGTERM.
    Anything still alive after the timeout is killed with its process group. Returns the final counters (module) or $null.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Endpoint, [int] $TimeoutSeconds = 10)
    if ($Endpoint.Stopped) { return $Endpoint.FinalCounters }
    $Endpoint.Stopped = $true
    $process = $Endpoint.Process
    if ($Endpoint.Kind -eq 'module') {
        Set-Content -Path $Endpoint.StopFile -Value 'stop'
    }
    elseif (-not $process.HasExited) {
        & kill -TERM $process.Id 2>$null
    }
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        & kill -9 -- "-$($process.Id)" 2>$null
        $null = $process.WaitForExit(2000)
    }
    if ($Endpoint.Kind -eq 'module' -and (Test-Path $Endpoint.FinalCountersFile)) {
        $Endpoint.FinalCounters = @(Get-Content -Raw $Endpoint.FinalCountersFile | ConvertFrom-Json)
    }
    return $Endpoint.FinalCounters
}

function Get-TunnelEndpointCounter {
    <# The module endpoint's latest Get-AnytunConnection snapshot (refreshed by the driver every 250 ms). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Endpoint)
    if ($Endpoint.FinalCounters) { return $Endpoint.FinalCounters }
    if (-not (Test-Path $Endpoint.CountersFile)) { return @() }
    for ($i = 0; $i -lt 5; $i++) {
        try { return @(Get-Content -Raw $Endpoint.CountersFile | ConvertFrom-Json) } catch { Start-Sleep -Milliseconds 50 }
    }
    return @()
}

function Test-TunnelEndpointAlive {
    param([Parameter(Mandatory)] $Endpoint)
    return -not $Endpoint.Process.HasExited
}

function Test-LabPing {
    <#
    ping -c <Count> -W 1 from a namespace; retried up to -Attempts times (the first packets may be lost to ARP,
    neighbour discovery or endpoint learning). True when one attempt got every reply.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string] $Target,
        [int] $Count = 3,
        [int] $Attempts = 4
    )
    for ($i = 0; $i -lt $Attempts; $i++) {
        $out = & ip netns exec $Namespace ping -n -q -c $Count -i 0.2 -W 1 $Target 2>&1
        if ($LASTEXITCODE -eq 0 -and ($out -match " $Count received")) { return $true }
    }
    return $false
}

function Invoke-LabTcpTransfer {
    <#
    Sends -Bytes over one TCP connection from -ClientNamespace to -Address:-Port in -ServerNamespace (both ends are
    LabTcpTransfer.ps1 in a child pwsh, so nothing beyond the .NET tool is needed). Returns Sent, Received, SentHash,
    ReceivedHash; throws with both logs when an end fails or -TimeoutSeconds pass.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $ClientNamespace,
        [Parameter(Mandatory)] [string] $ServerNamespace,
        [Parameter(Mandatory)] [string] $Address,
        [int] $Port = 5301,
        [long] $Bytes = 4MB,
        [int] $TimeoutSeconds = 60
    )
    $script = Join-Path $PSScriptRoot 'LabTcpTransfer.ps1'
    $name = "netnslab-tcp-$([guid]::NewGuid().ToString('n'))"
    $serverLog = Join-Path ([IO.Path]::GetTempPath()) "$name-server.log"
    $clientLog = Join-Path ([IO.Path]::GetTempPath()) "$name-client.log"
    $common = @('-Address', $Address, '-Port', $Port, '-TimeoutSeconds', $TimeoutSeconds)
    $pwsh = @('dotnet', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $script)
    $logs = { "server: $(Get-Content -Raw $serverLog -ErrorAction SilentlyContinue) client: $(Get-Content -Raw $clientLog -ErrorAction SilentlyContinue)" }
    $server = $null
    $client = $null
    try {
        $server = Start-LabProcess -Namespace $ServerNamespace -LogFile $serverLog -Argv ($pwsh + @('-Mode', 'Listen') + $common)
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not ((Test-Path $serverLog) -and (Select-String -Path $serverLog -Pattern '^LISTENING' -Quiet))) {
            if ($server.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "the TCP listener on ${Address}:$Port did not start within 30 s: $(& $logs)" }
            Start-Sleep -Milliseconds 100
        }
        $client = Start-LabProcess -Namespace $ClientNamespace -LogFile $clientLog -Argv ($pwsh + @('-Mode', 'Send', '-Bytes', $Bytes) + $common)
        foreach ($end in $client, $server) {
            if (-not $end.WaitForExit(($TimeoutSeconds + 30) * 1000)) { throw "timed out after $TimeoutSeconds s waiting for the TCP transfer to ${Address}:${Port}: $(& $logs)" }
            if ($end.ExitCode -ne 0) { throw "the TCP transfer to ${Address}:$Port failed: $(& $logs)" }
        }
        $sent = @(Select-String -Path $clientLog -Pattern '^SENT (\d+) (\w+)')
        $received = @(Select-String -Path $serverLog -Pattern '^RECEIVED (\d+) (\w+)')
        if ($sent.Count -eq 0 -or $received.Count -eq 0) { throw "the TCP transfer to ${Address}:$Port reported nothing: $(& $logs)" }
        [pscustomobject] @{
            Sent = [long] $sent[0].Matches[0].Groups[1].Value; SentHash = $sent[0].Matches[0].Groups[2].Value
            Received = [long] $received[0].Matches[0].Groups[1].Value; ReceivedHash = $received[0].Matches[0].Groups[2].Value
        }
    }
    finally {
        foreach ($end in $client, $server) {
            if ($null -ne $end -and -not $end.HasExited) { & kill -9 -- "-$($end.Id)" 2>$null }
        }
        Remove-Item $serverLog, $clientLog -ErrorAction SilentlyContinue
    }
}

function Get-LabDeviceCounter {
    <# A counter of a network device inside a namespace (/sys/class/net/<Device>/statistics/<Counter>). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $Device, [string] $Counter = 'tx_packets')
    $out = & ip netns exec $Namespace cat "/sys/class/net/$Device/statistics/$Counter" 2>&1
    if ($LASTEXITCODE -ne 0) { throw "reading $Counter of $Device in ${Namespace}: $out" }
    return [long] "$out".Trim()
}

function Send-LabUdpNoise {
    <#
    Sends -Count random datagrams (0..1500 bytes, every third with a plausible all-zero SATP header) from inside a
    namespace to host:port. Runs a child pwsh in the namespace, so it needs nothing beyond the .NET tool.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $Target,
        [int] $Port = 4444, [int] $Count = 2000, [int] $Seed = 4242)
    $script = @'
param($Target, $Port, $Count, $Seed)
$rnd = [Random]::new([int] $Seed)
$address = [Net.IPAddress]::Parse($Target)
$udp = [Net.Sockets.UdpClient]::new($address.AddressFamily)
$sizes = 0, 1, 7, 8, 9, 10, 11, 20, 30, 64, 200, 1400
for ($i = 0; $i -lt [int] $Count; $i++) {
    $n = if ($i % 5 -eq 4) { $rnd.Next(1, 1501) } else { $sizes[$rnd.Next($sizes.Count)] }
    $data = [byte[]]::new($n)
    $rnd.NextBytes($data)
    if ($i % 3 -eq 0 -and $n -ge 8) { [Array]::Clear($data, 0, 8) }
    try { $null = $udp.Send($data, $n, [Net.IPEndPoint]::new($address, [int] $Port)) } catch { }
}
$udp.Dispose()
'@
    $file = Join-Path ([IO.Path]::GetTempPath()) "netnslab-noise-$([guid]::NewGuid().ToString('n')).ps1"
    Set-Content -Path $file -Value $script
    $log = "$file.log"
    try {
        $sender = Start-LabProcess -Namespace $Namespace -LogFile $log -Argv @('dotnet', 'pwsh', '-NoProfile', '-NonInteractive',
            '-File', $file, $Target, $Port, $Count, $Seed)
        if (-not $sender.WaitForExit(60000)) {
            & kill -9 -- "-$($sender.Id)" 2>$null
            throw "timed out after 60 s waiting for the UDP noise sender: $(Get-Content -Raw $log -ErrorAction SilentlyContinue)"
        }
        if ($sender.ExitCode -ne 0) { throw "UDP noise sender failed: $(Get-Content -Raw $log -ErrorAction SilentlyContinue)" }
    }
    finally {
        Remove-Item $file, $log -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Get-NetnsLabPrerequisite, New-NetnsLab, Remove-NetnsLab, Get-EndpointArgument, Start-LabProcess,
    Start-TunnelEndpoint, Wait-TunnelEndpoint, Stop-TunnelEndpoint, Get-TunnelEndpointCounter, Get-TunnelEndpointLog,
    Test-TunnelEndpointAlive, Test-LabPing, Send-LabUdpNoise, Invoke-LabTcpTransfer, Get-LabDeviceCounter
