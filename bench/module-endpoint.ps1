<#
.SYNOPSIS
    One endpoint of tunnel-bench.sh's module presets: a tunnel from anytun options, in the foreground until killed.
.PARAMETER Connections
    Before traffic starts, add this many further connections (mux 1..N, remotes 10.201.x.y that never answer, one /32
    route each in 10.202.0.0/16) plus a route for the peer's tunnel subnet to the command-line connection (mux 0), so
    the tunnel runs in routing mode with N+1 connections and N+1 routes: what tunnel-bench.sh --connections measures.
    Uses the module's own cmdlets (Add-AnytunConnection, Add-AnytunRoute) on the running tunnel, without kernel routes.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Options,
    [int] $Connections = 0,
    [string] $PeerSubnet = '192.168.123.0/24'
)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$definition = ConvertFrom-AnytunCommandLine $Options -Name bench
if ($Connections -le 0) {
    $definition | Start-AnytunTunnel -Wait
    return
}

$job = $definition | Start-AnytunTunnel
for ($mux = 1; $mux -le $Connections; $mux++) {
    $remote = "10.201.$([math]::Floor($mux / 250)).$($mux % 250 + 1)"
    $route = "10.202.$([math]::Floor($mux / 256)).$($mux % 256)/32"
    Add-AnytunConnection -TunnelName bench -Mux $mux -RemoteAddress $remote -RemotePort 4444 -Route $route -NoKernelRoute -Confirm:$false
}
Add-AnytunRoute -TunnelName bench -Mux 0 -DestinationPrefix $PeerSubnet -NoKernelRoute -Confirm:$false
Write-Host "bench: $(@(Get-AnytunConnection -TunnelName bench).Count) connections, $(@(Get-AnytunRoute -TunnelName bench).Count) routes"
Receive-Job $job -Wait
