<#
.SYNOPSIS
    A test fixture standing in for anytun-controld: serves prepared byte streams, one per accepted TCP connection.
.DESCRIPTION
    Listens on -Address:-Port. Connection N (1-based) gets the bytes of <CaseDirectory>/<N>.bin, or of the last
    file once the numbered files are used up. A file named <N>.close.bin is closed after writing (the client sees
    the end of the stream); any other is held open, as controld does. After each accept the count goes to
    <CaseDirectory>/accepted (atomic rename). Stops when <CaseDirectory>/stop exists or after -TimeoutSeconds.
#>
param(
    [Parameter(Mandatory)] [string] $Address,
    [Parameter(Mandatory)] [int] $Port,
    [Parameter(Mandatory)] [string] $CaseDirectory,
    [int] $TimeoutSeconds = 300
)

$ErrorActionPreference = 'Stop'
$listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse($Address), $Port)
$listener.Start()
Set-Content -Path (Join-Path $CaseDirectory 'listening') -Value "$PID"
$held = [System.Collections.Generic.List[System.Net.Sockets.Socket]]::new()
$cases = @(Get-ChildItem -Path $CaseDirectory -Filter '*.bin' | Sort-Object { [int]($_.Name -split '\.')[0] })
$accepted = 0
$deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
try {
    while ([DateTime]::UtcNow -lt $deadline -and -not (Test-Path (Join-Path $CaseDirectory 'stop'))) {
        if (-not $listener.Pending()) { Start-Sleep -Milliseconds 50; continue }
        $socket = $listener.AcceptSocket()
        $case = $cases[[Math]::Min($accepted, $cases.Count - 1)]
        $accepted++
        $null = $socket.Send([System.IO.File]::ReadAllBytes($case.FullName))
        if ($case.Name -like '*.close.bin') { $socket.Shutdown('Send'); $socket.Dispose() } else { $held.Add($socket) }
        Set-Content -Path (Join-Path $CaseDirectory 'accepted.tmp') -Value $accepted
        Move-Item -Force (Join-Path $CaseDirectory 'accepted.tmp') (Join-Path $CaseDirectory 'accepted')
        Write-Output "connection $accepted -> $($case.Name)"
    }
}
finally {
    foreach ($socket in $held) { $socket.Dispose() }
    $listener.Stop()
}
