# Get-FwDrop -Filter and Measure-FwDrop -Filter: for every script block -Filter accepts, the records are exactly
# those `Get-FwDrop -Action * | Where-Object $e` returns, on generated logs; what it cannot push down is an error
# that names the construct. The expressions are random (fixed seed; set FW_FILTER_SEED to try another).
BeforeAll {
    . $PSScriptRoot/Common.ps1

    $script:Seed = if ($env:FW_FILTER_SEED) { [int]$env:FW_FILTER_SEED } else { 20240611 }
    $script:Rng = [System.Random]::new($Seed)
    function script:Pick([object[]] $Items) { $Items[$Rng.Next($Items.Count)] }

    # ---- Generated logs: TCP/UDP/ICMP/ICMPv6/other, IPv4/IPv6, allow/drop/info, send/receive, pid or not ----
    function script:New-RandomRecord([bool] $WithPid) {
        $t = [datetime]::new(2023, 1, 1).AddSeconds($Rng.Next(0, 2 * 365 * 86400))
        $action = Pick @('DROP', 'DROP', 'DROP', 'ALLOW', 'ALLOW', 'INFO-EVENTS-LOST')
        $v6 = $Rng.Next(4) -eq 0
        $addr = {
            if ($v6) { Pick @('fe80::1', 'fe80::3680:dff:fe01:9e88', '2001:db8::5', '2001:db8::1:0:0:1', '::1', '::ffff:192.168.10.5', 'ff02::fb') }
            else { Pick @('192.168.10.5', '192.168.10.77', '192.168.1.10', '10.0.0.1', '10.0.0.250', '172.16.5.4', '0.0.0.0', '255.255.255.255', '224.0.0.251') }
        }
        $proto = Pick @('TCP', 'TCP', 'TCP', 'UDP', 'UDP', 'ICMP', 'ICMPv6', '2', '47')
        $path = Pick @('RECEIVE', 'RECEIVE', 'RECEIVE', 'SEND', 'SEND', '-', 'FORWARD')
        $port = { Pick @(0, 53, 80, 135, 137, 443, 445, 3389, 5353, 49154, 49155, 50000, 65535, $Rng.Next(1, 65536)) }
        $sp = '-'; $dp = '-'; $flags = '-'; $syn = '-'; $ack = '-'; $win = '-'; $it = '-'; $ic = '-'; $info = '-'
        if ($action -eq 'INFO-EVENTS-LOST') {
            $proto = '-'; $src = '-'; $dst = '-'; $size = '-'; $path = '-'; $info = [string]$Rng.Next(1, 500)
        } else {
            $src = & $addr; $dst = & $addr
            $size = [string](Pick @(0, 40, 52, 60, 576, 1500, $Rng.Next(0, 70000)))
            if ($proto -in 'TCP', 'UDP') { $sp = [string](& $port); $dp = [string](& $port) }
            if ($proto -eq 'TCP') {
                $flags = Pick @('S', 'A', 'AP', 'SA', 'FA', 'R', 'RA', '-')
                $syn = [string](Pick @(0, 1, 123456789, 4294967295, [long]$Rng.Next()))
                $ack = [string](Pick @(0, 987654321, 4294967295))
                $win = [string](Pick @(0, 1024, 8192, 64240, 65535))
            }
            if ($proto -in 'ICMP', 'ICMPv6') { $it = [string](Pick @(0, 3, 8, 11, 128, 135)); $ic = [string](Pick @(0, 1, 3, 4)) }
        }
        $fields = @($t.ToString('yyyy-MM-dd'), $t.ToString('HH:mm:ss'), $action, $proto, $src, $dst, $sp, $dp, $size,
                    $flags, $syn, $ack, $win, $it, $ic, $info, $path)
        if ($WithPid) { $fields += Pick @('4', '588', '8032', '-', '2147483647', '1234') }
        $fields -join ' '
    }
    $script:Logs = @(
        (New-FwTestLog -Path (Join-Path $TestDrive 'pid.log') -Line (1..300 | ForEach-Object { New-RandomRecord $true })),
        (New-FwTestLog -Path (Join-Path $TestDrive 'nopid.log') -NoHeader -Line (@(
            '#Version: 1.5', '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path'
        ) + (1..300 | ForEach-Object { New-RandomRecord $false })))
    )
    $script:All = @{}
    foreach ($log in $Logs) { $All[$log] = @(Get-FwDrop -Path $log -Action *) }

    # ---- Random expressions over every supported operator, property and kind of constant ----
    $global:FwFilterPort = 445
    $global:FwFilterPorts = @(53, '80', 3389)
    $global:FwFilterWhen = [datetime]'2024-03-01 12:00:00'
    $global:FwFilterFlag = 'sa'
    $global:FwFilterNull = $null

    function script:Quote([string] $s) { "'" + $s.Replace("'", "''") + "'" }
    $script:NumberProps = 'SourcePort', 'DestinationPort', 'LocalPort', 'RemotePort', 'Size', 'TcpSyn', 'TcpAck', 'TcpWindow',
                          'IcmpType', 'IcmpCode', 'Info', 'ProcessId'
    function script:New-Constant([string] $Prop, [string] $Op) {
        $like = $Op -match 'like'
        switch -Regex ($Prop) {
            'Port$|ProcessId' {
                if ($like) { return Quote (Pick @('4*', '*5', '49?54', '[1-5]*', '*', '53', '4`*')) }
                return Pick @('445', '53', '80', '49154', '65535', '0', "'445'", "'0053'", "'49154'", "' 80 '", '53.0', '80.5', "'0x35'",
                              "'abc'", '$null', '$FwFilterPort', '$FwFilterNull', '1e3', '-1', '2147483647', '588', "'4'")
            }
            '^(Size|TcpSyn|TcpAck|TcpWindow|IcmpType|IcmpCode|Info)$' {
                if ($like) { return Quote (Pick @('4*', '*5', '?', '1*', '*0*')) }
                return Pick @('0', '40', '1500', '4294967295', '8', '3', "'60'", '$null', '64240', '1e3', "'x'", '[long]123456789', '65535')
            }
            'Time' { return Pick @("'2024-01-01'", "'2024-03-01 12:00:00'", '$FwFilterWhen', "[datetime]'2023-06-30 23:59:59'", "'2030-01-01'", "'1999-01-01'") }
            'Address' {
                if ($like) { return Quote (Pick @('192.168.10.*', '*.5', 'fe80*', '*:*', '10.?.0.1', '*ffff*', '2001:DB8::*', '[12]*')) }
                return Quote (Pick @('192.168.10.5', '10.0.0.1', 'fe80::1', 'FE80::1', '::ffff:192.168.10.5', '2001:db8::5', '192.168.010.5', '10.0.0.01', 'abc', '0.0.0.0'))
            }
            'Action' { return Pick @("'drop'", "'DROP'", "'Allow'", "'info-events-lost'", "'d*'", "'*OW'", "'x'", '$null', "'OPEN'") }
            'Protocol' { return Pick @("'tcp'", "'UDP'", "'icmp'", "'ICMPv6'", "'6'", '6', "'47'", '47', "'2'", "'T*'", "'*6'", '$null') }
            'Direction' { return Pick @("'Inbound'", "'outbound'", "'in*'", '1', '2', '$null', "'Sideways'") }
            'Path' { return Pick @("'SEND'", "'receive'", "'forward'", "'*e*'", '$null') }
            'TcpFlags' { return Pick @("'S'", "'s'", "'AP'", "'sa'", "'a*'", "'?A'", "'[as]*'", '$FwFilterFlag', '$null', "'*'") }
        }
    }
    function script:New-List([string] $Prop) {
        $n = $Rng.Next(1, 4)
        $items = 1..$n | ForEach-Object { New-Constant $Prop '-eq' }
        if ($Rng.Next(3) -eq 0) { '@(' + ($items -join ', ') + ')' } else { $items -join ', ' }
    }
    $script:Props = @($NumberProps) + 'Time', 'SourceAddress', 'DestinationAddress', 'LocalAddress', 'RemoteAddress', 'Action',
                                      'Protocol', 'Direction', 'Path', 'TcpFlags'
    function script:New-Comparison {
        $prop = Pick $Props
        $ref = Pick @('$_.', '$_.', '$PSItem.')
        $caseName = if ($Rng.Next(2) -eq 0) { $prop } else { $prop.ToLowerInvariant() }
        $lhs = $ref + $caseName
        $op = Pick @('-eq', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-like', '-notlike', '-in', '-notin', '-contains',
                     '-notcontains', '-ceq', '-ieq', '-clike', '-cne', '-cin')
        if ($prop -eq 'Time' -and $op -match 'like') { $op = '-ge' }
        if ($op -match 'in$') {
            $rhs = if ($Rng.Next(4) -eq 0 -and $prop -match 'Port') { '$FwFilterPorts' } else { New-List $prop }
            if ($rhs -notmatch '^@|^\$') { $rhs = "($rhs)" }
            return "$lhs $op $rhs"
        }
        if ($op -match 'contains$') {
            # the list on the left, the property on the right
            $list = New-List $prop
            if ($list -notmatch '^@') { $list = "@($list)" }
            return "$list $op $lhs"
        }
        $c = New-Constant $prop $op
        if ($op -notmatch 'like' -and $Rng.Next(5) -eq 0) { return "$c $op $lhs" } # constant on the left
        "$lhs $op $c"
    }
    function script:New-Expression([int] $Depth) {
        $r = $Rng.Next(6)
        if ($Depth -le 0 -or $r -lt 3) { return New-Comparison }
        switch ($r) {
            3 { "(" + (New-Expression ($Depth - 1)) + ") -and (" + (New-Expression ($Depth - 1)) + ")" }
            4 { (New-Expression ($Depth - 1)) + " -or " + (New-Expression ($Depth - 1)) }
            5 { (Pick @('-not ', '!')) + "(" + (New-Expression ($Depth - 1)) + ")" }
        }
    }
}

Describe 'Get-FwDrop -Filter gives exactly Where-Object''s answer' {
    It 'on several hundred random expressions (seed in the failure message)' {
        $accepted = 0; $refused = 0; $nonTrivial = 0
        $failures = [System.Collections.Generic.List[string]]::new()
        $refusals = @{}
        for ($i = 0; $i -lt 400; $i++) {
            $text = New-Expression 2
            $e = [scriptblock]::Create($text)
            foreach ($log in $Logs) {
                $got = $null
                try {
                    $got = @(Get-FwDrop -Path $log -Action * -Filter $e -ErrorAction Stop)
                } catch {
                    if ($_.FullyQualifiedErrorId -notlike 'FwFilterNotSupported*') { $failures.Add("seed $Seed #$i $text : unexpected error $($_.FullyQualifiedErrorId): $_") }
                    $refused++
                    $key = ($_.Exception.Message -replace '^.*?: ''.*?'' at line \d+, column \d+: ', '') -replace "'.*", ''
                    $refusals[$key] = 1 + [int]$refusals[$key]
                    continue
                }
                $whereErrors = $null
                $expected = @($All[$log] | Where-Object $e -ErrorVariable whereErrors -ErrorAction SilentlyContinue)
                $accepted++
                if ($whereErrors) { $failures.Add("seed $Seed #$i $text : accepted, but Where-Object writes errors: $($whereErrors[0])") }
                $a = ($got | ForEach-Object LineNumber) -join ','
                $b = ($expected | ForEach-Object LineNumber) -join ','
                if ($a -ne $b) { $failures.Add("seed $Seed #$i $text on $(Split-Path -Leaf $log): -Filter gave $($got.Count), Where-Object $($expected.Count)") }
                if ($expected.Count -gt 0 -and $expected.Count -lt $All[$log].Count) { $nonTrivial++ }
            }
        }
        $failures | Select-Object -First 10 | Should -BeNullOrEmpty
        Write-Host ("  {0} accepted, {1} refused, {2} selecting some but not all records (seed {3})" -f $accepted, $refused, $nonTrivial, $Seed)
        Write-Host ("  refusals: " + (($refusals.GetEnumerator() | Sort-Object Value -Descending | ForEach-Object { "$($_.Value)x $($_.Key)" }) -join '; '))
        # The generator is not degenerate: most expressions are pushed down and select a real subset.
        $accepted | Should -BeGreaterThan 500
        $nonTrivial | Should -BeGreaterThan 250
    }

    It 'takes the bare-name form, strings, and variables of the caller' {
        $log = $Logs[0]
        $port = 445
        $where = @($All[$log] | Where-Object { $_.DestinationPort -eq $port -or ($_.Protocol -eq 'UDP' -and $_.SourceAddress -like '192.168.10.*') }) | ForEach-Object LineNumber
        $where.Count | Should -BeGreaterThan 0
        (Get-FwDrop -Path $log -Action * -Filter { DestinationPort -eq $port -or (Protocol -eq UDP -and SourceAddress -like '192.168.10.*') }).LineNumber | Should -Be $where
        (Get-FwDrop -Path $log -Action * -Filter '$PSItem.DestinationPort -eq $port -or ($_.Protocol -eq "UDP" -and $_.SourceAddress -like "192.168.10.*")').LineNumber | Should -Be $where
        (Get-FwDrop -Path $log -Action * -Filter { -not (DestinationPort -eq $port) }).Count | Should -Be ($All[$log].Count - @($All[$log] | Where-Object DestinationPort -eq $port).Count)
    }

    It 'is AND''ed with the other parameters, and -Action Drop still applies by default' {
        $log = $Logs[0]
        $expected = @($All[$log] | Where-Object { $_.Action -eq 'DROP' -and $_.Protocol -eq 'TCP' -and $_.DestinationPort -ge 1024 }).LineNumber
        (Get-FwDrop -Path $log -Protocol TCP -Filter { $_.DestinationPort -ge 1024 }).LineNumber | Should -Be $expected
    }

    It 'compares addresses with a CIDR block, a mask or a range (the extension Where-Object lacks)' {
        $log = $Logs[0]
        # SourceAddress is text (IPAddress.ToString()): an IPv4 address in 192.168.10.0/24 is written 192.168.10.x,
        # and ::ffff:192.168.10.5 (IPv6) is not in the IPv4 block.
        $in24 = @($All[$log] | Where-Object { $_.SourceAddress -like '192.168.10.*' }).LineNumber
        $in24.Count | Should -BeGreaterThan 0
        (Get-FwDrop -Path $log -Action * -Filter { $_.SourceAddress -in '192.168.10.0/24' }).LineNumber | Should -Be $in24
        (Get-FwDrop -Path $log -Action * -Filter { $_.SourceAddress -in '192.168.10.0/255.255.255.0' }).LineNumber | Should -Be $in24
        (Get-FwDrop -Path $log -Action * -Filter { $_.SourceAddress -in '192.168.10.0-192.168.10.255', '203.0.113.0/24' }).LineNumber | Should -Be $in24
        $notIn = @($All[$log] | Where-Object { $_.SourceAddress -notlike '192.168.10.*' }).LineNumber
        (Get-FwDrop -Path $log -Action * -Filter { $_.SourceAddress -notin '192.168.10.0/24' }).LineNumber | Should -Be $notIn
        (Get-FwDrop -Path $log -Action * -Filter { $_.SourceAddress -in '192.168.10.0/24' }).LineNumber |
            Should -Be (Get-FwDrop -Path $log -Action * -SourceAddress 192.168.10.0/24).LineNumber
    }

    It 'counts with Measure-FwDrop -Filter as Where-Object would' {
        $log = $Logs[1]
        $expected = @($All[$log] | Where-Object { $_.Protocol -eq 'UDP' -and $_.DestinationPort -lt 1024 })
        $groups = Measure-FwDrop -Path $log -Action * -GroupBy DestinationPort -Filter { $_.Protocol -eq 'UDP' -and $_.DestinationPort -lt 1024 }
        ($groups | Measure-Object Count -Sum).Sum | Should -Be $expected.Count
        foreach ($g in $groups) { $g.Count | Should -Be @($expected | Where-Object DestinationPort -eq $g.DestinationPort).Count }
    }
}

Describe 'Get-FwDrop -Filter refuses what it cannot push down, naming it' {
    It 'refuses <Name>' -ForEach @(
        @{ Name = '-match'; Filter = { $_.Protocol -match 'T' }; Says = '-match' }
        @{ Name = '-notmatch'; Filter = { $_.Protocol -notmatch 'T' }; Says = '-notmatch' }
        @{ Name = 'a method call'; Filter = { $_.Protocol.StartsWith('T') }; Says = 'method call' }
        @{ Name = 'a command call'; Filter = { $_.Time -gt (Get-Date) }; Says = 'Get-Date' }
        @{ Name = 'a property not from the log'; Filter = { $_.LogFile -like '*x*' }; Says = 'LogFile' }
        @{ Name = 'an unknown property'; Filter = { $_.Port -eq 1 }; Says = 'Port' }
        @{ Name = 'two properties'; Filter = { $_.SourcePort -eq $_.DestinationPort }; Says = 'two properties' }
        @{ Name = 'a bare value'; Filter = { $_.TcpFlags }; Says = 'not a condition' }
        @{ Name = 'an undefined variable'; Filter = { $_.DestinationPort -eq $NoSuchVariableHere }; Says = 'NoSuchVariableHere' }
        @{ Name = 'a failing conversion that Where-Object reports per record'; Filter = { $_.DestinationPort -lt 'abc' }; Says = 'abc' }
        @{ Name = 'an order on addresses'; Filter = { $_.SourceAddress -lt '10.0.0.1' }; Says = 'ordering addresses with -lt is not supported; use -in with a CIDR block or a range' }
        @{ Name = '-like on the time'; Filter = { $_.Time -like '2024*' }; Says = 'culture' }
        @{ Name = 'a list on the left of -eq'; Filter = { @(1, 2) -eq $_.DestinationPort }; Says = 'list on the left' }
        @{ Name = 'a pipeline'; Filter = { $_ | Where-Object DestinationPort -eq 1 }; Says = 'pipeline' }
        @{ Name = 'two statements'; Filter = { $_.Size -eq 1; $_.Size -eq 2 }; Says = 'second statement' }
        @{ Name = '-xor'; Filter = { $_.Size -eq 1 -xor $_.Size -eq 2 }; Says = '-xor' }
        @{ Name = 'an expandable string'; Filter = { $_.Protocol -eq "$($env:X)" }; Says = 'expansion' }
        @{ Name = 'a bare command'; Filter = { Get-Process -eq 1 }; Says = 'Get-Process' }
        @{ Name = 'bare -not without parentheses'; Filter = 'Size -eq 1 -or -not DestinationPort -eq 1'; Says = '-not (' }
        @{ Name = 'a bad wildcard'; Filter = { $_.TcpFlags -like '[ab' }; Says = 'wildcard character pattern is not valid' }
        @{ Name = 'an inexact double'; Filter = { $_.TcpSyn -eq 1e18 }; Says = 'more than one value' }
        @{ Name = 'a syntax error in a string'; Filter = '$_.DestinationPort -eq'; Says = 'not a valid PowerShell expression' }
    ) {
        $err = $null
        try { Get-FwDrop -Path $FwSampleLog -Filter $Filter -ErrorAction Stop; throw 'accepted' } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'FwFilterNotSupported*'
        $err.Exception.Message | Should -BeLike "Cannot push -Filter down*$Says*"
    }

    It 'names the position of the construct' {
        $err = $null
        try { Get-FwDrop -Path $FwSampleLog -Filter "`$_.Size -eq 1 -and`n  `$_.Protocol -match 'T'" } catch { $err = $_ }
        $err.Exception.Message | Should -BeLike "*line 2, column 3*"
    }
}
