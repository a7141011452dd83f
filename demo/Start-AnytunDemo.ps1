<#
.SYNOPSIS
    Shows the Anytun module carrying traffic between two network namespaces on this machine.
.DESCRIPTION
    Needs root, iproute2, iputils-ping, procps and, for step 3, anytun (build/prerequisites.json, "Demo"):
    `dotnet pwsh ./build.ps1 -Task Demo` run as root installs what is missing, then runs this. Builds a throwaway lab:

        netns atdemoa  veth 10.200.250.1/24  <---->  10.200.250.2/24 veth  netns atdemob
        tunnel device satp0 192.168.250.1/24          satp0 192.168.250.2/24

    1. the module on both ends: each end is a `dotnet pwsh` child inside `ip netns exec`, running
       Import-Module out/Anytun; ConvertFrom-AnytunCommandLine '<anytun options>' | Start-AnytunTunnel
    2. a ping through the tunnel, then Get-AnytunConnection from each end;
    3. when anytun is installed: the same with anytun 0.3.8 as the right-hand end.
    The namespaces and every process started in them are removed at the end, also on error or Ctrl+C.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/Anytun')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

Import-Module (Join-Path $PSScriptRoot '../tests/Integration/NetnsLab.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../build/Prerequisites.psm1') -Force

$missing = @(Get-NetnsLabPrerequisite)
if ($missing.Count -gt 0) {
    Write-Host "The demo needs $($missing -join ', ')." -ForegroundColor Red
    Write-Host 'Run it as root: sudo dotnet pwsh ./build.ps1 -Task Demo (installs the missing packages on Debian/Ubuntu)' -ForegroundColor Red
    exit 1
}
if (-not (Test-Path (Join-Path $ModulePath 'Anytun.psd1'))) {
    Write-Host "No built module in ${ModulePath}: run 'dotnet pwsh ./build.ps1 -Task Build' first." -ForegroundColor Red
    exit 1
}

function Write-Step {
    param([string] $Text)
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

function Show-Ping {
    # one ping run, printed as ping prints it; retried once for the first ARP / endpoint learning
    param([string] $Namespace, [string] $Target)
    for ($attempt = 1; $attempt -le 2; $attempt++) {
        Write-Host "# ip netns exec $Namespace ping -c 3 -W 1 $Target" -ForegroundColor DarkGray
        $output = & ip netns exec $Namespace ping -n -c 3 -i 0.3 -W 1 $Target 2>&1
        $ok = $LASTEXITCODE -eq 0
        $output | ForEach-Object { Write-Host "   $_" }
        if ($ok) { return $true }
    }
    return $false
}

function Show-ConnectionTable {
    # stops a module end and prints the Get-AnytunConnection table it wrote on the way out
    param($Endpoint, [string] $Title)
    $null = Stop-TunnelEndpoint $Endpoint -TimeoutSeconds 15
    Write-Host "Get-AnytunConnection in $Title" -ForegroundColor Yellow
    if (Test-Path $Endpoint.FinalTableFile) {
        (Get-Content -Raw $Endpoint.FinalTableFile).TrimEnd() -split "`n" | ForEach-Object { Write-Host "   $_" }
    }
    else {
        Write-Host '   (no table: the end did not shut down cleanly)' -ForegroundColor Red
        Write-Host (Get-TunnelEndpointLog $Endpoint)
    }
}

$lab = $null
$failed = $false
try {
    Write-Step 'Lab: two network namespaces joined by a veth pair'
    $lab = New-NetnsLab -Name 'atdemo' -Subnet 250
    Write-Host "   $($lab.NsA): $($lab.VethA) $($lab.UnderA)/24    <---->    $($lab.NsB): $($lab.VethB) $($lab.UnderB)/24"

    $secret = '-E anytun-demo-passphrase'
    $argsA = Get-EndpointArgument -Lab $lab -Side A -Common $secret
    $argsB = Get-EndpointArgument -Lab $lab -Side B -Common $secret

    Write-Step 'The module on both ends'
    foreach ($pair in @(@($lab.NsA, $argsA, 'demo-a'), @($lab.NsB, $argsB, 'demo-b'))) {
        Write-Host "   [$($pair[0])] Import-Module out/Anytun; ConvertFrom-AnytunCommandLine '$($pair[1])' -Name $($pair[2]) | Start-AnytunTunnel"
    }
    $moduleA = Start-TunnelEndpoint -Lab $lab -Side A -Kind module -Arguments $argsA -ModulePath $ModulePath -TunnelName 'demo-a'
    $moduleB = Start-TunnelEndpoint -Lab $lab -Side B -Kind module -Arguments $argsB -ModulePath $ModulePath -TunnelName 'demo-b'
    Wait-TunnelEndpoint $moduleA -TimeoutSeconds 60
    Wait-TunnelEndpoint $moduleB -TimeoutSeconds 60
    Write-Host '   both tunnels are Running'

    Write-Step "Ping through the tunnel: $($lab.InnerA) -> $($lab.InnerB)"
    if (-not (Show-Ping $lab.NsA $lab.InnerB)) { $failed = $true }
    Show-ConnectionTable $moduleA "$($lab.NsA) (module)"
    Show-ConnectionTable $moduleB "$($lab.NsB) (module)"

    $anytun = Find-AnytunProgram -Name anytun
    if ($anytun) {
        Write-Step "The module against anytun 0.3.8 ($anytun)"
        Write-Host "   [$($lab.NsA)] module: ConvertFrom-AnytunCommandLine '$argsA' -Name demo-a | Start-AnytunTunnel"
        Write-Host "   [$($lab.NsB)] $anytun -D $argsB"
        $moduleA = Start-TunnelEndpoint -Lab $lab -Side A -Kind module -Arguments $argsA -ModulePath $ModulePath -TunnelName 'demo-a'
        $anytunB = Start-TunnelEndpoint -Lab $lab -Side B -Kind anytun -Arguments $argsB
        Wait-TunnelEndpoint $moduleA -TimeoutSeconds 60
        Wait-TunnelEndpoint $anytunB -TimeoutSeconds 30
        Write-Step "Ping through the tunnel: $($lab.InnerB) (anytun) -> $($lab.InnerA) (module)"
        if (-not (Show-Ping $lab.NsB $lab.InnerA)) { $failed = $true }
        Show-ConnectionTable $moduleA "$($lab.NsA) (module, peer = anytun)"
    }
    else {
        Write-Step 'anytun is not installed: skipping the module <-> anytun part (apt-get install anytun)'
    }
}
catch {
    $failed = $true
    Write-Host "Demo failed: $_" -ForegroundColor Red
    if ($null -ne $lab) { foreach ($endpoint in $lab.Endpoints) { Write-Host (Get-TunnelEndpointLog $endpoint) } }
}
finally {
    Write-Step 'Cleanup: stopping the ends, deleting the namespaces'
    Remove-NetnsLab $lab
}

if ($failed) {
    Write-Host 'Demo FAILED' -ForegroundColor Red
    exit 1
}
Write-Host 'Demo finished: traffic crossed the tunnel.' -ForegroundColor Green
exit 0
