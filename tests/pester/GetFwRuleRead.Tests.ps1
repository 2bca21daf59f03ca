# Get-FwRule on real rule strings (tests/data/rules/reference-rules.txt: [MS-GPFAS] 4.2 and the public sources named
# there) in a UTF-16 .reg export, from the pipeline, in a GPO export with a bad rule and in text files; errors; the
# table view and help. Moved from the xunit suite (FwRuleTests).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Ref = [ordered]@{}
    for ($i = 0; $i -lt $FwReferenceRuleStrings.Count; $i++) { $Ref['Ref{0:00}' -f ($i + 1)] = $FwReferenceRuleStrings[$i] }
    $script:RegPath = New-FwTestRegExport -Path (Join-Path $TestDrive 'rules.reg') -Rule $Ref
    $script:Rules = @{}
    Get-FwRule -Path $RegPath | ForEach-Object { $Rules[$_.Name] = $_ }
}

Describe 'Get-FwRule reads the reference rules' -Tag 'Rule' {
    It 'parses every reference rule string from a UTF-16 .reg export, undoing its escapes exactly' {
        $FwReferenceRuleStrings.Count | Should -Be 17
        $Rules.Count | Should -Be 17
        foreach ($name in $Ref.Keys) {
            $o = $Rules[$name]
            $o.GetType().FullName | Should -Be 'Fw.FwRule'
            $o.RuleString | Should -BeExactly $Ref[$name]
            "$($o.Store)" | Should -Be 'Local'
            $o.Source | Should -Be $RegPath
            @($o.UnknownToken).Count | Should -Be 0
        }
    }

    It 'gives the reference rules the meaning they have' {
        $gpfas = $Rules['Ref01'] # [MS-GPFAS] 4.2 example
        "$($gpfas.SchemaVersion)" | Should -Be '2.10'
        $gpfas.LocalPort | Should -Be @('RPC')
        $gpfas.RemotePort | Should -Be @('49000')
        $gpfas.LocalAddress | Should -Be @('192.168.1.0/24', '192.168.0.0/24')
        $gpfas.RemoteAddress | Should -Be @('LocalSubnet')
        "$($gpfas.Profile)" | Should -Be 'Public'
        "$($gpfas.Security)" | Should -Be 'Authenticate, An-NoEncap'
        $gpfas.DisplayName | Should -Be 'Firewall Rule Test'
        $gpfas.IsIndirect | Should -BeFalse

        $rdp = $Rules['Ref02']
        $rdp.Enabled | Should -BeTrue
        "$($rdp.Direction)" | Should -Be 'Inbound'
        "$($rdp.Action)" | Should -Be 'Allow'
        "$($rdp.Protocol)" | Should -Be 'TCP'
        $rdp.ProtocolNumber | Should -Be 6
        $rdp.LocalPort | Should -Be @('3389')
        $rdp.RemoteAddress | Should -Be @('Any')
        "$($rdp.Profile)" | Should -Be 'Any'
        $rdp.Program | Should -Be '%SystemRoot%\system32\svchost.exe'
        $rdp.Service | Should -Be 'termservice'
        $rdp.DisplayName | Should -Be '@FirewallAPI.dll,-28775'
        $rdp.IsIndirect | Should -BeTrue
        $rdp.IsDescriptionIndirect | Should -BeTrue
        $rdp.Group | Should -Be '@FirewallAPI.dll,-28752'
        $rdp.Label | Should -Be 'Ref02' -Because 'an indirect display name shows the ID'

        $Rules['Ref03'].LocalPort | Should -Be @('RPCEPMap') -Because 'the NetSecurity name'
        $Rules['Ref03'].LocalPortRegistry | Should -Be @('RPC-EPMap')
        $Rules['Ref05'].IcmpType | Should -Be @('8:*')
        "$($Rules['Ref06'].Protocol)" | Should -Be 'ICMPv6'

        $dhcp = $Rules['Ref10'] # V2.0 service hardening: no Active, no Protocol
        "$($dhcp.SchemaVersion)" | Should -Be '2.0'
        $dhcp.Enabled | Should -BeFalse
        "$($dhcp.Action)" | Should -Be 'Block'
        "$($dhcp.Protocol)" | Should -Be 'Any'
        $dhcp.ProtocolNumber | Should -BeNullOrEmpty

        "$($Rules['Ref12'].Direction)" | Should -Be 'Outbound'
        $Rules['Ref12'].Service | Should -Be 'DisplayEnhancementService' # Svc==...
        "$($Rules['Ref13'].Protocol)" | Should -Be 'TCP' # Protocol=tcp, rport= comma list
        $Rules['Ref13'].RemotePort | Should -Be @('3268', '389', '563', '993', '995', '80', '443')
        $Rules['Ref14'].LocalPort | Should -Be @('1-553', '555-8553', '8555-65535')
        $Rules['Ref15'].EdgeTraversal | Should -BeTrue
        $Rules['Ref16'].Enabled | Should -BeFalse
        "$($Rules['Ref17'].Profile)" | Should -Be 'Private, Public'
        $Rules['Ref17'].Label | Should -Be 'java.exe'
    }
}

Describe 'Get-FwRule input and errors' -Tag 'Rule' {
    It 'takes -RuleString from the pipeline, with IDs and names, and names the position of a bad string' {
        $out = @('v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|Svc=Rpcss|Name=RPC Endpoint Mapper|',
            'My-SSH=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=tcp|LPort=22|RA4=192.0.2.0/255.255.255.0|',
            'v2.10|Action=Allow|Dir=Sideways|',
            'v2.10|Action=Block|Active=TRUE|Dir=Out|RA6=2001:db8::/32|' | Get-FwRule -ErrorVariable e -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 3
        $out[0].Name | Should -Be 'RPC Endpoint Mapper'
        "$($out[0].Store)" | Should -Be 'RuleString'
        $out[1].Name | Should -Be 'My-SSH'
        $out[1].RemoteAddress | Should -Be @('192.0.2.0/24')
        $out[2].Name | Should -Be 'RuleString4'
        $out[2].RemoteAddress | Should -Be @('2001:db8::/32')
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'FwRuleParseError,Fw.Commands.GetFwRuleCommand'
        $e[0].Exception.Message | Should -Match 'position 24'
        $e[0].Exception.Message | Should -Match 'Dir must be In or Out'
        $e[0].Exception.Column | Should -Be 24
    }

    It 'loads the good rules of a GPO export and names the bad one' {
        $gpo = New-FwTestRegExport -Path (Join-Path $TestDrive 'gpo.reg') -Key 'HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules' -Rule ([ordered]@{
                'Good-1' = 'v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|'
                'Broken' = 'v2.10|Action=Allow|Protocol=6|LPort=99999|'
                'Good-2' = 'v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=23|'
            }) -Extra '"PolicyVersion"=dword:0000021a'
        $out = @(Get-FwRule -Path $gpo -ErrorVariable e -ErrorAction SilentlyContinue)
        @($out.Name) | Should -Be @('Good-1', 'Good-2')
        $out | ForEach-Object { "$($_.Store)" | Should -Be 'GroupPolicy' }
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'FwRuleParseError,Fw.Commands.GetFwRuleCommand'
        $e[0].Exception.Message | Should -Match "rule 'Broken'"
        $e[0].Exception.Message | Should -Match 'position 37'
        $e[0].TargetObject | Should -Be 'Broken'
    }

    It 'reads text files with IDs, comments and wildcards' {
        $dir = Join-Path $TestDrive 'text'
        $null = New-Item -ItemType Directory -Path $dir
        [System.IO.File]::WriteAllText((Join-Path $dir 'a.txt'), "# rules`nWeb=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80,443|`n`n; note`nV2.0|Action=Block|Dir=In|Svc=*|`n")
        [System.IO.File]::WriteAllText((Join-Path $dir 'b.txt'), "v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|RPort=53|`n")
        $out = @(Get-FwRule -Path (Join-Path $dir '*.txt'))
        @($out.Name) | Should -Be @('Web', 'a.txt:5', 'b.txt:1')
        $out[0].LocalPort | Should -Be @('80', '443')
        "$($out[0].Store)" | Should -Be 'File'
        $out[0].LineNumber | Should -Be 2
        $out[1].Service | Should -Be '*'
    }

    It 'a missing file is a non-terminating error and the others load' {
        $out = @(Get-FwRule -Path (Join-Path $TestDrive 'nope.reg'), $RegPath -ErrorVariable e -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 17
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'FwRuleFileError,Fw.Commands.GetFwRuleCommand'
    }

    It 'without -Path or -RuleString off Windows it says why' -Skip:$IsWindows {
        $err = $null
        try { $null = Get-FwRule } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'FwRegistryUnavailable,Fw.Commands.GetFwRuleCommand'
        $err.ErrorDetails.Message | Should -Match '-Path'
    }
}

Describe 'Get-FwRule output and help' -Tag 'Rule' {
    It 'the table view shows label, state, direction, action, protocol, port and remote address' {
        $PSStyle.OutputRendering, $saved = 'PlainText', $PSStyle.OutputRendering
        try { $text = Get-FwRule -Path $RegPath | Out-String -Width 200 } finally { $PSStyle.OutputRendering = $saved }
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Label\s+Enabled\s+Direction\s+Action\s+Protocol\s+LocalPort\s+RemoteAddress\s*$'
        @($lines | Where-Object { $_.StartsWith('Ref02 ') }) | Should -Match '^Ref02\s+True\s+Inbound\s+Allow\s+TCP\s+3389\s+Any\s*$'
        @($lines | Where-Object { $_.StartsWith('java.exe ') }).Count | Should -Be 1
    }

    It 'the help has a synopsis, examples and the parameters' {
        $h = Get-Help Get-FwRule -Full
        $h.Synopsis | Should -Match 'rules'
        @($h.examples.example).Count | Should -BeGreaterOrEqual 3
        foreach ($p in 'Path', 'RuleString', 'Store') { @($h.parameters.parameter.name) | Should -Contain $p }
    }
}
