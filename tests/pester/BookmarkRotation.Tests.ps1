# Get-FwDrop -Bookmark across growth, rotation (pfirewall.log -> pfirewall.log.old) and truncation; bookmarks that
# are corrupt, foreign or busy; -IncludeRotated; and the scheduled-task script of docs/scheduled-task.md run as
# written. Moved from the xunit suite (BookmarkTests, ScheduledTaskScriptTests).
BeforeAll {
    . $PSScriptRoot/Common.ps1

    # Record n: a DROP from source port n, so a test can tell exactly which records came back, and in which order.
    function Get-FwRotLine([int] $Number, [int] $DestinationPort = 443) {
        '2024-05-01 {0:00}:{1:00}:{2:00} DROP TCP 192.0.2.7 198.51.100.1 {3} {4} 60 S 100 0 64240 - - - RECEIVE 4' -f
            ((10 + [math]::Floor($Number / 3600)) % 24), ([math]::Floor($Number / 60) % 60), ($Number % 60), $Number, $DestinationPort
    }
    # A log that grows, rotates and truncates like the firewall service's (the next record number in Next).
    function New-FwRotLog([switch] $NoCreate) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $folder
        $log = [pscustomobject]@{
            Folder = $folder; Path = Join-Path $folder 'pfirewall.log'; Bookmark = Join-Path $folder 'state/fw.bookmark.json'; Next = 1
        }
        # The bookmark's folder exists (Get-FwDrop would create it, with a warning: TestFwDrop.Tests.ps1).
        $null = New-Item -ItemType Directory -Path (Split-Path $log.Bookmark)
        if (-not $NoCreate) { Initialize-FwRotLog $log }
        $log
    }
    function Initialize-FwRotLog($Log) { [System.IO.File]::WriteAllText($Log.Path, (($FwFieldsHeader -join "`r`n") + "`r`n")) }
    function Add-FwRotRaw($Log, [string] $Text) { [System.IO.File]::AppendAllText($Log.Path, $Text) }
    function Add-FwRotRecord($Log, [int] $Count, [int] $DestinationPort = 443) {
        Add-FwRotRaw $Log (-join (1..$Count | ForEach-Object { (Get-FwRotLine ($Log.Next++) $DestinationPort) + "`r`n" }))
    }
    function Invoke-FwRotation($Log) {
        Move-Item -LiteralPath $Log.Path -Destination "$($Log.Path).old" -Force
        Initialize-FwRotLog $Log
    }
    function Clear-FwRotLog($Log) { Initialize-FwRotLog $Log }
    # The source ports of one bookmark run (extra parameters as given).
    function Read-FwRot($Log, [hashtable] $With = @{}) {
        @(Get-FwDrop -LiteralPath $Log.Path -Bookmark $Log.Bookmark @With | ForEach-Object SourcePort)
    }
}

Describe 'Get-FwDrop -Bookmark across growth and rotation' -Tag 'Bookmark' {
    It 'run, append, run: exactly the appended records; the bookmark is readable JSON naming the log' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 30
        Read-FwRot $log | Should -Be (1..30)
        Test-Path -LiteralPath $log.Bookmark | Should -BeTrue -Because 'the first run creates the bookmark'
        (Read-FwRot $log).Count | Should -Be 0
        Add-FwRotRecord $log 12
        $second = @(Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark -WarningVariable w | ForEach-Object SourcePort)
        $second | Should -Be (31..42)
        $w | Should -BeNullOrEmpty
        $json = Get-Content -Raw -LiteralPath $log.Bookmark
        $json | Should -Match '"format": "Fw.Bookmark"'
        $json | Should -Match ([regex]::Escape('"logPath": ' + ($log.Path | ConvertTo-Json)))
        $json | Should -Match ([regex]::Escape("`"offset`": $((Get-Item -LiteralPath $log.Path).Length),"))
        $json | Should -Match '"recordsRead": 12'
        @(Get-ChildItem -LiteralPath (Split-Path $log.Bookmark) -Filter '*.tmp').Count | Should -Be 0
    }

    It 'run, append, rotate, append, run: each new record once, in order, the .old file first' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 20
        Read-FwRot $log | Should -Be (1..20)
        Add-FwRotRecord $log 10 # 21-30: only in the file that becomes .old
        Invoke-FwRotation $log
        Add-FwRotRecord $log 5  # 31-35: the new file
        $second = @(Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark -WarningVariable w)
        @($second.SourcePort) | Should -Be (21..35)
        $second | Select-Object -First 10 | ForEach-Object { $_.LogFile | Should -BeLike '*pfirewall.log.old' }
        $second | Select-Object -Skip 10 | ForEach-Object { $_.LogFile | Should -BeLike '*pfirewall.log' }
        $w | Should -BeNullOrEmpty
        Add-FwRotRecord $log 2
        Read-FwRot $log | Should -Be @(36, 37)
    }

    It 'delivers a partial last line once, when it is complete' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 3
        $line = (Get-FwRotLine ($log.Next++)) + "`r`n"
        Add-FwRotRaw $log $line.Substring(0, 30)
        Read-FwRot $log | Should -Be (1..3)
        (Read-FwRot $log).Count | Should -Be 0
        Add-FwRotRaw $log $line.Substring(30)
        Read-FwRot $log | Should -Be @(4)
        (Read-FwRot $log).Count | Should -Be 0
    }

    It 'covers the lines a filter left out' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 5 -DestinationPort 443
        Add-FwRotRecord $log 5 -DestinationPort 3389
        Read-FwRot $log @{ DestinationPort = 3389 } | Should -Be (6..10)
        Add-FwRotRecord $log 3 -DestinationPort 443
        (Read-FwRot $log @{ DestinationPort = 3389 }).Count | Should -Be 0
        # Without the filter only what came after the last run: 1-5 were read (and filtered out) then.
        (Read-FwRot $log).Count | Should -Be 0
    }

    It 'warns when both files were rotated away, and repeats nothing' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 10
        $null = Read-FwRot $log
        Add-FwRotRecord $log 2 # 11-12 are lost: their file is rotated away twice
        Invoke-FwRotation $log
        Add-FwRotRecord $log 3 # 13-15
        Invoke-FwRotation $log
        Add-FwRotRecord $log 2 # 16-17
        $r = @(Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark -WarningVariable w -WarningAction SilentlyContinue | ForEach-Object SourcePort)
        $r | Should -Be (13..17)
        ($w -join "`n") | Should -Match 'may have been lost'
    }

    It 'reads a truncated log again from the start, with a warning' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 10
        $null = Read-FwRot $log
        Clear-FwRotLog $log
        Add-FwRotRecord $log 2
        $r = @(Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark -WarningVariable w -WarningAction SilentlyContinue | ForEach-Object SourcePort)
        $r | Should -Be @(11, 12)
        ($w -join "`n") | Should -Match 'truncated'
    }

    It '-IncludeRotated reads the .old file first; a first bookmark run with it starts at the start of .old' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 4
        Invoke-FwRotation $log
        Add-FwRotRecord $log 3
        $both = @(Get-FwDrop -LiteralPath $log.Path -IncludeRotated)
        @($both.SourcePort) | Should -Be (1..7)
        $both[0].LogFile | Should -BeLike '*.old'
        @(Get-FwDrop -LiteralPath $log.Path | ForEach-Object SourcePort) | Should -Be (5..7)
        Read-FwRot $log @{ IncludeRotated = $true } | Should -Be (1..7)
    }
}

Describe 'Get-FwDrop -Bookmark refuses what it cannot trust' -Tag 'Bookmark' {
    It 'a corrupt or foreign bookmark (<Content>) is a terminating error naming it, and is left alone' -ForEach @(
        @{ Content = 'not json at all'; Expected = 'is corrupt: it is not valid JSON' }
        @{ Content = '{"format": "Fw.Bookmark", "version": 1, "logPath": "x"}'; Expected = 'is corrupt' }
        @{ Content = '{"format": "Something.Else"}'; Expected = 'is not an Fw bookmark' }
        @{ Content = '{"format": "Fw.Bookmark", "version": 7}'; Expected = 'has version 7' }
        @{ Content = '[1, 2,]'; Expected = 'is corrupt' }
    ) {
        $log = New-FwRotLog
        Add-FwRotRecord $log 5
        [System.IO.File]::WriteAllText($log.Bookmark, $Content)
        $got = @(); $err = $null
        try { Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark | ForEach-Object { $got += $_ } } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'FwBookmarkInvalid,Fw.Commands.GetFwDropCommand'
        $err.Exception.Message | Should -BeLike "*$($log.Bookmark)*"
        $err.Exception.Message | Should -BeLike "*$Expected*"
        $got.Count | Should -Be 0
        [System.IO.File]::ReadAllText($log.Bookmark) | Should -BeExactly $Content
    }

    It 'a tampered field is named' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 5
        $null = Read-FwRot $log
        $json = [System.IO.File]::ReadAllText($log.Bookmark)
        $json.Contains('"prefixHash": "0x') | Should -BeTrue
        [System.IO.File]::WriteAllText($log.Bookmark, $json.Replace('"prefixHash": "0x', '"prefixHash": "zz'))
        { Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark } | Should -Throw -ExpectedMessage '*prefixHash*'
    }

    It 'a bookmark written for another log is refused, naming that log' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 5
        $other = New-FwRotLog
        Add-FwRotRecord $other 3
        $null = Read-FwRot $log
        $got = @(); $err = $null
        try { Get-FwDrop -LiteralPath $other.Path -Bookmark $log.Bookmark | ForEach-Object { $got += $_ } } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'FwBookmarkForeign,Fw.Commands.GetFwDropCommand'
        $err.Exception.Message | Should -BeLike "*$($log.Path)*"
        $got.Count | Should -Be 0
    }

    It 'a bookmark another run holds is a clear FwBookmarkBusy error; once free it reads' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 5
        $lock = [System.IO.FileStream]::new("$($log.Bookmark).lock", 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            $got = @(); $err = $null
            try { Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark | ForEach-Object { $got += $_ } } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'FwBookmarkBusy,Fw.Commands.GetFwDropCommand'
            $err.Exception.Message | Should -BeLike '*Another Get-FwDrop -Bookmark run holds*'
            $err.Exception.Message | Should -BeLike "*$($log.Bookmark)*"
            $got.Count | Should -Be 0
        } finally { $lock.Dispose() }
        Read-FwRot $log | Should -Be (1..5)
    }

    It 'needs one log: a wildcard for two is FwOneLogOnly and writes no bookmark' {
        $log = New-FwRotLog
        Add-FwRotRecord $log 2
        Copy-Item -LiteralPath $log.Path -Destination (Join-Path $log.Folder 'second.log')
        { Get-FwDrop -Path "$($log.Folder)/*.log" -Bookmark $log.Bookmark } | Should -Throw -ErrorId 'FwOneLogOnly,Fw.Commands.GetFwDropCommand'
        Test-Path -LiteralPath $log.Bookmark | Should -BeFalse
    }

    It 'a missing log is an error and writes no bookmark' {
        $log = New-FwRotLog -NoCreate
        $null = Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark -ErrorVariable e -ErrorAction SilentlyContinue
        @($e | Where-Object { $_.FullyQualifiedErrorId -like 'FwLogReadError*' }).Count | Should -BeGreaterThan 0
        Test-Path -LiteralPath $log.Bookmark | Should -BeFalse
    }
}

Describe 'The scheduled-task script of docs/scheduled-task.md, run as written' -Tag 'Bookmark' {
    BeforeAll {
        # Everything but Register-ScheduledTask: the fw-script block of the page, extracted verbatim.
        $doc = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($FwRepo, 'docs', 'scheduled-task.md'))
        $m = [regex]::Match($doc, '<!-- fw-script:begin -->\s*```powershell\r?\n(?<code>.*?)```\s*<!-- fw-script:end -->', 'Singleline')
        $m.Success | Should -BeTrue -Because 'docs/scheduled-task.md has a fw-script block'
        $script:TaskScript = Join-Path $TestDrive 'Invoke-FwDropReport.ps1'
        [System.IO.File]::WriteAllText($TaskScript, $m.Groups['code'].Value)

        # Runs the script as the task would; returns its summary object and exit code.
        function Invoke-FwTaskScript([string] $ReportFolder = $reports) {
            $global:LASTEXITCODE = $null
            $summary = @(& $TaskScript -LogPath $log.Path -StateFolder $state -ReportFolder $ReportFolder -Module $FwManifest)
            $summary.Count | Should -Be 1 -Because "the script writes one summary object (got: $($summary -join ' | '))"
            [pscustomobject]@{ Exit = $global:LASTEXITCODE; Summary = $summary[0] }
        }
    }
    BeforeEach {
        $script:log = New-FwRotLog
        $script:state = Join-Path $log.Folder 'ProgramData/Fw'
        $script:reports = Join-Path $state 'Reports'
        $script:bookmarkFile = Join-Path $state 'pfirewall.bookmark.json'
    }
    It 'reports each drop once across runs and a rotation (exit 1 with drops, 0 without)' {
        Add-FwRotRecord $log 5
        $first = Invoke-FwTaskScript
        $first.Exit | Should -Be 1 -Because ($first.Summary.Warnings -join '; ')
        $first.Summary.NewDrops | Should -Be 5
        $text = [System.IO.File]::ReadAllText($first.Summary.Report)
        $text | Should -Match ([regex]::Escape('5 new drop(s)'))
        $text | Should -Match 'New-NetFirewallRule'
        Test-Path -LiteralPath $bookmarkFile | Should -BeTrue
        Test-Path -LiteralPath "$bookmarkFile.staged" | Should -BeFalse

        $idle = Invoke-FwTaskScript
        $idle.Exit | Should -Be 0
        $idle.Summary.NewDrops | Should -Be 0
        $idle.Summary.Report | Should -BeNullOrEmpty

        Add-FwRotRecord $log 2
        Invoke-FwRotation $log
        Add-FwRotRecord $log 1
        $third = Invoke-FwTaskScript
        $third.Exit | Should -Be 1
        $third.Summary.NewDrops | Should -Be 3
        @(Get-ChildItem -LiteralPath $reports -Filter '*.ps1').Count | Should -Be 2
    }

    It 'a busy bookmark is exit code 2 and reads nothing' {
        Add-FwRotRecord $log 2
        $null = New-Item -ItemType Directory -Path $state -Force
        $lock = [System.IO.FileStream]::new("$bookmarkFile.lock", 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            $busy = Invoke-FwTaskScript
            $busy.Exit | Should -Be 2
            $busy.Summary.NewDrops | Should -Be 0
        } finally { $lock.Dispose() }
        (Invoke-FwTaskScript).Exit | Should -Be 1
    }

    It 'a report that cannot be written leaves the bookmark, and the drops for the next run' {
        Add-FwRotRecord $log 3
        (Invoke-FwTaskScript).Exit | Should -Be 1
        $before = [System.IO.File]::ReadAllText($bookmarkFile)
        Add-FwRotRecord $log 4
        $blocked = Join-Path $log.Folder 'not-a-folder'
        [System.IO.File]::WriteAllText($blocked, 'a file where the report folder should be')
        (Invoke-FwTaskScript (Join-Path $blocked 'Reports')).Exit | Should -Be 3
        [System.IO.File]::ReadAllText($bookmarkFile) | Should -BeExactly $before
        $retry = Invoke-FwTaskScript
        $retry.Exit | Should -Be 1
        $retry.Summary.NewDrops | Should -Be 4
    }

    It 'a corrupt bookmark is exit code 3 and is kept' {
        Add-FwRotRecord $log 1
        $null = New-Item -ItemType Directory -Path $state -Force
        [System.IO.File]::WriteAllText($bookmarkFile, '{ corrupt')
        $r = Invoke-FwTaskScript
        $r.Exit | Should -Be 3
        ($r.Summary.Warnings -join "`n") | Should -Match 'is corrupt'
        [System.IO.File]::ReadAllText($bookmarkFile) | Should -BeExactly '{ corrupt'
    }
}
