BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Rules = @(Get-FwRule -Path ([System.IO.Path]::Combine($FwRepo, 'tests', 'data', 'rules', 'reference-rules.txt')))
    $script:Drops = @(Get-FwDrop -Path $FwSampleLog)
    # What Test-FwDrop / New-FwRuleFromDrop say, in a form that compares across object kinds.
    function Get-VerdictText($InputObject) {
        $InputObject | Test-FwDrop -Rule $Rules | ForEach-Object { '{0}|{1}|{2}|{3}|{4}|{5}' -f $_.Direction, $_.Protocol, $_.Port, $_.RemoteAddress, $_.Count, $_.Verdict }
    }
    function Get-CandidateText($InputObject) {
        $InputObject | New-FwRuleFromDrop -Scope 192.168.10.0/24 -ExistingRule @() -WhatIf -WarningAction SilentlyContinue |
            ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.Status, $_.Name, ($_.RemoteAddress -join ','), $_.Hits }
    }
}

Describe 'Get-FwDrop with the standard cmdlets' {
    It 'Where-Object compares addresses as text: -eq and -like' {
        @($Drops | Where-Object SourceAddress -eq '192.168.10.21').Count | Should -Be @(Get-FwDrop -Path $FwSampleLog -SourceAddress 192.168.10.21).Count
        @($Drops | Where-Object SourceAddress -like '192.168.10.*').Count | Should -Be @(Get-FwDrop -Path $FwSampleLog -SourceAddress 192.168.10.0/24).Count
        @($Drops | Where-Object { $_.DestinationPort -ge 49152 }).Count | Should -Be @(Get-FwDrop -Path $FwSampleLog -DestinationPort 49152-65535).Count
        @($Drops | Where-Object Direction -eq 'Inbound').Count | Should -Be @(Get-FwDrop -Path $FwSampleLog -Direction Inbound).Count
    }
    It 'Group-Object gives the counts Measure-FwDrop gives' {
        $grouped = $Drops | Where-Object DestinationPort | Group-Object DestinationPort | ForEach-Object { "$($_.Name)=$($_.Count)" } | Sort-Object
        $measured = Measure-FwDrop -Path $FwSampleLog -GroupBy DestinationPort | Where-Object DestinationPort | ForEach-Object { "$($_.DestinationPort)=$($_.Count)" } | Sort-Object
        $grouped | Should -Be $measured
    }
    It 'Sort-Object orders by time, port and address' {
        ($Drops | Sort-Object Time -Descending | Select-Object -First 1).LineNumber | Should -Be ($Drops | Select-Object -Last 1).LineNumber
        $ports = ($Drops | Where-Object DestinationPort | Sort-Object DestinationPort).DestinationPort
        $ports | Should -Be ($ports | Sort-Object)
        $addresses = ($Drops | Sort-Object SourceAddress).SourceAddress
        $addresses | Should -Be ([string[]]$addresses | Sort-Object)
    }
    It 'Select-Object -First stops the read: the end of a large log is never parsed' {
        # 30,000 lines (several reader batches of 4096), then a malformed one. A full read warns about it; a read stopped after 3 objects never gets there.
        $line = '2026-11-23 09:16:17 DROP TCP 192.168.10.21 192.168.10.5 51740 49154 52 S 1 0 8192 - - - RECEIVE 4'
        $path = New-FwTestLog -Path (Join-Path $TestDrive 'large.log') -Line (@($line) * 30000 + 'this line is malformed')
        $full = Get-FwDrop -Path $path -Verbose 3>&1 4>&1
        @($full | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -and $_.Message -match 'skipped 1 malformed' }).Count | Should -Be 1
        @($full | Where-Object { $_ -is [Fw.FwDrop] }).Count | Should -Be 30000

        $first = Get-FwDrop -Path $path -Verbose 3>&1 4>&1 | Select-Object -First 4
        $verbose = @($first | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $verbose.Message | Should -Match "^Reading '.*large\.log'"            # the read began ...
        @($first | Where-Object { $_ -is [Fw.FwDrop] }).Count | Should -Be 3
        $after = Get-FwDrop -Path $path -Verbose 3>&1 4>&1 | Select-Object -First 4 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }
        $after | Should -BeNullOrEmpty                                          # ... and never reached the malformed last line
    }
    It 'Export-Csv then Import-Csv gives Test-FwDrop the same answers as live objects' {
        $csv = Join-Path $TestDrive 'drops.csv'
        $Drops | Export-Csv -LiteralPath $csv -NoTypeInformation
        Get-VerdictText (Import-Csv -LiteralPath $csv) | Should -Be (Get-VerdictText $Drops)
    }
    It 'Export-Csv then Import-Csv gives New-FwRuleFromDrop -WhatIf the same candidates as live objects' {
        $csv = Join-Path $TestDrive 'drops2.csv'
        $Drops | Export-Csv -LiteralPath $csv -NoTypeInformation
        $live = Get-CandidateText $Drops
        $live | Should -Not -BeNullOrEmpty
        Get-CandidateText (Import-Csv -LiteralPath $csv) | Should -Be $live
    }
    Context 'several logs at once' {
        BeforeAll {
            $script:Logs = foreach ($i in 1..3) {
                $copy = Join-Path $TestDrive "pool$i.log"
                Copy-Item -LiteralPath $FwSampleLog -Destination $copy
                $copy
            }
            $script:Serial = foreach ($log in $Logs) { @(Get-FwDrop -Path $log -Action *).Count }
        }
        It 'ForEach-Object -Parallel counts what a serial loop counts' {
            $manifest = $FwManifest
            $parallel = $Logs | ForEach-Object -ThrottleLimit 3 -Parallel {
                Import-Module $using:manifest
                [pscustomobject]@{ Log = $_; Count = @(Get-FwDrop -Path $_ -Action *).Count }
            } | Sort-Object { [array]::IndexOf($Logs, $_.Log) }
            ($parallel | ForEach-Object Count) | Should -Be $Serial
        }
        It 'Start-ThreadJob counts what a serial loop counts' {
            $manifest = $FwManifest
            $jobs = foreach ($log in $Logs) {
                Start-ThreadJob -ArgumentList $manifest, $log -ScriptBlock { param($m, $l) Import-Module $m; @(Get-FwDrop -Path $l -Action *).Count }
            }
            $counts = $jobs | Wait-Job | Receive-Job
            $jobs | Remove-Job
            $counts | Should -Be $Serial
        }
    }
}
