# Test-FwDrop and the shared text parsing: no confident wrong answers (issue 10 item 6).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    # 5 November 2026: a day that is also a month number, the case where day-first and month-first text differ.
    $script:Lines = @(
        '2026-11-05 09:16:17 DROP TCP 192.168.10.21 192.168.10.5 51739 3389 52 S 1 0 8192 - - - RECEIVE -'
        '2026-11-05 09:17:17 DROP TCP 192.168.10.21 192.168.10.5 51740 3389 52 S 1 0 8192 - - - RECEIVE -'
        '2026-11-23 10:00:00 DROP UDP 192.168.10.33 192.168.10.5 5000 161 60 - - - - - - - RECEIVE -'
    )
    $script:Rule = [pscustomobject]@{ Name = 'RDP'; RuleString = 'v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|Name=RDP|' }
    # Writes the drops as CSV the way Export-Csv does on a computer with the given culture, then restores the culture.
    function Export-DropCsv([string] $Culture, [string] $Path, [object[]] $Drops) {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = $Culture
            $Drops | Export-Csv -LiteralPath $Path -NoTypeInformation
        } finally { [cultureinfo]::CurrentCulture = $saved }
    }
    function Invoke-InCulture([string] $Culture, [scriptblock] $Script) {
        $saved = [cultureinfo]::CurrentCulture
        try { [cultureinfo]::CurrentCulture = $Culture; & $Script } finally { [cultureinfo]::CurrentCulture = $saved }
    }
}

Describe 'Test-FwDrop with no rules stops instead of answering NoMatchingRule' {
    BeforeAll { $script:log = New-FwTestLog -Path (Join-Path $TestDrive 'd.log') -Line $Lines }

    It 'refuses an empty -Rule' {
        { Get-FwDrop -Path $log | Test-FwDrop -Rule @() } | Should -Throw -ErrorId 'FwNoRules,Fw.Commands.TestFwDropCommand'
    }

    It 'refuses the rules of a missing .reg (Get-FwRule found nothing)' {
        $err = { Get-FwDrop -Path $log | Test-FwDrop -Rule (Get-FwRule -Path (Join-Path $TestDrive 'missing.reg') -ErrorAction SilentlyContinue) } |
            Should -Throw -ErrorId 'FwNoRules,Fw.Commands.TestFwDropCommand' -PassThru
        $err.Exception.Message | Should -Match "no rules loaded from -Rule is empty.*'no matching rule' would be meaningless"
    }

    It 'refuses -Rule objects none of which is a rule' {
        $err = { Get-FwDrop -Path $log | Test-FwDrop -Rule ([pscustomobject]@{ Name = 'x' }) -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'FwNoRules,Fw.Commands.TestFwDropCommand' -PassThru
        $err.Exception.Message | Should -Match 'none of its 1 object\(s\) could be read as a rule'
    }

    It 'still answers with one rule loaded' {
        $v = @(Get-FwDrop -Path $log | Test-FwDrop -Rule $Rule)
        $v.Count | Should -Be 2
        ($v | Where-Object LocalPort -EQ 3389).Verdict | Should -Be 'AllowedByRule'
        ($v | Where-Object LocalPort -EQ 161).Verdict | Should -Be 'NoMatchingRule'
    }
}

Describe 'CSV times read the same on every computer (one rule for Test-FwDrop and New-FwRuleFromDrop)' {
    BeforeAll {
        $script:log = New-FwTestLog -Path (Join-Path $TestDrive 'c.log') -Line $Lines
        $script:drops = @(Get-FwDrop -Path $log)
    }

    It 'a day-first CSV (en-GB) read on a month-first computer (en-US) never swaps day and month' {
        $csv = Join-Path $TestDrive 'gb.csv'
        Export-DropCsv 'en-GB' $csv $drops
        (Get-Content $csv -Raw) | Should -Match '05/11/2026 09:16:17'
        $v = Invoke-InCulture 'en-US' { Import-Csv $csv | Test-FwDrop -Rule $Rule -WarningVariable w -WarningAction SilentlyContinue; $script:warn = $w }
        $rdp = $v | Where-Object LocalPort -EQ 3389
        $rdp.FirstSeen | Should -BeNullOrEmpty   # 05/11/2026 could be either: left out, not guessed as 11 May
        $rdp.Count | Should -Be 2
        ($warn -join "`n") | Should -Match "2 time\(s\) such as '05/11/2026 09:16:17' could be day-first or month-first"
        # 23/11/2026 can only be day-first.
        ($v | Where-Object LocalPort -EQ 161).FirstSeen | Should -Be ([datetime]'2026-11-23 10:00:00')
    }

    It 'a month-first CSV (en-US) read on a day-first computer (en-GB) keeps unambiguous dates right' {
        $csv = Join-Path $TestDrive 'us.csv'
        Export-DropCsv 'en-US' $csv $drops
        (Get-Content $csv -Raw) | Should -Match '11/23/2026 10:00:00\sAM'
        $v = Invoke-InCulture 'en-GB' { Import-Csv $csv | Test-FwDrop -Rule $Rule -WarningAction SilentlyContinue }
        ($v | Where-Object LocalPort -EQ 161).FirstSeen | Should -Be ([datetime]'2026-11-23 10:00:00')
        ($v | Where-Object LocalPort -EQ 3389).FirstSeen | Should -BeNullOrEmpty
    }

    It 'ISO 8601 times are read exactly in any culture' {
        $csv = Join-Path $TestDrive 'iso.csv'
        $drops | Select-Object *, @{ Name = 'Time'; Expression = { $_.Time.ToString('s') } } -ExcludeProperty Time | Export-Csv -LiteralPath $csv -NoTypeInformation
        foreach ($culture in 'en-US', 'en-GB', 'de-DE', 'ja-JP') {
            $v = Invoke-InCulture $culture { Import-Csv $csv | Test-FwDrop -Rule $Rule -WarningVariable w; $script:warn = $w }
            ($v | Where-Object LocalPort -EQ 3389).FirstSeen | Should -Be ([datetime]'2026-11-05 09:16:17')
            ($v | Where-Object LocalPort -EQ 3389).LastSeen | Should -Be ([datetime]'2026-11-05 09:17:17')
            $warn | Should -BeNullOrEmpty
        }
    }

    It 'New-FwRuleFromDrop reads the same CSV by the same rule' {
        $csv = Join-Path $TestDrive 'gb2.csv'
        Export-DropCsv 'en-GB' $csv $drops
        $c = Invoke-InCulture 'en-US' { Import-Csv $csv | New-FwRuleFromDrop -ExistingRule @() -WhatIf -WarningVariable w -WarningAction SilentlyContinue; $script:warn = $w }
        ($c | Where-Object LocalPort -EQ '3389').FirstSeen | Should -BeNullOrEmpty
        ($c | Where-Object LocalPort -EQ '161').FirstSeen | Should -Be ([datetime]'2026-11-23 10:00:00')
        ($warn -join "`n") | Should -Match 'could be day-first or month-first'
    }

    It 'a German CSV (dd.MM.yyyy) with an unambiguous date is read in en-US' {
        $csv = Join-Path $TestDrive 'de.csv'
        Export-DropCsv 'de-DE' $csv $drops
        $v = Invoke-InCulture 'en-US' { Import-Csv $csv | Test-FwDrop -Rule $Rule -WarningAction SilentlyContinue }
        ($v | Where-Object LocalPort -EQ 161).FirstSeen | Should -Be ([datetime]'2026-11-23 10:00:00')
    }

    It 'text that is no date is an error naming it, and the other rows are tested' {
        $rows = @(
            [pscustomobject]@{ Time = 'yesterday-ish'; Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = 3389; RemoteAddress = '192.168.10.21' }
            [pscustomobject]@{ Time = '2026-11-05 09:16:17'; Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = 3389; RemoteAddress = '192.168.10.21' }
        )
        $v = $rows | Test-FwDrop -Rule $Rule -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].Exception.Message | Should -Match "Time 'yesterday-ish' is not a date and time"
        $v.Count | Should -Be 1
    }
}

Describe 'Get-FwDrop -Bookmark in a missing folder' {
    It 'creates the folder and says so, naming it' {
        $log = New-FwTestLog -Path (Join-Path $TestDrive 'b.log') -Line $Lines
        $folder = Join-Path $TestDrive 'no' 'such' 'folder'
        $bookmark = Join-Path $folder 'fw.json'
        $r = @(Get-FwDrop -Path $log -Bookmark $bookmark -WarningVariable w -WarningAction SilentlyContinue)
        $r.Count | Should -Be 3
        ($w -join "`n") | Should -Match ([regex]::Escape("The folder '$folder' for bookmark '$bookmark' did not exist and was created"))
        Test-Path -LiteralPath $bookmark | Should -BeTrue
        $r2 = @(Get-FwDrop -Path $log -Bookmark $bookmark -WarningVariable w2)
        $r2.Count | Should -Be 0
        $w2 | Should -BeNullOrEmpty
    }
}
