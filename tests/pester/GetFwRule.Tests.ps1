# Get-FwRule: readable rules (issue 10 item 4): indirect strings and NetSecurity's port keyword names.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Rdp = 'v2.22|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|App=%SystemRoot%\system32\svchost.exe|Svc=termservice|Name=@FirewallAPI.dll,-28775|Desc=@FirewallAPI.dll,-28756|EmbedCtxt=@FirewallAPI.dll,-28752|'
}

Describe 'Get-FwRule indirect strings' {
    It 'keeps the raw text off Windows and says it is unresolved' -Skip:$IsWindows {
        $r = Get-FwRule -RuleString "RDP=$Rdp" -Verbose 4>&1
        $verbose = @($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $rule = $r | Where-Object { $_ -is [Fw.FwRule] }
        $rule.DisplayName | Should -Be '@FirewallAPI.dll,-28775'
        $rule.DisplayNameSource | Should -Be '@FirewallAPI.dll,-28775'
        $rule.DisplayNameResolved | Should -BeFalse
        $rule.Description | Should -Be '@FirewallAPI.dll,-28756'
        $rule.DescriptionResolved | Should -BeFalse
        $rule.Group | Should -Be '@FirewallAPI.dll,-28752'
        $rule.DisplayGroup | Should -Be '@FirewallAPI.dll,-28752'
        $rule.DisplayGroupResolved | Should -BeFalse
        $rule.Label | Should -Be 'RDP'
        $verbose.Message | Should -Match '3 indirect string\(s\).*could not be resolved \(that needs Windows\)'
        # Scripts can pick the unresolved ones.
        @(Get-FwRule -RuleString "RDP=$Rdp", 'v2.10|Action=Allow|Dir=In|Name=Plain|' | Where-Object { -not $_.DisplayNameResolved }).Count | Should -Be 1
    }

    It 'resolves them to what Windows shows on Windows' -Skip:(-not $IsWindows) {
        $rule = Get-FwRule -RuleString "RDP=$Rdp"
        $rule.DisplayNameResolved | Should -BeTrue
        $rule.DisplayName | Should -Not -BeLike '@*'
        $rule.DisplayNameSource | Should -Be '@FirewallAPI.dll,-28775'
        $rule.DisplayGroup | Should -Not -BeLike '@*'
        $rule.Group | Should -Be '@FirewallAPI.dll,-28752'
    }

    It 'leaves direct text as it is, resolved' {
        $rule = Get-FwRule -RuleString 'v2.10|Action=Allow|Dir=In|Name=Allow OCS console|Desc=From the pool|EmbedCtxt=OCS|'
        $rule.DisplayName | Should -Be 'Allow OCS console'
        $rule.DisplayNameResolved | Should -BeTrue
        $rule.DescriptionResolved | Should -BeTrue
        $rule.DisplayGroup | Should -Be 'OCS'
        $rule.Label | Should -Be 'Allow OCS console'
    }
}

Describe 'Get-FwRule port keywords as NetSecurity names them' {
    It '<Token> is shown as <Shown> and kept as <Registry> in LocalPortRegistry/RemotePortRegistry' -TestCases @(
        @{ Token = 'LPort=RPC-EPMap'; Shown = 'RPCEPMap'; Registry = 'RPC-EPMap'; Remote = $false; Proto = 6 }
        @{ Token = 'LPort=RPC'; Shown = 'RPC'; Registry = 'RPC'; Remote = $false; Proto = 6 }
        @{ Token = 'LPort=Teredo'; Shown = 'Teredo'; Registry = 'Teredo'; Remote = $false; Proto = 17 }
        @{ Token = 'LPort2_10=IPHTTPSIn'; Shown = 'IPHTTPSIn'; Registry = 'IPHTTPSIn'; Remote = $false; Proto = 6 }
        @{ Token = 'LPort2_10=IPTLSIn'; Shown = 'IPHTTPSIn'; Registry = 'IPHTTPSIn'; Remote = $false; Proto = 6 }
        @{ Token = 'RPort2_10=IPHTTPSOut'; Shown = 'IPHTTPSOut'; Registry = 'IPHTTPSOut'; Remote = $true; Proto = 6 }
        @{ Token = 'LPort2_20=Ply2Disc'; Shown = 'PlayToDiscovery'; Registry = 'Ply2Disc'; Remote = $false; Proto = 17 }
        @{ Token = 'LPort2_25=mDNS'; Shown = 'mDNS'; Registry = 'mDNS'; Remote = $false; Proto = 17 }
    ) {
        $text = "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=$Proto|$Token|Name=k|"
        $rule = Get-FwRule -RuleString $text
        if ($Remote) {
            $rule.RemotePort | Should -Be @($Shown)
            $rule.RemotePortRegistry | Should -Be @($Registry)
        } else {
            $rule.LocalPort | Should -Be @($Shown)
            $rule.LocalPortRegistry | Should -Be @($Registry)
        }
        $rule.RuleString | Should -Be $text
    }

    It 'hands New-NetFirewallRule the names it takes' {
        . Import-FwNetSecurityStandIn
        $rule = Get-FwRule -RuleString 'v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|LPort=135|Name=RPC Endpoint Mapper|'
        $rule.LocalPort | Should -Be @('RPCEPMap', '135')
        New-NetFirewallRule -DisplayName $rule.DisplayName -Protocol TCP -LocalPort $rule.LocalPort -Confirm:$false | Out-Null
        $global:FwStandInRules[0].RuleString | Should -Match '\|LPort=RPC-EPMap\|LPort=135\|'
    }
}
