# Issue 12 findings 8 and 9: a NUL inside a rule string, and loose address text, are named, never taken.
BeforeAll { . $PSScriptRoot/Common.ps1 }

Describe 'Strict input' {
    BeforeAll {
        $rule = Get-FwRule -RuleString 'v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|Name=web|'
    }

    It 'refuses a NUL byte in -RuleString, naming the rule and the position, and keeps the others' {
        $got = Get-FwRule -RuleString "web=v2.10|Action=Allow|Name=a`0b|", 'v2.10|Action=Block|Dir=In|' -ErrorVariable e -ErrorAction SilentlyContinue
        @($got).Count | Should -Be 1
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^FwRuleParseError'
        $e[0].Exception.Message | Should -Match "rule 'web': position 26: a NUL byte"
    }

    It 'refuses the inet_aton shorthands and zones in drop objects, naming the value: <Value>' -ForEach @(
        @{ Value = '10.5' }, @{ Value = '167772165' }, @{ Value = '0x0a000005' }, @{ Value = "fe80::1%eth0'; calc" },
        @{ Value = 'fe80::1%5' }, @{ Value = '010.0.0.5' }, @{ Value = '[::1]' }
    ) {
        $drop = [pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; LocalAddress = '192.0.2.1'; RemoteAddress = $Value; LocalPort = 80; RemotePort = 50000 }
        $out = $drop | Test-FwDrop -Rule $rule -ErrorVariable e -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^FwDropInvalid'
        $e[0].Exception.Message | Should -Match ([regex]::Escape("RemoteAddress '$Value' is not an IP address"))
    }

    It 'takes dotted quads and IPv6 text, an embedded IPv4 tail too: <Value>' -ForEach @(
        @{ Value = '10.0.0.5' }, @{ Value = '2001:db8::5' }, @{ Value = '::ffff:10.0.0.5' }, @{ Value = ' 10.0.0.5 ' }
    ) {
        $drop = [pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; LocalAddress = '192.0.2.1'; RemoteAddress = $Value; LocalPort = 80; RemotePort = 50000 }
        $v = $drop | Test-FwDrop -Rule $rule
        $v.Verdict | Should -Be 'AllowedByRule'
    }
}
