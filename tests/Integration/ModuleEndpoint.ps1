<#
.SYNOPSIS
    One tunnel endpoint run by the Anytun module, for the interop tests, the demo and the benchmark.
.DESCRIPTION
    Runs inside a network namespace (`ip netns exec <ns> dotnet pwsh -File ModuleEndpoint.ps1 ...`):
      1. reads the anytun command line from -CommandLine or <StateDirectory>/commandline.txt, imports the built module and starts `ConvertFrom-AnytunCommandLine $CommandLine | Start-AnytunTunnel`;
      2. once the tunnel job is Running, runs -SetupScript (if given; e.g. Add-AnytunConnection for a server), then
         writes <StateDirectory>/ready;
      3. every 250 ms writes `Get-AnytunConnection` as JSON to <StateDirectory>/counters.json (atomic rename),
         so a test can read counters while traffic flows, and runs each <StateDirectory>/commands/*.ps1 once (in name
         order), writing its output to <name>.out, its errors to <name>.err and then <name>.done (run-time changes);
      4. when <StateDirectory>/stop appears (NetnsLab's bash parent creates it on SIGTERM/SIGINT) (or the tunnel job leaves Running, or -TimeoutSeconds pass),
         writes the last snapshot to <StateDirectory>/final.json (and the formatted table to final.txt), stops the tunnel and prints the job's streams.
    Any failure is written to <StateDirectory>/error.txt and the exit code is 1.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $StateDirectory,
    # default: <StateDirectory>/commandline.txt (pwsh -File cannot take a value that starts with '-')
    [string] $CommandLine,
    [string] $Name = 'endpoint',
    # a script run inside this process once the tunnel is Running, before the ready file is written
    [string] $SetupScript,
    # a safety net so a forgotten endpoint never outlives a test run by much
    [int] $TimeoutSeconds = 900
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$readyFile = Join-Path $StateDirectory 'ready'
$stopFile = Join-Path $StateDirectory 'stop'
$countersFile = Join-Path $StateDirectory 'counters.json'
$finalFile = Join-Path $StateDirectory 'final.json'
$finalTableFile = Join-Path $StateDirectory 'final.txt'
$errorFile = Join-Path $StateDirectory 'error.txt'
$commandDirectory = Join-Path $StateDirectory 'commands'
if (-not $CommandLine) { $CommandLine = (Get-Content -Raw (Join-Path $StateDirectory 'commandline.txt')).Trim() }

function ConvertTo-PlainRecord {
    # Flattens an output object to JSON-friendly scalars (endpoints, enums and times become strings).
    param($InputObject)
    $record = [ordered] @{}
    foreach ($property in $InputObject.PSObject.Properties) {
        $value = $property.Value
        if ($null -eq $value -or $value -is [string] -or $value -is [bool] -or
            ($value -is [ValueType] -and $value -isnot [enum] -and $value -isnot [datetime] -and $value -isnot [DateTimeOffset])) {
            $record[$property.Name] = $value
        }
        elseif ($value -is [datetime] -or $value -is [DateTimeOffset]) {
            $record[$property.Name] = $value.ToString('o', [cultureinfo]::InvariantCulture)
        }
        else {
            $record[$property.Name] = "$value"
        }
    }
    [pscustomobject] $record
}

function Write-CounterFile {
    param([string] $Path)
    $records = @(Get-AnytunConnection | ForEach-Object { ConvertTo-PlainRecord $_ })
    $temporary = "$Path.tmp"
    ConvertTo-Json -InputObject $records -Depth 3 | Set-Content -Path $temporary
    Move-Item -Force -Path $temporary -Destination $Path
}

function Invoke-CommandFile {
    # Runs every commands/*.ps1 that has no .done yet; a command's failure is reported in its .err, never fatal.
    if (-not (Test-Path $commandDirectory)) { return }
    foreach ($file in @(Get-ChildItem -Path $commandDirectory -Filter '*.ps1' | Sort-Object Name)) {
        $done = "$($file.FullName).done"
        if (Test-Path $done) { continue }
        $errors = $null
        $output = try {
            & ([scriptblock]::Create("[CmdletBinding()] param()`n" + (Get-Content -Raw $file.FullName))) -ErrorVariable errors -ErrorAction Continue 2>$null | Out-String -Width 200
        }
        catch { $errors = @($_) }
        Set-Content -Path "$($file.FullName).out" -Value $output
        Set-Content -Path "$($file.FullName).err" -Value (@($errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) -join [Environment]::NewLine)
        Set-Content -Path $done -Value 'done'
    }
}

$job = $null
try {
    Import-Module $ModulePath
    $job = ConvertFrom-AnytunCommandLine -CommandLine $CommandLine -Name $Name | Start-AnytunTunnel
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($job.State -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) {
        if ($job.State -in 'Failed', 'Stopped', 'Completed') { break }
        Start-Sleep -Milliseconds 50
    }
    if ($job.State -ne 'Running') {
        $reasons = @($job.Error | ForEach-Object { "$_" }) -join '; '
        throw "tunnel job is $($job.State), not Running: $reasons"
    }
    if ($SetupScript) { & $SetupScript -TunnelName $Name }
    Write-CounterFile $countersFile
    Set-Content -Path $readyFile -Value "$PID"
    Write-Output "READY $CommandLine"

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-Path $stopFile) -and [DateTime]::UtcNow -lt $deadline -and $job.State -eq 'Running') {
        Start-Sleep -Milliseconds 250
        Invoke-CommandFile
        Write-CounterFile $countersFile
    }
    if ($job.State -ne 'Running') { Write-Output "tunnel job left Running: $($job.State)" }
    Write-CounterFile $finalFile
    # the module's own table view, for humans (the demo prints it)
    Get-AnytunConnection | Format-Table -AutoSize | Out-String -Width 160 | Set-Content -Path $finalTableFile
    Stop-AnytunTunnel -Name $Name
    Write-Output "STOPPED state=$($job.State)"
}
catch {
    $_ | Out-String | Set-Content -Path $errorFile
    Write-Output "ERROR $_"
    exit 1
}
finally {
    if ($null -ne $job) {
        # the job's streams are the tunnel's log: keep them in the endpoint's output for diagnosis
        $job | Receive-Job -ErrorAction Continue 2>&1 | Out-String -Width 200 | Write-Output
    }
}
