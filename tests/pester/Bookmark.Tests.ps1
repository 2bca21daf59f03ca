BeforeAll {
    . $PSScriptRoot/Common.ps1

    # Record n: a DROP with source port n, so a test can tell exactly which records came back.
    function Get-FwTestRecord([int[]] $Number) {
        foreach ($n in $Number) {
            '2024-05-01 10:{0:00}:{1:00} DROP TCP 192.0.2.7 198.51.100.1 {2} 443 60 S 100 0 64240 - - - RECEIVE 4' -f [int][math]::Floor($n / 60 % 60), ($n % 60), $n
        }
    }
    function Add-FwTestRecord([string] $Path, [int[]] $Number) {
        [System.IO.File]::AppendAllText($Path, (((Get-FwTestRecord $Number) -join "`r`n") + "`r`n"))
    }
}

Describe 'Get-FwDrop -Bookmark delivers each record once, however the pipeline stops' -Tag 'Bookmark' {
    BeforeEach {
        $script:log = New-FwTestLog -Path (Join-Path $TestDrive "$([guid]::NewGuid()).log") -Line (Get-FwTestRecord (1..10))
        $script:bookmark = Join-Path $TestDrive "$([guid]::NewGuid()).json"
    }

    It 'continues after the last record Select-Object -First took (run after run)' {
        $runs = foreach ($i in 1..4) { , @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | Select-Object -First 2 | ForEach-Object SourcePort) }
        $runs[0] | Should -Be @(1, 2)
        $runs[1] | Should -Be @(3, 4)
        $runs[2] | Should -Be @(5, 6)
        $runs[3] | Should -Be @(7, 8)
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | ForEach-Object SourcePort) | Should -Be @(9, 10)
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark).Count | Should -Be 0
    }

    It 'continues after Select-Object -First 1 that stops on the first record of a later run' {
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | ForEach-Object SourcePort) | Should -Be (1..10)
        Add-FwTestRecord $log (11..13)
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | Select-Object -First 1 | ForEach-Object SourcePort) | Should -Be @(11)
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | ForEach-Object SourcePort) | Should -Be @(12, 13)
    }

    It 'saves what was delivered when the pipeline is stopped (Ctrl+C) in the middle' {
        Add-FwTestRecord $log (11..3000)
        # The stop comes from inside the pipeline (BeginStop, as Ctrl+C does): no timing, no sleep.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Log, $Bookmark, $Self)
                    Import-Module $Manifest
                    Get-FwDrop -LiteralPath $Log -Bookmark $Bookmark | ForEach-Object {
                        if ($_.SourcePort -eq 500) { $null = $Self.BeginStop($null, $null) }
                        $_.SourcePort
                    }
                }).AddArgument($FwManifest).AddArgument($log).AddArgument($bookmark).AddArgument($ps)
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            try { $ps.Invoke($null, $out) } catch [System.Management.Automation.PipelineStoppedException] { }
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
        $first = @($out | ForEach-Object { [int]$_ })
        $first.Count | Should -BeGreaterOrEqual 500
        $first.Count | Should -BeLessThan 3000 -Because 'the run must really stop in the middle'
        Test-Path $bookmark | Should -BeTrue -Because 'a stopped run saves what it delivered'
        $rest = @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | ForEach-Object SourcePort)
        # A stop of the whole pipeline is asynchronous: the record in flight when it lands may or may not have been
        # written out by the next command, and nothing tells which. It is delivered again (at least once, never
        # lost): every record arrives, in order, and at most that one twice.
        @($first + $rest | Sort-Object -Unique) | Should -Be (1..3000)
        ($first + $rest).Count | Should -BeLessOrEqual 3001
        $rest[0] | Should -BeIn @($first[-1], ($first[-1] + 1))
    }

    It 'delivers again the record a downstream command failed on' {
        { Get-FwDrop -LiteralPath $log -Bookmark $bookmark | ForEach-Object { if ($_.SourcePort -eq 4) { throw 'downstream failed' } } } |
            Should -Throw 'downstream failed'
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | ForEach-Object SourcePort) | Should -Be (4..10)
    }

    It 'resumes after an unusable #Fields line with the last usable layout (issue 12 finding 3)' {
        $nine = '#Fields: date time action protocol src-ip dst-ip src-port dst-port path'
        $rec = { param($n) "2024-05-01 10:00:0$n DROP TCP 10.0.0.1 10.0.0.2 $n 443 RECEIVE" }
        [System.IO.File]::WriteAllText($log, "$nine`r`n$(& $rec 1)`r`n#Fields: date date`r`n")
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark -WarningVariable w1 | ForEach-Object SourcePort) | Should -Be @(1)
        [System.IO.File]::AppendAllText($log, "$(& $rec 2)`r`n")
        $second = @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark -WarningVariable w2 | ForEach-Object SourcePort)
        $second | Should -Be @(2)
        $w2 | Should -BeNullOrEmpty
        @(Get-FwDrop -LiteralPath $log | ForEach-Object SourcePort) | Should -Be @(1, 2) -Because 'a single read gives the same'
    }

    It 'saves a position on the record right after NUL padding (issue 12 finding 4)' {
        $text = [System.IO.File]::ReadAllText($log)
        $at = $text.IndexOf((Get-FwTestRecord 3))
        [System.IO.File]::WriteAllText($log, $text.Substring(0, $at) + ("`0" * 64) + $text.Substring($at))
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark -ErrorVariable e | Select-Object -First 3 | ForEach-Object SourcePort) | Should -Be @(1, 2, 3)
        $e | Should -BeNullOrEmpty
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark | ForEach-Object SourcePort) | Should -Be (4..10)
    }

    It 'recovers from a bookmark whose offset is in the middle of a line, naming it (issue 12 finding 5)' {
        Add-FwTestRecord $log (11..60) # past FW_PREFIX_MAX, so the offset can move back alone
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark).Count | Should -Be 60
        $json = Get-Content -Raw -LiteralPath $bookmark
        $offset = [uint64]([regex]::Match($json, '"offset": (\d+)').Groups[1].Value)
        Set-Content -LiteralPath $bookmark -NoNewline -Value ($json -replace '"offset": \d+', "`"offset`": $($offset - 7)")
        Add-FwTestRecord $log (61, 62)
        $again = @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark -WarningVariable w -ErrorVariable e | ForEach-Object SourcePort)
        $e | Should -BeNullOrEmpty
        $again | Should -Be @(60, 61, 62)
        "$w" | Should -Match ([regex]::Escape("Bookmark '$bookmark'"))
        "$w" | Should -Match 'not at the start of a line'
        @(Get-FwDrop -LiteralPath $log -Bookmark $bookmark -WarningVariable w2).Count | Should -Be 0
        $w2 | Should -BeNullOrEmpty
    }
}

Describe 'A corrupt bookmark file is refused by name, never a crash or a silent reread' -Tag 'Bookmark' {
    It 'refuses or uses each of 300 randomly damaged bookmarks' {
        $log = New-FwTestLog -Path (Join-Path $TestDrive 'c.log') -Line (Get-FwTestRecord (1..70))
        $good = Join-Path $TestDrive 'good.json'
        $null = Get-FwDrop -LiteralPath $log -Bookmark $good
        $valid = [System.IO.File]::ReadAllBytes($good)
        $rng = [System.Random]::new(12)
        $bad = Join-Path $TestDrive 'bad.json'
        $outcomes = @{}
        for ($i = 0; $i -lt 300; $i++) {
            $bytes = [System.Collections.Generic.List[byte]]::new($valid)
            switch ($rng.Next(5)) {
                0 { $at = $rng.Next($bytes.Count); $bytes.RemoveRange($at, [Math]::Min(1 + $rng.Next(8), $bytes.Count - $at)) } # cut out
                1 { for ($k = 0; $k -lt 3; $k++) { $bytes[$rng.Next($bytes.Count)] = [byte]$rng.Next(256) } } # flip
                2 { $bytes.InsertRange($rng.Next($bytes.Count), [byte[]][System.Text.Encoding]::UTF8.GetBytes(@('"', '{', '9', ',', '-', 'null', '1e9', '0x', '\u0000')[$rng.Next(9)])) }
                3 { $at = $rng.Next($bytes.Count); $bytes.RemoveRange($at, $bytes.Count - $at) } # truncated
                4 { # a number replaced by another (offset, size, prefixLength, recordsRead)
                    $text = [System.Text.Encoding]::UTF8.GetString($bytes.ToArray())
                    $ms = [regex]::Matches($text, '\d+')
                    $m = $ms[$rng.Next($ms.Count)]
                    $text = $text.Substring(0, $m.Index) + @('0', '18446744073709551615', '18446744073709551616', '4097', [string]$rng.Next(9000))[$rng.Next(5)] + $text.Substring($m.Index + $m.Length)
                    $bytes = [System.Collections.Generic.List[byte]]::new([System.Text.Encoding]::UTF8.GetBytes($text))
                }
            }
            [System.IO.File]::WriteAllBytes($bad, $bytes.ToArray())
            try {
                $n = @(Get-FwDrop -LiteralPath $log -Bookmark $bad -ErrorAction Stop -WarningAction SilentlyContinue).Count
                $outcomes["read $n"]++
                $n | Should -BeLessOrEqual 70
            }
            catch {
                $_.FullyQualifiedErrorId | Should -Match '^FwBookmark(Invalid|Foreign),' -Because "damaged bookmark #$i gave: $($_.Exception.GetType().Name): $($_.Exception.Message)"
                $_.Exception.Message | Should -Match ([regex]::Escape($bad))
                $outcomes[($_.FullyQualifiedErrorId -split ',')[0]]++
            }
        }
        $outcomes['FwBookmarkInvalid'] | Should -BeGreaterThan 100 -Because ($outcomes | Out-String)
    }
}

