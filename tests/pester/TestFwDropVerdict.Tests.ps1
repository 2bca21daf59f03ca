# Test-FwDrop verdicts over logs and rule sets the tests build, and the reference rules of formats.md 4.3 in a .reg
# export: service-scoped and disabled rules, RPC keywords, block over allow, LocalSubnet, profiles, outbound flows,
# deserialized and CSV input, bad input, the table view and help. Moved from the xunit suite (TestFwDropTests).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $ref = [ordered]@{}
    for ($i = 0; $i -lt $FwReferenceRuleStrings.Count; $i++) { $ref['Ref{0:00}' -f ($i + 1)] = $FwReferenceRuleStrings[$i] }
    $script:RegPath = New-FwTestRegExport -Path (Join-Path $TestDrive 'rules.reg') -Rule $ref

    function Tcp([string] $Time, [string] $Src, [string] $Dst, [int] $SourcePort, [int] $DestinationPort, [string] $Path = 'RECEIVE') {
        "2022-09-01 $Time DROP TCP $Src $Dst $SourcePort $DestinationPort 52 S 11 0 64240 - - - $Path -"
    }
    function Udp([string] $Time, [string] $Src, [string] $Dst, [int] $SourcePort, [int] $DestinationPort) {
        "2022-09-01 $Time DROP UDP $Src $Dst $SourcePort $DestinationPort 60 - - - - - - - RECEIVE -"
    }
    function New-Log([string] $Name, [string[]] $Line) { New-FwTestLog -Path (Join-Path $TestDrive $Name) -Line $Line }
    # Get-FwDrop $Log | Test-FwDrop with the reference rules that pass $Filter (all of them by default).
    function Test-WithReference([string] $Log, [scriptblock] $Filter = { $true }) {
        $rules = @(Get-FwRule -Path $RegPath | Where-Object $Filter)
        @(Get-FwDrop -Path $Log | Test-FwDrop -Rule $rules)
    }
    # Get-FwDrop $Log | Test-FwDrop with rules from rule strings ("ID=v2.10|...").
    function Test-WithRule([string] $Log, [string[]] $RuleString, [hashtable] $With = @{}) {
        @(Get-FwDrop -Path $Log | Test-FwDrop -Rule ($RuleString | Get-FwRule) @With)
    }
}

Describe 'Test-FwDrop explains each flow' -Tag 'Verdict' {
    It 'RDP scoped to svchost/termservice is allowed, but only for that service' {
        $log = New-Log 'rdp.log' (Tcp '10:00:01' 198.51.100.7 192.0.2.10 50001 3389), (Tcp '10:00:05' 198.51.100.7 192.0.2.10 50002 3389)
        $r = @(Test-WithReference $log)
        $r.Count | Should -Be 1
        $v = $r[0]
        $v.GetType().FullName | Should -Be 'Fw.FwDropVerdict'
        "$($v.Verdict)" | Should -Be 'AllowedByRule'
        $v.Count | Should -Be 2
        $v.FirstSeen | Should -Be ([datetime]'2022-09-01 10:00:01')
        $v.LastSeen | Should -Be ([datetime]'2022-09-01 10:00:05')
        $v.LocalPort | Should -Be 3389
        $v.RemoteAddress | Should -Be '198.51.100.7'
        $v.Explanation | Should -BeLike "Allowed by rule 'Ref02'*"
        $v.Explanation | Should -BeLike '*but only for service termservice: is the service running?'
        $first = @($v.MatchingRules)[0]
        $first.Name | Should -Be 'Ref02'
        $first.Deciding | Should -BeTrue
        "$($first.Applies)" | Should -Be 'Maybe'
        "$($first.Reason)" | Should -Be 'ScopedToService'
        # The WMP service-hardening block (ports 1-553,555-8553,...) is listed: it blocks only that service's traffic.
        $wmp = @($v.MatchingRules | Where-Object Name -EQ 'Ref14')
        $wmp.Count | Should -Be 1
        "$($wmp[0].Rule.Action)" | Should -Be 'Block'
        "$($wmp[0].Applies)" | Should -Be 'Maybe'
    }

    It 'a dynamic RPC port with only a disabled RPC rule names that rule' {
        $log = New-Log 'rpc.log' (Tcp '10:00:04' 192.168.10.21 192.168.10.5 50001 49154)
        $r = @(Test-WithReference $log { $_.Name -in 'Ref03', 'Ref16' })
        $r.Count | Should -Be 1
        "$($r[0].Verdict)" | Should -Be 'AllowedByDisabledRule'
        $r[0].Explanation | Should -Match "disabled rule 'Ref16'"
        $r[0].Explanation | Should -Match 'RPC runtime handed out port 49154'
        $m = @($r[0].MatchingRules)[0]
        $m.Name | Should -Be 'Ref16'
        $m.Enabled | Should -BeFalse
        "$($m.Reason)" | Should -Be 'Disabled'
        $m.Rule.Service | Should -Be 'ktmrm'
    }

    It 'RPC-EPMap matches port 135 and nothing else' {
        $log = New-Log 'epm.log' (Tcp '10:07:00' 192.168.10.21 192.168.10.5 50005 135), (Tcp '10:07:01' 192.168.10.21 192.168.10.5 50006 136)
        $r = @(Test-WithReference $log { $_.Name -eq 'Ref03' })
        $r.Count | Should -Be 2
        "$($r[0].Verdict)" | Should -Be 'AllowedByRule'
        $r[0].Explanation | Should -Match 'only for service Rpcss'
        "$($r[1].Verdict)" | Should -Be 'NoMatchingRule'
        $r[1].Explanation | Should -Match 'default inbound action'
    }

    It 'block wins over allow, and flows are grouped' {
        $log = New-Log 'ssh.log' @(
            Tcp '09:00:00' 198.51.100.7 192.0.2.10 40001 22
            Tcp '09:00:01' 198.51.100.7 192.0.2.10 40002 22
            Tcp '09:00:02' 203.0.113.9 192.0.2.10 40003 22
            Tcp '09:00:03' 198.51.100.7 192.0.2.10 40004 22
            '2022-09-01 09:00:04 ALLOW TCP 198.51.100.7 192.0.2.10 40005 22 52 S 11 0 64240 - - - RECEIVE -'
        )
        $r = @(Test-WithRule $log 'Allow-SSH=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=22|Name=Allow SSH|',
                'Block-Net=v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=22|RA4=198.51.100.0/24|Name=Block bad net|')
        $r.Count | Should -Be 2
        $r[0].Count | Should -Be 3
        "$($r[0].Verdict)" | Should -Be 'BlockedByRule'
        $r[0].Explanation | Should -BeExactly "Blocked by rule 'Block bad net', which wins over allow rule 'Allow SSH'."
        @($r[0].MatchingRules.Name) | Should -Be @('Block-Net', 'Allow-SSH')
        $r[1].Count | Should -Be 1
        "$($r[1].Verdict)" | Should -Be 'AllowedByRule'
        $near = $r[1].MatchingRules | Where-Object Name -EQ 'Block-Net'
        "$($near.Reason)" | Should -Be 'OtherRemoteAddress'
        "$($near.Applies)" | Should -Be 'No'
    }

    It 'LocalSubnet is undecidable, and it says why' {
        $log = New-Log 'llmnr.log' (Udp '11:00:00' 192.0.2.99 192.0.2.10 61000 5355)
        $r = @(Test-WithReference $log { $_.Name -eq 'Ref07' })
        $r.Count | Should -Be 1
        "$($r[0].Verdict)" | Should -Be 'Undecidable'
        $r[0].Explanation | Should -Match 'LocalSubnet'
        "$(@($r[0].MatchingRules)[0].Reason)" | Should -Be 'AddressKeyword'
    }

    It 'the profile decides when given, and is named when not' {
        $log = New-Log 'profile.log' (Tcp '12:00:00' 198.51.100.7 192.0.2.10 40001 2222)
        $rule = 'SSH-Domain=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=2222|'
        $domain = @(Test-WithRule $log $rule @{ Profile = 'Domain' })
        "$($domain[0].Verdict)" | Should -Be 'AllowedByRule'
        "$($domain[0].Profile)" | Should -Be 'Domain'
        $public = @(Test-WithRule $log $rule @{ Profile = 'Public' })
        "$($public[0].Verdict)" | Should -Be 'NoMatchingRule'
        "$(@($public[0].MatchingRules)[0].Reason)" | Should -Be 'OtherProfile'
        $unknown = @(Test-WithRule $log $rule)
        $unknown.Count | Should -Be 1
        "$($unknown[0].Verdict)" | Should -Be 'Undecidable'
        "$($unknown[0].Profile)" | Should -Be 'Unknown'
        $unknown[0].Explanation | Should -Match 'only on the Domain profile'
    }

    It 'keys outbound flows by remote port; -AllRules lists every rule' {
        $log = New-Log 'out.log' (Tcp '13:00:00' 192.0.2.10 198.51.100.80 50001 443 SEND), (Tcp '13:00:01' 192.0.2.10 198.51.100.80 50002 443 SEND)
        $rules = 'Block-Out=v2.10|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=443|RA4=198.51.100.0/24|',
            'Web-In=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|'
        $v = @(Test-WithRule $log $rules)
        $v.Count | Should -Be 1
        "$($v[0].Direction)" | Should -Be 'Outbound'
        $v[0].Count | Should -Be 2
        $v[0].RemotePort | Should -Be 443
        "$($v[0].Verdict)" | Should -Be 'BlockedByRule'
        @($v[0].MatchingRules).Count | Should -Be 1
        $all = @(Test-WithRule $log $rules @{ AllRules = $true })
        "$(($all[0].MatchingRules | Where-Object Name -EQ 'Web-In').Reason)" | Should -Be 'OtherDirection'
    }
}

Describe 'Test-FwDrop input' -Tag 'Verdict' {
    It 'without rules off Windows it asks for them' -Skip:$IsWindows {
        $log = New-Log 'norules.log' (Tcp '10:00:01' 198.51.100.7 192.0.2.10 50001 3389)
        $err = $null
        try { Get-FwDrop -Path $log | Test-FwDrop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'FwRulesRequired,Fw.Commands.TestFwDropCommand'
        $err.ErrorDetails.Message | Should -Match '-Rule'
    }

    It 'drops and rules deserialized from other servers, and CSV-like rows, give the same verdicts' {
        $log = New-Log 'fanout.log' @(
            Tcp '10:00:01' 198.51.100.7 192.0.2.10 50001 3389
            Tcp '10:00:04' 192.168.10.21 192.168.10.5 50001 49154
            Tcp '10:00:05' 192.168.10.21 192.168.10.5 50002 49154
            Udp '10:00:06' 192.168.10.22 192.168.10.5 5353 161
        )
        $summary = { '{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}' -f $_.Direction, $_.Protocol, $_.LocalPort, $_.RemoteAddress, $_.Count, $_.FirstSeen, $_.Verdict, $_.Explanation }
        $rules = Get-FwRule -Path $RegPath
        $direct = @(Get-FwDrop -Path $log | Test-FwDrop -Rule $rules | ForEach-Object $summary)
        $direct.Count | Should -Be 3

        # What Invoke-Command brings back: property bags, not Fw types.
        $ser = [System.Management.Automation.PSSerializer]
        $drops = $ser::Deserialize($ser::Serialize((Get-FwDrop -Path $log)))
        $remoteRules = $ser::Deserialize($ser::Serialize($rules))
        @($drops)[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.Fw.FwDrop'
        @($remoteRules)[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.Fw.FwRule'
        @($drops | Test-FwDrop -Rule $remoteRules | ForEach-Object $summary) | Should -Be $direct

        # Rows of text, as Import-Csv gives them (only the columns a flow needs, with the log's own path field).
        $rows = Get-FwDrop -Path $log | ForEach-Object {
            [pscustomobject]@{ Time = $_.Time.ToString('yyyy-MM-dd HH:mm:ss'); Action = 'DROP'; Protocol = "$($_.Protocol)"
                SourceAddress = "$($_.SourceAddress)"; DestinationAddress = "$($_.DestinationAddress)"
                SourcePort = "$($_.SourcePort)"; DestinationPort = "$($_.DestinationPort)"; Path = $_.Path }
        }
        @($rows | Test-FwDrop -Rule $rules | ForEach-Object $summary) | Should -Be $direct
    }

    It 'input that is not a drop is an error naming the value, and the rest is tested' {
        $log = New-Log 'bad.log' (Tcp '10:00:01' 198.51.100.7 192.0.2.10 50001 3389)
        $bad = [pscustomobject]@{ Direction = 'Sideways'; Protocol = 'TCP'; LocalPort = 80; RemoteAddress = '10.0.0.1' }
        $out = @(@($bad) + @(Get-FwDrop -Path $log) | Test-FwDrop -Rule (Get-FwRule -Path $RegPath) -ErrorVariable e -ErrorAction SilentlyContinue)
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'FwDropInvalid,Fw.Commands.TestFwDropCommand'
        $e[0].Exception.Message | Should -Match "Direction 'Sideways' is neither Inbound nor Outbound"
        $out.Count | Should -Be 1
        "$($out[0].Verdict)" | Should -Be 'AllowedByRule'
    }
}

Describe 'Test-FwDrop output and help' -Tag 'Verdict' {
    It 'the table view shows direction, protocol, port, remote address, verdict and explanation' {
        $log = New-Log 'view.log' (Tcp '10:00:01' 198.51.100.7 192.0.2.10 50001 3389)
        $PSStyle.OutputRendering, $saved = 'PlainText', $PSStyle.OutputRendering
        try { $text = Get-FwDrop -Path $log | Test-FwDrop -Rule (Get-FwRule -Path $RegPath) | Out-String -Width 200 } finally { $PSStyle.OutputRendering = $saved }
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Direction\s+Protocol\s+Port\s+RemoteAddress\s+Verdict\s+Explanation\s*$'
        $lines[2] | Should -Match "^Inbound\s+TCP\s+3389\s+198\.51\.100\.7\s+AllowedByRule\s+Allowed by rule 'Ref02'"
    }

    It 'the help has examples and the parameters' {
        $h = Get-Help Test-FwDrop -Full
        @($h.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($p in 'InputObject', 'Rule', 'Profile', 'AllRules') { @($h.parameters.parameter.name) | Should -Contain $p }
    }
}
