# Argument completion in the real pwsh (TabExpansion2): -Protocol and -Scope (issue 10 item 6).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

Describe 'Completion' {
    It '<Command> -Protocol offers the protocols, not file names' -TestCases @(
        @{ Command = 'Get-FwDrop' }, @{ Command = 'Measure-FwDrop' }, @{ Command = 'New-FwRuleFromDrop' }
    ) {
        Get-Completion "$Command -Protocol " | Should -Be @('TCP', 'UDP', 'ICMP', 'ICMPv6')
        Get-Completion "$Command -Protocol ic" | Should -Be @('ICMP', 'ICMPv6')
        Get-Completion "$Command -Protocol 'u" | Should -Be @('UDP')
    }

    It 'New-FwRuleFromDrop -Scope offers the address keywords' {
        $all = Get-Completion 'New-FwRuleFromDrop -Scope '
        foreach ($k in 'LocalSubnet', 'DNS', 'DHCP', 'WINS', 'DefaultGateway', 'Internet', 'Intranet') { $all | Should -Contain $k }
        Get-Completion 'New-FwRuleFromDrop -Scope Lo' | Should -Be @('LocalSubnet')
        Get-Completion 'New-FwRuleFromDrop -Scope int' | Should -Be @('Internet', 'Intranet', 'IntranetRemoteAccess')
        Get-Completion 'New-FwRuleFromDrop -Scope 192.168.10.0/24, D' | Should -Be @('DNS', 'DHCP', 'DefaultGateway')
    }

    It 'a protocol number is still accepted (completion does not validate)' {
        @(Get-FwDrop -Path $FwSampleLog -Protocol 17 -DestinationPort 137).Count | Should -BeGreaterThan 0
    }
}
