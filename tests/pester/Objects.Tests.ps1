BeforeAll {
    . $PSScriptRoot/Common.ps1
    # FwDrop keeps an IPv4 address as its 4 bytes and an IPv6 one as 16 bytes in a small object until read, and keeps the
    # names Get-FwDrop leaves empty in a side object: none of it may show. Addresses repeat across records, come
    # in both directions (LocalAddress/RemoteAddress follow Direction) and are absent ('-').
    $script:Lines = @(
        '2026-11-23 09:14:02 DROP TCP 192.168.10.21 192.168.10.5 52113 49154 52 S 1234 0 64240 - - - RECEIVE 4'
        '2026-11-23 09:14:03 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 120 - - - - - - - RECEIVE 1200'
        '2026-11-23 09:14:04 ALLOW TCP 10.0.0.7 255.255.255.255 443 60000 40 A 1 2 512 - - - SEND 0'
        '2026-11-23 09:14:05 DROP UDP 2001:db8:0:0:0:0:0:1 FE80::3680:0DFF:FE01:9E88 53 5353 80 - - - - - - - SEND 7'
        '2026-11-23 09:14:06 DROP ICMP 0.0.0.0 192.168.10.21 - - 60 - - - - 8 0 - RECEIVE -'
        '2026-11-23 09:14:07 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 120 - - - - - - - RECEIVE 1200'
        '2026-11-23 09:14:08 INFO-EVENTS-LOST - - - - - - - - - - - - 17 - -'
    )
    $script:Log = New-FwTestLog -Path (Join-Path $TestDrive 'objects.log') -Line $Lines
    $script:Drops = @(Get-FwDrop -Path $Log -Action *)
}

Describe 'FwDrop objects from the log' {
    It 'write every address as [ipaddress] writes it, IPv4 and IPv6, repeated or not, and null when absent' {
        $Drops.Count | Should -Be $Lines.Count
        for ($i = 0; $i -lt $Lines.Count; $i++) {
            $f = $Lines[$i] -split ' '
            $source = if ($f[4] -eq '-') { $null } else { ([ipaddress]$f[4]).ToString() }
            $destination = if ($f[5] -eq '-') { $null } else { ([ipaddress]$f[5]).ToString() }
            $Drops[$i].SourceAddress | Should -BeExactly $source -Because "line $($i + 1)"
            $Drops[$i].DestinationAddress | Should -BeExactly $destination -Because "line $($i + 1)"
            $Drops[$i].SourceAddress | Should -BeExactly $source -Because 'a second read gives the same text'
        }
        $Drops[3].DestinationAddress | Should -BeExactly 'fe80::3680:dff:fe01:9e88'
        $Drops[4].SourceAddress | Should -BeExactly '0.0.0.0'
    }
    It 'give the local and remote ends by direction, and none without one' {
        $Drops[0].LocalAddress | Should -Be '192.168.10.5'; $Drops[0].RemoteAddress | Should -Be '192.168.10.21'
        $Drops[0].LocalPort | Should -Be 49154; $Drops[0].RemotePort | Should -Be 52113
        $Drops[2].LocalAddress | Should -Be '10.0.0.7'; $Drops[2].RemoteAddress | Should -Be '255.255.255.255'
        $Drops[3].LocalAddress | Should -Be '2001:db8::1'; $Drops[3].RemotePort | Should -Be 5353
        $Drops[6].LocalAddress | Should -BeNullOrEmpty; $Drops[6].RemoteAddress | Should -BeNullOrEmpty
        $Drops[6].Info | Should -Be 17
    }
    It 'leave the names that need -ResolveDns or -IncludeProcess empty' {
        foreach ($name in 'SourceHostName', 'DestinationHostName', 'RemoteHostName', 'ProcessName', 'ProcessPath') {
            @($Drops.$name | Where-Object { $_ }).Count | Should -Be 0 -Because $name
        }
    }
}

Describe 'FwDrop properties set by hand' {
    It 'read back what was set, and null after null' {
        $d = [Fw.FwDrop]::new()
        $d.SourceAddress | Should -BeNullOrEmpty
        $d.LocalAddress | Should -BeNullOrEmpty
        $d.SourceAddress = '192.168.10.21'; $d.SourceAddress | Should -Be '192.168.10.21'
        $d.LocalAddress = '10.1.1.1'; $d.LocalAddress | Should -Be '10.1.1.1'
        $d.RemoteAddress = '10.2.2.2'; $d.RemoteAddress | Should -Be '10.2.2.2'
        $d.SourceHostName = 'a'; $d.DestinationHostName = 'b'; $d.RemoteHostName = 'c'; $d.ProcessName = 'd'; $d.ProcessPath = 'e'
        ($d.SourceHostName, $d.DestinationHostName, $d.RemoteHostName, $d.ProcessName, $d.ProcessPath) -join ',' | Should -Be 'a,b,c,d,e'
        $d.ProcessName = $null; $d.ProcessName | Should -BeNullOrEmpty
        $d.LocalAddress = $null; $d.LocalAddress | Should -BeNullOrEmpty
    }
    It 'overrides an address read from the log' {
        $d = @(Get-FwDrop -Path $Log -Action * | Select-Object -First 1)[0]
        $d.SourceAddress | Should -Be '192.168.10.21'
        $d.SourceAddress = '10.9.9.9'
        $d.SourceAddress | Should -Be '10.9.9.9'
        $d.RemoteAddress | Should -Be '10.9.9.9' # inbound: the remote end is the source
        $e = @(Get-FwDrop -Path $Log -Action * | Select-Object -First 1)[0]
        $e.DestinationAddress = $null # set before the first read
        $e.DestinationAddress | Should -BeNullOrEmpty
        $e.LocalAddress | Should -BeNullOrEmpty
    }
    It 'survives a JSON round trip into a typed drop' {
        $back = [Fw.FwDrop]($Drops[3] | Select-Object * -ExcludeProperty TimeText | ConvertTo-Json | ConvertFrom-Json) # TimeText: read-only
        $back.SourceAddress | Should -Be '2001:db8::1'
        $back.DestinationAddress | Should -Be 'fe80::3680:dff:fe01:9e88'
        $back.LocalAddress | Should -Be '2001:db8::1'
        $back.ToString() | Should -Be $Drops[3].ToString()
    }
}
