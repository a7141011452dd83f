<#
.SYNOPSIS
    Regenerates the SYNTAX and PARAMETERS metadata of docs/help/*.md from the built module (what platyPS's
    Update-MarkdownHelp does; platyPS is not installable here).
.DESCRIPTION
    Keeps every hand-written part (synopsis, description, examples, parameter descriptions, inputs, outputs, notes,
    links) and rewrites the syntax blocks and the yaml block(s) of each parameter from Get-Command metadata.
    A parameter with no description yet borrows the description of the same parameter on another page - the same
    property declared once, as Start-AnytunTunnel shares New-AnytunTunnel's tunnel options - else gets a
    '{{ Fill ... }}' placeholder that Anytun.HelpGen rejects (a parameter that only has the same name means something
    else and needs its own text). 'Default value' is always the code's default (read from a new instance of the
    cmdlet class). New cmdlets get a skeleton page. Run after changing a cmdlet's parameters:
        dotnet pwsh tools/Anytun.HelpGen/Update-AnytunHelp.ps1
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/Anytun/Anytun.psd1'),
    [string] $DocsDir = (Join-Path $PSScriptRoot '../../docs/help')
)
$ErrorActionPreference = 'Stop'

function Split-Sections([string[]] $Lines) {
    # Returns an ordered map 'heading' -> lines, for headings outside code fences at the given level.
    $sections = [ordered]@{}
    $current = '#preamble'
    $sections[$current] = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line.TrimStart().StartsWith('```')) { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') {
            $current = $Matches[1].Trim()
            $sections[$current] = [System.Collections.Generic.List[string]]::new()
            continue
        }
        $sections[$current].Add($line)
    }
    $sections
}

function Read-ParameterDocs([string[]] $Lines) {
    # '-Name' -> @{ Description = lines; Default = 'value' } from an existing PARAMETERS section.
    $docs = @{}
    $name = $null
    $inYaml = $false
    foreach ($line in $Lines) {
        if ($line -match '^### (\S+)\s*$') { $name = $Matches[1]; $docs[$name] = @{ Description = [System.Collections.Generic.List[string]]::new(); Default = $null; InYamlSeen = $false }; continue }
        if (-not $name) { continue }
        if ($line -match '^```yaml') { $inYaml = $true; $docs[$name].InYamlSeen = $true; continue }
        if ($inYaml -and $line -match '^```') { $inYaml = $false; continue }
        if ($inYaml) { if ($line -match '^Default value:\s*(.*)$' -and -not $docs[$name].Default) { $docs[$name].Default = $Matches[1].Trim() }; continue }
        if (-not $docs[$name].InYamlSeen) { $docs[$name].Description.Add($line) }
    }
    foreach ($key in @($docs.Keys)) {
        $text = ($docs[$key].Description -join "`n").Trim()
        $docs[$key].Text = $text
    }
    $docs
}

function Get-TypeText([type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    $Type.Name
}

function Get-AcceptedValues($Parameter) {
    $type = $Parameter.ParameterType
    $underlying = [Nullable]::GetUnderlyingType($type); if ($underlying) { $type = $underlying }
    if ($type.IsArray) { $type = $type.GetElementType() }
    if ($type.IsEnum) { return [enum]::GetNames($type) }
    foreach ($attribute in $Parameter.Attributes) {
        if ($attribute -is [System.Management.Automation.ValidateSetAttribute]) { return $attribute.ValidValues }
    }
    @()
}

function Get-ParameterKey($Command, [string] $Name) {
    # Parameters are the same parameter (and may share a description) when they are one property declared once.
    $property = $Command.ImplementingType.GetProperty($Name)
    if ($property) { "$($property.DeclaringType.FullName).$Name" } else { "$($Command.Name).$Name" }
}

function Get-DefaultText($Command, [string] $Name) {
    # The value a new instance of the cmdlet holds, as platyPS pages show it: None for null and empty arrays.
    $property = $Command.ImplementingType.GetProperty($Name)
    if (-not $property) { return $null }
    $value = $property.GetValue([Activator]::CreateInstance($Command.ImplementingType))
    if ($value -is [System.Management.Automation.SwitchParameter]) { return "$($value.IsPresent)" }
    if ($null -eq $value -or ($value -is [array] -and $value.Length -eq 0) -or ($value -is [string] -and $value.Length -eq 0)) { return 'None' }
    [string]::Format([cultureinfo]::InvariantCulture, '{0}', $value)
}

function New-YamlBlock($Parameter, [string] $Sets, [string] $Default) {
    $pipeline = @()
    if ($Parameter.ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($Parameter.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    $wildcards = [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $isSwitch = $Parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
    if (-not $Default) { $Default = if ($isSwitch) { 'False' } else { 'None' } }
    $accepted = @(Get-AcceptedValues $Parameter)
    $lines = @('```yaml', "Type: $(Get-TypeText $Parameter.ParameterType)", "Parameter Sets: $Sets", "Aliases: $($Parameter.Aliases -join ', ')".TrimEnd())
    if ($accepted.Count -gt 0) { $lines += "Accepted values: $($accepted -join ', ')" }
    $lines += @('', "Required: $($Parameter.IsMandatory)",
        "Position: $(if ($Parameter.Position -ge 0) { $Parameter.Position } else { 'Named' })",
        "Default value: $Default",
        "Accept pipeline input: $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' })",
        "Accept wildcard characters: $wildcards", '```')
    $lines
}

$module = Import-Module $ModulePath -Force -PassThru
$commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters
$pages = @{}
foreach ($file in Get-ChildItem $DocsDir -Filter '*-*.md') { $pages[$file.BaseName] = Get-Content $file.FullName }
$borrowable = @{}
foreach ($pageName in $pages.Keys) {
    $pageCommand = Get-Command -Module $module.Name -Name $pageName -CommandType Cmdlet -ErrorAction SilentlyContinue
    if (-not $pageCommand) { continue }
    $docs = Read-ParameterDocs (Split-Sections $pages[$pageName])['PARAMETERS']
    foreach ($key in $docs.Keys) {
        $shared = Get-ParameterKey $pageCommand $key.TrimStart('-')
        if ($docs[$key].Text -and $docs[$key].Text -notmatch '\{\{' -and -not $borrowable[$shared]) { $borrowable[$shared] = $docs[$key] }
    }
}

foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $name = $command.Name
    $sections = if ($pages[$name]) { Split-Sections $pages[$name] } else { [ordered]@{} }
    # Kept text of a section; a blank line after the heading when the section starts with a sub-heading (platyPS layout).
    $keep = {
        param($heading, $placeholder)
        $text = if ($sections[$heading]) { ($sections[$heading] -join "`n").Trim("`n") } else { $placeholder.Trim("`n") }
        if ($text.StartsWith('### ') -or $text.StartsWith('- ')) { "`n$text" } else { $text }
    }
    $docs = if ($sections['PARAMETERS']) { Read-ParameterDocs $sections['PARAMETERS'] } else { @{} }

    $sets = @($command.ParameterSets | Sort-Object { -not $_.IsDefault }, Name)
    $out = [System.Collections.Generic.List[string]]::new()
    $out.AddRange([string[]]@('---', 'external help file: Anytun.PowerShell.dll-Help.xml', 'Module Name: Anytun', 'online version:', 'schema: 2.0.0', '---', '', "# $name", '', '## SYNOPSIS'))
    $out.Add((& $keep 'SYNOPSIS' "{{ Fill in the Synopsis }}")); $out.Add(''); $out.Add('## SYNTAX'); $out.Add('')
    foreach ($set in $sets) {
        $heading = if ($set.IsDefault -and $sets.Count -gt 1) { "$($set.Name) (Default)" } else { $set.Name }
        # PowerShell prints C# keywords (<string>, <ushort>); platyPS pages show .NET names (<String>, <UInt16>).
        $line = "$name $set"
        foreach ($parameter in $set.Parameters) {
            $line = $line -replace "(-$($parameter.Name)\]? )<[^>]+>", "`$1<$(Get-TypeText $parameter.ParameterType)>"
        }
        $out.AddRange([string[]]@("### $heading", '```', $line, '```', ''))
    }
    $out.Add('## DESCRIPTION'); $out.Add((& $keep 'DESCRIPTION' "{{ Fill in the Description }}")); $out.Add('')
    $out.Add('## EXAMPLES'); $out.Add((& $keep 'EXAMPLES' "`n### Example 1: {{ Add example title }}`n``````powershell`n{{ Add example code }}`n```````n")); $out.Add('')
    $out.Add('## PARAMETERS'); $out.Add('')

    $parameterNames = @($sets.Parameters.Name | Where-Object { $_ -notin $commonParameters } | Sort-Object -Unique)
    $ordered = @($parameterNames | Where-Object { $_ -notin 'Confirm', 'WhatIf' } | Sort-Object) + @($parameterNames | Where-Object { $_ -in 'Confirm', 'WhatIf' } | Sort-Object)
    foreach ($parameterName in $ordered) {
        $key = "-$parameterName"
        $shared = Get-ParameterKey $command $parameterName
        $doc = if ($docs[$key] -and $docs[$key].Text) { $docs[$key] } elseif ($borrowable[$shared]) { $borrowable[$shared] } else { $null }
        $default = Get-DefaultText $command $parameterName
        if (-not $default -and $doc) { $default = $doc.Default }
        $out.Add("### $key")
        $out.Add($(if ($doc) { $doc.Text } else { "{{ Fill $parameterName Description }}" }))
        $out.Add('')
        # One yaml block per group of sets that agree on Required/Position/pipeline, '(All)' when it spans every set.
        $groups = [ordered]@{}
        foreach ($set in $sets) {
            $parameter = $set.Parameters | Where-Object Name -eq $parameterName
            if (-not $parameter) { continue }
            $groupKey = '{0}|{1}|{2}|{3}' -f $parameter.IsMandatory, $parameter.Position, $parameter.ValueFromPipeline, $parameter.ValueFromPipelineByPropertyName
            if (-not $groups[$groupKey]) { $groups[$groupKey] = @{ Parameter = $parameter; Sets = [System.Collections.Generic.List[string]]::new() } }
            $groups[$groupKey].Sets.Add($set.Name)
        }
        foreach ($group in $groups.Values) {
            $setText = if ($group.Sets.Count -eq $sets.Count) { '(All)' } else { $group.Sets -join ', ' }
            $out.AddRange([string[]](New-YamlBlock $group.Parameter $setText $default))
            $out.Add('')
        }
    }
    $out.AddRange([string[]]@('### CommonParameters', 'This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutVariable, -OutBuffer, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).', ''))
    $inputs = @($sets.Parameters | Where-Object { $_.ValueFromPipeline -and $_.Name -notin $commonParameters } | ForEach-Object { "### $($_.ParameterType.FullName)`n" } | Sort-Object -Unique) -join "`n"
    $outputs = @($command.OutputType.Name | Sort-Object -Unique | ForEach-Object { "### $_`n" }) -join "`n"
    $out.Add('## INPUTS'); $out.Add((& $keep 'INPUTS' "`n$inputs")); $out.Add('')
    $out.Add('## OUTPUTS'); $out.Add((& $keep 'OUTPUTS' "`n$outputs")); $out.Add('')
    $out.Add('## NOTES'); $out.Add((& $keep 'NOTES' '')); $out.Add('')
    $out.Add('## RELATED LINKS'); $out.Add((& $keep 'RELATED LINKS' "`n- [about_Anytun](about_Anytun.md)"))
    $text = (($out -join "`n") -replace "\n{3,}", "`n`n").TrimEnd() + "`n"
    $path = Join-Path $DocsDir "$name.md"
    Set-Content -Path $path -Value $text -NoNewline -Encoding utf8NoBOM
    foreach ($stale in @($docs.Keys | Where-Object { $_ -ne 'CommonParameters' -and $_.TrimStart('-') -notin $parameterNames })) {
        Write-Warning "$name.md: removed $stale (no longer a parameter)"
    }
    Write-Verbose "updated $path"
}
