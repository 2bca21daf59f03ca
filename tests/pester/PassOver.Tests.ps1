# A filter naming one port lets Get-FwDrop pass over lines that cannot hold it (native find_candidate): the same
# records as reading every line, and the admin is told what was not checked.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Log = New-FwTestLog -Path (Join-Path $TestDrive 'pass.log') -Line @(
        '2022-09-01 10:00:00 DROP TCP 192.168.10.7 192.168.10.5 50001 135 52 S 11 0 64240 - - - RECEIVE 4'
        '2022-09-01 10:00:01 DROP TCP 192.168.10.7 192.168.10.5 50001 135 garbage'
        '2022-09-01 10:00:02 DROP TCP 192.168.10.7 192.168.10.5 50002 49154 52 S 11 0 64240 - - - RECEIVE 4'
        '2022-09-01 10:00:03 DROP TCP 192.168.10.8 192.168.10.5 50003 049154 52 S 11 0 64240 - - - RECEIVE 4'
        '2022-09-01 10:00:04 DROP TCP 192.168.10.9 192.168.10.5 50004 49154 garbage'
    )
}

Describe 'Get-FwDrop -DestinationPort passes over lines without the port' {
    It 'gives the records Where-Object gives, and warns only about lines that could match' {
        $warnings = $null
        $fast = @(Get-FwDrop -LiteralPath $Log -DestinationPort 49154 -WarningVariable warnings -WarningAction SilentlyContinue)
        $slow = @(Get-FwDrop -LiteralPath $Log -WarningAction SilentlyContinue | Where-Object DestinationPort -eq 49154)
        $fast.Count | Should -Be 1
        ($fast | ForEach-Object LineNumber) | Should -Be ($slow | ForEach-Object LineNumber)
        $fast[0].SourcePort | Should -Be 50002
        # The malformed lines holding the port's digits (port 049154 is out of range; "49154 garbage" has too few
        # fields) are reported; the malformed line with port 135 was passed over unread. Reading every line
        # (a port range) reports all three.
        ($warnings -join "`n") | Should -Match 'skipped 2 malformed line'
        $all = $null
        $null = Get-FwDrop -LiteralPath $Log -DestinationPort 1-65535 -WarningVariable all -WarningAction SilentlyContinue
        ($all -join "`n") | Should -Match 'skipped 3 malformed line'
    }

    It 'says so with -Verbose' {
        $verbose = Get-FwDrop -LiteralPath $Log -DestinationPort 49154 -WarningAction SilentlyContinue -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        ($verbose -join "`n") | Should -Match 'passed over unread'
        $plain = Get-FwDrop -LiteralPath $Log -DestinationPort 1-65535 -WarningAction SilentlyContinue -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        ($plain -join "`n") | Should -Not -Match 'passed over'
    }
}
