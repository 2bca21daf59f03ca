# The Director scenario end to end, as one script an admin would run (issue: the admin's whole procedure in Fw):
# turn drop logging on, read the end of the log, explain the drop, write the rule the wizard would.
# Windows-only commands are the stand-ins with the documented parameter sets (NetSecurityStandIn.ps1), and the
# module sees the firewall policy of tests/data/policy/fw-policy.reg as this computer's (test-only hook).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    . Import-FwNetSecurityStandIn
    $script:PolicyHook = [Fw.FwDrop].Assembly.GetType('Fw.Core.TestHooks').GetField('LoggingPolicyFile', [Reflection.BindingFlags]'NonPublic,Static')
    $PolicyHook.SetValue($null, [System.IO.Path]::Combine($FwRepo, 'tests', 'data', 'policy', 'fw-policy.reg'))
    $script:Rules = [System.IO.Path]::Combine($FwRepo, 'docs', 'samples', 'director-rules.txt')
}
AfterAll { $PolicyHook.SetValue($null, $null) }

Describe 'The Director scenario in one script' {
    BeforeAll {
        $script:Warnings = @()
        Enable-FwLogging -Profile Domain -Confirm:$false -WarningVariable +Warnings -WarningAction SilentlyContinue
        $script:Tail = @(Get-FwDrop -Path $FwSampleLog -Tail 20)
        $script:InForce = @(Get-FwRule -Path $Rules)
        $script:Dropped = @(Get-FwDrop -Path $FwSampleLog -DestinationPort 49154)
        $script:Verdicts = @($Dropped | Test-FwDrop -Rule $InForce -Profile Domain)
        $script:Script = ($Dropped | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -UseRpcKeyword -ExistingRule $InForce -AsScript `
                -DisplayName 'Allow Lync Server Control Panel from the pool (RPC)' `
                -Description "The pool's admin console reaches the Director over RPC: 135, then a dynamic port.") -join "`n"
    }

    It 'turns drop logging on for the Domain profile through Set-NetFirewallProfile' {
        $calls = @($global:FwStandInProfileCalls | Where-Object { $_.Name -contains 'Domain' })
        $calls.Count | Should -Be 1
        "$($calls[0].LogBlocked)" | Should -Be 'True'
    }

    It 'starts at the end of the log like a tail tool: the last 20 drops, in file order' {
        $all = @(Get-FwDrop -Path $FwSampleLog)
        $Tail.Count | Should -Be 20
        ($Tail.LineNumber -join ',') | Should -Be (($all | Select-Object -Last 20).LineNumber -join ',')
    }

    It 'explains the dropped RPC flow: no rule in force allows the dynamic port' {
        $Dropped.Count | Should -Be 12
        $Verdicts.Count | Should -BeGreaterThan 0
        $Verdicts | ForEach-Object { $_.Verdict | Should -Be 'NoMatchingRule' }
        $Verdicts[0].RemoteAddress | Should -Be '192.168.10.21'
    }

    It 'writes one rule with the name and description the admin chose, scoped to the subnet and the profile' {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Script, [ref]$tokens, [ref]$errors)
        $errors | Should -BeNullOrEmpty
        $commands = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true))
        $commands.Count | Should -Be 1
        $commands[0].GetCommandName() | Should -Be 'New-NetFirewallRule'

        # Run the reviewed script against the stand-in: the rule it creates is exactly the one asked for.
        $global:FwStandInCalls.Clear()
        $null = & ([scriptblock]::Create($Script))
        $global:FwStandInCalls.Count | Should -Be 1
        $call = $global:FwStandInCalls[0]
        $call.DisplayName | Should -Be 'Allow Lync Server Control Panel from the pool (RPC)'
        $call.Description | Should -Be "The pool's admin console reaches the Director over RPC: 135, then a dynamic port."
        $call.RemoteAddress | Should -Be @('192.168.10.0/24')
        $call.LocalPort | Should -Be @('RPC')
        "$($call.Profile)" | Should -Be 'Domain'
        "$($call.Direction)" | Should -Be 'Inbound'
        $call.Protocol | Should -Be 'TCP'
    }

    It 'runs as the shipped demo does (docs/demo.ps1), end to end without an error' {
        # In a fresh pwsh, as `make demo` runs it (Out-Host writes to that process's console, which we read).
        $pwsh = $FwPwsh
        $demo = [System.IO.Path]::Combine($FwRepo, 'docs', 'demo.ps1')
        $out = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$FwManifest'; & '$demo'" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match "New-NetFirewallRule -Name 'Fw-In-TCP-RPC-"
        $out | Should -Match 'NoMatchingRule'
        $out | Should -Not -Match 'Exception'
    }
}
