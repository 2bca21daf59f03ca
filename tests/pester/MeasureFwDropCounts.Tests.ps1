# Measure-FwDrop: native counting checked against counting Get-FwDrop's objects in PowerShell; typed group keys,
# times, bytes and -Top; errors; the table view and help. Moved from the xunit suite (MeasureFwDropTests).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    # A few thousand real-format lines: inbound and outbound, TCP/UDP/ICMP, IPv4 and IPv6, two hours, a later
    # #Fields header with pid, ALLOW lines and one malformed line.
    $fields17 = '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path'
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.AddRange([string[]]@('#Version: 1.5', '#Software: Microsoft Windows Firewall', '#Time Format: Local', $fields17))
    $rng = [System.Random]::new(42)
    $sources = '192.168.10.21', '192.168.10.22', '192.168.20.9', '203.0.113.50', 'fe80::3680:dff:fe01:9e88'
    $ports = 49154, 135, 3389, 445, 5353
    $start = [datetime]'2022-09-01 09:40:00'
    for ($i = 0; $i -lt 3000; $i++) {
        if ($i -eq 1500) { $lines.Add("$fields17 pid") }
        $src = $sources[$rng.Next($sources.Count)]
        $local = if ($src.Contains(':')) { 'fe80::1' } else { '192.168.10.5' }
        $t = $start.AddSeconds($i * 1.7).ToString('yyyy-MM-dd HH:mm:ss')
        $pid_ = if ($i -ge 1500) { " $(4 + $i % 3)" } else { '' }
        $kind = $rng.Next(10)
        $lines.Add($(
                if ($kind -lt 6) { "$t DROP TCP $src $local $(50000 + $i % 900) $($ports[$rng.Next($ports.Count)]) 52 S 11 0 64240 - - - RECEIVE$pid_" }
                elseif ($kind -lt 8) { "$t DROP UDP $src $local 5353 $($ports[$rng.Next($ports.Count)]) 60 - - - - - - - RECEIVE$pid_" }
                elseif ($kind -lt 9) { "$t DROP ICMP $local $src - - 84 - - - - 8 0 - SEND$pid_" }
                else { "$t ALLOW TCP $local $src $(50000 + $i % 900) 443 52 S 11 0 64240 - - - SEND$pid_" }))
        if ($i -eq 700) { $lines.Add('2022-09-01 garbage line') }
    }
    $script:Log = Join-Path $TestDrive 'measure.log'
    [System.IO.File]::WriteAllText($Log, (($lines -join "`r`n") + "`r`n"))

    # The same counts computed by PowerShell from Get-FwDrop objects (what a user would write with Group-Object).
    function Get-CountInScript([string[]] $Property, [hashtable] $Filter) {
        $counts = @{}
        foreach ($d in Get-FwDrop -Path $Log @Filter -WarningAction SilentlyContinue) {
            $key = $(foreach ($name in $Property) { $v = $d.$name; if ($null -eq $v) { '-' } else { "$v" } }) -join ', '
            $counts[$key] = 1 + [int]$counts[$key]
        }
        $counts.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }
    }
}

Describe 'Measure-FwDrop counts what counting Get-FwDrop objects counts' -Tag 'Measure' {
    It '-GroupBy <GroupBy> <Text>' -ForEach @(
        @{ GroupBy = 'Direction', 'Protocol', 'LocalPort'; Filter = @{}; Text = '' }
        @{ GroupBy = 'RemoteAddress'; Filter = @{ Protocol = 'TCP'; DestinationPort = '49154' }; Text = '-Protocol TCP -DestinationPort 49154' }
        @{ GroupBy = 'Action', 'Direction', 'RemotePort'; Filter = @{ Action = 'Drop', 'Allow' }; Text = '-Action Drop,Allow' }
        @{ GroupBy = 'SourceAddress', 'DestinationAddress', 'IcmpType'; Filter = @{ Protocol = 'ICMP' }; Text = '-Protocol ICMP' }
        @{ GroupBy = 'ProcessId', 'Protocol'; Filter = @{ After = '2022-09-01 10:00' }; Text = "-After '2022-09-01 10:00'" }
    ) {
        $expected = @(Get-CountInScript $GroupBy $Filter | Sort-Object -CaseSensitive)
        $expected.Count | Should -BeGreaterThan 0
        $groups = @(Measure-FwDrop -Path $Log @Filter -GroupBy $GroupBy -WarningAction SilentlyContinue)
        @($groups | ForEach-Object { $_.GetType().FullName } | Sort-Object -Unique) | Should -Be @('Fw.FwDropGroup')
        @($groups | ForEach-Object { "$($_.Name)=$($_.Count)" } | Sort-Object -CaseSensitive) | Should -Be $expected
        # Largest first; percentages of the whole.
        $counts = @($groups.Count)
        $counts | Should -Be @($counts | Sort-Object -Descending)
        ($groups | Measure-Object -Property Percent -Sum).Sum | Should -BeGreaterOrEqual 99.9
        ($groups | Measure-Object -Property Percent -Sum).Sum | Should -BeLessOrEqual 100.1
    }
}

Describe 'Measure-FwDrop groups' -Tag 'Measure' {
    It 'carry typed keys, times and bytes; -Top limits the output' {
        $r = @(Measure-FwDrop -Path $Log -Protocol TCP -DestinationPort 49154 -GroupBy LocalPort, RemoteAddress, Hour -Top 3 -WarningAction SilentlyContinue)
        $r.Count | Should -Be 3
        $top = $r[0]
        $top.LocalPort | Should -Be 49154
        $top.RemoteAddress | Should -BeOfType [string]
        [System.Net.IPAddress]::TryParse($top.RemoteAddress, [ref] $null) | Should -BeTrue
        $top.Hour.Minute | Should -Be 0
        $top.Protocol | Should -BeNullOrEmpty -Because 'not grouped by'
        $top.SourcePort | Should -BeNullOrEmpty
        $top.FirstSeen | Should -BeLessOrEqual $top.LastSeen
        $top.Hour | Should -Be ([datetime]::new($top.FirstSeen.Year, $top.FirstSeen.Month, $top.FirstSeen.Day, $top.FirstSeen.Hour, 0, 0))
        $top.Bytes | Should -Be (52 * $top.Count)
        @($top.GroupBy | ForEach-Object { "$_" }) | Should -Be @('LocalPort', 'RemoteAddress', 'Hour')
        $top.Name | Should -BeLike '49154, *'
    }

    It 'a missing file is an error, the others are counted, and skipped lines are reported' {
        $missing = Join-Path $TestDrive 'nope.log'
        $r = @(Measure-FwDrop -Path $missing, $Log -GroupBy Protocol -ErrorVariable e -ErrorAction SilentlyContinue -WarningVariable w -WarningAction SilentlyContinue)
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'FwLogReadError,Fw.Commands.MeasureFwDropCommand'
        $e[0].Exception.Message | Should -Match ([regex]::Escape($missing))
        $r.Count | Should -Be 3 # TCP, UDP, ICMP
        ($w -join "`n") | Should -Match 'skipped 1 malformed line'
    }

    It 'refuses a repeated or unknown key, naming it' {
        { Measure-FwDrop -Path $Log -GroupBy LocalPort, LocalPort } | Should -Throw -ErrorId 'FwGroupByRepeated,Fw.Commands.MeasureFwDropCommand'
        { Measure-FwDrop -Path $Log -GroupBy Colour } | Should -Throw -ExpectedMessage '*Colour*'
    }

    It 'the table view shows count, percent, first and last seen and the key' {
        $PSStyle.OutputRendering, $saved = 'PlainText', $PSStyle.OutputRendering
        try { $text = Measure-FwDrop -Path $Log -GroupBy Direction, Protocol, LocalPort -Top 2 -WarningAction SilentlyContinue | Out-String -Width 160 } finally { $PSStyle.OutputRendering = $saved }
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^\s*Count\s+Percent\s+FirstSeen\s+LastSeen\s+Name\s*$'
        $lines[2] | Should -Match '^\s*\d+\s+\d+\.\d\s+2022-09-01 \d\d:\d\d:\d\d\s+2022-09-01 \d\d:\d\d:\d\d\s+Inbound, (TCP|UDP), \d+\s*$'
    }

    It 'the help has a synopsis, examples and the parameters' {
        $h = Get-Help Measure-FwDrop -Full
        @($h.examples.example).Count | Should -BeGreaterOrEqual 3
        foreach ($p in 'Path', 'LiteralPath', 'GroupBy', 'Top', 'DestinationPort', 'After') { @($h.parameters.parameter.name) | Should -Contain $p }
        $h.Synopsis | Should -BeLike 'Counts the packets*'
    }
}
