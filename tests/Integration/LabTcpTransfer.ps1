<#
.SYNOPSIS
    One end of a bulk TCP transfer through a lab tunnel (NetnsLab's Invoke-LabTcpTransfer runs both ends).
.DESCRIPTION
    -Mode Listen: accepts one connection on -Address:-Port, prints LISTENING once bound, reads until the sender closes,
    then prints "RECEIVED <bytes> <sha256>". -Mode Send: connects, sends -Bytes pseudo-random bytes (seeded), closes its
    side, waits for the listener to close, and prints "SENT <bytes> <sha256>". Every wait ends after -TimeoutSeconds.
#>
param(
    [Parameter(Mandatory)] [ValidateSet('Listen', 'Send')] [string] $Mode,
    [Parameter(Mandatory)] [string] $Address,
    [int] $Port = 5301,
    [long] $Bytes = 4MB,
    [int] $TimeoutSeconds = 60
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ip = [Net.IPAddress]::Parse($Address)
$timeout = [TimeSpan]::FromSeconds($TimeoutSeconds)
$hash = [Security.Cryptography.IncrementalHash]::CreateHash([Security.Cryptography.HashAlgorithmName]::SHA256)
$buffer = [byte[]]::new(65536)

if ($Mode -eq 'Listen') {
    $listener = [Net.Sockets.TcpListener]::new($ip, $Port)
    $listener.Start()
    [Console]::Out.WriteLine('LISTENING')
    [Console]::Out.Flush()
    $accept = $listener.AcceptTcpClientAsync()
    if (-not $accept.Wait($timeout)) { throw "no connection on ${Address}:$Port within $TimeoutSeconds s" }
    $client = $accept.Result
    $stream = $client.GetStream()
    $stream.ReadTimeout = $TimeoutSeconds * 1000
    $total = 0L
    while (($count = $stream.Read($buffer, 0, $buffer.Length)) -gt 0) {
        $hash.AppendData($buffer, 0, $count)
        $total += $count
    }
    $client.Dispose()
    $listener.Stop()
    [Console]::Out.WriteLine("RECEIVED $total $([Convert]::ToHexString($hash.GetHashAndReset()))")
    return
}

$client = [Net.Sockets.TcpClient]::new($ip.AddressFamily)
$connect = $client.ConnectAsync($ip, $Port)
if (-not $connect.Wait($timeout)) { throw "could not connect to ${Address}:$Port within $TimeoutSeconds s" }
$client.SendTimeout = $TimeoutSeconds * 1000
$client.ReceiveTimeout = $TimeoutSeconds * 1000
$stream = $client.GetStream()
$random = [Random]::new(11)
$left = $Bytes
while ($left -gt 0) {
    $count = [int] [Math]::Min($left, $buffer.Length)
    $random.NextBytes($buffer)
    $stream.Write($buffer, 0, $count)
    $hash.AppendData($buffer, 0, $count)
    $left -= $count
}
$client.Client.Shutdown([Net.Sockets.SocketShutdown]::Send)
# the listener closes once it has read everything: 0 bytes here means the data arrived
$null = $stream.Read($buffer, 0, $buffer.Length)
$client.Dispose()
[Console]::Out.WriteLine("SENT $Bytes $([Convert]::ToHexString($hash.GetHashAndReset()))")
