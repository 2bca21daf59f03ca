# Get-FwDrop reading real-format logs (XP 17 fields, Server 2019 with the header again and pid): every field, the
# layouts, encodings and line ends, malformed and binary input; paths, wildcards and pipeline binding; each filter
# parameter against filtering the output; bad filter values; progress; help. Moved from the xunit suite
# (GetFwDropTests). Lines are real pfirewall.log lines (tests/data/log/formats-section7.log).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Fields17 = '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path'
    $script:Fields18 = "$Fields17 pid"
    $script:Header17 = @('#Version: 1.5', '#Software: Microsoft Windows Firewall', '#Time Format: Local', $Fields17)
    $script:Header18 = @('#Version: 1.5', '#Software: Microsoft Windows Firewall', '#Time Format: Local', $Fields18)

    # XP/2003 log (plaso test data): 17 fields, OPEN/CLOSE, INFO-EVENTS-LOST, no blank line.
    $script:XpLines = $Header17 + @(
        '2005-04-11 08:05:57 DROP UDP 123.45.78.90 123.156.78.255 137 137 78 - - - - - - - RECEIVE'
        '2005-04-11 08:05:57 DROP UDP 123.45.78.90 255.255.255.255 1631 2234 37 - - - - - - - RECEIVE'
        '2005-04-11 08:05:58 OPEN UDP 123.45.78.90 123.156.78.90 500 500 - - - - - - - - -'
        '2005-04-11 08:06:02 CLOSE UDP 123.45.78.90 123.156.78.90 1027 53 - - - - - - - - -'
        '2005-04-11 08:06:05 DROP UDP 0.0.0.0 255.255.255.255 68 67 328 - - - - - - - RECEIVE'
        '2005-04-11 08:06:26 DROP TCP 123.45.78.90 123.156.78.90 80 1774 576 A 123456789 987654321 12345 - - - RECEIVE'
        '2005-04-11 08:06:27 DROP TCP 123.45.78.90 123.156.78.90 80 1774 576 AP 123456789 987654321 12345 - - - RECEIVE'
        '2005-04-11 08:08:58 DROP ICMP 123.45.78.90 123.156.78.90 7 7 78 - - - - 8 0 - RECEIVE'
        '2005-04-11 08:09:29 OPEN TCP 123.45.78.90 123.156.78.90 1606 445 - - - - - - - - -'
        '2005-04-11 08:48:46 DROP TCP 123.45.78.90 123.156.78.90 80 1693 40 FA 2351482979 694744025 64675 - - - RECEIVE'
        '2005-04-11 08:52:26 INFO-EVENTS-LOST - - - - - - - - - - - - 59 -'
    )
    # Server 2019 (17 fields, blank line after #Fields), then the header again with pid (18 fields), then 17 again.
    $script:MixedLines = $Header17 + @('') + @(
        '2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 - - - RECEIVE'
        '2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 52098 139 60 S 3387349162 0 64240 - - - RECEIVE'
        '2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 51426 445 60 S 896008114 0 64240 - - - RECEIVE'
        '2022-07-11 21:03:54 DROP TCP 192.168.122.1 192.168.122.71 53978 47001 60 S 288201912 0 64240 - - - RECEIVE'
        '2022-08-13 07:26:52 ALLOW ICMP 10.21.23.35 10.12.13.14 - - 0 - - - - 8 0 - RECEIVE'
        '2022-08-13 07:26:52 DROP TCP 94.232.47.52 10.12.13.14 28126 3390 52 S 607837051 0 8192 - - - RECEIVE'
    ) + $Header18 + @('') + @(
        '2022-09-01 10:00:00 ALLOW UDP 192.168.254.106 192.168.254.254 57583 53 0 - - - - - - - SEND 2312'
        '2022-09-01 10:00:01 ALLOW TCP 192.168.254.106 52.221.167.3 50941 443 0 - 0 0 0 - - - SEND 7012'
        '2022-09-01 10:00:02 DROP TCP 192.168.9.163 192.168.9.212 63619 445 64 S 1031365855 0 65535 - - - RECEIVE 4'
        '2022-09-01 10:00:03 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - - - RECEIVE -'
        '2022-09-01 10:00:04 DROP TCP 192.168.10.7 192.168.10.5 50001 49154 52 S 11 0 64240 - - - RECEIVE 3128'
        '2022-09-01 10:00:05 DROP 2 192.168.10.9 224.0.0.22 - - 40 - - - - - - - RECEIVE -'
    ) + @($Fields17) + @(
        '2022-09-02 11:00:00 DROP UDP 10.1.7.30 255.255.255.255 1522 14000 104 - - - - - - - RECEIVE'
        '2022-09-02 11:00:01 DROP ICMPv6 fe80::1 ff02::1 - - 72 - - - - 135 0 - RECEIVE'
    )
    function Write-FwLines([string] $Path, [string[]] $Lines, [string] $NewLine = "`r`n", [System.Text.Encoding] $Encoding = [System.Text.UTF8Encoding]::new($false)) {
        [System.IO.File]::WriteAllText($Path, (($Lines -join $NewLine) + $NewLine), $Encoding)
        $Path
    }
    $script:Xp = Write-FwLines (Join-Path $TestDrive 'xp.log') $XpLines
    $script:Mixed = Write-FwLines (Join-Path $TestDrive 'mixed.log') $MixedLines
    function Get-Text([string] $Path) { @(Get-FwDrop -Path $Path -Action * | ForEach-Object { $_.ToString() }) }
}

Describe 'Get-FwDrop reads every field of real logs' -Tag 'Read' {
    It 'reads every line and action of an XP log with 17 fields' {
        $r = @(Get-FwDrop -Path $Xp -Action * -WarningVariable w)
        $w | Should -BeNullOrEmpty
        $r.Count | Should -Be 11
        $r | ForEach-Object { $_.GetType().FullName | Should -Be 'Fw.FwDrop' }
        @($r.Action | ForEach-Object { "$_" }) | Should -Be @('DROP', 'DROP', 'OPEN', 'CLOSE', 'DROP', 'DROP', 'DROP', 'DROP', 'OPEN', 'DROP', 'INFO-EVENTS-LOST')
        $first = $r[0]
        $first.Time | Should -Be ([datetime]::new(2005, 4, 11, 8, 5, 57))
        $first.Time.Kind | Should -Be 'Unspecified' -Because 'the log records no offset, so the time claims none'
        "$($first.Protocol)" | Should -Be 'UDP'
        $first.SourceAddress | Should -BeOfType [string]
        $first.SourceAddress | Should -Be '123.45.78.90'
        $first.DestinationAddress | Should -Be '123.156.78.255'
        $first.SourcePort | Should -Be 137
        $first.DestinationPort | Should -Be 137
        $first.Size | Should -Be 78
        $first.TcpFlags | Should -BeNullOrEmpty
        $first.TcpSyn | Should -BeNullOrEmpty
        $first.ProcessId | Should -BeNullOrEmpty
        "$($first.Path)" | Should -Be 'RECEIVE'
        "$($first.Direction)" | Should -Be 'Inbound'
        $first.LogFile | Should -Be $Xp
        $first.LineNumber | Should -Be 5

        $tcp = $r[9]
        "$($tcp.TcpFlags)" | Should -Be 'FA'
        $tcp.TcpSyn | Should -Be 2351482979
        $tcp.TcpAck | Should -Be 694744025
        $tcp.TcpWindow | Should -Be 64675
        $icmp = $r[7]
        "$($icmp.Protocol)" | Should -Be 'ICMP'
        $icmp.IcmpType | Should -Be 8
        $icmp.IcmpCode | Should -Be 0
        $open = $r[2]
        $open.Size | Should -BeNullOrEmpty
        $open.Path | Should -BeNullOrEmpty
        $open.Direction | Should -BeNullOrEmpty
        $open.LocalAddress | Should -BeNullOrEmpty
        $lost = $r[10]
        $lost.Info | Should -Be 59
        $lost.Protocol | Should -BeNullOrEmpty
        $lost.SourceAddress | Should -BeNullOrEmpty
        $lost.DestinationPort | Should -BeNullOrEmpty
        $lost.Path | Should -BeNullOrEmpty
    }

    It 'gives drops by default' {
        $r = @(Get-FwDrop -Path $Xp)
        $r.Count | Should -Be 7
        $r | ForEach-Object { "$($_.Action)" | Should -Be 'DROP' }
    }

    It 'switches between 17 and 18 fields when the header comes again mid-file, and says so with -Verbose' {
        $r = @(Get-FwDrop -Path $Mixed -Action * -Verbose -WarningVariable w 4>&1)
        $verbose = @($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $r = @($r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $w | Should -BeNullOrEmpty
        $r.Count | Should -Be 14
        $r[0..5] | ForEach-Object { $_.ProcessId | Should -BeNullOrEmpty }
        @($r[6..11] | ForEach-Object { if ($null -eq $_.ProcessId) { 'null' } else { $_.ProcessId } }) | Should -Be @(2312, 7012, 4, 'null', 3128, 'null')
        $r[12..13] | ForEach-Object { $_.ProcessId | Should -BeNullOrEmpty }
        $r[12].SourceAddress | Should -Be '10.1.7.30'
        @($verbose | Where-Object Message -Match 'layout').Count | Should -BeGreaterThan 0
    }

    It 'gives absent fields as null and reads protocols by number' {
        $r = @(Get-FwDrop -Path $Mixed -Action *)
        $icmp = $r | Where-Object { "$($_.Action)" -eq 'ALLOW' -and "$($_.Protocol)" -eq 'ICMP' }
        $icmp.SourcePort | Should -BeNullOrEmpty
        $icmp.DestinationPort | Should -BeNullOrEmpty
        $icmp.LocalPort | Should -BeNullOrEmpty
        $icmp.Size | Should -Be 0
        $icmp.TcpFlags | Should -BeNullOrEmpty
        $icmp.TcpWindow | Should -BeNullOrEmpty
        $icmp.IcmpType | Should -Be 8
        ($r | Where-Object { "$($_.Protocol)" -eq '2' }).DestinationAddress | Should -Be '224.0.0.22'
        ($r | Where-Object { "$($_.Protocol)" -eq 'ICMPv6' }).IcmpType | Should -Be 135
        $allowTcp = $r | Where-Object { "$($_.Action)" -eq 'ALLOW' -and "$($_.Protocol)" -eq 'TCP' }
        $allowTcp.TcpFlags | Should -BeNullOrEmpty
        $allowTcp.TcpSyn | Should -Be 0
        $allowTcp.TcpWindow | Should -Be 0
    }

    It 'gives the local and remote ends by direction' {
        $r = @(Get-FwDrop -Path $Mixed -Action *)
        $in = $r | Where-Object DestinationPort -EQ 49154
        "$($in.Direction)" | Should -Be 'Inbound'
        $in.LocalAddress | Should -Be '192.168.10.5'
        $in.LocalPort | Should -Be 49154
        $in.RemoteAddress | Should -Be '192.168.10.7'
        $in.RemotePort | Should -Be 50001
        $out = $r | Where-Object DestinationPort -EQ 443
        "$($out.Direction)" | Should -Be 'Outbound'
        "$($out.Path)" | Should -Be 'SEND'
        $out.LocalAddress | Should -Be '192.168.254.106'
        $out.LocalPort | Should -Be 50941
        $out.RemoteAddress | Should -Be '52.221.167.3'
        $out.RemotePort | Should -Be 443
    }

    It 'gives IPv6 addresses as canonical text' {
        $v6 = @(Get-FwDrop -Path $Mixed -Action * -Protocol UDP | Where-Object { $_.SourceAddress.Contains(':') })
        $v6.Count | Should -Be 1
        $v6[0].SourceAddress | Should -BeOfType [string]
        $v6[0].SourceAddress | Should -BeExactly ([System.Net.IPAddress]::Parse('fe80::3680:dff:fe01:9e88').ToString())
        $v6[0].DestinationAddress | Should -BeExactly 'ff02::fb'
    }

    It 'reads UTF-16LE with a BOM (Notepad) the same as UTF-8' {
        $utf16 = Write-FwLines (Join-Path $TestDrive 'notepad.log') $MixedLines -Encoding ([System.Text.UnicodeEncoding]::new($false, $true))
        $a = Get-Text $Mixed
        $a.Count | Should -Be 14
        Get-Text $utf16 | Should -Be $a
    }

    It 'reads LF line ends the same as CRLF' {
        $lf = Write-FwLines (Join-Path $TestDrive 'lf.log') $XpLines -NewLine "`n"
        Get-Text $lf | Should -Be (Get-Text $Xp)
    }

    It 'skips malformed lines with one warning naming them and the file, and gives every good line' {
        $path = Write-FwLines (Join-Path $TestDrive 'garbage.log') ($Header17 + @(
                '2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 - - - RECEIVE'
                'this is not a log line'                                                                             # line 6
                '2022-07-11 21:03:40 DROP TCP 192.168.122.1 192.168.122.71 43287'                                     # line 7: too few fields
                '2022-07-11 21:03:41 DROP TCP 999.168.122.1 192.168.122.71 43288 135 60 S 1 0 64240 - - - RECEIVE'   # line 8: bad address
                '2022-07-11 21:03:42 DROP TCP 192.168.122.1 192.168.122.71 43289 135 60 S 3362791310 0 64240 - - - RECEIVE'
                "`u{1}`u{2}garbage`u{ff}"                                                                           # line 10
                '2022-07-11 21:03:43 DROP UDP 192.168.122.1 192.168.122.255 137 137 78 - - - - - - - RECEIVE'
            ))
        $r = @(Get-FwDrop -Path $path -Action * -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e)
        $e | Should -BeNullOrEmpty
        @($r.LineNumber) | Should -Be @(5, 9, 11)
        $w.Count | Should -Be 1
        "$w" | Should -Match 'skipped 4'
        "$w" | Should -Match ([regex]::Escape($path))
        foreach ($n in 6, 7, 8, 10) { "$w" | Should -Match "\b$n\b" }
    }

    It 'never crashes on binary garbage, a truncated last line or a run of NULs' {
        $rng = [System.Random]::new(42)
        $junk = [byte[]]::new(64KB)
        $rng.NextBytes($junk)
        $binary = Join-Path $TestDrive 'junk.log'
        [System.IO.File]::WriteAllBytes($binary, $junk)
        $r = @(Get-FwDrop -Path $binary -Action * -ErrorVariable e -WarningAction SilentlyContinue)
        $e | Should -BeNullOrEmpty
        $r.Count | Should -Be 0

        $truncated = Join-Path $TestDrive 'truncated.log'
        [System.IO.File]::WriteAllText($truncated, (($Header17 + '2019-11-06 12:35:19 DROP UDP 5.5.3.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE') -join "`r`n") +
            "`r`n2019-11-06 12:35:19 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - - ")
        @(Get-FwDrop -Path $truncated -Action * -WarningAction SilentlyContinue).SourceAddress | Should -Be @('5.5.3.197')

        $nuls = Join-Path $TestDrive 'nul.log'
        $head = [System.Text.Encoding]::ASCII.GetBytes((($Header17 + '2019-11-06 12:35:19 DROP UDP 5.5.3.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE') -join "`r`n") + "`r`n")
        $tail = [System.Text.Encoding]::ASCII.GetBytes("2019-11-06 12:35:20 DROP UDP 5.5.3.198 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE`r`n")
        [System.IO.File]::WriteAllBytes($nuls, [byte[]]($head + [byte[]]::new(4096) + $tail))
        @(Get-FwDrop -Path $nuls -Action * -ErrorVariable e2 -WarningAction SilentlyContinue).SourceAddress | Should -Be @('5.5.3.197', '5.5.3.198')
        $e2 | Should -BeNullOrEmpty
    }

    It 'answers the Director question on the sample log' {
        $r = @(Get-FwDrop -Path $FwSampleLog -DestinationPort 49154)
        $r.Count | Should -Be 12
        foreach ($d in $r) {
            $d.SourceAddress | Should -Be '192.168.10.21'
            $d.DestinationAddress | Should -Be '192.168.10.5'
            "$($d.Protocol)" | Should -Be 'TCP'
            "$($d.TcpFlags)" | Should -Be 'S'
            "$($d.Direction)" | Should -Be 'Inbound'
        }
        @($r.SourcePort | Sort-Object -Unique).Count | Should -Be 4
    }
}

Describe 'Get-FwDrop paths and errors' -Tag 'Read' {
    It 'a missing file among good ones is a non-terminating error naming it, and the others are read' {
        $missing = Join-Path $TestDrive 'nope/pfirewall.log'
        $r = @(Get-FwDrop -Path $Xp, $missing, $Mixed -Action * -ErrorVariable e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'FwLogReadError,Fw.Commands.GetFwDropCommand'
        "$($e[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $e[0].TargetObject | Should -Be $missing
        "$($e[0])" | Should -Match ([regex]::Escape($missing))
        $r.Count | Should -Be 25
        @($r | Where-Object LogFile -EQ $Xp).Count | Should -Be 11
        @($r | Where-Object LogFile -EQ $Mixed).Count | Should -Be 14
    }

    It 'an unreadable file says access is denied and to run elevated' -Skip:($IsWindows -or (& id -u) -eq '0') {
        $locked = Write-FwLines (Join-Path $TestDrive 'locked.log') $XpLines
        [System.IO.File]::SetUnixFileMode($locked, [System.IO.UnixFileMode]::None)
        $null = Get-FwDrop -Path $locked -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        "$($e[0].CategoryInfo.Category)" | Should -Be 'PermissionDenied'
        "$($e[0])" | Should -Match 'elevated'
    }

    It 'a folder is an error naming it' {
        $null = Get-FwDrop -Path $TestDrive -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'FwLogReadError,Fw.Commands.GetFwDropCommand'
        "$($e[0])" | Should -Match ([regex]::Escape($TestDrive))
    }

    It 'resolves wildcards and relative paths against the current location' {
        $d = Join-Path $TestDrive 'cwd'
        $null = New-Item -ItemType Directory -Path $d
        $null = Write-FwLines (Join-Path $d 'pfirewall.log') $XpLines
        $null = Write-FwLines (Join-Path $d 'pfirewall.log.old') $MixedLines
        [System.IO.File]::WriteAllText((Join-Path $d 'other.txt'), "not a log`n")
        Push-Location $d
        try {
            @(Get-FwDrop pfirewall.log* -Action * -WarningAction SilentlyContinue).Count | Should -Be 25
            @(Get-FwDrop -Path ./pfirewall.log -Action *).Count | Should -Be 11
            @(Get-FwDrop -Path 'pfirewall.l?g' -Action *).Count | Should -Be 11
        } finally { Pop-Location }
    }

    It 'a wildcard that matches nothing is an ObjectNotFound error' {
        $r = @(Get-FwDrop -Path (Join-Path $TestDrive '*.nothing') -ErrorVariable e -ErrorAction SilentlyContinue)
        $e.Count | Should -Be 1
        "$($e[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $r.Count | Should -Be 0
    }

    It '-LiteralPath does not expand wildcards' {
        $path = Write-FwLines (Join-Path $TestDrive 'fw[1].log') $XpLines
        @(Get-FwDrop -LiteralPath $path -Action *).Count | Should -Be 11
    }

    It 'binds files from the pipeline by FullName and PSPath, and strings by value' {
        $d = Join-Path $TestDrive 'bind'
        $null = New-Item -ItemType Directory -Path $d
        $null = Write-FwLines (Join-Path $d 'a.log') $XpLines
        $null = Write-FwLines (Join-Path $d 'b.log') $MixedLines
        @([System.IO.DirectoryInfo]::new($d).GetFiles('*.log') | Get-FwDrop -Action *).Count | Should -Be 25
        @([pscustomobject]@{ PSPath = "Microsoft.PowerShell.Core\FileSystem::$d/a.log" } | Get-FwDrop -Action *).Count | Should -Be 11
        @([pscustomobject]@{ FullName = "$d/b.log" } | Get-FwDrop -Action *).Count | Should -Be 14
        @("$d/a.log", "$d/b.log" | Get-FwDrop -Action *).Count | Should -Be 25
    }

    It 'without -Path off Windows it says -Path is required' -Skip:$IsWindows {
        { Get-FwDrop } | Should -Throw -ErrorId 'FwPathRequired,Fw.Commands.GetFwDropCommand' -ExpectedMessage '*-Path*'
    }
}

Describe 'Get-FwDrop filter parameters match what filtering the output matches' -Tag 'Read', 'Filter' {
    BeforeAll {
        $script:All = @(Get-FwDrop -Path $Mixed -Action *)
        function Test-Drop($d) { "$($d.Action)" -eq 'DROP' }
    }
    It 'Get-FwDrop <Text>' -ForEach @(
        @{ Text = '-Action Allow'; Arguments = @{ Action = 'Allow' }; Expected = { "$($_.Action)" -eq 'ALLOW' } }
        @{ Text = '-Action Drop, Allow'; Arguments = @{ Action = 'Drop', 'Allow' }; Expected = { "$($_.Action)" -in 'DROP', 'ALLOW' } }
        @{ Text = '-Action All'; Arguments = @{ Action = 'All' }; Expected = { $true } }
        @{ Text = '-Protocol TCP'; Arguments = @{ Protocol = 'TCP' }; Expected = { (Test-Drop $_) -and "$($_.Protocol)" -eq 'TCP' } }
        @{ Text = '-Action * -Protocol udp, ICMP'; Arguments = @{ Action = '*'; Protocol = 'udp', 'ICMP' }; Expected = { "$($_.Protocol)" -in 'UDP', 'ICMP' } }
        @{ Text = '-Protocol 2'; Arguments = @{ Protocol = '2' }; Expected = { (Test-Drop $_) -and "$($_.Protocol)" -eq '2' } }
        @{ Text = '-Protocol ICMPv6'; Arguments = @{ Protocol = 'ICMPv6' }; Expected = { (Test-Drop $_) -and "$($_.Protocol)" -eq 'ICMPv6' } }
        @{ Text = '-SourceAddress 192.168.122.1'; Arguments = @{ SourceAddress = '192.168.122.1' }; Expected = { (Test-Drop $_) -and $_.SourceAddress -eq '192.168.122.1' } }
        @{ Text = '-Action * -SourceAddress 192.168.0.0/16'; Arguments = @{ Action = '*'; SourceAddress = '192.168.0.0/16' }; Expected = { "$($_.SourceAddress)".StartsWith('192.168.') } }
        @{ Text = '-Action * -SourceAddress 10.0.0.0/255.0.0.0'; Arguments = @{ Action = '*'; SourceAddress = '10.0.0.0/255.0.0.0' }; Expected = { "$($_.SourceAddress)".StartsWith('10.') } }
        @{ Text = '-Action * -SourceAddress 192.168.9.1-192.168.10.8'; Arguments = @{ Action = '*'; SourceAddress = '192.168.9.1-192.168.10.8' }; Expected = { $_.SourceAddress -in '192.168.9.163', '192.168.10.7' } }
        @{ Text = '-Action * -SourceAddress fe80::/10'; Arguments = @{ Action = '*'; SourceAddress = 'fe80::/10' }; Expected = { "$($_.SourceAddress)".StartsWith('fe80:') } }
        @{ Text = '-DestinationAddress 10.12.13.14, 192.168.10.5'; Arguments = @{ DestinationAddress = '10.12.13.14', '192.168.10.5' }; Expected = { (Test-Drop $_) -and $_.DestinationAddress -in '10.12.13.14', '192.168.10.5' } }
        @{ Text = '-DestinationAddress ff02::/16'; Arguments = @{ DestinationAddress = 'ff02::/16' }; Expected = { (Test-Drop $_) -and "$($_.DestinationAddress)".StartsWith('ff02:') } }
        @{ Text = '-SourcePort 5353'; Arguments = @{ SourcePort = '5353' }; Expected = { (Test-Drop $_) -and $_.SourcePort -eq 5353 } }
        @{ Text = '-Action * -SourcePort 50000-60000'; Arguments = @{ Action = '*'; SourcePort = '50000-60000' }; Expected = { $null -ne $_.SourcePort -and $_.SourcePort -ge 50000 -and $_.SourcePort -le 60000 } }
        @{ Text = '-DestinationPort 49154'; Arguments = @{ DestinationPort = '49154' }; Expected = { (Test-Drop $_) -and $_.DestinationPort -eq 49154 } }
        @{ Text = '-DestinationPort 135, 139, 445'; Arguments = @{ DestinationPort = '135', '139', '445' }; Expected = { (Test-Drop $_) -and $_.DestinationPort -in 135, 139, 445 } }
        @{ Text = '-Action * -DestinationPort 1-1024'; Arguments = @{ Action = '*'; DestinationPort = '1-1024' }; Expected = { $null -ne $_.DestinationPort -and $_.DestinationPort -ge 1 -and $_.DestinationPort -le 1024 } }
        @{ Text = '-Action * -Direction Outbound'; Arguments = @{ Action = '*'; Direction = 'Outbound' }; Expected = { "$($_.Direction)" -eq 'Outbound' } }
        @{ Text = '-Direction Inbound'; Arguments = @{ Direction = 'Inbound' }; Expected = { (Test-Drop $_) -and "$($_.Direction)" -eq 'Inbound' } }
        @{ Text = '-Action * -After 2022-09-01 10:00:02'; Arguments = @{ Action = '*'; After = '2022-09-01 10:00:02' }; Expected = { $_.Time -ge [datetime]'2022-09-01 10:00:02' } }
        @{ Text = '-Action * -Before 2022-09-01 10:00:02'; Arguments = @{ Action = '*'; Before = '2022-09-01 10:00:02' }; Expected = { $_.Time -lt [datetime]'2022-09-01 10:00:02' } }
        @{ Text = '-Action * -After 2022-08-13 -Before 2022-09-01 10:00:03.5'; Arguments = @{ Action = '*'; After = '2022-08-13'; Before = '2022-09-01 10:00:03.5' }; Expected = { $_.Time -ge [datetime]'2022-08-13' -and $_.Time -le [datetime]'2022-09-01 10:00:03' } }
        @{ Text = '-Protocol TCP -Direction Inbound -DestinationPort 49152-65535 -SourceAddress 192.168.10.0/24'; Arguments = @{ Protocol = 'TCP'; Direction = 'Inbound'; DestinationPort = '49152-65535'; SourceAddress = '192.168.10.0/24' }; Expected = { (Test-Drop $_) -and $_.DestinationPort -eq 49154 } }
    ) {
        $want = @($All | Where-Object $Expected | ForEach-Object LineNumber)
        $want.Count | Should -BeGreaterThan 0
        @(Get-FwDrop -Path $Mixed @Arguments | ForEach-Object LineNumber) | Should -Be $want
    }

    It 'an invalid <Name> is a terminating FwInvalidFilterValue naming <Value>' -ForEach @(
        @{ Name = 'DestinationPort'; Value = '70000' }
        @{ Name = 'SourcePort'; Value = 'abc' }
        @{ Name = 'SourceAddress'; Value = '300.1.1.1' }
        @{ Name = 'DestinationAddress'; Value = '10.0.0.0/33' }
        @{ Name = 'Protocol'; Value = 'FOO' }
        @{ Name = 'Action'; Value = 'Reject' }
    ) {
        $err = $null
        $arguments = @{ $Name = $Value }
        try { $null = Get-FwDrop -Path $Mixed @arguments } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'FwInvalidFilterValue,Fw.Commands.GetFwDropCommand'
        "$($err.CategoryInfo.Category)" | Should -Be 'InvalidArgument'
        "$err" | Should -Match ([regex]::Escape($Value))
    }

    It '-Direction takes only Inbound or Outbound' {
        { Get-FwDrop -Path $Mixed -Direction Sideways } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
    }

    It '-After must come before -Before' {
        { Get-FwDrop -Path $Mixed -After '2022-09-02' -Before '2022-09-01' } | Should -Throw -ErrorId 'FwInvalidTimeWindow,Fw.Commands.GetFwDropCommand'
    }

    It 'Where-Object on ports, addresses, direction, time and pid works as typed' {
        $d = Get-FwDrop -Path $Mixed -Action *
        ($d | Where-Object DestinationPort -EQ 49154).LineNumber | Should -Be 21
        ($d | Where-Object SourceAddress -EQ '192.168.10.7').LineNumber | Should -Be 21
        ($d | Where-Object { $_.SourceAddress -eq '192.168.10.7' }).LineNumber | Should -Be 21
        @($d | Where-Object DestinationAddress -In '192.168.10.5', '10.12.13.14').Count | Should -Be 3
        @($d | Where-Object Direction -EQ 'Outbound').Count | Should -Be 2
        @($d | Where-Object Time -GE ([datetime]'2022-09-01')).Count | Should -Be 8
        ($d | Where-Object ProcessId -EQ 4).DestinationPort | Should -Be 445
    }
}

Describe 'Get-FwDrop output, progress and help' -Tag 'Read' {
    It 'the table view reads like the log' {
        $PSStyle.OutputRendering, $saved = 'PlainText', $PSStyle.OutputRendering
        try { $text = Get-FwDrop -Path $Mixed -DestinationPort 49154, 445 | Out-String -Width 120 } finally { $PSStyle.OutputRendering = $saved }
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0].Trim() | Should -BeLike 'Date: *'
        @($lines | Where-Object { $_.Trim() -eq 'Date: 2022-09-01' }).Count | Should -Be 1
        $lines[1] | Should -Match '^Time\s+Action\s+Protocol\s+SourceAddress\s+DestinationAddress\s+DestinationPort\s*$'
        $lines[2] | Should -BeLike '----*'
        @($lines | Where-Object { $_ -match '49154' }) | Should -Match '^10:00:04 DROP\s+TCP\s+192\.168\.10\.7\s+192\.168\.10\.5\s+49154\s*$'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $text.Contains([char]27) | Should -BeFalse
    }

    It '-Verbose says what was read' {
        $v = @(Get-FwDrop -Path $Mixed -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        @($v | Where-Object { $_.Message.Contains($Mixed) -and $_.Message.Contains('record') }).Count | Should -BeGreaterThan 0
    }

    It 'reports progress by bytes on a large file, and completes it' {
        $line = '2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 - - - RECEIVE'
        $n = [int](40MB / ($line.Length + 2))
        $big = Join-Path $TestDrive 'big.log'
        [System.IO.File]::WriteAllText($big, (($Header17 -join "`r`n") + "`r`n" + ("$line`r`n" * $n) +
            "2022-07-11 21:04:00 DROP TCP 192.168.122.1 192.168.122.71 43286 49154 60 S 1 0 64240 - - - RECEIVE`r`n"))
        # In a runspace of its own, to read its progress stream.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Log)
                    Import-Module $Manifest
                    $count = 0; $last = $null
                    Get-FwDrop -Path $Log -DestinationPort 135, 49154 | ForEach-Object { $count++; $last = $_ }
                    $count; $last.LineNumber
                }).AddArgument($FwManifest).AddArgument($big)
            $out = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out[0] | Should -Be ($n + 1)
            $out[1] | Should -Be ($n + 5)
            $progress = @($ps.Streams.Progress)
            @($progress | Where-Object { "$($_.RecordType)" -eq 'Processing' -and $_.PercentComplete -gt 0 -and $_.PercentComplete -le 100 -and $_.Activity.Contains('big.log') }).Count | Should -BeGreaterThan 0
            @($progress | Where-Object { "$($_.RecordType)" -eq 'Completed' }).Count | Should -BeGreaterThan 0
        } finally { $ps.Dispose() }
        Remove-Item -LiteralPath $big
    }

    It 'Get-Help shows the synopsis, examples and every parameter' {
        $h = Get-Help Get-FwDrop -Full
        $h.Synopsis | Should -Match 'dropped'
        @($h.examples.example).Count | Should -BeGreaterOrEqual 5
        $code = ($h.examples.example.code) -join "`n"
        foreach ($s in 'Get-FwDrop -DestinationPort 49154', 'Where-Object', 'Get-ChildItem', '-After') { $code | Should -Match ([regex]::Escape($s)) }
        $documented = @($h.parameters.parameter.name)
        foreach ($p in 'Path', 'LiteralPath', 'Action', 'Protocol', 'SourceAddress', 'DestinationAddress', 'SourcePort', 'DestinationPort', 'Direction', 'After', 'Before') {
            $documented | Should -Contain $p
        }
        (Get-Help Get-FwDrop -Examples | Out-String) | Should -Match ([regex]::Escape('Get-FwDrop -DestinationPort 49154'))
    }
}
