#Requires -Version 7.4
# Help coverage: every exported cmdlet has complete help, the markdown pages in docs/help match the cmdlet metadata
# (help cannot drift from code), about_Anytun is found, the examples run, and Anytun.HelpGen rejects broken pages.

BeforeDiscovery {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $manifest = Import-PowerShellDataFile (Join-Path $repoRoot 'Anytun.psd1')
    $cmdletNames = @($manifest.CmdletsToExport | Sort-Object)
    $commandCases = foreach ($name in $cmdletNames) { @{ Name = $name } }

    # Examples are read from the markdown (the first code block of each '### Example' is what Get-Help shows as code).
    $exampleCases = foreach ($page in Get-ChildItem (Join-Path $repoRoot 'docs/help') -Filter '*-*.md') {
        $title = $null; $inFence = $false; $code = $null; $section = $null; $taken = @{}
        foreach ($line in Get-Content $page.FullName) {
            if ($inFence) {
                if ($line -match '^```') {
                    $inFence = $false
                    if ($section -eq 'EXAMPLES' -and $title -and -not $taken[$title]) {
                        $taken[$title] = $true
                        $text = $code -join "`n"
                        @{
                            Command      = $page.BaseName; Title = $title; Code = $text
                            RequiresRoot = $text -match '(?m)^\s*#\s*requires root'
                            Interactive  = $text -match '(?m)^\s*#\s*interactive'
                        }
                    }
                }
                else { $code.Add($line) }
                continue
            }
            if ($line -match '^```') { $inFence = $true; $code = [System.Collections.Generic.List[string]]::new(); continue }
            if ($line -match '^## (.+)$') { $section = $Matches[1].Trim(); $title = $null; continue }
            if ($line -match '^### (.+)$') { $title = $Matches[1].Trim() }
        }
    }
    # Marked in the markdown: '# requires root' (starts a tunnel), '# interactive' (runs until Ctrl+C: never run here).
    $unitExamples = @($exampleCases | Where-Object { -not $_.RequiresRoot -and -not $_.Interactive })
    $rootExamples = @($exampleCases | Where-Object { $_.RequiresRoot -and -not $_.Interactive })
    $interactiveExamples = @($exampleCases | Where-Object { $_.Interactive })
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ModuleManifest = (Resolve-Path (Join-Path $PSScriptRoot '../../out/Anytun/Anytun.psd1')).Path
    Import-Module $script:ModuleManifest -Force
    $script:DocsDir = Join-Path $script:RepoRoot 'docs/help'
    $script:CommonParameterNames = [System.Management.Automation.PSCmdlet]::CommonParameters

    # Reads the parameter-set headings and parameter yaml blocks of a platyPS page (independent of Anytun.HelpGen,
    # so a generator bug cannot hide a drift).
    function script:Read-HelpPage([string] $Path) {
        $page = @{ Sets = [ordered]@{}; Parameters = [ordered]@{}; Descriptions = @{} }
        $section = $null; $sub = $null; $inFence = $false; $fence = $null; $language = $null
        $description = [System.Collections.Generic.List[string]]::new()
        foreach ($line in Get-Content $Path) {
            if ($inFence) {
                if ($line -match '^```') {
                    $inFence = $false
                    if ($section -eq 'PARAMETERS' -and $language -eq 'yaml' -and $sub -like '-*') {
                        $yaml = @{}
                        foreach ($entry in $fence) {
                            if ($entry -match '^([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() }
                        }
                        $name = $sub.Substring(1)
                        if (-not $page.Parameters.Contains($name)) { $page.Parameters[$name] = [System.Collections.Generic.List[object]]::new() }
                        $page.Parameters[$name].Add([pscustomobject]@{
                            Type           = $yaml['Type']
                            Sets           = @($yaml['Parameter Sets'] -split ',' | ForEach-Object Trim | Where-Object { $_ })
                            Aliases        = @($yaml['Aliases'] -split ',' | ForEach-Object Trim | Where-Object { $_ } | Sort-Object)
                            Required       = $yaml['Required'] -eq 'True'
                            Position       = $yaml['Position']
                            ByValue        = $yaml['Accept pipeline input'] -match 'ByValue'
                            ByPropertyName = $yaml['Accept pipeline input'] -match 'ByPropertyName'
                            Wildcards      = $yaml['Accept wildcard characters'] -eq 'True'
                            Default        = $yaml['Default value']
                        })
                        $page.Descriptions[$name] = ($description -join ' ' -replace '\s+', ' ').Trim()
                    }
                }
                else { $fence.Add($line) }
                continue
            }
            if ($line -match '^```(\S*)') { $inFence = $true; $language = $Matches[1]; $fence = [System.Collections.Generic.List[string]]::new(); continue }
            if ($line -match '^## (.+)$') { $section = $Matches[1].Trim(); $sub = $null; continue }
            if ($line -match '^### (.+)$') {
                $sub = $Matches[1].Trim()
                $description = [System.Collections.Generic.List[string]]::new()
                if ($section -eq 'SYNTAX') { $page.Sets[($sub -replace ' \(Default\)$', '')] = $sub -match ' \(Default\)$' }
                continue
            }
            if ($section -eq 'PARAMETERS' -and $sub -like '-*' -and -not $page.Parameters.Contains($sub.Substring(1))) { $description.Add($line) }
        }
        $page
    }

    # The 'Default value' a page must show: what a new instance of the cmdlet holds (None for null and empty arrays).
    function script:Get-CodeDefault($Command, [string] $Name) {
        $property = $Command.ImplementingType.GetProperty($Name)
        if (-not $property) { return $null }
        $value = $property.GetValue([Activator]::CreateInstance($Command.ImplementingType))
        if ($value -is [System.Management.Automation.SwitchParameter]) { return "$($value.IsPresent)" }
        if ($null -eq $value -or ($value -is [array] -and $value.Length -eq 0) -or ($value -is [string] -and $value.Length -eq 0)) { return 'None' }
        [string]::Format([cultureinfo]::InvariantCulture, '{0}', $value)
    }

    function script:Get-TypeName([type] $Type) {
        $underlying = [Nullable]::GetUnderlyingType($Type)
        if ($underlying) { $underlying.Name } else { $Type.Name }
    }

    # Where the running PowerShell lives, to start a child in a network namespace (a dotnet tool runs as 'dotnet pwsh.dll').
    function script:Get-PwshCommand {
        $process = [Environment]::ProcessPath
        if ((Split-Path $process -Leaf) -like 'dotnet*') { @($process, (Join-Path $PSHOME 'pwsh.dll')) } else { @($process) }
    }
}

Describe 'Help of <Name>' -Tag 'Unit' -ForEach $commandCases {
    BeforeAll {
        $command = Get-Command -Name $Name -Module Anytun
        $help = Get-Help -Name $Name -Full
        $pagePath = Join-Path $script:DocsDir "$Name.md"
        $page = if (Test-Path $pagePath) { Read-HelpPage $pagePath }
        $parameterNames = @($command.Parameters.Keys | Where-Object { $_ -notin $script:CommonParameterNames })
    }

    It 'has a markdown page docs/help/<Name>.md' {
        $pagePath | Should -Exist
    }

    It 'has a synopsis from the MAML help (not the generated syntax)' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
        $help.Synopsis.Trim() | Should -Not -Be $Name
    }

    It 'has a description' {
        ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 1
        foreach ($example in $help.examples.example) { $example.code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter' {
        $undescribed = foreach ($parameterName in $parameterNames) {
            $entry = $help.parameters.parameter | Where-Object name -EQ $parameterName
            if (-not $entry -or -not ($entry.description.Text -join '').Trim()) { $parameterName }
        }
        $undescribed | Should -BeNullOrEmpty -Because 'every parameter needs a description in Get-Help'
    }

    It 'lists the same parameter sets as the cmdlet' {
        @($page.Sets.Keys | Sort-Object) | Should -Be @($command.ParameterSets.Name | Sort-Object)
        if ($command.ParameterSets.Count -gt 1) {
            @($page.Sets.Keys | Where-Object { $page.Sets[$_] }) | Should -Be @($command.DefaultParameterSet) -Because 'the (Default) set must match DefaultParameterSetName'
        }
    }

    It 'documents each parameter set with the cmdlet''s names, types, mandatory, position, pipeline input, aliases and wildcards' {
        $problems = [System.Collections.Generic.List[string]]::new()
        foreach ($documented in $page.Parameters.Keys) {
            if ($documented -notin $parameterNames) { $problems.Add("-$documented is documented but is not a parameter") }
        }
        foreach ($set in $command.ParameterSets) {
            foreach ($parameter in $set.Parameters) {
                if ($parameter.Name -in $script:CommonParameterNames) { continue }
                $where = "-$($parameter.Name) in set '$($set.Name)'"
                $blocks = $page.Parameters[$parameter.Name]
                $yaml = $blocks | Where-Object { $_.Sets -contains '(All)' -or $_.Sets -contains $set.Name } | Select-Object -First 1
                if (-not $yaml) { $problems.Add("$where has no yaml block naming this set"); continue }
                $position = if ($parameter.Position -ge 0) { "$($parameter.Position)" } else { 'Named' }
                $aliases = @($parameter.Aliases | Sort-Object)
                $wildcards = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                if ($yaml.Type -ne (Get-TypeName $parameter.ParameterType)) { $problems.Add("$where type: md '$($yaml.Type)' vs code '$(Get-TypeName $parameter.ParameterType)'") }
                if ($yaml.Required -ne $parameter.IsMandatory) { $problems.Add("$where Required: md $($yaml.Required) vs code $($parameter.IsMandatory)") }
                if ($yaml.Position -ne $position) { $problems.Add("$where Position: md $($yaml.Position) vs code $position") }
                if ($yaml.ByValue -ne $parameter.ValueFromPipeline) { $problems.Add("$where pipeline ByValue: md $($yaml.ByValue) vs code $($parameter.ValueFromPipeline)") }
                if ($yaml.ByPropertyName -ne $parameter.ValueFromPipelineByPropertyName) { $problems.Add("$where pipeline ByPropertyName: md $($yaml.ByPropertyName) vs code $($parameter.ValueFromPipelineByPropertyName)") }
                if (($yaml.Aliases -join ',') -ne ($aliases -join ',')) { $problems.Add("$where Aliases: md '$($yaml.Aliases -join ', ')' vs code '$($aliases -join ', ')'") }
                if ($yaml.Wildcards -ne $wildcards) { $problems.Add("$where wildcards: md $($yaml.Wildcards) vs code $wildcards") }
            }
            foreach ($documented in $page.Parameters.Keys) {
                $inSet = $page.Parameters[$documented] | Where-Object { $_.Sets -contains $set.Name -or $_.Sets -contains '(All)' }
                if ($inSet -and -not ($set.Parameters | Where-Object Name -EQ $documented)) {
                    $problems.Add("-$documented is documented in set '$($set.Name)' but the cmdlet does not have it there")
                }
            }
        }
        $problems | Should -BeNullOrEmpty -Because 'docs/help must match the cmdlet (run tools/Anytun.HelpGen/Update-AnytunHelp.ps1)'
    }
}

Describe 'docs/help pages' -Tag 'Unit' {
    It 'shows each parameter''s default as the code has it' {
        $problems = foreach ($page in Get-ChildItem $script:DocsDir -Filter '*-*.md') {
            $command = Get-Command -Name $page.BaseName -Module Anytun
            $help = Read-HelpPage $page.FullName
            foreach ($name in $help.Parameters.Keys) {
                $expected = Get-CodeDefault $command $name
                if ($null -eq $expected) { continue }   # -Confirm, -WhatIf: added by PowerShell, not properties
                foreach ($block in $help.Parameters[$name]) {
                    if ($block.Default -ne $expected) { "$($page.BaseName) -${name}: md shows '$($block.Default)', the code's default is '$expected'" }
                }
            }
        }
        $problems | Should -BeNullOrEmpty
    }

    It 'shares a parameter description between cmdlets only where they share the parameter itself' {
        # Identical text is allowed for one property declared once (the tunnel options of New- and Start-AnytunTunnel);
        # a parameter that only has the same name means something else and needs its own description.
        $seen = @{}
        $problems = foreach ($page in Get-ChildItem $script:DocsDir -Filter '*-*.md') {
            $command = Get-Command -Name $page.BaseName -Module Anytun
            $help = Read-HelpPage $page.FullName
            foreach ($name in $help.Descriptions.Keys) {
                $property = $command.ImplementingType.GetProperty($name)
                if (-not $property) { continue }
                $key = "$name|$($help.Descriptions[$name])"
                $owner = "$($property.DeclaringType.FullName).$name"
                if ($seen.ContainsKey($key) -and $seen[$key].Owner -ne $owner) {
                    "-$name of $($page.BaseName) has the description of -$name of $($seen[$key].Command), a different parameter ($owner vs $($seen[$key].Owner))"
                }
                elseif (-not $seen.ContainsKey($key)) { $seen[$key] = @{ Owner = $owner; Command = $page.BaseName } }
            }
        }
        $problems | Should -BeNullOrEmpty
    }

    It 'has a page only for exported cmdlets (no stale pages)' {
        $exported = @((Get-Module Anytun).ExportedCmdlets.Keys)
        $stale = Get-ChildItem $script:DocsDir -Filter '*-*.md' | Where-Object BaseName -NotIn $exported | ForEach-Object Name
        $stale | Should -BeNullOrEmpty
    }
}

Describe 'about_Anytun' -Tag 'Unit' {
    It 'is found by Get-Help about_Anytun' {
        $text = Get-Help about_Anytun | Out-String
        $text | Should -Match 'about_Anytun'
        $text | Should -Match 'SHORT DESCRIPTION'
        $text | Should -Match 'Start-AnytunTunnel'
    }

    It 'has the synopsis on line 5, where Get-Help reads it' {
        $path = Join-Path (Split-Path $script:ModuleManifest) 'en-US/about_Anytun.help.txt'
        $lines = Get-Content $path
        $lines[3] | Should -Be 'SHORT DESCRIPTION'
        $lines[4].Trim() | Should -Not -BeNullOrEmpty
    }
}

Describe 'Help examples' {
    Context 'examples that need no root' -Tag 'Unit' {
        It '<Command>: <Title> runs without error' -ForEach $unitExamples {
            # 'Stop' turns any error the example writes into a failure of this test.
            $scriptBlock = [scriptblock]::Create($Code)
            { & { $ErrorActionPreference = 'Stop'; & $scriptBlock | Out-String } } | Should -Not -Throw
        }
    }

    Context 'examples that run until stopped' -Tag 'Unit' {
        It '<Command>: <Title> parses' -ForEach $interactiveExamples {
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $errors)
            $errors | Should -BeNullOrEmpty
        }
    }

    Context 'examples that start tunnels' -Tag 'RequiresRoot' {
        BeforeAll {
            Import-Module (Join-Path $PSScriptRoot 'AnytunTestHelpers.psm1') -Force
            $script:NamespacePrefix = "h6help$PID"
            $script:NamespaceIndex = 0
        }

        It '<Command>: <Title> runs in a fresh network namespace' -ForEach $rootExamples {
            # root, /dev/net/tun, ip (and ping when the example pings): skipped with the reason locally, a failure under CI=true
            if (-not (Assert-AnytunRootPrerequisite -Program @(if ($Code -match '\bping\b') { 'ping' }))) { return }
            $namespace = "$script:NamespacePrefix-$((++$script:NamespaceIndex))"
            $scriptPath = Join-Path $TestDrive "$namespace.ps1"
            Set-Content -Path $scriptPath -Encoding utf8NoBOM -Value @"
`$ErrorActionPreference = 'Stop'
Import-Module '$script:ModuleManifest'
$Code
"@
            ip netns add $namespace
            try {
                ip -n $namespace link set lo up
                $pwsh = @(Get-PwshCommand)
                $startInfo = [System.Diagnostics.ProcessStartInfo]::new('ip')
                foreach ($argument in @('netns', 'exec', $namespace) + $pwsh + @('-NoProfile', '-NonInteractive', '-File', $scriptPath)) { $startInfo.ArgumentList.Add($argument) }
                $startInfo.RedirectStandardOutput = $true
                $startInfo.RedirectStandardError = $true
                $process = [System.Diagnostics.Process]::Start($startInfo)
                $stdout = $process.StandardOutput.ReadToEndAsync()
                $stderr = $process.StandardError.ReadToEndAsync()
                # below the suite's 120 s hang guard, so this message (with the example's output) is the one reported
                if (-not $process.WaitForExit(90000)) {
                    $process.Kill($true)
                    throw "example timed out after 90 s: $($stdout.Result)"
                }
                $process.WaitForExit()
                $because = "the example must succeed; output:`n$($stdout.Result)`n$($stderr.Result)"
                $process.ExitCode | Should -Be 0 -Because $because
                $stderr.Result.Trim() | Should -BeNullOrEmpty -Because $because
            }
            finally {
                ip netns delete $namespace 2>$null
            }
        }
    }
}

Describe 'Anytun.HelpGen rejects broken pages' -Tag 'Unit' {
    BeforeAll {
        $generatorDir = Join-Path $script:RepoRoot 'tools/Anytun.HelpGen'
        $script:Generator = Join-Path $generatorDir 'bin/Release/net10.0/Anytun.HelpGen.dll'
        if (-not (Test-Path $script:Generator)) {
            dotnet build $generatorDir -c Release --nologo -v quiet | Out-Null
        }
        $script:GoodPage = Get-Content (Join-Path $script:DocsDir 'Get-AnytunTunnel.md') -Raw

        function script:Invoke-Generator([string] $PageText) {
            $docs = Join-Path $TestDrive ([guid]::NewGuid())
            $null = New-Item -ItemType Directory $docs
            Set-Content -Path (Join-Path $docs 'Get-AnytunTunnel.md') -Value $PageText -NoNewline
            $output = & dotnet $script:Generator $docs (Join-Path $docs 'out') 2>&1 | Out-String
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output; OutDir = Join-Path $docs 'out' }
        }
    }

    It 'converts a good page into MAML Get-Help can read' {
        $result = Invoke-Generator $script:GoodPage
        $result.ExitCode | Should -Be 0 -Because $result.Output
        [xml] $maml = Get-Content (Join-Path $result.OutDir 'Anytun.PowerShell.dll-Help.xml') -Raw
        $maml.helpItems.schema | Should -Be 'maml'
        $maml.helpItems.command.details.name | Should -Be 'Get-AnytunTunnel'
    }

    It 'fails naming file and section when <Case>' -ForEach @(
        @{ Case = 'a required section is missing'; Find = '(?s)## DESCRIPTION.*?(?=## EXAMPLES)'; Replace = ''; Expect = 'DESCRIPTION' }
        @{ Case = 'a parameter has no description'; Find = '(?s)(### -Name\n).*?(?=```yaml)'; Replace = '$1'; Expect = '-Name' }
        @{ Case = 'a yaml block is malformed'; Find = 'Required: False'; Replace = 'Required False'; Expect = '-Name' }
        @{ Case = 'a yaml value is invalid'; Find = 'Position: 0'; Replace = 'Position: first'; Expect = 'Position' }
        @{ Case = 'the syntax names an undocumented parameter'; Find = '\[\[-Name\]'; Replace = '[-Bogus <String>] [[-Name]'; Expect = 'Bogus' }
        @{ Case = 'an example does not start with PowerShell code'; Find = '```powershell'; Replace = '```'; Expect = 'Example' }
        @{ Case = 'a yaml key is unknown'; Find = 'Accept wildcard characters: True'; Replace = 'Accept wildcards: True'; Expect = 'Accept wildcards' }
        @{ Case = 'a placeholder from Update-AnytunHelp.ps1 is left'; Find = '(?m)^Gets the tunnels started.*$'; Replace = '{{ Fill in the Synopsis }}'; Expect = 'placeholder' }
        @{ Case = 'a section is unknown'; Find = '## NOTES'; Replace = '## REMARKS'; Expect = 'REMARKS' }
    ) {
        $page = $script:GoodPage -replace "`r`n", "`n" -replace $Find, $Replace
        $page | Should -Not -Be ($script:GoodPage -replace "`r`n", "`n") -Because 'the test must actually break the page'
        $result = Invoke-Generator $page
        $result.ExitCode | Should -Not -Be 0
        $result.Output | Should -Match 'Get-AnytunTunnel\.md'
        $result.Output | Should -Match ([regex]::Escape($Expect))
    }

    It 'fails when a parameter description is copied to a parameter with another type' {
        $docs = Join-Path $TestDrive 'copied'
        $null = New-Item -ItemType Directory $docs
        Set-Content -Path (Join-Path $docs 'Get-AnytunTunnel.md') -Value $script:GoodPage -NoNewline
        # Stop-AnytunTunnel's page with its -Name text replaced by Get-AnytunTunnel's (String[] both, but no wildcards here).
        $getName = [regex]::Match($script:GoodPage, '(?s)### -Name\r?\n(.*?)\r?\n\r?\n```yaml').Groups[1].Value
        $stop = Get-Content (Join-Path $script:DocsDir 'Stop-AnytunTunnel.md') -Raw
        $stop = [regex]::Replace($stop, '(?s)(### -Name\r?\n).*?(\r?\n\r?\n```yaml)', "`$1$getName`$2")
        $stop = $stop -replace 'Accept wildcard characters: True', 'Accept wildcard characters: False'
        Set-Content -Path (Join-Path $docs 'Stop-AnytunTunnel.md') -Value $stop -NoNewline
        $output = & dotnet $script:Generator $docs (Join-Path $docs 'out') 2>&1 | Out-String
        $LASTEXITCODE | Should -Not -Be 0
        $output | Should -Match 'Stop-AnytunTunnel\.md'
        $output | Should -Match 'same description as -Name in Get-AnytunTunnel\.md'
        $output | Should -Match 'Accept wildcard characters'
    }

    It 'fails naming the about topic when its short description is missing' {
        $docs = Join-Path $TestDrive 'about'
        $null = New-Item -ItemType Directory $docs
        Set-Content -Path (Join-Path $docs 'Get-AnytunTunnel.md') -Value $script:GoodPage -NoNewline
        $about = (Get-Content (Join-Path $script:DocsDir 'about_Anytun.md') -Raw) -replace '(?s)## Short description.*?(?=## Long description)', ''
        Set-Content -Path (Join-Path $docs 'about_Anytun.md') -Value $about -NoNewline
        $output = & dotnet $script:Generator $docs (Join-Path $docs 'out') 2>&1 | Out-String
        $LASTEXITCODE | Should -Not -Be 0
        $output | Should -Match 'about_Anytun\.md'
        $output | Should -Match 'Short description'
    }
}
