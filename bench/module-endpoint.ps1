<#
.SYNOPSIS
    One endpoint of tunnel-bench.sh's module presets: a tunnel from anytun options, in the foreground until killed.
.PARAMETER Connections
    Before traffic starts, add this many further connections (mux 1..N, remotes 10.201.x.y that never answer, one /32
    route each in 10.202.0.0/16) plus a route for the peer's tunnel subnet to the command-line connection (mux 0), so
    the tunnel runs in routing mode with N+1 connections and N+1 routes: what tunnel-bench.sh --connections measures.
    Uses the engine's control surface (Tunnel.Control.AddConnection/AddRoute) through the module's session registry.
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
$assembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Anytun.PowerShell' }
$registry = $assembly.GetType('Anytun.PowerShell.Sessions.TunnelRegistry')
$flags = [Reflection.BindingFlags]'NonPublic, Static, Public, Instance'
$arguments = [object[]]@('bench', $null)
if (-not $registry.GetMethod('TryGet', $flags).Invoke($null, $arguments)) { throw 'tunnel session bench not found' }
$session = $arguments[1]
$tunnel = $session.GetType().GetProperty('Tunnel', $flags).GetValue($session)
$control = $tunnel.Control
for ($mux = 1; $mux -le $Connections; $mux++) {
    $spec = [Anytun.Engine.Control.ConnectionSpec]::new([uint16]$mux)
    $spec.RemoteHost = "10.201.$([math]::Floor($mux / 250)).$($mux % 250 + 1)"
    $spec.RemotePort = 4444
    $spec.Routes = [Collections.Generic.List[Anytun.Engine.Routing.IPPrefix]]::new()
    $spec.Routes.Add([Anytun.Engine.Routing.IPPrefix]::Parse("10.202.$([math]::Floor($mux / 256)).$($mux % 256)/32"))
    $null = $control.AddConnection($spec, [Anytun.Engine.Control.EntryOrigin]::Cmdlet)
    $spec.Dispose()
}
$null = $control.AddRoute([Anytun.Engine.Routing.IPPrefix]::Parse($PeerSubnet), [uint16]0, [Anytun.Engine.Control.EntryOrigin]::Cmdlet)
Write-Host "bench: $($control.GetConnections().Count) connections, $($control.GetRoutes().Count) routes, routing $($control.RoutingEnabled)"
Receive-Job $job -Wait
