BeforeAll {
    . $PSScriptRoot/Common.ps1

    # A log over the size under which one thread reads (2 MB): records, a layout change in the middle (the pid
    # column goes away), malformed lines and NUL padding, so every range of the parallel read has work to get right.
    $script:BigLog = Join-Path $TestDrive 'big.log'
    $lines = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt 30000; $i++) {
        if ($i -eq 15000) {
            $lines.Add('#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path')
        }
        $pid_ = if ($i -lt 15000) { " $($i % 5000)" } else { '' }
        $port = if ($i % 7 -eq 0) { 49154 } else { 1000 + $i % 3000 }
        $action = if ($i % 5 -eq 0) { 'ALLOW' } else { 'DROP' }
        $lines.Add("2024-05-0$(1 + $i % 9) 1$($i % 10):0$($i % 6):1$($i % 10) $action TCP 192.168.$($i % 4).$($i % 250) 10.0.0.5 $(40000 + $i % 20000) $port 52 S 1 0 8192 - - - RECEIVE$pid_")
        if ($i % 9973 -eq 0) { $lines.Add('2024-05-01 10:00:00 DROP TCP not-an-address 10.0.0.5 1 2 52 S 1 0 8192 - - - RECEIVE 4') }
    }
    New-FwTestLog -Path $BigLog -Line $lines | Out-Null
    $bytes = [System.IO.File]::ReadAllBytes($BigLog)
    (Get-Item $BigLog).Length | Should -BeGreaterThan (2MB)
    $script:BigLogBytes = $bytes.Length

    function script:Show($drops) { $drops | ForEach-Object { "$($_.LineNumber) $($_.Action) $($_.SourceAddress) $($_.DestinationPort) $($_.ProcessId) $($_.Time.ToString('s'))" } }
}

Describe 'Get-FwDrop and Measure-FwDrop read a large log with every core' {
    It 'Get-FwDrop gives the same records in the same order with any -ThrottleLimit' {
        $one = Show (Get-FwDrop -Path $BigLog -Action * -ThrottleLimit 1 -WarningVariable w1 -WarningAction SilentlyContinue)
        $all = Show (Get-FwDrop -Path $BigLog -Action * -WarningVariable wAll -WarningAction SilentlyContinue)
        $three = Show (Get-FwDrop -Path $BigLog -Action * -ThrottleLimit 3 -WarningAction SilentlyContinue)
        $one.Count | Should -Be 30000
        ($all -join "`n") | Should -BeExactly ($one -join "`n")
        ($three -join "`n") | Should -BeExactly ($one -join "`n")
        # The malformed lines are reported with the same line numbers.
        "$wAll" | Should -BeExactly "$w1"
        "$w1" | Should -Match 'skipped 4 malformed line'
    }
    It 'filters the same with and without threads' {
        $one = Show (Get-FwDrop -Path $BigLog -DestinationPort 49154 -ThrottleLimit 1 -WarningAction SilentlyContinue)
        $all = Show (Get-FwDrop -Path $BigLog -DestinationPort 49154 -WarningAction SilentlyContinue)
        $one.Count | Should -BeGreaterThan 3000
        ($all -join "`n") | Should -BeExactly ($one -join "`n")
    }
    It 'Measure-FwDrop counts the same with any -ThrottleLimit' {
        $one = Measure-FwDrop -Path $BigLog -GroupBy DestinationPort, ProcessId -ThrottleLimit 1 -WarningAction SilentlyContinue |
            ForEach-Object { "$($_.Name)=$($_.Count)" }
        $all = Measure-FwDrop -Path $BigLog -GroupBy DestinationPort, ProcessId -WarningAction SilentlyContinue |
            ForEach-Object { "$($_.Name)=$($_.Count)" }
        ($all -join ';') | Should -BeExactly ($one -join ';')
    }
    It 'refuses a -ThrottleLimit out of 1..256, naming the parameter' {
        { Get-FwDrop -Path $BigLog -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Fw.Commands.GetFwDropCommand'
        { Measure-FwDrop -Path $BigLog -ThrottleLimit 257 } | Should -Throw '*ThrottleLimit*'
    }
}
