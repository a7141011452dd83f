#Requires -Version 7.4
BeforeAll {
    $script:ManifestPath = "$PSScriptRoot/../../out/Anytun/Anytun.psd1"
    Import-Module $script:ManifestPath -Force
    $script:Module = Get-Module Anytun
    $script:Manifest = Import-PowerShellDataFile $script:ManifestPath
}

Describe 'Anytun module manifest' -Tag 'Unit' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $script:ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the [Cmdlet] classes of the assembly' {
        $cmdletTypes = $script:Module.ImplementingAssembly.GetExportedTypes() |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { '{0}-{1}' -f $_.VerbName, $_.NounName }
        @($script:Manifest.CmdletsToExport | Sort-Object) | Should -Be @($cmdletTypes | Sort-Object)
        @($script:Module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($cmdletTypes | Sort-Object)
    }

    It 'uses only approved verbs' {
        $approved = (Get-Verb).Verb
        foreach ($name in $script:Manifest.CmdletsToExport) {
            $name.Split('-')[0] | Should -BeIn $approved -Because "$name must use an approved verb"
        }
    }

    It 'uses singular nouns with the Anytun prefix' {
        foreach ($name in $script:Manifest.CmdletsToExport) {
            $noun = $name.Split('-')[1]
            $noun | Should -BeLike 'Anytun*'
            $noun | Should -Not -BeLike '*s' -Because "$name should have a singular noun"
        }
    }

    It 'exports no functions, aliases or variables (never wildcards)' {
        $script:Manifest.FunctionsToExport | Should -BeNullOrEmpty
        $script:Manifest.AliasesToExport | Should -BeNullOrEmpty
        $script:Manifest.VariablesToExport | Should -BeNullOrEmpty
    }

    It 'declares Core, PowerShell 7.4, a fixed GUID and the binary root module' {
        $script:Manifest.CompatiblePSEditions | Should -Be @('Core')
        $script:Manifest.PowerShellVersion | Should -Be '7.4'
        $script:Manifest.RootModule | Should -Be 'Anytun.PowerShell.dll'
        $script:Manifest.GUID | Should -Be '944fcf7a-87aa-4ce1-abfe-ddd13fd003fe'
        $script:Manifest.PrivateData.PSData.Tags | Should -Contain 'VPN'
    }

    It 'ships the format and type files it names' {
        foreach ($file in @($script:Manifest.FormatsToProcess) + @($script:Manifest.TypesToProcess)) {
            Join-Path (Split-Path $script:ManifestPath) $file | Should -Exist
        }
    }

    It 'has a table view for every output type' {
        foreach ($type in 'Anytun.AnytunTunnelDefinition', 'Anytun.AnytunTunnel', 'Anytun.AnytunConnection') {
            Get-FormatData -TypeName $type | Should -Not -BeNullOrEmpty -Because "$type needs a view"
        }
    }

    It 'registers the tunnel job source adapter on import' {
        [runspace]::DefaultRunspace.JobManager.IsRegistered('AnytunTunnelJobSourceAdapter') | Should -BeTrue
    }

    It 'declares an OutputType on every cmdlet' {
        foreach ($name in $script:Manifest.CmdletsToExport) {
            (Get-Command $name).OutputType | Should -Not -BeNullOrEmpty -Because "$name must declare its output type"
        }
    }
}
