# -ControlHost (anytun -X) against the real control-plane programs: the module fetches its connection table from the
# real anytun-controld serving a file the real anytun-config wrote, and real anytun / uanytun clients ping through
# it; then a hostile control host sends every kind of bad input while a continuous ping runs through the tunnel.
# Namespaces i10xa*/i10xb* (NetnsLab: 10.200.21x.0/24 underlay, 192.168.21x.0/24 inside the tunnel). Needs root and
# the programs of build/prerequisites.json; locally a missing one skips naming its package, under CI=true it fails.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NetnsLab.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../build/Prerequisites.psm1') -Force
    $script:ModulePath = if ($env:ANYTUN_MODULE_PATH) { $env:ANYTUN_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/Anytun' }
    $script:PassOne = 'Creating_VPN_Tunnels_With_Anytun_Is_Easy'
    $script:PassTwo = 'Other_Client_Passphrase_1234567890'

    function Skip-WhenMissing {
        param([string[]] $Program)
        $missing = @(Get-NetnsLabPrerequisite -Program (@('stdbuf') + $Program))
        if (-not (Test-Path (Join-Path $script:ModulePath 'Anytun.psd1'))) { $missing += 'out/Anytun (run build.ps1 -Task Build)' }
        if ($missing.Count -eq 0) { return $false }
        $reason = "missing prerequisite: $($missing -join ', ')"
        if ($env:CI -eq 'true') { throw $reason }
        Set-ItResult -Skipped -Because $reason
        return $true
    }

    function Start-NamespaceProcess {
        # NetnsLab's process starter (setsid, output to a log file); not exported by the module
        param([string] $Namespace, [string[]] $Argv, [string] $LogFile)
        & (Get-Module NetnsLab) { param($n, $a, $l) Start-LabProcess -Namespace $n -Argv $a -LogFile $l } $Namespace $Argv $LogFile
    }

    function Wait-Until {
        # polls -Condition every 200 ms; throws naming -What (and the diagnostic) after -TimeoutSeconds
        param([scriptblock] $Condition, [string] $What, [int] $TimeoutSeconds = 30, [scriptblock] $Diagnostic = { '' })
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "timed out after $TimeoutSeconds s waiting for $What. $(& $Diagnostic)" }
            Start-Sleep -Milliseconds 200
        }
    }

    function New-AnytunConfigTable {
        # the real anytun-config, two clients as in /etc/anytun/server/conf.d: mux 1 and mux 2 with their own passphrase
        param([string] $Path, [string] $Subnet)
        $one = & anytun-config -m 1 -e server -E $script:PassOne -R "192.168.$Subnet.2/32"
        if ($LASTEXITCODE -ne 0) { throw "anytun-config failed: $one" }
        $two = & anytun-config -m 2 -e server -E $script:PassTwo -R "192.168.$Subnet.3/32"
        if ($LASTEXITCODE -ne 0) { throw "anytun-config failed: $two" }
        Set-Content -Path $Path -Value (@($one) + @($two)) -Encoding ascii
    }

    function Get-Diagnostic {
        param($Lab)
        $lines = foreach ($endpoint in $Lab.Endpoints) { "--- $($endpoint.Label): $($endpoint.Arguments)"; Get-TunnelEndpointLog $endpoint -Tail 60 }
        $lines -join [Environment]::NewLine
    }

    function Start-ModuleServer {
        # the module on side A: no keys, no -r, everything from the control host
        param($Lab, [int] $ControlPort)
        # -L stdout:5: the engine's log in anytun's line format goes to the endpoint's output log
        $arguments = "-L stdout:5 -i $($Lab.UnderA) -p 4444 -d satp0 -t tun -n $($Lab.InnerA)/$($Lab.InnerPrefix) -X 127.0.0.1:$ControlPort"
        $server = Start-TunnelEndpoint -Lab $Lab -Side A -Kind module -Arguments $arguments -ModulePath $script:ModulePath
        Wait-TunnelEndpoint $server -TimeoutSeconds 45
        Wait-Until { @(Get-TunnelEndpointCounter $server).Count -ge 2 } 'the module to apply the control host table (2 connections)' -Diagnostic { Get-Diagnostic $Lab }
        $server
    }

    function Start-Client {
        # an anytun or uanytun client on side B for mux 1 (192.168.x.2) or mux 2 (192.168.x.3)
        param($Lab, [string] $Kind, [int] $Mux, [string] $Subnet)
        $pass = if ($Mux -eq 1) { $script:PassOne } else { $script:PassTwo }
        $inner = "192.168.$Subnet.$($Mux + 1)"
        $arguments = "-i $($Lab.UnderB) -p 4444 -r $($Lab.UnderA) -o 4444 -d satp0 -t tun -n $inner/24 -e right -m $Mux -E $pass"
        $client = Start-TunnelEndpoint -Lab $Lab -Side B -Kind $Kind -Arguments $arguments
        Wait-TunnelEndpoint $client -TimeoutSeconds 30
        $client
    }
}

Describe 'the module with -ControlHost fetching from the real anytun-controld' -Tag 'RequiresRoot', 'Interop' {
    BeforeAll {
        $script:Lab = $null
        if (@(Get-NetnsLabPrerequisite -Program 'anytun', 'anytun-config', 'anytun-controld', 'stdbuf').Count -gt 0) { return }
        $script:Lab = New-NetnsLab -Name 'i10xa' -Subnet 210
        $script:Table = Join-Path $Lab.StateDir 'table.txt'
        New-AnytunConfigTable -Path $Table -Subnet 210
        $controldLog = Join-Path $Lab.StateDir 'controld.log'
        $script:Controld = Start-NamespaceProcess -Namespace $Lab.NsA -Argv @('anytun-controld', '-D', '-L', 'stdout:5', '-f', $Table, '-X', '127.0.0.1:2424') -LogFile $controldLog
        Wait-Until { (Test-Path $controldLog) -and ((Get-Content -Raw $controldLog) -match 'sync server listening') } 'anytun-controld to listen' -Diagnostic { Get-Content -Raw $controldLog -ErrorAction Ignore }
        $script:Server = Start-ModuleServer -Lab $Lab -ControlPort 2424
    }

    AfterAll {
        Remove-NetnsLab $script:Lab
    }

    It 'has the two connections and their routes from the table, remotes not yet known' {
        if (Skip-WhenMissing -Program 'anytun', 'anytun-config', 'anytun-controld') { return }
        $connections = @(Get-TunnelEndpointCounter $Server | Sort-Object Mux)
        $connections.Mux | Should -Be @(1, 2)
        $connections | ForEach-Object { $_.RemoteAddress | Should -BeNullOrEmpty }
    }

    It 'carries pings between a real anytun client on mux 1 and the module (cell anytun client / module -X / anytun-controld)' {
        if (Skip-WhenMissing -Program 'anytun', 'anytun-config', 'anytun-controld') { return }
        $client = Start-Client -Lab $Lab -Kind anytun -Mux 1 -Subnet 210
        try {
            Test-LabPing $Lab.NsB $Lab.InnerA | Should -BeTrue -Because (Get-Diagnostic $Lab)
            Test-LabPing $Lab.NsA '192.168.210.2' | Should -BeTrue -Because (Get-Diagnostic $Lab)
            $mux1 = @(Get-TunnelEndpointCounter $Server) | Where-Object Mux -EQ 1
            $mux1.RemoteAddress | Should -Be $Lab.UnderB
            $mux1.RemotePort | Should -Be 4444
            $mux1.PacketsReceived | Should -BeGreaterThan 0
        }
        finally {
            $null = Stop-TunnelEndpoint $client
        }
    }

    It 'carries pings between a real uanytun client on mux 2 and the module (cell uanytun client / module -X / anytun-controld)' {
        if (Skip-WhenMissing -Program 'anytun', 'anytun-config', 'anytun-controld', 'uanytun') { return }
        $client = Start-Client -Lab $Lab -Kind uanytun -Mux 2 -Subnet 210
        try {
            Test-LabPing $Lab.NsB $Lab.InnerA | Should -BeTrue -Because (Get-Diagnostic $Lab)
            Test-LabPing $Lab.NsA '192.168.210.3' | Should -BeTrue -Because (Get-Diagnostic $Lab)
            (@(Get-TunnelEndpointCounter $Server) | Where-Object Mux -EQ 2).PacketsReceived | Should -BeGreaterThan 0
        }
        finally {
            $null = Stop-TunnelEndpoint $client
        }
    }

    It 'logs the control host connection and what it applied' {
        if (Skip-WhenMissing -Program 'anytun', 'anytun-config', 'anytun-controld') { return }
        $null = Stop-TunnelEndpoint $Server
        $log = Get-Content -Raw $Server.LogFile
        $log | Should -Match 'sync: connected to 127\.0\.0\.1:2424'
        $log | Should -Match 'control host 127\.0\.0\.1:2424: \d+ command\(s\) applied'
        $log | Should -Match 'route 192\.168\.210\.2/32 -> 1 \(ControlHost\)'
    }
}

Describe 'bad input on a live control connection while traffic flows' -Tag 'RequiresRoot', 'Interop' {
    BeforeAll {
        $script:Lab = $null
        if (@(Get-NetnsLabPrerequisite -Program 'anytun', 'anytun-config', 'stdbuf').Count -gt 0) { return }
        $script:Lab = New-NetnsLab -Name 'i10xb' -Subnet 211
        $script:Cases = Join-Path $Lab.StateDir 'cases'
        $null = New-Item -ItemType Directory $Cases
        $tablePath = Join-Path $Lab.StateDir 'table.txt'
        New-AnytunConfigTable -Path $tablePath -Subnet 211
        # what controld serves: the file without its newlines
        $good = [System.Text.Encoding]::Latin1.GetBytes(((Get-Content $tablePath) -join ''))
        $latin = { param([string] $Text) [System.Text.Encoding]::Latin1.GetBytes($Text) }
        $bad = [ordered] @{
            '1.close' = & $latin '00205 22 serialization::archive 18 0 0 10 connection 0 0 1'          # truncated, then closed
            '2'       = & $latin 'abcde 22 serialization::archive 18 0 0 5 route'                      # wrong length prefix
            '3'       = & $latin "00010 `u{1}`u{2}garbage!"                                             # garbage archive
            '4.close' = & $latin '99999 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12' # huge length
            '5'       = & $latin ('00040 22 serialization::archive 18 0 0 5 hello' +                    # unknown command (skipped),
                '00072 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.x 12')       # then a bad address
            '6'       = & $latin '00028 21 serialization::archivX 18'                                   # bad signature
        }
        foreach ($name in $bad.Keys) { [System.IO.File]::WriteAllBytes((Join-Path $Cases "$name.bin"), [byte[]] ($good + $bad[$name])) }
        [System.IO.File]::WriteAllBytes((Join-Path $Cases '7.bin'), $good)
        $script:BadCases = $bad.Count
        $hostile = Join-Path $PSScriptRoot 'HostileSyncServer.ps1'
        $null = Start-NamespaceProcess -Namespace $Lab.NsA -LogFile (Join-Path $Lab.StateDir 'hostile.log') -Argv @(
            'dotnet', 'pwsh', '-NoProfile', '-NonInteractive', '-File', $hostile, '-Address', '127.0.0.1', '-Port', '2425', '-CaseDirectory', $Cases)
        Wait-Until { Test-Path (Join-Path $Cases 'listening') } 'the hostile control host to listen' -Diagnostic { Get-Content -Raw (Join-Path $Lab.StateDir 'hostile.log') -ErrorAction Ignore }
        $script:Server = Start-ModuleServer -Lab $Lab -ControlPort 2425
        $script:Client = Start-Client -Lab $Lab -Kind anytun -Mux 1 -Subnet 211
    }

    AfterAll {
        if ($script:Lab) { Set-Content -Path (Join-Path $script:Cases 'stop') -Value 'stop' -ErrorAction Ignore }
        Remove-NetnsLab $script:Lab
    }

    It 'keeps forwarding without loss while each bad case drops and re-opens the control connection' {
        if (Skip-WhenMissing -Program 'anytun', 'anytun-config') { return }
        Test-LabPing $Lab.NsB $Lab.InnerA | Should -BeTrue -Because (Get-Diagnostic $Lab)
        # 6 bad cases, a reconnect every 10 s: ~60 s until the 7th connection; ping 5/s for 75 s meanwhile
        $pingLog = Join-Path $Lab.StateDir 'ping.log'
        $ping = Start-NamespaceProcess -Namespace $Lab.NsB -Argv @('ping', '-n', '-q', '-i', '0.2', '-c', '375', '-W', '1', $Lab.InnerA) -LogFile $pingLog
        $acceptedFile = Join-Path $Cases 'accepted'
        Wait-Until { (Test-Path $acceptedFile) -and [int](Get-Content $acceptedFile) -ge ($BadCases + 1) } "the control client to reconnect after all $BadCases bad cases" `
            -TimeoutSeconds 100 -Diagnostic { Get-Diagnostic $Lab }
        $ping.WaitForExit(40000) | Should -BeTrue -Because 'the continuous ping ends within 40 s of the last reconnect'
        $summary = Get-Content -Raw $pingLog
        $summary | Should -Match '375 packets transmitted, 375 received' -Because "no packet may be lost while the control connection fails: $summary"
        Test-TunnelEndpointAlive $Server | Should -BeTrue
    }

    It 'logged each bad case with its byte offset and reconnected every time' {
        if (Skip-WhenMissing -Program 'anytun', 'anytun-config') { return }
        $null = Stop-TunnelEndpoint $Client
        $null = Stop-TunnelEndpoint $Server
        $log = Get-Content -Raw $Server.LogFile
        # the -L stdout:5 lines (the job's error stream repeats them at the end)
        $bad = [regex]::Matches($log, 'ERROR: control host 127\.0\.0\.1:2425: bad sync data \(byte offset \d+')
        $bad.Count | Should -Be $BadCases -Because $log
        [regex]::Matches($log, 'NOTICE: sync: connected to 127\.0\.0\.1:2425').Count | Should -BeGreaterOrEqual ($BadCases + 1)
        $log | Should -Match 'length prefix .abcde. is not a decimal number'
        $log | Should -Not -Match 'failed unexpectedly'
        @($Server.FinalCounters).Count | Should -Be 2 -Because 'the tables from before every bad frame stay'
    }
}
