BeforeAll {
    . $PSScriptRoot/Common.ps1

    # Runs $Script in a child pwsh that imports Fw and is killed after $Seconds: a hang fails the test instead of
    # hanging the suite. Returns whether it exited by itself and what it printed.
    function Invoke-FwBounded {
        param([Parameter(Mandatory)] [string] $Script, [int] $Seconds = 60)
        # This pwsh again: its own executable, or dotnet running pwsh.dll (a dotnet tool install).
        $exe = [Environment]::ProcessPath
        $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
        if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$FwManifest'; $Script") { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $p = [System.Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        $exited = $p.WaitForExit($Seconds * 1000)
        if (-not $exited) { $p.Kill($true); $p.WaitForExit() }
        [pscustomobject]@{ Exited = $exited; Output = $out.Result + $err.Result }
    }
}

Describe 'Get-FwDrop refuses files that are not logs' -Tag 'BadInput' {
    Context 'a FIFO (Linux)' -Skip:(-not $IsLinux) {
        BeforeAll {
            $script:fifo = Join-Path $TestDrive 'pfirewall.log'
            & mkfifo $fifo
            $LASTEXITCODE | Should -Be 0
            # Every mode in one child pwsh (each is bounded by the child's deadline): one line per mode.
            $modes = [ordered]@{
                'plain'            = ''
                'wait'             = '-Wait -Timeout 00:00:05'
                'bookmark'         = "-Bookmark '$TestDrive/b.json'"
                'rotated'          = '-IncludeRotated'
                'bookmark-wait'    = "-Bookmark '$TestDrive/b2.json' -Wait -Timeout 00:00:05"
                'tail'             = '-Tail 3'
            }
            $script:probe = $modes.Keys | ForEach-Object {
                "`$e = `$null; `$null = Get-FwDrop -LiteralPath '$fifo' $($modes[$_]) -ErrorVariable e -ErrorAction SilentlyContinue; " +
                "'$_|' + `$e.Count + '|' + (`$e | ForEach-Object { `$_.Exception.Message })"
            }
            $script:result = Invoke-FwBounded ($probe -join '; ') -Seconds 90
        }
        It 'returns at once in every mode' {
            $result.Exited | Should -BeTrue -Because "Get-FwDrop on a FIFO must return (output: $($result.Output))"
        }
        It 'is refused by <Mode>, naming the path' -TestCases @(
            @{ Mode = 'plain' }, @{ Mode = 'wait' }, @{ Mode = 'bookmark' }, @{ Mode = 'rotated' }, @{ Mode = 'bookmark-wait' },
            @{ Mode = 'tail' }
        ) {
            $line = ($result.Output -split "`n") | Where-Object { $_ -like "$Mode|*" }
            $line | Should -Not -BeNullOrEmpty -Because $result.Output
            $line | Should -BeLike "$Mode|1|*"
            $line | Should -Match ([regex]::Escape($fifo))
            $line | Should -Match 'not a regular file'
        }
        It 'writes no bookmark for a FIFO' {
            Test-Path "$TestDrive/b.json" | Should -BeFalse
            Test-Path "$TestDrive/b2.json" | Should -BeFalse
        }
    }
    Context '/dev/zero (Linux)' -Skip:(-not $IsLinux) {
        It 'is refused with -Bookmark instead of ending silently' {
            $r = Invoke-FwBounded "Get-FwDrop -LiteralPath /dev/zero -Bookmark '$TestDrive/z.json' -ErrorVariable e -ErrorAction SilentlyContinue; 'errors: ' + `$e.Count; `$e | ForEach-Object { 'error: ' + `$_.Exception.Message }"
            $r.Exited | Should -BeTrue
            $r.Output | Should -Match 'errors: 1'
            $r.Output | Should -Match '/dev/zero.*not a regular file'
            Test-Path "$TestDrive/z.json" | Should -BeFalse
        }
    }
}

Describe 'Get-FwDrop says what it could not read (issue 12 finding 7, issue 10)' -Tag 'BadInput' {
    BeforeAll {
        $script:records = 1..20000 | ForEach-Object { "2024-05-01 10:00:00 DROP TCP 10.0.0.1 10.0.0.2 $_ 443 60 S 1 0 64240 - - - RECEIVE 4" }
    }
    It 'warns when the log shrinks while it is read' {
        $log = New-FwTestLog -Path (Join-Path $TestDrive 'shrinks.log') -Line $records # about 1.7 MB: several batches
        # The first record's consumer truncates the log, as a service rewriting it would: no timing involved.
        $got = @(Get-FwDrop -LiteralPath $log -WarningVariable w | ForEach-Object {
                if ($_.SourcePort -eq 1) { [System.IO.File]::WriteAllBytes($log, [byte[]]@()) }
                $_ })
        $got.Count | Should -BeLessThan 20000
        "$w" | Should -Match 'shrank while it was read'
        "$w" | Should -Match ([regex]::Escape($log))
    }
    It 'warns about CR-only line ends, naming the file' {
        $path = Join-Path $TestDrive 'cr.log'
        [System.IO.File]::WriteAllText($path, (($FwFieldsHeader + $records[0..9]) -join "`r"))
        $got = @(Get-FwDrop -LiteralPath $path -WarningVariable w)
        $got.Count | Should -Be 0
        "$w" | Should -Match 'CR alone'
        "$w" | Should -Match ([regex]::Escape($path))
    }
    It 'reads UTF-16LE without a BOM' {
        $path = Join-Path $TestDrive 'utf16.log'
        [System.IO.File]::WriteAllText($path, ((($FwFieldsHeader + $records[0..99]) -join "`r`n") + "`r`n"), [System.Text.UnicodeEncoding]::new($false, $false))
        $got = @(Get-FwDrop -LiteralPath $path -WarningVariable w)
        $got.Count | Should -Be 100
        $w | Should -BeNullOrEmpty
    }
    It 'numbers the skipped lines of binary input by their own lines' {
        $path = Join-Path $TestDrive 'binary.log'
        $line = [byte[]](0x62, 0x69, 0x6e, 1, 0, 0x61, 0x72, 0x79, 0, 0, 0x64, 0x61, 0x74, 0x61, 0x0a)
        [System.IO.File]::WriteAllBytes($path, [byte[]]($line * 12))
        $null = Get-FwDrop -LiteralPath $path -WarningVariable w
        "$w" | Should -Match 'skipped 36 malformed line\(s\) \(line 1, 2, 3, 4, 5, 6, 7, 8, \.\.\.\)'
    }
}
