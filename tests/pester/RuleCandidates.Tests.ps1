# New-FwRuleFromDrop on a Director-scenario log with the New-NetFirewallRule stand-in: the one rule it makes and
# its parameters, OutOfScope, -WhatIf/-Confirm, deduplication against rules in force (Fw's own, deserialized,
# someone else's, block rules and -Force), a failing New-NetFirewallRule, -UseRpcKeyword reruns, input by property
# name, bad input and the table view. Moved from the xunit suite (NewFwRuleFromDropTests), which had its own copy
# of the stand-in.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    # A pool's admin console (192.168.10.0/24) cannot reach the Director's TCP 49154; plus a drop from outside the
    # pool, drops to 135 and to another dynamic port, and unrelated traffic.
    $script:DirectorLines = @(
        '2022-09-01 10:00:04 DROP TCP 192.168.10.21 192.168.10.5 50001 49154 52 S 11 0 64240 - - - RECEIVE 3128'
        '2022-09-01 10:00:07 DROP TCP 192.168.10.21 192.168.10.5 50002 49154 52 S 12 0 64240 - - - RECEIVE 3128'
        '2022-09-01 10:05:00 DROP TCP 192.168.10.22 192.168.10.5 50003 49154 52 S 13 0 64240 - - - RECEIVE 3128'
        '2022-09-01 10:06:00 DROP TCP 10.9.9.9 192.168.10.5 50004 49154 52 S 14 0 64240 - - - RECEIVE 3128'
        '2022-09-01 10:07:00 DROP TCP 192.168.10.21 192.168.10.5 50005 135 52 S 15 0 64240 - - - RECEIVE 4'
        '2022-09-01 10:07:01 DROP TCP 192.168.10.21 192.168.10.5 50006 49160 52 S 16 0 64240 - - - RECEIVE 3128'
        '2022-09-01 10:08:00 ALLOW UDP 192.168.10.5 192.168.10.1 57583 53 0 - - - - - - - SEND 2312'
        '2022-09-01 10:09:00 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - - - RECEIVE -'
    )
    $script:DirectorLog = New-FwTestLog -Path (Join-Path $TestDrive 'director.log') -Line $DirectorLines
    # (Not $p: the stand-in, dot-sourced into the test's scope, loops over profiles with $p.)
    function Get-DirectorDrop { Get-FwDrop -Path $DirectorLog -DestinationPort 49154 }
    # The stand-in's rules as Fw.FwRule objects (Get-FwRule -RuleString 'ID=v2.30|...'), as Fw reads rules in force.
    function Get-StandInRule { @(Get-FwRule -RuleString @($global:FwStandInRules | ForEach-Object { $_.Name + '=' + $_.RuleString })) }
    function Get-Calls { , @($global:FwStandInCalls) }
}

Describe 'New-FwRuleFromDrop: the Director scenario with the stand-in' -Tag 'RuleFromDrop' {
    BeforeEach { . Import-FwNetSecurityStandIn }

    It 'creates exactly one rule with the right parameters, and says 49154 is an RPC dynamic port' {
        $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false -WarningVariable warn -WarningAction SilentlyContinue)
        $calls = Get-Calls
        $calls.Count | Should -Be 1
        $call = $calls[0]
        $call.Name | Should -Match '^Fw-In-TCP-49154-[0-9a-f]{16}$'
        $call.DisplayName | Should -Be 'Fw Inbound TCP 49154'
        $call.Group | Should -Be 'Fw'
        "$($call.Direction)" | Should -Be 'Inbound'
        "$($call.Action)" | Should -Be 'Allow'
        $call.Protocol | Should -Be 'TCP'
        $call.LocalPort | Should -Be @('49154')
        $call.ContainsKey('RemotePort') | Should -BeFalse
        $call.RemoteAddress | Should -Be @('192.168.10.0/24')
        "$($call.Profile)" | Should -Be 'Domain'
        "$($call.Enabled)" | Should -Be 'True'
        # The stand-in's enums are the real cmdlet's types: the values were converted, not passed as bools.
        $call.Enabled.GetType().Name | Should -Be 'Enabled'
        $call.Profile.GetType().Name | Should -Be 'Profile'
        $call.Description | Should -Match ([regex]::Escape('3 dropped packet(s)'))
        $call.Description | Should -Match '2022-09-01 10:00:04'
        $call.Description | Should -Match '2022-09-01 10:05:00'
        $call.Description | Should -Match '192\.168\.10\.21-192\.168\.10\.22'
        $call.Description | Should -Match 'Created by Fw'

        $created = @($out | Where-Object Status -EQ 'Created')
        $created.Count | Should -Be 1
        $created[0].GetType().FullName | Should -Be 'Fw.FwRuleCandidate'
        $created[0].Name | Should -Be $call.Name
        $created[0].Hits | Should -Be 3
        $created[0].FirstSeen | Should -Be ([datetime]'2022-09-01 10:00:04')
        $created[0].LastSeen | Should -Be ([datetime]'2022-09-01 10:05:00')
        $created[0].RemoteAddressesSeen | Should -Be @('192.168.10.21-192.168.10.22')
        $created[0].IsDynamicRpcPort | Should -BeTrue
        ($warn -join "`n") | Should -Match 'RPC dynamic range'
        ($warn -join "`n") | Should -Match '-UseRpcKeyword'
    }

    It 'runs New-NetFirewallRule in a scope of its own: the stand-in''s variables do not leak into the caller''s' {
        $Name = 'mine'; $global:DisplayName = 'mine too'
        try {
            $null = Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false -WarningAction SilentlyContinue
            (Get-Calls).Count | Should -Be 1
            $Name | Should -Be 'mine'
            $global:DisplayName | Should -Be 'mine too'
        } finally { Remove-Variable -Name DisplayName -Scope Global }
    }

    It 'returns drops from outside the scope as OutOfScope and creates nothing for them' {
        $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false -WarningAction SilentlyContinue)
        $out.Count | Should -Be 2
        $outside = @($out | Where-Object Status -EQ 'OutOfScope')
        $outside.Count | Should -Be 1
        $outside[0].RemoteAddressesSeen | Should -Be @('10.9.9.9')
        @($outside[0].RemoteAddress).Count | Should -Be 0
        $outside[0].Hits | Should -Be 1
        (Get-Calls).Count | Should -Be 1
    }

    It '-WhatIf calls nothing and says what it would create' {
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -WhatIf -WarningAction SilentlyContinue) } finally { $null = Stop-Transcript }
        (Get-Calls).Count | Should -Be 0
        $would = @($out | Where-Object Status -EQ 'WouldCreate')
        $would.Count | Should -Be 1
        $text = Get-Content -Raw -LiteralPath $transcript
        $text | Should -Match 'What if:'
        $text | Should -Match 'Fw Inbound TCP 49154'
        $text | Should -Match ([regex]::Escape('-LocalPort 49154 -RemoteAddress 192.168.10.0/24 -Profile Domain'))
        $text | Should -Match ([regex]::Escape($would[0].Name))
    }

    It '-Confirm prompts, and No creates nothing (an admin answering in a console)' {
        # A console pwsh reading the answer from its input, as an admin types it.
        $code = ". '$([System.IO.Path]::Combine($PSScriptRoot, 'NetSecurityStandIn.ps1'))'; " +
                "`$r = @(Get-FwDrop -Path '$DirectorLog' -DestinationPort 49154 | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm -WarningAction SilentlyContinue); " +
                "'calls=' + `$global:FwStandInCalls.Count; 'statuses=' + ((`$r.Status | Sort-Object) -join ',')"
        $out = 'N' | & $FwPwsh -NoProfile -Command "Import-Module '$FwManifest'; $code" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match 'Are you sure you want to perform this action\?'
        $out | Should -Match 'calls=0'
        $out | Should -Match 'statuses=OutOfScope,WouldCreate'
    }
}

Describe 'New-FwRuleFromDrop deduplicates against the rules in force' -Tag 'RuleFromDrop' {
    BeforeEach { . Import-FwNetSecurityStandIn }

    It 'a second run with the first run''s rules creates nothing and reports AlreadyAllowed' {
        $null = Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false -WarningAction SilentlyContinue
        $first = (Get-Calls)[0]
        $rules = Get-StandInRule
        $rules.Count | Should -Be 1
        $rules[0].GetType().FullName | Should -Be 'Fw.FwRule'
        $global:FwStandInCalls.Clear()
        $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -ExistingRule $rules -Confirm:$false -WarningAction SilentlyContinue)
        (Get-Calls).Count | Should -Be 0
        $allowed = @($out | Where-Object Status -EQ 'AlreadyAllowed')
        $allowed.Count | Should -Be 1
        $allowed[0].CoveringRule | Should -Be $first.Name
        $allowed[0].Name | Should -Be $first.Name
        @($out | Where-Object Status -EQ 'OutOfScope').Count | Should -Be 1
        @($out | Where-Object Status -In 'Created', 'WouldCreate').Count | Should -Be 0
    }

    It 'rules deserialized from another session (Invoke-Command) dedupe too' {
        $null = Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false -WarningAction SilentlyContinue
        $remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-StandInRule)))
        @($remote)[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.Fw.FwRule'
        $global:FwStandInCalls.Clear()
        $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -ExistingRule $remote -Confirm:$false -WarningAction SilentlyContinue)
        (Get-Calls).Count | Should -Be 0
        @($out | Where-Object Status -EQ 'AlreadyAllowed').Count | Should -Be 1
    }

    It 'rules made by someone else dedupe through the matcher' {
        $rules = @([pscustomobject]@{ Name = 'Director-Pool'; RuleString = 'v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49152-65535|RA4=192.168.0.0/16|Name=Director pool|' })
        $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -ExistingRule $rules -Confirm:$false -WarningAction SilentlyContinue)
        (Get-Calls).Count | Should -Be 0
        ($out | Where-Object Status -EQ 'AlreadyAllowed').CoveringRule | Should -Be 'Director-Pool'
    }

    It 'a block rule is reported and not overridden unless -Force' {
        $rules = @([pscustomobject]@{ Name = 'Block-Pool'; RuleString = 'v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|RA4=192.168.10.22|Name=Block pool|' })
        $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -ExistingRule $rules -Confirm:$false -WarningVariable warn -WarningAction SilentlyContinue)
        $blocked = @($out | Where-Object Status -EQ 'BlockedByRule')
        $blocked.Count | Should -Be 1
        $blocked[0].BlockingRule | Should -Be 'Block-Pool'
        $blocked[0].RemoteAddressesSeen | Should -Be @('192.168.10.22')
        ($warn -join "`n") | Should -Match 'Block-Pool'
        (Get-Calls).Count | Should -Be 1 -Because '192.168.10.21 is not blocked: its rule is created'

        . Import-FwNetSecurityStandIn
        $out = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -ExistingRule $rules -Force -Confirm:$false -WarningAction SilentlyContinue)
        (Get-Calls).Count | Should -Be 1 -Because 'both addresses map to the same rule (RemoteAddress 192.168.10.0/24): created once'
        @($out | Where-Object { $_.Status -eq 'Created' -and $_.BlockingRule -eq 'Block-Pool' }).Count | Should -Be 1
        @($out | Where-Object Status -EQ 'Created').Count | Should -Be 2

        . Import-FwNetSecurityStandIn
        $null = Get-FwDrop -Path $DirectorLog -DestinationPort 49154 -SourceAddress 192.168.10.0/24 |
            New-FwRuleFromDrop -ExistingRule $rules -Force -Confirm:$false -WarningAction SilentlyContinue
        $calls = Get-Calls
        $calls.Count | Should -Be 2 -Because 'without a scope the two addresses are two different rules'
        @($calls | ForEach-Object { $_.RemoteAddress } | Sort-Object) | Should -Be @('192.168.10.21', '192.168.10.22')
    }

    It 'a failing New-NetFirewallRule is Failed with its error, and the run goes on' {
        $null = Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false -WarningAction SilentlyContinue
        $global:FwStandInCalls.Clear()
        # Deduplicating against nothing, the 49154 rule is attempted again: its ID exists, the stand-in fails like
        # the real cmdlet. Port 135 and 49160 still get their rules. ALLOW lines are not drops: counted and ignored.
        $out = @(Get-FwDrop -Path $DirectorLog -Action * -SourceAddress 192.168.10.0/24 |
                New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -ExistingRule @() -Confirm:$false `
                    -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warn -WarningAction SilentlyContinue)
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Match 'already exists'
        ($out | Where-Object LocalPort -EQ '49154').Status | Should -Be 'Failed'
        @($out | Where-Object Status -EQ 'Created' | ForEach-Object LocalPort | Sort-Object) | Should -Be @('135', '49160')
        (Get-Calls).Count | Should -Be 2
        ($warn -join "`n") | Should -Match ([regex]::Escape('1 record(s) were not drops'))
    }

    It '-UseRpcKeyword makes the RPC and RPC-EPMap rules, and a rerun finds them' {
        $run = { param($rules)
            Get-FwDrop -Path $DirectorLog -Protocol TCP -SourceAddress 192.168.10.0/24 |
                New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -UseRpcKeyword -ExistingRule $rules -Confirm:$false -WarningVariable +script:warn -WarningAction SilentlyContinue }
        $script:warn = @()
        $out = @(& $run -rules @())
        $calls = Get-Calls
        $calls.Count | Should -Be 2
        $rpc = @($calls | Where-Object { "$($_.LocalPort)" -eq 'RPC' })
        $epmap = @($calls | Where-Object { "$($_.LocalPort)" -eq 'RPCEPMap' })
        $rpc.Count | Should -Be 1
        $epmap.Count | Should -Be 1
        $rpc[0].Protocol | Should -Be 'TCP'
        $epmap[0].Protocol | Should -Be 'TCP'
        $rpc[0].RemoteAddress | Should -Be @('192.168.10.0/24')
        $rpc[0].DisplayName | Should -Be 'Fw Inbound TCP RPC'
        ($out | Where-Object LocalPort -EQ 'RPC').Hits | Should -Be 4 -Because '49154 and 49160 from the pool: one RPC rule with all their drops'
        ($script:warn -join "`n") | Should -Not -Match 'RPC dynamic range'
        $stored = @($global:FwStandInRules.RuleString)
        @($stored | Where-Object { $_.Contains('|LPort=RPC|') }).Count | Should -Be 1
        @($stored | Where-Object { $_.Contains('|LPort=RPC-EPMap|') }).Count | Should -Be 1

        $global:FwStandInCalls.Clear()
        $again = @(& $run -rules (Get-StandInRule))
        (Get-Calls).Count | Should -Be 0
        $again.Count | Should -BeGreaterThan 0
        $again | ForEach-Object { $_.Status | Should -Be 'AlreadyAllowed' }
    }
}

Describe 'New-FwRuleFromDrop input and errors' -Tag 'RuleFromDrop' {
    BeforeEach { . Import-FwNetSecurityStandIn }

    It 'deserialized drops (Invoke-Command) bind by property name and give the same candidates' {
        $direct = @(Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -WhatIf -WarningAction SilentlyContinue | ForEach-Object { "$($_.Status)|$($_.Name)|$($_.Hits)" })
        $drops = Get-FwDrop -Path $DirectorLog -DestinationPort 49154
        $round = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($drops))
        @($round)[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.Fw.FwDrop'
        $out = @($round | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -WhatIf -WarningAction SilentlyContinue)
        @($out | ForEach-Object { "$($_.Status)|$($_.Name)|$($_.Hits)" }) | Should -Be $direct
        ($out | Where-Object Status -EQ 'WouldCreate').FirstSeen | Should -Be ([datetime]'2022-09-01 10:00:04')
    }

    It 'incomplete input is an error per record and the rest goes on; without -Scope a rule has exactly the address seen' {
        $out = @(
            [pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = '80'; RemoteAddress = 'not-an-ip' }
            [pscustomobject]@{ Direction = 'Sideways'; Protocol = 'TCP'; LocalPort = '80'; RemoteAddress = '192.0.2.1' }
            [pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; RemoteAddress = '192.0.2.1' }
            [pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = '80'; RemoteAddress = '192.0.2.1' }
        ) | New-FwRuleFromDrop -WhatIf -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 3
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'FwDropInvalid,Fw.Commands.NewFwRuleFromDropCommand' }
        @($out).Count | Should -Be 1
        $out[0].RemoteAddress | Should -Be @('192.0.2.1')
    }

    It 'a bad -Scope is a terminating error naming the entry, and nothing is created' {
        { Get-FwDrop -Path $DirectorLog | New-FwRuleFromDrop -Scope 192.168.10.0/24, 'nowhere' -WhatIf } |
            Should -Throw -ErrorId 'FwScopeInvalid,Fw.Commands.NewFwRuleFromDropCommand' -ExpectedMessage '*nowhere*'
        (Get-Calls).Count | Should -Be 0
    }

    It 'the stand-in rejects a misspelt parameter and a value of the wrong type, like the real cmdlet' {
        # The guard the other tests rely on.
        { New-NetFirewallRule -DisplayName x -LocalPorts 80 } | Should -Throw -ExpectedMessage '*LocalPorts*'
        { New-NetFirewallRule -DisplayName x -Enabled Yes } | Should -Throw
        (Get-Calls).Count | Should -Be 0
    }

    It 'the table view shows status, port, scope and hits' {
        $text = Get-DirectorDrop | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -Confirm:$false -WarningAction SilentlyContinue | Out-String -Width 200
        $lines = $text -split "`r?`n"
        @($lines -match '^Status\s+Direction\s+Protocol\s+Port\s+RemoteAddress\s+Hits\s*$').Count | Should -Be 1
        @($lines -match '^Created\s+Inbound\s+TCP\s+49154 \(RPC\?\)\s+192\.168\.10\.0/24\s+3\s*$').Count | Should -Be 1
        @($lines -match '^OutOfScope\s+Inbound\s+TCP\s+49154 \(RPC\?\)\s+\(10\.9\.9\.9\)').Count | Should -Be 1
    }

    It 'the help documents every parameter, with the Director, scheduled-task and Invoke-Command examples' {
        $h = Get-Help New-FwRuleFromDrop -Full
        $h.Synopsis | Should -Match 'allow rules'
        $titles = @($h.examples.example.title)
        foreach ($t in 'Director', 'scheduled task', 'Invoke-Command') { @($titles -match [regex]::Escape($t)).Count | Should -BeGreaterThan 0 -Because "an example about $t" }
        $documented = @($h.parameters.parameter.name)
        $actual = @((Get-Command New-FwRuleFromDrop).Parameters.Values |
                Where-Object { -not [System.Management.Automation.Cmdlet]::CommonParameters.Contains($_.Name) -and $_.Name -notin 'WhatIf', 'Confirm' } | ForEach-Object Name)
        $actual.Count | Should -BeGreaterThan 0
        $actual | ForEach-Object { $documented | Should -Contain $_ }
    }
}
