# The manifest, exports, parameter metadata and format file, as the engine sees them. Moved from the xunit suite
# (ModuleManifestTests).
BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'The module manifest' -Tag 'Manifest' {
    It 'is valid and explicit: version, editions, PowerShell 5.1, .NET Framework 4.7.2, no wildcard exports, no invented addresses' {
        $info = Test-ModuleManifest -Path $FwManifest
        "$($info.Version)" | Should -Be '0.1.0'
        $info.CompatiblePSEditions | Should -Contain 'Desktop'
        $info.CompatiblePSEditions | Should -Contain 'Core'
        "$($info.PowerShellVersion)" | Should -Be '5.1'
        # Windows PowerShell 5.1 refuses the import on .NET Framework older than 4.7.2 with a clear message.
        "$($info.DotNetFrameworkVersion)" | Should -Be '4.7.2'
        $text = [System.IO.File]::ReadAllText($FwManifest)
        $text | Should -Not -Match "'\*'"
        $text | Should -Match 'CmdletsToExport'
        $text | Should -Match 'FunctionsToExport\s+= @\(\)'
        $text | Should -Match 'AliasesToExport\s+= @\(\)'
        $text | Should -Match 'VariablesToExport\s+= @\(\)'
        # There is no public site, so no HelpInfoUri/ProjectUri/LicenseUri.
        $text.Replace('# No HelpInfoUri, ProjectUri or LicenseUri', '') | Should -Not -Match 'Uri '
    }

    It 'the import exports the declared cmdlets only, no functions or aliases' {
        $declared = 'Get-FwDrop', 'Measure-FwDrop', 'Get-FwRule', 'Test-FwDrop', 'New-FwRuleFromDrop', 'Get-FwLogging', 'Enable-FwLogging'
        $module = Get-Module Fw
        $module.ExportedCmdlets.Keys | Should -Contain 'Get-FwDrop'
        $module.ExportedCmdlets.Keys | ForEach-Object { $declared | Should -Contain $_ }
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'Get-FwDrop declares its output type and pipeline binding' {
        $c = Get-Command Get-FwDrop
        $c.OutputType.Name | Should -Be 'Fw.FwDrop'
        $lp = $c.Parameters['LiteralPath']
        $lp.Aliases | Should -Contain 'PSPath'
        $lp.Aliases | Should -Contain 'FullName'
        $lp.ParameterSets.Values | ForEach-Object { $_.ValueFromPipelineByPropertyName | Should -BeTrue }
        $c.Parameters['Path'].ParameterSets.Values | ForEach-Object { ($_.ValueFromPipeline -and $_.Position -eq 0) | Should -BeTrue }
        $c.Parameters['Direction'].ParameterType.FullName | Should -Be 'Fw.FwDirection'
        @($c.Parameters.Keys | Where-Object { $_ -in 'Action', 'Protocol', 'SourceAddress', 'DestinationAddress', 'SourcePort', 'DestinationPort', 'After', 'Before' }).Count | Should -Be 8
    }

    It 'the format file names real properties of Fw.FwDrop' {
        # Importing already loaded it (a bad format file fails the import); check the names too.
        [xml] $doc = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($FwRepo, 'module', 'formats', 'FwDrop.format.ps1xml'))
        @($doc.SelectNodes('//TypeName') | ForEach-Object { $_.InnerText.Trim() } | Sort-Object -Unique) | Should -Be @('Fw.FwDrop')
        $props = @([Fw.FwDrop].GetProperties().Name)
        $names = @($doc.SelectNodes('//PropertyName') | ForEach-Object { $_.InnerText.Trim() })
        $names.Count | Should -BeGreaterThan 0
        $names | ForEach-Object { $props | Should -Contain $_ }
    }
}
