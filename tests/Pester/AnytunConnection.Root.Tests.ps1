#Requires -Version 7.4
# The connection and route cmdlets on a running server tunnel (issue 9), with a real tun device in a network
# namespace created here: the contract's command lines, ErrorIds, -WhatIf leaving nothing behind, -PassThru, the
# idempotent Sync-AnytunConnection, kernel routes (added, tolerated when present, removed only when ours, gone at stop).
BeforeAll {
    Import-Module "$PSScriptRoot/../../out/Anytun/Anytun.psd1" -Force
    Import-Module "$PSScriptRoot/AnytunTestHelpers.psm1" -Force
    $script:Manifest = (Resolve-Path "$PSScriptRoot/../../out/Anytun/Anytun.psd1").Path
    $script:Reason = Test-AnytunRootPrerequisite
}

Describe 'Connections and routes of a running server tunnel' -Tag 'RequiresRoot' {
    BeforeAll {
        if ($script:Reason) { return }
        $script:Ns = New-AnytunTestNamespace -Tag i9r
        $script:R = Invoke-AnytunInNamespace -Namespace $script:Ns -ManifestPath $script:Manifest -WorkDirectory $TestDrive -Script @'
$ErrorActionPreference = 'Continue'
$r = [ordered]@{}
function Get-Id($records) { @($records | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) }
function Get-KernelRoute([string] $Prefix) { (& ip route show $Prefix 2>&1) -join ' ' }

$default = ConvertTo-SecureString 'i9r default' -AsPlainText -Force
$k1 = ConvertTo-SecureString 'i9r key one' -AsPlainText -Force
$srv = Start-AnytunTunnel -Name srv -DeviceName tun-i9r -DeviceType Tun -InterfaceAddress 192.168.241.1/24 -Passphrase $default -Role Left -LocalPort 4641

# -WhatIf changes nothing
Add-AnytunConnection -TunnelName srv -Mux 1 -Passphrase $k1 -Role Left -Route 192.168.241.11/32 -WhatIf
Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.241.0.0/16 -WhatIf
$r.WhatIfConnections = @(Get-AnytunConnection -TunnelName srv).Count
$r.WhatIfRoutes = @(Get-AnytunRoute -TunnelName srv).Count
$r.WhatIfKernel = Get-KernelRoute '10.241.0.0/16'

# the contract
Add-AnytunConnection -TunnelName srv -Mux 1 -Passphrase $k1 -Role Left -Route 192.168.241.11/32
Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.241.0.0/16
$routes = @(Get-AnytunRoute -TunnelName srv)
$r.RouteTypes = @($routes | ForEach-Object { $_.GetType().FullName } | Sort-Object -Unique)
$r.Routes = @($routes | ForEach-Object { "$($_.DestinationPrefix)=$($_.Mux)/$($_.Origin)/$($_.KernelRoute)" })
$r.RouteTable = Get-AnytunRoute -TunnelName srv | Out-String -Width 80
$r.KernelAdded = Get-KernelRoute '10.241.0.0/16'
$r.KernelHost = Get-KernelRoute '192.168.241.11'

# errors
Add-AnytunConnection -TunnelName srv -Mux 1 -Passphrase $k1 -Role Left -Route 192.168.241.11/32 -ErrorVariable e -ErrorAction SilentlyContinue
$r.Identical = Get-Id $e
Add-AnytunConnection -TunnelName srv -Mux 1 -Passphrase 'another key' -ErrorVariable e -ErrorAction SilentlyContinue
$r.Different = Get-Id $e
$r.DifferentTarget = "$($e[0].TargetObject)"
Add-AnytunRoute -TunnelName srv -Mux 2 -DestinationPrefix 10.241.0.0/16 -ErrorVariable e -ErrorAction SilentlyContinue
$r.RouteExists = Get-Id $e
Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.241.0.0/33 -ErrorVariable e -ErrorAction SilentlyContinue
$r.BadPrefix = Get-Id $e
$r.BadPrefixMessage = "$($e[0])"
# a bad -Route is terminating (nothing can be added); -ErrorVariable would hold the wrapped exception, so catch it
$e = @(); try { Add-AnytunConnection -TunnelName srv -Mux 5 -Route bogus -ErrorAction Stop } catch { $e = @($_) }
$r.BadRoute = Get-Id $e
$r.BadRouteMessage = "$($e[0])"
Remove-AnytunRoute -TunnelName srv -DestinationPrefix 10.99.0.0/16 -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
$r.RouteMissing = Get-Id $e
Remove-AnytunConnection -TunnelName srv -Mux 9 -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
$r.ConnectionMissing = Get-Id $e
Set-AnytunConnection -TunnelName srv -Mux 9 -WindowSize 8 -ErrorVariable e -ErrorAction SilentlyContinue
$r.SetMissing = Get-Id $e
$r.AfterErrors = @(Get-AnytunConnection -TunnelName srv).Count

# -PassThru and Set
$r.PassThruRoute = (Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.242.0.0/16 -PassThru).GetType().FullName
$set = Set-AnytunConnection -TunnelName srv -Mux 1 -WindowSize 64 -PassThru
$r.SetWindow = $set.WindowSize
$r.SetRoutes = @($set.Routes | ForEach-Object ToString)

# a kernel route that existed before is tolerated and left alone
& ip route add 10.243.0.0/16 dev tun-i9r
Add-AnytunRoute -TunnelName srv -Mux 1 -DestinationPrefix 10.243.0.0/16 -ErrorVariable e -ErrorAction SilentlyContinue -WarningVariable w
$r.PreexistingErrors = @($e).Count
$r.PreexistingWarnings = @($w).Count
Remove-AnytunRoute -TunnelName srv -DestinationPrefix 10.243.0.0/16 -Confirm:$false
$r.PreexistingKept = Get-KernelRoute '10.243.0.0/16'

# Remove-AnytunRoute takes the kernel route it added with it
Remove-AnytunRoute -TunnelName srv -DestinationPrefix 192.168.241.11/32 -Confirm:$false
$r.KernelHostAfterRemove = Get-KernelRoute '192.168.241.11'

# Sync: twice the same set = no changes the second time; -WhatIf changes nothing
$set = @(New-AnytunConnection -Mux 2 -Passphrase 'i9r two' -Route 192.168.241.12/32; New-AnytunConnection -Mux 3 -Passphrase 'i9r three' -Route 192.168.241.13/32)
$set | Sync-AnytunConnection -TunnelName srv -Mode Merge -WhatIf
$r.SyncWhatIfConnections = @(Get-AnytunConnection -TunnelName srv).Count
$first = $set | Sync-AnytunConnection -TunnelName srv -Mode Merge
$second = $set | Sync-AnytunConnection -TunnelName srv -Mode Merge -Verbose 4>&1
$r.SyncFirst = "$first"
$r.SyncSecond = "$(@($second | Where-Object { $_ -is [Anytun.AnytunSyncResult] })[0])"
$r.SyncSecondVerbose = @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
$r.SyncSecondHasChanges = @($second | Where-Object { $_ -is [Anytun.AnytunSyncResult] })[0].HasChanges
$replace = $set | Sync-AnytunConnection -TunnelName srv
$r.SyncReplaceRemoved = @($replace.ConnectionsRemoved)
$r.KernelAfterReplace = Get-KernelRoute '10.241.0.0/16'
$r.KernelSyncAdded = Get-KernelRoute '192.168.241.12'
$r.SyncTable = $replace | Out-String -Width 80

# the pipeline: Get-AnytunConnection | Remove-AnytunConnection
Get-AnytunConnection -TunnelName srv -Mux 2 | Remove-AnytunConnection -Confirm:$false
$r.AfterPipelineRemove = @(Get-AnytunConnection -TunnelName srv | ForEach-Object Mux)
$r.KernelAfterConnectionRemove = Get-KernelRoute '192.168.241.12'
$tunnel = Get-AnytunTunnel -Name srv
$r.TunnelCounts = "$($tunnel.ConnectionCount)/$($tunnel.RouteCount)/$($tunnel.RoutingEnabled)"

Stop-AnytunTunnel -Name srv
$r.KernelAfterStop = Get-KernelRoute '192.168.241.13'
Remove-Job $srv
$r | ConvertTo-Json -Compress -Depth 4
'@
    }

    AfterAll {
        if ($script:Ns) { Remove-AnytunTestNamespace $script:Ns }
    }

    It '-WhatIf adds no connection, no route and no kernel route' {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        $script:R.WhatIfConnections | Should -Be 0
        $script:R.WhatIfRoutes | Should -Be 0
        $script:R.WhatIfKernel | Should -BeNullOrEmpty
    }

    It 'runs the contract and lists routes with prefix, mux, origin and kernel route' {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        $script:R.RouteTypes | Should -Be @('Anytun.AnytunRoute')
        $script:R.Routes | Should -Be @('10.241.0.0/16=1/Cmdlet/True', '192.168.241.11/32=1/Cmdlet/True')
        $script:R.KernelAdded | Should -Match 'dev tun-i9r'
        $script:R.KernelHost | Should -Match 'dev tun-i9r'
        @($script:R.RouteTable -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
    }

    It 'reports <Case> as <Id>' -ForEach @(
        @{ Case = 'an identical connection'; Property = 'Identical'; Id = 'ConnectionAlreadyExists' }
        @{ Case = 'another connection on the mux'; Property = 'Different'; Id = 'MuxInUse' }
        @{ Case = 'a prefix already routed'; Property = 'RouteExists'; Id = 'RouteAlreadyExists' }
        @{ Case = 'a bad -DestinationPrefix'; Property = 'BadPrefix'; Id = 'InvalidPrefix' }
        @{ Case = 'a bad -Route'; Property = 'BadRoute'; Id = 'InvalidPrefix' }
        @{ Case = 'a missing route'; Property = 'RouteMissing'; Id = 'RouteNotFound' }
        @{ Case = 'a missing connection (Remove)'; Property = 'ConnectionMissing'; Id = 'ConnectionNotFound' }
        @{ Case = 'a missing connection (Set)'; Property = 'SetMissing'; Id = 'ConnectionNotFound' }
    ) {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        @($script:R.$Property) | Should -Be @($Id)
    }

    It 'names the parameter the user typed and the mux in errors, and changes nothing on an error' {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        $script:R.BadPrefixMessage | Should -Match '^-DestinationPrefix ''10\.241\.0\.0/33'''
        $script:R.BadRouteMessage | Should -Match '^-Route ''bogus'''
        $script:R.DifferentTarget | Should -Be '1'
        $script:R.AfterErrors | Should -Be 1
    }

    It 'returns objects with -PassThru and changes a connection in place with Set-AnytunConnection' {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        $script:R.PassThruRoute | Should -Be 'Anytun.AnytunRoute'
        $script:R.SetWindow | Should -Be 64
        $script:R.SetRoutes | Should -Be @('10.241.0.0/16', '10.242.0.0/16', '192.168.241.11/32')
    }

    It 'tolerates a kernel route that exists and never removes one it did not add' {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        $script:R.PreexistingErrors | Should -Be 0
        $script:R.PreexistingWarnings | Should -Be 0
        $script:R.PreexistingKept | Should -Match 'dev tun-i9r'
        $script:R.KernelHostAfterRemove | Should -BeNullOrEmpty
    }

    It 'Sync-AnytunConnection: -WhatIf changes nothing, the same set twice says no changes, Replace removes the rest' {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        $script:R.SyncWhatIfConnections | Should -Be 1
        $script:R.SyncFirst | Should -Match 'added connection\(s\) 2, 3'
        $script:R.SyncSecond | Should -Be 'no changes'
        $script:R.SyncSecondHasChanges | Should -BeFalse
        ($script:R.SyncSecondVerbose -join "`n") | Should -Match 'no changes'
        $script:R.SyncReplaceRemoved | Should -Be @(1)
        $script:R.KernelAfterReplace | Should -BeNullOrEmpty -Because 'routes removed by the sync lose the kernel routes the module added'
        $script:R.KernelSyncAdded | Should -Match 'dev tun-i9r'
        @($script:R.SyncTable -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
    }

    It 'removes a connection from the pipeline with its routes; Get-AnytunTunnel summarises; stop removes what it added' {
        if ($script:Reason) { Set-ItResult -Skipped -Because $script:Reason; return }
        @($script:R.AfterPipelineRemove) | Should -Be @(3)
        $script:R.KernelAfterConnectionRemove | Should -BeNullOrEmpty
        $script:R.TunnelCounts | Should -Be '1/1/True'
        $script:R.KernelAfterStop | Should -BeNullOrEmpty
    }
}
