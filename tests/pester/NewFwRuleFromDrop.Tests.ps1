# New-FwRuleFromDrop: the rule wizard's options (issue 10 item 5) and bad items in a batch (issue 12 finding 6).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Drops to this computer (192.168.10.5) from the pool; 192.168.10.21 also hits 135 and the RPC range,
    # 192.168.10.30 only 135.
    $script:PoolLines = @(
        '2026-11-05 09:16:17 DROP TCP 192.168.10.21 192.168.10.5 51739 135 52 S 1 0 8192 - - - RECEIVE 1020'
        '2026-11-05 09:16:18 DROP TCP 192.168.10.21 192.168.10.5 51740 49154 52 S 1 0 8192 - - - RECEIVE 1020'
        '2026-11-05 09:16:19 DROP TCP 192.168.10.30 192.168.10.5 51741 135 52 S 1 0 8192 - - - RECEIVE 1020'
        '2026-11-05 09:16:20 DROP TCP 192.168.10.22 192.168.10.5 51742 5061 52 S 1 0 8192 - - - RECEIVE 2260'
        '2026-11-05 09:16:21 DROP TCP 192.168.10.22 192.168.10.6 51743 5061 52 S 1 0 8192 - - - RECEIVE 2260'
    )
    function Get-Calls { , @($global:FwStandInCalls) }
    # Every command in a generated script: it must parse cleanly, be New-NetFirewallRule with constant arguments only.
    function Assert-ConstantScript([string] $Script) {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Script, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $commands = @($ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true))
        foreach ($c in $commands) {
            $c.GetCommandName() | Should -Be 'New-NetFirewallRule'
            foreach ($e in $c.CommandElements | Select-Object -Skip 1) {
                $ok = $e -is [System.Management.Automation.Language.CommandParameterAst] -or
                      $e -is [System.Management.Automation.Language.StringConstantExpressionAst] -or
                      ($e -is [System.Management.Automation.Language.ArrayLiteralAst] -and
                       @($e.Elements | Where-Object { $_ -isnot [System.Management.Automation.Language.StringConstantExpressionAst] }).Count -eq 0)
                $ok | Should -BeTrue -Because "'$($e.Extent.Text)' must be a constant"
            }
        }
        @($ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.SubExpressionAst] -or
                                   $a -is [System.Management.Automation.Language.ExpandableStringExpressionAst] -or
                                   $a -is [System.Management.Automation.Language.VariableExpressionAst] }, $true)).Count | Should -Be 0
        $commands.Count
    }
}

Describe 'New-FwRuleFromDrop: the wizard''s name and description' {
    BeforeEach { . Import-FwNetSecurityStandIn; $script:log = New-FwTestLog -Path (Join-Path $TestDrive 'pool.log') -Line $PoolLines }

    It 'passes -DisplayName and -Description as given for one rule' {
        Get-FwDrop -Path $log -DestinationPort 5061 -DestinationAddress 192.168.10.5 |
            New-FwRuleFromDrop -ExistingRule @() -DisplayName 'Allow Office Communications Server 2007 R2 console from pool' `
                -Description 'OCS console, ticket 4711' -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false | Out-Null
        $calls = Get-Calls
        $calls.Count | Should -Be 1
        $calls[0].DisplayName | Should -Be 'Allow Office Communications Server 2007 R2 console from pool'
        $calls[0].Description | Should -Be 'OCS console, ticket 4711'
        $calls[0].LocalPort | Should -Be '5061'
    }

    It 'makes names unique and predictable with several rules: the traffic in parentheses' {
        $out = Get-FwDrop -Path $log -DestinationAddress 192.168.10.5 |
            New-FwRuleFromDrop -ExistingRule @() -DisplayName 'Pool' -Confirm:$false
        $names = @((Get-Calls).DisplayName | Sort-Object)
        $names | Should -Be @('Pool (Inbound TCP 135)', 'Pool (Inbound TCP 49154)', 'Pool (Inbound TCP 5061)')
        @($out.DisplayName | Sort-Object -Unique).Count | Should -Be 3
    }

    It 'refuses -DisplayName together with -DisplayNamePrefix' {
        { Get-FwDrop -Path $log | New-FwRuleFromDrop -ExistingRule @() -DisplayName a -DisplayNamePrefix b -WhatIf } |
            Should -Throw -ErrorId 'FwParameterConflict,Fw.Commands.NewFwRuleFromDropCommand'
    }
}

Describe 'New-FwRuleFromDrop -Program and -ProgramFromProcessId' {
    BeforeEach { . Import-FwNetSecurityStandIn }

    It 'limits the rule to a program, says so in the rule string and finds it again on a rerun' {
        $log = New-FwTestLog -Path (Join-Path $TestDrive 'p.log') -Line $PoolLines
        $program = '%ProgramFiles%\Microsoft Office Communications Server 2007 R2\Server\Core\OcsConsole.exe'
        $first = Get-FwDrop -Path $log -DestinationPort 5061 | New-FwRuleFromDrop -ExistingRule @() -Program $program -Confirm:$false
        (Get-Calls)[0].Program | Should -Be $program
        $first.Program | Should -Be $program
        $first.RuleString | Should -Match ([regex]::Escape("|App=$program|"))
        $first.Name | Should -Match '^Fw-In-TCP-5061-[0-9a-f]{16}$'
        # Same drops without -Program: another rule (another ID), so the two never collide.
        $plain = Get-FwDrop -Path $log -DestinationPort 5061 | New-FwRuleFromDrop -ExistingRule @() -WhatIf
        $plain.Name | Should -Not -Be $first.Name
        # A rerun with the rules now in force creates nothing.
        $rules = $global:FwStandInRules | ForEach-Object { [pscustomobject]@{ Name = $_.Name; RuleString = $_.RuleString } }
        $global:FwStandInCalls.Clear()
        $again = Get-FwDrop -Path $log -DestinationPort 5061 | New-FwRuleFromDrop -ExistingRule $rules -Program $program -Confirm:$false
        (Get-Calls).Count | Should -Be 0
        $again.Status | Should -Be 'AlreadyAllowed'
        $again.CoveringRule | Should -Be $first.Name
    }

    It 'takes the program of a running process from the log''s pid, and refuses a pid that is not running' {
        $self = (Get-Process -Id $PID).Path
        $gone = 2147483000
        $log = New-FwTestLog -Path (Join-Path $TestDrive 'pid.log') -Line @(
            "2026-11-05 09:16:20 DROP TCP 192.168.10.22 192.168.10.5 51742 5061 52 S 1 0 8192 - - - RECEIVE $PID"
            "2026-11-05 09:16:21 DROP TCP 192.168.10.23 192.168.10.5 51743 8080 52 S 1 0 8192 - - - RECEIVE $gone"
            "2026-11-05 09:16:22 DROP TCP 192.168.10.23 192.168.10.5 51744 8081 52 S 1 0 8192 - - - RECEIVE -")
        $out = Get-FwDrop -Path $log | New-FwRuleFromDrop -ExistingRule @() -ProgramFromProcessId -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        (Get-Calls).Count | Should -Be 1
        (Get-Calls)[0].Program | Should -Be $self
        (Get-Calls)[0].LocalPort | Should -Be '5061'
        $errs.Count | Should -Be 2
        ($errs | Where-Object { $_.FullyQualifiedErrorId -like 'FwProcessNotFound*' }).Count | Should -Be 2
        ($errs.Exception.Message -join "`n") | Should -Match "process id $gone, which is not running on this computer"
        ($errs.Exception.Message -join "`n") | Should -Match 'has no process id'
        @($out).Count | Should -Be 1
    }

    It 'refuses -Program with -ProgramFromProcessId, and a path a rule cannot hold' {
        { 'x' | New-FwRuleFromDrop -Program 'C:\a.exe' -ProgramFromProcessId -WhatIf } | Should -Throw -ErrorId 'FwParameterConflict*'
        { 'x' | New-FwRuleFromDrop -Program 'C:\a.exe|Action=Block' -WhatIf } | Should -Throw -ErrorId 'FwProgramInvalid*'
    }
}

Describe 'New-FwRuleFromDrop -LocalAddress (multi-homed servers)' {
    BeforeEach { . Import-FwNetSecurityStandIn; $script:log = New-FwTestLog -Path (Join-Path $TestDrive 'la.log') -Line $PoolLines }

    It 'passes the local addresses and makes rules only from drops to them' {
        $out = Get-FwDrop -Path $log -DestinationPort 5061 |
            New-FwRuleFromDrop -ExistingRule @() -LocalAddress 192.168.10.5 -Confirm:$false -WarningVariable warn
        (Get-Calls).Count | Should -Be 1
        (Get-Calls)[0].LocalAddress | Should -Be @('192.168.10.5')
        $out.Hits | Should -Be 1   # the drop to 192.168.10.6 is not allowed by a rule for .5
        ($warn -join "`n") | Should -Match '1 drop\(s\) were to local address\(es\) 192\.168\.10\.6, outside -LocalAddress 192\.168\.10\.5'
        $out.RuleString | Should -Match '\|LA4=192\.168\.10\.5\|'
    }

    It 'accepts a subnet that holds the drops'' local address' {
        Get-FwDrop -Path $log -DestinationPort 5061 | New-FwRuleFromDrop -ExistingRule @() -LocalAddress 192.168.10.0/29 -Confirm:$false | Out-Null
        (Get-Calls)[0].LocalAddress | Should -Be @('192.168.10.0/29')
    }

    It 'makes no rule when every drop went to another local address, and says so in the script' {
        $script = Get-FwDrop -Path $log -DestinationPort 5061 | New-FwRuleFromDrop -ExistingRule @() -LocalAddress 10.9.9.9 -AsScript -WarningVariable warn
        $script | Should -Match '# 2 drop\(s\) were to local address\(es\) 192\.168\.10\.5, 192\.168\.10\.6, outside -LocalAddress 10\.9\.9\.9'
        $script | Should -Not -Match 'New-NetFirewallRule -'
        $warn.Count | Should -BeGreaterThan 0
    }

    It 'refuses keywords and anything that is not an address, subnet or range, naming it' -TestCases @(
        @{ Value = 'LocalSubnet' }, @{ Value = 'Any' }, @{ Value = '1.2.3.4|Action=Block' }, @{ Value = '300.1.1.1' }, @{ Value = "1.2.3.4`nx" }
    ) {
        { Get-FwDrop -Path $log | New-FwRuleFromDrop -ExistingRule @() -LocalAddress $Value -WhatIf } |
            Should -Throw -ErrorId 'FwLocalAddressInvalid,Fw.Commands.NewFwRuleFromDropCommand'
        try { Get-FwDrop -Path $log | New-FwRuleFromDrop -ExistingRule @() -LocalAddress $Value -WhatIf } catch { $_.Exception.Message | Should -BeLike "*'$Value'*" }
    }
}

Describe 'New-FwRuleFromDrop -PolicyStore and -CimSession' {
    BeforeEach { . Import-FwNetSecurityStandIn; $script:log = New-FwTestLog -Path (Join-Path $TestDrive 'gpo.log') -Line $PoolLines }

    It 'passes the GPO and the sessions to New-NetFirewallRule' {
        Get-FwDrop -Path $log -DestinationPort 5061 -DestinationAddress 192.168.10.5 |
            New-FwRuleFromDrop -ExistingRule @() -PolicyStore 'contoso.com\Servers' -CimSession 'pool1', 'pool2' -Confirm:$false | Out-Null
        $c = (Get-Calls)[0]
        $c.PolicyStore | Should -Be 'contoso.com\Servers'
        $c.CimSession | Should -Be @('pool1', 'pool2')
    }

    It 'writes them into -AsScript output (sessions by computer name)' {
        $session = [pscustomobject]@{ ComputerName = 'pool3'; Id = 7 }
        $script = Get-FwDrop -Path $log -DestinationPort 5061 -DestinationAddress 192.168.10.5 |
            New-FwRuleFromDrop -ExistingRule @() -PolicyStore 'contoso.com\Servers' -CimSession 'pool1', $session -AsScript
        $script | Should -Match "-PolicyStore 'contoso.com\\Servers' -CimSession 'pool1','pool3'"
        Assert-ConstantScript $script | Should -Be 1
        Invoke-Expression $script | Out-Null
        (Get-Calls)[0].CimSession | Should -Be @('pool1', 'pool3')
    }
}

Describe 'New-FwRuleFromDrop -AsScript quotes every value' {
    BeforeEach { . Import-FwNetSecurityStandIn; $script:log = New-FwTestLog -Path (Join-Path $TestDrive 'q.log') -Line $PoolLines }

    It 'keeps hostile <Name> a constant that round-trips' -TestCases @(
        @{ Name = 'single quotes'; Value = "O'Brien's rule '; Remove-Item C:\ -Recurse; '" }
        @{ Name = 'subexpressions'; Value = 'a $(Remove-Item C:\) $env:PATH @(1) ${x}' }
        @{ Name = 'backticks'; Value = 'tick` `$(calc) `n end`' }
        @{ Name = 'newlines'; Value = "line1`r`nRemove-Item C:\`nline3" }
        @{ Name = 'typographic quotes'; Value = ('left{0} right{1} low{2} rev{3} {4}double{5} {6}low" $(calc) "; calc' -f
                [char]0x2018, [char]0x2019, [char]0x201A, [char]0x201B, [char]0x201C, [char]0x201D, [char]0x201E) }
        @{ Name = 'unicode line breaks'; Value = "a`u{0085}b`u{2028}c`u{2029}d; calc" }
    ) {
        $script = Get-FwDrop -Path $log -DestinationPort 5061 -DestinationAddress 192.168.10.5 |
            New-FwRuleFromDrop -ExistingRule @() -DisplayName $Value -Description $Value -Program "C:\$($Value -replace '[\r\n|\u0085]', '')" `
                -PolicyStore $Value -CimSession $Value -Group $Value -AsScript
        Assert-ConstantScript $script | Should -Be 1
        Invoke-Expression $script | Out-Null
        $c = (Get-Calls)[0]
        $c.DisplayName | Should -BeExactly $Value
        $c.Description | Should -BeExactly $Value
        $c.Group | Should -BeExactly $Value
        $c.PolicyStore | Should -BeExactly $Value
        $c.CimSession | Should -BeExactly @($Value)
        $c.Program | Should -BeExactly "C:\$($Value -replace '[\r\n|\u0085]', '')"
    }
}

Describe 'New-FwRuleFromDrop -UseRpcKeyword' {
    BeforeEach { . Import-FwNetSecurityStandIn; $script:log = New-FwTestLog -Path (Join-Path $TestDrive 'rpc.log') -Line $PoolLines }

    It 'makes no port-135 rule beside an RPCEPMap rule for the same scope' {
        $out = Get-FwDrop -Path $log -DestinationAddress 192.168.10.5 -DestinationPort 135, 49154 |
            New-FwRuleFromDrop -ExistingRule @() -UseRpcKeyword -Scope 192.168.10.0/24 -Confirm:$false
        $ports = @((Get-Calls) | ForEach-Object { $_.LocalPort } | Sort-Object)
        $ports | Should -Be @('RPC', 'RPCEPMap')
        ($out | Where-Object LocalPort -EQ 'RPCEPMap').Hits | Should -Be 2   # 135 from .21 and from .30
    }

    It 'keeps port 135 for sources outside the RPCEPMap rule when there is no scope (exact addresses)' {
        Get-FwDrop -Path $log -DestinationAddress 192.168.10.5 -DestinationPort 135, 49154 |
            New-FwRuleFromDrop -ExistingRule @() -UseRpcKeyword -Confirm:$false | Out-Null
        $byPort = @{}; (Get-Calls) | ForEach-Object { $byPort[$_.LocalPort[0]] = $_.RemoteAddress }
        $byPort['RPCEPMap'] | Should -Be @('192.168.10.21')
        $byPort['135'] | Should -Be @('192.168.10.30')
    }
}

Describe 'New-FwRuleFromDrop when every drop is outside -Scope' {
    It 'says so in the script''s comment and as a warning' {
        . Import-FwNetSecurityStandIn
        $log = New-FwTestLog -Path (Join-Path $TestDrive 's.log') -Line $PoolLines
        $script = Get-FwDrop -Path $log | New-FwRuleFromDrop -ExistingRule @() -Scope 10.0.0.0/8 -AsScript -WarningVariable warn -WarningAction SilentlyContinue
        $script | Should -Match '(?m)^# Every drop \(5\) came from outside -Scope 10\.0\.0\.0/8: no rule was made'
        ($warn -join "`n") | Should -Match 'Every drop \(5\) came from outside -Scope 10\.0\.0\.0/8'
        Assert-ConstantScript $script | Should -Be 0
    }
}

Describe 'New-FwRuleFromDrop: one bad drop does not end the batch (issue 12 finding 6)' {
    It 'writes a non-terminating error naming each bad item and makes rules from the others' {
        . Import-FwNetSecurityStandIn
        $log = New-FwTestLog -Path (Join-Path $TestDrive 'b.log') -Line $PoolLines
        $drops = @(Get-FwDrop -Path $log -DestinationPort 5061)
        $out = [Fw.FwDrop]::new(); $out.Action = 'DROP'; $out.Protocol = 'TCP'; $out.RemoteAddress = '192.168.10.9'; $out.LocalPort = 80
        $out.Direction = '7' # Direction is text on FwDrop; an out-of-range value as a script would set it
        $row = [pscustomobject]@{ Direction = 'Sideways'; Protocol = 'TCP'; LocalPort = 80; RemoteAddress = '192.168.10.9' }
        $result = @($drops[0], $out, $row, $drops[1]) |
            New-FwRuleFromDrop -ExistingRule @() -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'FwDropInvalid,Fw.Commands.NewFwRuleFromDropCommand' }
        $errs[0].Exception.Message | Should -Match "^Input #2 .*Direction '7' is neither Inbound nor Outbound"
        $errs[1].Exception.Message | Should -Match "^Input #3 .*Direction 'Sideways'"
        (Get-Calls).Count | Should -Be 1
        $result.Hits | Should -Be 2
    }
}
