# Prerequisites of build.ps1's Demo, Test and Bench -Tunnel tasks: which programs they run (build/prerequisites.json,
# also read by the xunit and Pester tests), which are missing, and how to install them. As root on Debian/Ubuntu the
# missing packages are installed with apt-get (one line says what, first); otherwise the exact command is printed.
# The decision (Get-AnytunInstallPlan) is separate from doing it (Invoke-AnytunInstallPlan), so tests can check it
# with any PATH, host and cache without installing anything.

Set-StrictMode -Version 3.0

$script:ListFile = Join-Path $PSScriptRoot 'prerequisites.json'
$script:Tasks = 'Demo', 'Test', 'Bench'

function Get-AnytunPrerequisiteList {
    <# The entries of build/prerequisites.json: Name, Package, For (task names), Why. #>
    [CmdletBinding()]
    param([ValidateSet('Demo', 'Test', 'Bench')] [string[]] $For = $script:Tasks)
    $entries = (Get-Content -Raw $script:ListFile | ConvertFrom-Json).programs
    foreach ($entry in $entries) {
        if (@($entry.for | Where-Object { $_ -in $For }).Count -gt 0) {
            [pscustomobject] @{ Name = $entry.name; Package = $entry.package; For = @($entry.for); Why = $entry.why }
        }
    }
}

function Find-AnytunProgram {
    <# The full path of an executable named -Name in the directories of -SearchPath (default: PATH), or $null. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Name, [string] $SearchPath = $env:PATH)
    foreach ($directory in @($SearchPath -split [IO.Path]::PathSeparator | Where-Object { $_ })) {
        $candidate = Join-Path $directory $Name
        if (-not [IO.File]::Exists($candidate)) { continue }
        if ($IsWindows) { return $candidate }
        try {
            if ([IO.File]::GetUnixFileMode($candidate) -band [IO.UnixFileMode] 'UserExecute, GroupExecute, OtherExecute') { return $candidate }
        }
        catch [System.IO.IOException] {
            # a dangling symlink: not a program
        }
    }
    return $null
}

function Get-AnytunMissingPrerequisite {
    <# The entries for -For whose program is not found on -SearchPath (optionally only those named in -Program). #>
    [CmdletBinding()]
    param(
        [ValidateSet('Demo', 'Test', 'Bench')] [string[]] $For = $script:Tasks,
        [string[]] $Program,
        [string] $SearchPath = $env:PATH
    )
    foreach ($entry in @(Get-AnytunPrerequisiteList -For $For)) {
        if ($Program -and $entry.Name -notin $Program) { continue }
        if ($null -eq (Find-AnytunProgram -Name $entry.Name -SearchPath $SearchPath)) { $entry }
    }
    # a program the caller names that the list does not know is still checked (package unknown)
    $known = @((Get-AnytunPrerequisiteList).Name)
    foreach ($name in @($Program | Where-Object { $_ -and $_ -notin $known })) {
        if ($null -eq (Find-AnytunProgram -Name $name -SearchPath $SearchPath)) {
            [pscustomobject] @{ Name = $name; Package = $null; For = @(); Why = $null }
        }
    }
}

function Format-AnytunPrerequisite {
    <# "ping (package iputils-ping), anytun (package anytun)" #>
    param([object[]] $Entry)
    (@($Entry) | ForEach-Object { if ($_.Package) { "$($_.Name) (package $($_.Package))" } else { $_.Name } }) -join ', '
}

function Get-AnytunHostState {
    <# What decides whether prerequisites can be installed and root tests run here. #>
    [CmdletBinding()]
    param([string] $OsReleasePath = '/etc/os-release')
    $osId = ''
    $osLike = ''
    if ($IsLinux -and (Test-Path $OsReleasePath)) {
        foreach ($line in Get-Content $OsReleasePath) {
            if ($line -match '^ID=(.*)$') { $osId = $Matches[1].Trim('"') }
            if ($line -match '^ID_LIKE=(.*)$') { $osLike = $Matches[1].Trim('"') }
        }
    }
    [pscustomobject] @{
        IsLinux = [bool] $IsLinux
        IsRoot = [bool] ($IsLinux -and [Environment]::IsPrivilegedProcess)
        # Debian, Ubuntu and their derivatives (ID_LIKE names the parent)
        IsDebian = [bool] ("$osId $osLike" -split '\s+' | Where-Object { $_ -in 'debian', 'ubuntu' })
        HasTunDevice = [bool] ($IsLinux -and (Test-Path /dev/net/tun))
        OsId = $osId
    }
}

function Get-AnytunEnvironmentProblem {
    <# What a task needs besides packages (Linux, root, /dev/net/tun, dotnet on PATH), as sentences; empty = fine. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $HostState, [string] $SearchPath = $env:PATH)
    if (-not $HostState.IsLinux) { return 'Linux (network namespaces and /dev/net/tun)' }
    if (-not $HostState.IsRoot) { 'root (network namespaces and tun devices)' }
    if (-not $HostState.HasTunDevice) { '/dev/net/tun (the tun kernel module)' }
    # the tunnel endpoints in the namespaces run `dotnet pwsh`
    if ($null -eq (Find-AnytunProgram -Name dotnet -SearchPath $SearchPath)) { 'dotnet on PATH (the .NET SDK)' }
}

function Get-AptUnknownPackage {
    <# The packages of -Package that apt's cache has no installable version of (all of them before the first apt-get update). #>
    param([Parameter(Mandatory)] [string[]] $Package)
    $known = [System.Collections.Generic.HashSet[string]]::new()
    $current = $null
    # one `apt-cache policy` for all: "<name>:" starts a package's block, "  Candidate: <version>|(none)" follows
    foreach ($line in @(& apt-cache policy @Package 2>$null)) {
        if ($line -match '^(\S+):$') { $current = $Matches[1] }
        elseif ($current -and $line -match '^\s+Candidate:\s+(\S+)' -and $Matches[1] -ne '(none)') { $null = $known.Add($current) }
    }
    $Package | Where-Object { -not $known.Contains($_) }
}

function Get-AnytunInstallPlan {
    <#
    Decides what to do about -Missing (entries from Get-AnytunMissingPrerequisite). Action is one of
      None       nothing is missing
      Install    root on Debian/Ubuntu: Commands are the apt-get command lines to run, in order
      Refused    -NoInstall was given
      NotRoot    not root: Advice has the sudo apt-get command
      NotDebian  no apt-get here: Advice names the Debian packages to look for
    -FindUnknownPackage returns the packages apt's cache does not know (an apt-get update comes first when there are any).
    #>
    [CmdletBinding()]
    param(
        [AllowEmptyCollection()] [object[]] $Missing = @(),
        [Parameter(Mandatory)] $HostState,
        [switch] $NoInstall,
        [scriptblock] $FindUnknownPackage = { param([string[]] $Package) Get-AptUnknownPackage $Package }
    )
    $packages = @($Missing | ForEach-Object Package | Where-Object { $_ } | Select-Object -Unique)
    $unknown = @($Missing | Where-Object { -not $_.Package } | ForEach-Object Name)
    $plan = [pscustomobject] @{
        Action = 'None'; Missing = @($Missing); Packages = $packages; Commands = @(); Advice = ''
    }
    if (@($Missing).Count -eq 0) { return $plan }

    $aptCommand = "apt-get install $($packages -join ' ')"
    if ($unknown) { $aptCommand += "  (and whatever provides: $($unknown -join ', '))" }
    if ($NoInstall) {
        $plan.Action = 'Refused'
        $plan.Advice = if ($HostState.IsDebian) { "not installed because of -NoInstall; to install: $aptCommand (as root)" }
        else { "not installed because of -NoInstall; install the programs with your package manager (Debian names: $($packages -join ' '))" }
    }
    elseif (-not $HostState.IsDebian) {
        $plan.Action = 'NotDebian'
        $plan.Advice = "install the programs with your package manager (on Debian/Ubuntu: $aptCommand)"
    }
    elseif (-not $HostState.IsRoot) {
        $plan.Action = 'NotRoot'
        $plan.Advice = "install them with: sudo $aptCommand  (or run this command as root: it installs them itself)"
    }
    elseif ($packages.Count -eq 0) {
        $plan.Action = 'NotDebian'
        $plan.Advice = "no Debian package is known for: $($unknown -join ', ')"
    }
    else {
        $plan.Action = 'Install'
        $needsUpdate = @(& $FindUnknownPackage $packages).Count -gt 0
        $plan.Commands = @(
            if ($needsUpdate) { , @('apt-get', 'update') }
            , (@('apt-get', 'install', '-y', '--no-install-recommends') + $packages)
        )
    }
    return $plan
}

function Invoke-AnytunInstallPlan {
    <# Runs an Install plan: one line saying what is installed, then the apt-get commands. Throws when one fails. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Plan)
    if ($Plan.Action -ne 'Install') { return }
    Write-Host "Installing missing prerequisites: $($Plan.Packages -join ' ') (apt-get)" -ForegroundColor Yellow
    $previous = $env:DEBIAN_FRONTEND
    $env:DEBIAN_FRONTEND = 'noninteractive'
    try {
        foreach ($command in $Plan.Commands) {
            Write-Host "> $($command -join ' ')" -ForegroundColor DarkGray
            & $command[0] @($command | Select-Object -Skip 1) | Out-Host
            if ($LASTEXITCODE -ne 0) { throw "'$($command -join ' ')' failed with exit code $LASTEXITCODE" }
        }
    }
    finally {
        $env:DEBIAN_FRONTEND = $previous
    }
}

function Resolve-AnytunPrerequisite {
    <#
    For build.ps1: checks what -For needs, installs the missing packages when it can (unless -NoInstall), prints
    one line per outcome, and returns what is still missing:
      Missing   entries still missing (after an install)
      Problems  environment problems (not root, no /dev/net/tun, ...) from Get-AnytunEnvironmentProblem
      Plan      the install plan that was decided
    -DryRun decides and prints, but runs nothing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [ValidateSet('Demo', 'Test', 'Bench')] [string[]] $For,
        [switch] $NoInstall,
        [switch] $DryRun,
        [string] $SearchPath = $env:PATH,
        $HostState = (Get-AnytunHostState)
    )
    $label = $For -join '/'
    $missing = @(Get-AnytunMissingPrerequisite -For $For -SearchPath $SearchPath)
    $problems = @(Get-AnytunEnvironmentProblem -HostState $HostState -SearchPath $SearchPath)
    $plan = Get-AnytunInstallPlan -Missing $missing -HostState $HostState -NoInstall:$NoInstall
    if ($plan.Action -eq 'None') {
        Write-Host "Prerequisites for ${label}: $((Get-AnytunPrerequisiteList -For $For).Name -join ', ') found" -ForegroundColor DarkGray
    }
    elseif ($plan.Action -eq 'Install') {
        if ($DryRun) {
            Write-Host "Would install missing prerequisites: $($plan.Packages -join ' ') (apt-get)" -ForegroundColor Yellow
            foreach ($command in $plan.Commands) { Write-Host "> $($command -join ' ')" -ForegroundColor DarkGray }
        }
        else {
            try { Invoke-AnytunInstallPlan -Plan $plan }
            catch { Write-Host "Installing prerequisites failed: $_" -ForegroundColor Red }
            $missing = @(Get-AnytunMissingPrerequisite -For $For -SearchPath $SearchPath)
            if ($missing.Count -gt 0) {
                Write-Host "Still missing after apt-get: $(Format-AnytunPrerequisite $missing)" -ForegroundColor Red
            }
        }
    }
    else {
        Write-Host "Missing prerequisites for ${label}: $(Format-AnytunPrerequisite $missing)" -ForegroundColor Yellow
        Write-Host "  $($plan.Advice)" -ForegroundColor Yellow
    }
    foreach ($problem in $problems) { Write-Host "Needs ${problem}: not available here" -ForegroundColor Yellow }
    [pscustomobject] @{ Missing = $missing; Problems = $problems; Plan = $plan }
}

Export-ModuleMember -Function Get-AnytunPrerequisiteList, Find-AnytunProgram, Get-AnytunMissingPrerequisite,
    Format-AnytunPrerequisite, Get-AnytunHostState, Get-AnytunEnvironmentProblem, Get-AptUnknownPackage,
    Get-AnytunInstallPlan, Invoke-AnytunInstallPlan, Resolve-AnytunPrerequisite
