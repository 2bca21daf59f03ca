BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Test-only hook (module-internal static, set by reflection; module/Core/TestHooks.cs): names come from a
    # hosts-style file instead of DNS, so no test depends on a network.
    $script:Hooks = [Fw.FwDrop].Assembly.GetType('Fw.Core.TestHooks')
    function Set-FwTestHosts($File) { $Hooks.GetField('HostsFile', [Reflection.BindingFlags]'NonPublic,Static').SetValue($null, $File) }
    function Line([string] $src, [string] $dst, [string] $path = 'RECEIVE', [string] $procId = '4') {
        "2026-01-01 10:00:00 DROP TCP $src $dst 5000 445 52 S 1 0 8192 - - - $path $procId"
    }
}
AfterAll { Set-FwTestHosts $null }

Describe 'Get-FwDrop -ResolveDns' {
    It 'names the source, destination and remote address, in log order' {
        Set-Content "$TestDrive/hosts" @('192.168.10.21 pool1.contoso.com', '10.0.0.5 director.contoso.com', '# comment', '2001:db8::7 v6.contoso.com')
        Set-FwTestHosts "$TestDrive/hosts"
        $log = New-FwTestLog -Path "$TestDrive/a.log" -Line (Line 192.168.10.21 10.0.0.5), (Line 10.0.0.5 192.168.10.21 SEND), (Line 192.168.10.99 10.0.0.5), (Line 2001:db8::7 2001:db8::1)
        $d = @(Get-FwDrop -Path $log -ResolveDns)
        $d.Count | Should -Be 4
        $d[0].SourceHostName | Should -Be 'pool1.contoso.com'
        $d[0].DestinationHostName | Should -Be 'director.contoso.com'
        $d[0].RemoteHostName | Should -Be 'pool1.contoso.com'
        $d[1].RemoteHostName | Should -Be 'pool1.contoso.com' # outbound: the destination is remote
        $d[1].SourceHostName | Should -Be 'director.contoso.com'
        $d[2].SourceHostName | Should -BeNullOrEmpty # no name
        $d[2].RemoteHostName | Should -BeNullOrEmpty
        $d[3].SourceHostName | Should -Be 'v6.contoso.com'
        @((Get-FwDrop -Path $log).SourceHostName | Where-Object { $_ }).Count | Should -Be 0 # only when asked
    }
    It '1000 distinct addresses: every name right, output order kept' {
        $lines = 0..999 | ForEach-Object { Line "10.20.$([math]::Floor($_ / 200)).$($_ % 200 + 1)" 10.0.0.5 }
        Set-Content "$TestDrive/hosts1000" (0..999 | ForEach-Object { "10.20.$([math]::Floor($_ / 200)).$($_ % 200 + 1) host$_.example" })
        Set-FwTestHosts "$TestDrive/hosts1000"
        $log = New-FwTestLog -Path "$TestDrive/k.log" -Line $lines
        $d = @(Get-FwDrop -Path $log -ResolveDns)
        $d.Count | Should -Be 1000
        ($d.SourceHostName -join ',') | Should -Be ((0..999 | ForEach-Object { "host$_.example" }) -join ',')
    }
    It 'an unreachable DNS server: one wave of 16 lookups times out, the rest are skipped with one warning' {
        $lines = 1..40 | ForEach-Object { Line "10.30.0.$_" 10.0.0.5 }
        Set-Content "$TestDrive/hang" (1..40 | ForEach-Object { "10.30.0.$_ *hang*" })
        Set-FwTestHosts "$TestDrive/hang"
        $log = New-FwTestLog -Path "$TestDrive/h.log" -Line $lines
        $d = @(Get-FwDrop -Path $log -ResolveDns -DnsTimeout 00:00:00.2 -WarningVariable w -WarningAction SilentlyContinue)
        $d.Count | Should -Be 40
        @($d | Where-Object SourceHostName).Count | Should -Be 0
        $w.Count | Should -Be 1
        "$w" | Should -Match '16 reverse DNS lookups in a row took longer than 0\.2 s'
    }
    It 'a failed lookup is no name, not an error' {
        Set-Content "$TestDrive/fail" '10.40.0.1 *fail*'
        Set-FwTestHosts "$TestDrive/fail"
        $log = New-FwTestLog -Path "$TestDrive/f.log" -Line (Line 10.40.0.1 10.0.0.5)
        $d = Get-FwDrop -Path $log -ResolveDns -ErrorVariable e
        $e.Count | Should -Be 0
        $d.SourceHostName | Should -BeNullOrEmpty
    }
    It 'works with -Tail and with -Wait' {
        Set-Content "$TestDrive/hosts2" '10.50.0.1 tail.example'
        Set-FwTestHosts "$TestDrive/hosts2"
        $log = New-FwTestLog -Path "$TestDrive/t.log" -Line (Line 10.50.0.2 10.0.0.5), (Line 10.50.0.1 10.0.0.5)
        (Get-FwDrop -Path $log -Tail 1 -ResolveDns).SourceHostName | Should -Be 'tail.example'
        (Get-FwDrop -Path $log -Wait -Timeout 00:00:00.3 -ResolveDns | Select-Object -Last 1).SourceHostName | Should -Be 'tail.example'
    }
    It '-DnsTimeout needs -ResolveDns and a sensible value' {
        { Get-FwDrop -Path $FwSampleLog -DnsTimeout 00:00:01 } | Should -Throw -ErrorId 'FwDnsTimeoutWithoutResolveDns,Fw.Commands.GetFwDropCommand'
        { Get-FwDrop -Path $FwSampleLog -ResolveDns -DnsTimeout 0 } | Should -Throw -ErrorId 'FwInvalidDnsTimeout,Fw.Commands.GetFwDropCommand'
    }
}

Describe 'Get-FwDrop -IncludeProcess' {
    It 'the process that has the logged pid now: its name and path' {
        $me = Get-Process -Id $PID
        $log = New-FwTestLog -Path "$TestDrive/p.log" -Line (Line 10.0.0.1 10.0.0.2 SEND $PID), (Line 10.0.0.1 10.0.0.2 SEND '-'), (Line 10.0.0.1 10.0.0.2 SEND 2147483000)
        $d = @(Get-FwDrop -Path $log -IncludeProcess)
        $d[0].ProcessName | Should -Be $me.ProcessName
        $d[0].ProcessPath | Should -Be $me.Path
        $d[1].ProcessName | Should -BeNullOrEmpty # no pid logged
        $d[2].ProcessName | Should -BeNullOrEmpty # no such process
        (Get-FwDrop -Path $log)[0].ProcessName | Should -BeNullOrEmpty # only when asked
    }
}
