BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Line i: source port 10000+i; destination port 445 on every 7th line, else 80; ALLOW on every 10th line.
    function New-Line([int] $i) {
        $action = if ($i % 10 -eq 0) { 'ALLOW' } else { 'DROP' }
        $port = if ($i % 7 -eq 0) { 445 } else { 80 }
        "2026-01-01 10:{0:00}:{1:00} $action TCP 10.0.{2}.{3} 10.1.0.1 {4} $port 52 S 1 0 8192 - - - RECEIVE 4" -f ([math]::Floor($i / 60) % 60), ($i % 60), ($i % 250), ($i % 200 + 1), (10000 + $i)
    }
    $script:Lines = 1..6000 | ForEach-Object { New-Line $_ } # about 500 KB: more than the first 256 KiB chunk
    $script:Log = New-FwTestLog -Path "$TestDrive/big.log" -Line $Lines
    $script:HeaderLines = $FwFieldsHeader.Count
}

Describe 'Get-FwDrop -Tail' {
    It 'the last N drops, in log order, with their line numbers' {
        $t = @(Get-FwDrop -Path $Log -Tail 5)
        $expected = @(5995..6000 | Where-Object { $_ % 10 -ne 0 }) # 6000 is an ALLOW line
        ($t.SourcePort -join ',') | Should -Be (($expected | ForEach-Object { 10000 + $_ }) -join ',')
        ($t.LineNumber -join ',') | Should -Be (($expected | ForEach-Object { $_ + $HeaderLines }) -join ',')
    }
    It 'equals the last N of a full read, with a filter (matches in the last chunk)' {
        $full = @(Get-FwDrop -Path $Log -DestinationPort 445)
        $t = @(Get-FwDrop -Path $Log -DestinationPort 445 -Tail 40)
        $t.Count | Should -Be 40
        ($t.LineNumber -join ',') | Should -Be ((@($full | Select-Object -Last 40)).LineNumber -join ',')
    }
    It 'a rare match far from the end is found by reading the rest from the start' {
        $t = @(Get-FwDrop -Path $Log -SourcePort 10007, 10014 -Tail 1)
        ($t.SourcePort -join ',') | Should -Be '10014'
        $t[0].LineNumber | Should -Be (14 + $HeaderLines)
        $two = @(Get-FwDrop -Path $Log -SourcePort 10007, 10014, 15999 -Tail 3)
        ($two.SourcePort -join ',') | Should -Be '10007,10014,15999'
    }
    It 'more than there are: all of them; -Tail 0: none' {
        @(Get-FwDrop -Path $Log -Action Allow -Tail 100000).Count | Should -Be 600
        @(Get-FwDrop -Path $Log -Tail 0).Count | Should -Be 0
    }
    It 'a UTF-16LE log (re-saved by Notepad)' {
        $u = "$TestDrive/utf16.log"
        [IO.File]::WriteAllText($u, (($FwFieldsHeader + $Lines[0..3999]) -join "`r`n") + "`r`n", [Text.UnicodeEncoding]::new($false, $true))
        $t = @(Get-FwDrop -Path $u -Tail 3)
        ($t.SourcePort -join ',') | Should -Be '13997,13998,13999'
        ($t.LineNumber -join ',') | Should -Be ((3997..3999 | ForEach-Object { $_ + $HeaderLines }) -join ',')
    }
    It 'with -IncludeRotated, the last records may come from the .old file' {
        $live = New-FwTestLog -Path "$TestDrive/rot.log" -Line (New-Line 1), (New-Line 2)
        $null = New-FwTestLog -Path "$TestDrive/rot.log.old" -Line (New-Line 3), (New-Line 4), (New-Line 5)
        $t = @(Get-FwDrop -Path $live -IncludeRotated -Tail 4)
        ($t.SourcePort -join ',') | Should -Be '10004,10005,10001,10002'
        ($t.LogFile | Select-Object -First 1) | Should -Be "$live.old"
        @(Get-FwDrop -Path $live -Tail 4).Count | Should -Be 2
    }
    It 'one tail per file' {
        $a = New-FwTestLog -Path "$TestDrive/a.log" -Line (New-Line 1), (New-Line 2), (New-Line 3)
        $b = New-FwTestLog -Path "$TestDrive/b.log" -Line (New-Line 4), (New-Line 5)
        (@(Get-FwDrop -Path $a, $b -Tail 1).SourcePort -join ',') | Should -Be '10003,10005'
    }
    It 'cannot be combined with -Bookmark' {
        { Get-FwDrop -Path $Log -Tail 1 -Bookmark "$TestDrive/b.json" } | Should -Throw -ErrorId 'FwTailWithBookmark,Fw.Commands.GetFwDropCommand'
    }
    It 'the sample log: the last 20 drops' {
        $all = @(Get-FwDrop -Path $FwSampleLog)
        $t = @(Get-FwDrop -Path $FwSampleLog -Tail 20)
        ($t.LineNumber -join ',') | Should -Be ((@($all | Select-Object -Last 20)).LineNumber -join ',')
    }
}
