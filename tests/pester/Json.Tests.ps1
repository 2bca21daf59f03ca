BeforeAll {
    . $PSScriptRoot/Common.ps1
    # One Director flow: TCP 49154 from 192.168.10.21 (12 drops), plus an IPv6 drop and an ICMP drop in the sample.
    $script:Rules = @(Get-FwRule -RuleString 'v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|Name=Allow 49154|')
    $script:Drop = Get-FwDrop -Path $FwSampleLog -DestinationPort 49154 | Select-Object -First 1
    $script:V6Drop = Get-FwDrop -Path $FwSampleLog -SourceAddress fe80::/10 | Select-Object -First 1

    # The property types ConvertTo-Json writes as they read in pwsh and in Windows PowerShell 5.1 alike. An enum is a
    # number there (5.1 has no -EnumsAsStrings), an IPAddress an object ({"Address":n}, IPv6 null), a Local DateTime
    # carries the offset of the computer that exports it.
    function Get-UnfitProperty([type] $Type) {
        foreach ($p in $Type.GetProperties()) {
            $t = $p.PropertyType
            if ($t.IsArray) { $t = $t.GetElementType() }
            $t = [Nullable]::GetUnderlyingType($t) ?? $t
            if ($t.IsEnum -or $t -eq [ipaddress] -or $t -eq [DateTimeOffset]) { "$($Type.Name).$($p.Name): $t" }
        }
    }
}

Describe 'ConvertTo-Json of Fw objects gives what a SIEM ingests' {
    It 'writes a drop with addresses as text, the direction as a name and the time without an offset' {
        $json = $Drop | ConvertTo-Json -Compress
        $json | Should -Match '"SourceAddress":"192\.168\.10\.21"'
        $json | Should -Match '"DestinationAddress":"192\.168\.10\.5"'
        $json | Should -Match '"RemoteAddress":"192\.168\.10\.21"'
        $json | Should -Match '"Direction":"Inbound"'
        $json | Should -Match '"DestinationPort":49154'
        $json | Should -Match '"Time":"2026-11-23T09:16:17"'
        $json | Should -Match '"TimeText":"2026-11-23T09:16:17"'
        $json | Should -Not -Match '"Time":"[^"]*(Z|[+-]\d\d:\d\d)"'
    }
    It 'keeps an IPv6 address (it was null)' {
        $back = $V6Drop | ConvertTo-Json | ConvertFrom-Json
        $back.SourceAddress | Should -Be 'fe80::3680:dff:fe01:9e88'
        $back.DestinationAddress | Should -Be 'ff02::fb'
    }
    It 'writes a group with its keys as names and text' {
        $group = Measure-FwDrop -Path $FwSampleLog -GroupBy RemoteAddress, Direction -Top 1
        $json = $group | ConvertTo-Json -Compress
        $json | Should -Match '"GroupBy":\["RemoteAddress","Direction"\]'
        $json | Should -Match '"RemoteAddress":"192\.168\.10\.\d+"'
        $json | Should -Match '"Direction":"Inbound"'
        $json | Should -Match '"FirstSeen":"2026-11-23T\d\d:\d\d:\d\d"'
    }
    It 'writes a verdict with the verdict as a name' {
        $verdict = Get-FwDrop -Path $FwSampleLog -DestinationPort 49154 | Test-FwDrop -Rule $Rules
        $json = $verdict | ConvertTo-Json -Compress -Depth 4
        $json | Should -Match '"Verdict":"AllowedByRule"'
        $json | Should -Match '"Direction":"Inbound"'
        $json | Should -Match '"RemoteAddress":"192\.168\.10\.21"'
        $json | Should -Match '"LastSeen":"2026-11-23T09:19:14"'
        $json | Should -Match '"Action":"Allow"'   # the matching rule, nested
    }
    It 'writes a rule candidate with its status and direction as names' {
        $candidate = Get-FwDrop -Path $FwSampleLog -DestinationPort 49154 |
            New-FwRuleFromDrop -Scope 192.168.10.0/24 -ExistingRule @() -WhatIf -WarningAction SilentlyContinue
        $json = $candidate | ConvertTo-Json -Compress
        $json | Should -Match '"Status":"WouldCreate"'
        $json | Should -Match '"Direction":"Inbound"'
        $json | Should -Match '"RemoteAddress":\["192\.168\.10\.0/24"\]'
        $json | Should -Match '"FirstSeen":"2026-11-23T09:16:17"'
    }
    It 'writes a rule with its action, direction and store as names' {
        $json = $Rules[0] | ConvertTo-Json -Compress
        $json | Should -Match '"Action":"Allow"'
        $json | Should -Match '"Direction":"Inbound"'
        $json | Should -Match '"Store":"RuleString"'
    }
    It 'has no property that Windows PowerShell 5.1 would write as a number or an object (enums, IPAddress)' {
        $types = [Fw.FwDrop], [Fw.FwDropGroup], [Fw.FwDropVerdict], [Fw.FwRuleMatch], [Fw.FwRuleCandidate], [Fw.FwRule]
        @(foreach ($t in $types) { Get-UnfitProperty $t }) | Should -BeNullOrEmpty
    }
    It 'gives times that claim no offset (Kind Unspecified), so Export-Clixml and Invoke-Command do not shift them' {
        $Drop.Time.Kind | Should -Be 'Unspecified'
        (Measure-FwDrop -Path $FwSampleLog -GroupBy Hour -Top 1).Hour.Kind | Should -Be 'Unspecified'
        $path = Join-Path $TestDrive 'drop.clixml'
        $Drop | Export-Clixml -LiteralPath $path
        (Import-Clixml -LiteralPath $path).Time | Should -Be $Drop.Time
    }
}
