@{
    RootModule           = 'Anytun.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '944fcf7a-87aa-4ce1-abfe-ddd13fd003fe'
    Author               = 'Anytun PowerShell contributors'
    CompanyName          = 'Unknown'
    Copyright            = '(c) Anytun PowerShell contributors. GPL-3.0-or-later, as anytun.'
    Description          = 'A wire-compatible implementation of the anytun 0.3.8 SATP VPN (tun/tap over UDP) as PowerShell cmdlets; tunnels run as PowerShell jobs.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    CmdletsToExport      = @(
        'Add-AnytunConnection'
        'Add-AnytunRoute'
        'ConvertFrom-AnytunCommandLine'
        'ConvertFrom-AnytunSyncStream'
        'Export-AnytunConnectionTable'
        'Get-AnytunConnection'
        'Get-AnytunControlServer'
        'Get-AnytunRoute'
        'Get-AnytunTunnel'
        'Import-AnytunConnectionTable'
        'New-AnytunConnection'
        'New-AnytunTunnel'
        'Remove-AnytunConnection'
        'Remove-AnytunRoute'
        'Set-AnytunConnection'
        'Start-AnytunControlServer'
        'Start-AnytunTunnel'
        'Stop-AnytunControlServer'
        'Stop-AnytunTunnel'
        'Sync-AnytunConnection'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    FormatsToProcess     = @('Anytun.Format.ps1xml')
    TypesToProcess       = @('Anytun.Types.ps1xml')
    PrivateData          = @{
        PSData = @{
            Tags         = @('VPN', 'anytun', 'SATP', 'tun', 'tap', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/anytun/anytun'
            LicenseUri   = 'https://www.gnu.org/licenses/gpl-3.0.html'
            ReleaseNotes = 'Initial version: single-tunnel data plane compatible with anytun 0.3.8.'
        }
    }
}
