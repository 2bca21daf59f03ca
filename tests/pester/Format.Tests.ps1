BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Rules = @(Get-FwRule -Path ([System.IO.Path]::Combine($FwRepo, 'tests', 'data', 'rules', 'reference-rules.txt')))
    $script:Esc = [char]27

    # The default view of some objects, rendered as an 80-column console shows it; the lines that are not blank.
    function Format-Default([object[]] $InputObject) {
        ($InputObject | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
    }
    # The labels of a table's header line (the line above the first ---- line).
    function Get-HeaderLabel([string[]] $Lines) {
        $dashes = [array]::FindIndex($Lines, [Predicate[string]] { param($l) $l.TrimStart().StartsWith('--') })
        -split $Lines[$dashes - 1]
    }
    $script:Views = @{
        FwDrop          = { Get-FwDrop -Path $FwSampleLog -Action * | Select-Object -First 40 }
        FwDropGroup     = { Measure-FwDrop -Path $FwSampleLog -Top 5 }
        FwDropVerdict   = { Get-FwDrop -Path $FwSampleLog | Test-FwDrop -Rule $Rules | Select-Object -First 5 }
        FwRuleMatch     = { (Get-FwDrop -Path $FwSampleLog -DestinationPort 49154 | Test-FwDrop -Rule $Rules -AllRules).MatchingRules }
        FwRule          = { $Rules }
        FwRuleCandidate = { Get-FwDrop -Path $FwSampleLog | New-FwRuleFromDrop -Scope 192.168.10.0/24 -ExistingRule @() -AsScript:$false -Confirm:$false -WhatIf -WarningAction SilentlyContinue }
    }
    $script:SavedRendering = $PSStyle.OutputRendering
}

AfterAll {
    $PSStyle.OutputRendering = $SavedRendering
    Remove-Item Env:NO_COLOR -ErrorAction SilentlyContinue
}

Describe 'Default table views' {
    BeforeEach { $PSStyle.OutputRendering = 'PlainText' }

    It 'the <_> table fits 80 columns and every column label is a property name' -ForEach @(
        'FwDrop', 'FwDropGroup', 'FwDropVerdict', 'FwRuleMatch', 'FwRule', 'FwRuleCandidate') {
        $objects = @(& $Views[$_])
        $objects.Count | Should -BeGreaterThan 0
        $objects[0].GetType().Name | Should -Be $_
        $lines = Format-Default $objects
        $lines | Where-Object { $_.TrimEnd().Length -gt 80 } | Should -BeNullOrEmpty
        $labels = Get-HeaderLabel $lines
        $labels.Count | Should -BeGreaterThan 3
        $names = $objects[0].PSObject.Properties.Name
        foreach ($label in $labels) { $names | Should -Contain $label }
        # ... so the labels work as Select-Object and Format-Table properties (no empty columns).
        $selected = $objects | Select-Object -Property $labels -First 1
        @($selected.PSObject.Properties.Name) | Should -Be $labels
    }
    It 'shows an admin the time, action, protocol, addresses and destination port of a drop, IPv4 in full' {
        $lines = Format-Default (Get-FwDrop -Path $FwSampleLog -DestinationPort 49154 | Select-Object -First 1)
        $lines[0].Trim() | Should -Be 'Date: 2026-11-23'
        Get-HeaderLabel $lines | Should -Be @('Time', 'Action', 'Protocol', 'SourceAddress', 'DestinationAddress', 'DestinationPort')
        $lines[-1] | Should -Match '^09:16:17 DROP\s+TCP\s+192\.168\.10\.21\s+192\.168\.10\.5\s+49154$'
    }
    It 'Format-Table with the labels prints the values (Protocol, DestinationPort)' {
        $text = Get-FwDrop -Path $FwSampleLog -DestinationPort 49154 | Select-Object -First 1 |
            Format-Table Protocol, DestinationPort | Out-String
        $text | Should -Match 'TCP\s+49154'
    }
}

Describe 'DROP lines in colour' {
    BeforeAll {
        $script:Mixed = Get-FwDrop -Path $FwSampleLog -Action * | Select-Object -First 12
        function Get-Row([string] $Pattern) { (Format-Default $Mixed) | Where-Object { $_ -match $Pattern } | Select-Object -First 1 }
    }
    AfterEach { Remove-Item Env:NO_COLOR -ErrorAction SilentlyContinue }

    It 'colours DROP rows, not ALLOW rows, when OutputRendering is Ansi' {
        $PSStyle.OutputRendering = 'Ansi'
        $drop = Get-Row 'DROP'
        $drop | Should -Match ([regex]::Escape("$Esc[") + '\d')
        $drop | Should -Match ([regex]::Escape($PSStyle.Foreground.Red))
        Get-Row 'ALLOW' | Should -Not -Match ([regex]::Escape($PSStyle.Foreground.Red))
    }
    It 'writes no escape sequence when OutputRendering is PlainText' {
        $PSStyle.OutputRendering = 'PlainText'
        ($Mixed | Out-String) | Should -Not -Match ([regex]::Escape("$Esc"))
    }
    It 'writes no colour under NO_COLOR' {
        $PSStyle.OutputRendering = 'Ansi'
        $env:NO_COLOR = '1'
        Get-Row 'DROP' | Should -Not -Match ([regex]::Escape($PSStyle.Foreground.Red))
    }
    It 'writes no colour when the output is redirected to a file (default OutputRendering Host)' {
        # This pwsh again (its own launcher in $PSHOME; the dotnet tool's shim runs it as 'dotnet pwsh.dll').
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $out = Join-Path $TestDrive 'redirected.txt'
        $command = "Import-Module '$FwManifest'; Get-FwDrop -Path '$FwSampleLog' | Select-Object -First 5"
        & $pwsh -NoProfile -NonInteractive -Command $command > $out
        $text = Get-Content -LiteralPath $out -Raw
        $text | Should -Match 'DROP'
        # (pwsh's own table header colour is not Fw's to remove.)
        $text | Should -Not -Match ([regex]::Escape($PSStyle.Foreground.Red))
    }
}
