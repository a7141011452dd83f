#Requires -Version 7.4
# The control server and the table files against the real anytun 0.3.8 programs, in two private namespaces:
#   i10s-s  10.214.1.1  a table server (ours or the real anytun-controld) on 127.0.0.1 and the REAL anytun with -X
#                       127.0.0.1:<port>, tunnel 192.168.214.1/24, started with a WRONG default passphrase: only the
#                       fetched table gives it mux 1's key, so a ping through proves the table was served and applied
#   i10s-c  10.214.1.2  uanytun client, mux 1, -e right, tunnel 192.168.214.2/24
# Cells: (table writer, table server) = (Export-AnytunConnectionTable, Start-AnytunControlServer),
# (Export-AnytunConnectionTable, anytun-controld -f), (anytun-config, Start-AnytunControlServer).
# Needs root, /dev/net/tun, the built module, anytun, anytun-config, anytun-controld and uanytun. Locally a missing
# prerequisite skips naming its package; under CI=true it fails. Run under flock /tmp/anytun-root.lock.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NetnsLab.psm1') -Force
    $script:ModulePath = if ($env:ANYTUN_MODULE_PATH) { $env:ANYTUN_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/Anytun' }
    $script:Missing = @(Get-NetnsLabPrerequisite -Program 'stdbuf', 'anytun', 'anytun-config', 'anytun-controld', 'uanytun')
    if (-not (Test-Path (Join-Path $script:ModulePath 'Anytun.psd1'))) { $script:Missing += 'out/Anytun (run build.ps1 -Task Build)' }
    Import-Module (Join-Path $script:ModulePath 'Anytun.psd1') -Force

    $script:ClientKey = 'i10s-client-key'
    $script:ConfigArguments = "-m 1 -e left -E $script:ClientKey -R 192.168.214.2/32"

    function script:Skip-WhenMissing {
        if ($script:Missing.Count -eq 0 -and $script:Ready) { return $false }
        $reason = if ($script:Missing.Count -gt 0) { "missing prerequisite: $($script:Missing -join ', ')" } else { "lab setup failed: $script:SetupError" }
        if ($env:CI -eq 'true') { throw $reason }
        Set-ItResult -Skipped -Because $reason
        return $true
    }

    function script:Invoke-IpCommand {
        param([Parameter(ValueFromRemainingArguments)] [string[]] $IpArgs)
        $out = & ip @IpArgs 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ip $($IpArgs -join ' ') failed: $out" }
    }

    function script:Remove-I10sNamespace {
        foreach ($ns in 'i10s-s', 'i10s-c') {
            if (-not ((& ip netns list 2>$null) -match "^$ns(\s|$)")) { continue }
            foreach ($processId in @(& ip netns pids $ns 2>$null)) { if ($processId) { & kill -9 $processId 2>$null } }
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while (@(& ip netns pids $ns 2>$null).Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            & ip netns del $ns 2>$null
        }
    }

    # A process in the server namespace with its log; Wait-LogLine waits for its readiness line.
    function script:Start-ServerProcess([string] $Label, [string[]] $Argv) {
        $log = Join-Path $script:StateRoot "$Label.log"
        $process = Start-LabProcess -Namespace 'i10s-s' -Argv $Argv -LogFile $log
        $entry = [pscustomobject] @{ Label = $Label; Process = $process; LogFile = $log }
        $script:Processes.Add($entry)
        $entry
    }

    function script:Wait-LogLine($Entry, [string] $Pattern, [int] $TimeoutSeconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            if ((Test-Path $Entry.LogFile) -and (Select-String -Path $Entry.LogFile -Pattern $Pattern -Quiet)) { return }
            if ($Entry.Process.HasExited) { break }
            Start-Sleep -Milliseconds 100
        }
        throw "timed out after $TimeoutSeconds s waiting for '$Pattern' in the log of $($Entry.Label): $(Get-Content -Raw $Entry.LogFile -ErrorAction SilentlyContinue)"
    }

    function script:Stop-ServerProcess($Entry) {
        if ($Entry.Process.HasExited) { return }
        & kill -TERM -- "-$($Entry.Process.Id)" 2>$null
        if (-not $Entry.Process.WaitForExit(10000)) {
            & kill -9 -- "-$($Entry.Process.Id)" 2>$null
            $null = $Entry.Process.WaitForExit(2000)
        }
    }

    # Start-AnytunControlServer -Wait in a pwsh inside the server namespace; its log records become log lines.
    function script:Start-OurControlServer([string] $Table, [int] $Port) {
        $script = "Import-Module '$script:ModulePath/Anytun.psd1'; Start-AnytunControlServer -Path '$Table' -ListenAddress 127.0.0.1 -Port $Port -Name i10s -Wait | ForEach-Object { `"`$(`$_.Message)`" }"
        $entry = Start-ServerProcess "ours-$Port" @('dotnet', 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $script)
        Wait-LogLine $entry "sync server listening on 127.0.0.1:$Port"
        $entry
    }

    function script:Start-RealControld([string] $Table, [int] $Port) {
        $entry = Start-ServerProcess "controld-$Port" @('/usr/bin/anytun-controld', '-D', '-L', 'stdout:5', '-f', $Table, '-X', "127.0.0.1:$Port")
        Wait-LogLine $entry "sync server listening on 127.0.0.1:$Port"
        $entry
    }

    # The real anytun as the server, its keys only from -X; ready once its sync client is connected.
    function script:Start-AnytunServer([int] $ControlPort) {
        $argv = @('/usr/sbin/anytun', '-D', '-L', 'stdout:5', '-i', '10.214.1.1', '-p', '4444', '-X', "127.0.0.1:$ControlPort",
            '-d', 'i10s-tun', '-t', 'tun', '-n', '192.168.214.1/24', '-e', 'left', '-E', 'i10s-wrong-default-key')
        $entry = Start-ServerProcess "anytun-$ControlPort" $argv
        Wait-LogLine $entry 'opening socket'
        Wait-LogLine $entry "connected to 127.0.0.1:$ControlPort"
        $entry
    }

    function script:Get-Diagnostic {
        ($script:Processes | ForEach-Object { "--- $($_.Label)`n$(Get-Content -Raw $_.LogFile -ErrorAction SilentlyContinue)" }) -join "`n" +
            "`n--- client`n$(Get-TunnelEndpointLog $script:Client)"
    }

    # One cell: serve the table, start anytun -X, ping from the client through the tunnel to anytun's address.
    function script:Test-Cell([string] $Table, [ValidateSet('ours', 'controld')] [string] $Server, [int] $Port, [int] $Attempts = 8) {
        $tableServer = if ($Server -eq 'ours') { Start-OurControlServer $Table $Port } else { Start-RealControld $Table $Port }
        $anytun = $null
        try {
            $anytun = Start-AnytunServer $Port
            Test-LabPing -Namespace 'i10s-c' -Target '192.168.214.1' -Count 3 -Attempts $Attempts
        }
        finally {
            if ($anytun) { Stop-ServerProcess $anytun }
            Stop-ServerProcess $tableServer
        }
    }

    $script:Ready = $false
    $script:SetupError = $null
    $script:Processes = [System.Collections.Generic.List[object]]::new()
    $script:Endpoints = [System.Collections.Generic.List[object]]::new()
    if ($script:Missing.Count -gt 0) { return }

    try {
        Remove-I10sNamespace
        $script:StateRoot = Join-Path ([IO.Path]::GetTempPath()) "i10s-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Force $script:StateRoot
        Invoke-IpCommand netns add i10s-s
        Invoke-IpCommand netns add i10s-c
        Invoke-IpCommand link add i10s-vs type veth peer name i10s-vc
        Invoke-IpCommand link set i10s-vs netns i10s-s
        Invoke-IpCommand link set i10s-vc netns i10s-c
        Invoke-IpCommand -n i10s-s addr add 10.214.1.1/24 dev i10s-vs
        Invoke-IpCommand -n i10s-c addr add 10.214.1.2/24 dev i10s-vc
        foreach ($pair in @(@('i10s-s', 'i10s-vs'), @('i10s-c', 'i10s-vc'))) {
            Invoke-IpCommand -n $pair[0] link set lo up
            Invoke-IpCommand -n $pair[0] link set $pair[1] up
        }

        # The tables: ours (Export-AnytunConnectionTable) and the real anytun-config's, for the same connection.
        $script:OurTable = Join-Path $script:StateRoot 'ours.table'
        New-AnytunConnection -Mux 1 -Role Left -Passphrase (ConvertTo-SecureString $script:ClientKey -AsPlainText -Force) -Route 192.168.214.2/32 |
            Export-AnytunConnectionTable -Path $script:OurTable
        $script:ConfigTable = Join-Path $script:StateRoot 'anytun-config.table'
        $out = & bash -c "/usr/bin/anytun-config $script:ConfigArguments > '$script:ConfigTable'" 2>&1
        if ($LASTEXITCODE -ne 0) { throw "anytun-config failed: $out" }

        $lab = [pscustomobject] @{ NsA = 'i10s-s'; NsB = 'i10s-c'; StateDir = $script:StateRoot; Endpoints = $script:Endpoints }
        $script:Client = Start-TunnelEndpoint -Lab $lab -Side B -Kind uanytun -Device i10s-ctun `
            -Arguments "-i 10.214.1.2 -p 4444 -r 10.214.1.1 -o 4444 -m 1 -e right -E $script:ClientKey -d i10s-ctun -t tun -n 192.168.214.2/24"
        Wait-TunnelEndpoint $script:Client -ReadyPattern 'listening on' -TimeoutSeconds 30
        $script:Ready = $true
    }
    catch {
        $script:SetupError = "$_"
        if ($env:CI -eq 'true') { throw }
    }
}

AfterAll {
    foreach ($entry in @($script:Processes)) { try { Stop-ServerProcess $entry } catch { Write-Warning "stopping $($entry.Label): $_" } }
    foreach ($endpoint in @($script:Endpoints)) { try { $null = Stop-TunnelEndpoint $endpoint -TimeoutSeconds 10 } catch { Write-Warning "stopping $($endpoint.Label): $_" } }
    if ($script:Missing.Count -eq 0) { Remove-I10sNamespace }
    if ($script:StateRoot -and (Test-Path $script:StateRoot)) { Remove-Item -Recurse -Force $script:StateRoot -ErrorAction SilentlyContinue }
}

Describe 'Control plane against the real anytun programs' -Tag 'RequiresRoot', 'Interop' {
    It 'Export-AnytunConnectionTable writes the same bytes as the real anytun-config' {
        if (Skip-WhenMissing) { return }
        [IO.File]::ReadAllBytes($script:OurTable) | Should -Be ([IO.File]::ReadAllBytes($script:ConfigTable))
    }

    It 'the real anytun -X fetches our exported table from Start-AnytunControlServer and pings through' {
        if (Skip-WhenMissing) { return }
        Test-Cell $script:OurTable -Server ours -Port 2424 | Should -BeTrue -Because (Get-Diagnostic)
    }

    It 'the real anytun-controld serves our exported table to the real anytun -X, which pings through' {
        if (Skip-WhenMissing) { return }
        Test-Cell $script:OurTable -Server controld -Port 2425 | Should -BeTrue -Because (Get-Diagnostic)
    }

    It 'Start-AnytunControlServer serves the real anytun-config''s table to the real anytun -X, which pings through' {
        if (Skip-WhenMissing) { return }
        Test-Cell $script:ConfigTable -Server ours -Port 2426 | Should -BeTrue -Because (Get-Diagnostic)
    }

    It 'without the table anytun has no key for mux 1: no ping (the negative control)' {
        if (Skip-WhenMissing) { return }
        $empty = Join-Path $script:StateRoot 'empty.table'
        Set-Content -Path $empty -Value $null -NoNewline
        Test-Cell $empty -Server ours -Port 2427 -Attempts 2 | Should -BeFalse -Because 'anytun only has its wrong default key'
    }
}
