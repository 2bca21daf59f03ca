BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Test-only hook (module-internal static, set by reflection): the module acts as a Windows computer whose
    # firewall policy is this .reg export (see module/Core/TestHooks.cs).
    $script:Hooks = [Fw.FwDrop].Assembly.GetType('Fw.Core.TestHooks')
    function Set-FwTestPolicy($Reg) {
        $Hooks.GetField('LoggingPolicyFile', [Reflection.BindingFlags]'NonPublic,Static').SetValue($null, $Reg)
    }
    function New-FwTestPolicy([string] $Path, [string[]] $Body) {
        $text = (@('Windows Registry Editor Version 5.00', '') + $Body) -join "`r`n"
        [IO.File]::WriteAllText($Path, $text + "`r`n", [Text.UnicodeEncoding]::new($false, $true)) # UTF-16LE + BOM, as regedit writes
        $Path
    }
    $script:Gpo = '[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\WindowsFirewall\{0}\Logging]'
    $script:Local = '[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\{0}\Logging]'
}
AfterAll { Set-FwTestPolicy $null }

Describe 'Get-FwLogging' {
    BeforeAll {
        $script:Reg = New-FwTestPolicy "$TestDrive/fw-policy.reg" @(
            ($Local -f 'DomainProfile'), '"LogDroppedPackets"=dword:00000001', '"LogFileSize"=dword:00004000',
            '"LogFilePath"="%systemroot%\\system32\\LogFiles\\Firewall\\domain.log"', ''
            ($Gpo -f 'DomainProfile'), '"LogDroppedPackets"=dword:00000000', '"LogSuccessfulConnections"=dword:00000001', ''
            ($Local -f 'StandardProfile'), '"LogDroppedPackets"=dword:00000001', '')
    }
    It 'shows each profile with every value and where it comes from (.reg export)' {
        $p = Get-FwLogging -Path $Reg
        $p.Count | Should -Be 3
        $p[0] | Should -BeOfType Fw.FwLoggingProfile
        ($p.Profile -join ',') | Should -Be 'Domain,Private,Public'
        $d = $p[0]
        $d.LogDroppedPackets | Should -BeFalse
        "$($d.LogDroppedPacketsSource)" | Should -Be 'GroupPolicy'
        $d.LogAllowedPackets | Should -BeTrue
        "$($d.LogAllowedPacketsSource)" | Should -Be 'GroupPolicy'
        $d.LogMaxSizeKB | Should -Be 16384
        "$($d.LogMaxSizeKBSource)" | Should -Be 'Local'
        $d.LogFileName | Should -Be '%systemroot%\system32\LogFiles\Firewall\domain.log'
        "$($d.LogFileNameSource)" | Should -Be 'Local'
        $p[1].LogDroppedPackets | Should -BeTrue
        "$($p[1].LogDroppedPacketsSource)" | Should -Be 'Local'
        $p[1].LocalKey | Should -BeLike '*\FirewallPolicy\StandardProfile\Logging'
        $p[2].LogDroppedPackets | Should -BeFalse
        "$($p[2].LogDroppedPacketsSource)" | Should -Be 'Default'
        $p[2].LogMaxSizeKB | Should -Be 4096
        $p[2].LogFileName | Should -Be '%SystemRoot%\System32\LogFiles\Firewall\pfirewall.log'
        $p[2].ReadFrom | Should -Be $Reg
    }
    It '-Profile selects, and the table view says where values come from' {
        $one = @(Get-FwLogging -Path $Reg -Profile domain)
        $one.Count | Should -Be 1
        $text = $one | Format-Table | Out-String -Width 200
        $text | Should -Match 'Domain\s+Off \(GroupPolicy\)\s+Logged \(GroupPolicy\)\s+16384 \(Local\)'
    }
    It 'off Windows without -Path: a terminating FwNoFirewallPolicy error that says what to do' -Skip:$IsWindows {
        { Get-FwLogging -ErrorAction Stop } | Should -Throw -ErrorId 'FwNoFirewallPolicy,Fw.Commands.GetFwLoggingCommand'
        try { Get-FwLogging } catch { $_.Exception.Message | Should -Match 'no Windows Firewall policy on this system.*reg export.*Get-FwLogging -Path' }
    }
    It 'a file that is not a .reg export is an error naming it' {
        $bad = "$TestDrive/not.reg"; Set-Content $bad 'hello'
        Get-FwLogging -Path $bad -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'FwLoggingPolicyUnreadable*'
        $e[0].Exception.Message | Should -Match ([regex]::Escape($bad)) 
        $e[0].Exception.Message | Should -Match 'not a \.reg export'
    }
}

Describe 'Enable-FwLogging' {
    BeforeAll { . Import-FwNetSecurityStandIn }
    BeforeEach {
        . Import-FwNetSecurityStandIn # fresh recordings and profiles for each test
        Set-FwTestPolicy $null
    }
    It 'calls Set-NetFirewallProfile with the documented parameters' {
        Enable-FwLogging -Profile Domain, Public -LogAllowed -MaximumSizeKB 20480 -WarningAction SilentlyContinue
        $FwStandInProfileCalls.Count | Should -Be 1
        $c = $FwStandInProfileCalls[0]
        ($c.Name -join ',') | Should -Be 'Domain,Public'
        "$($c.LogBlocked)" | Should -Be 'True'
        "$($c.LogAllowed)" | Should -Be 'True'
        $c.LogMaxSizeKilobytes | Should -Be 20480
        $c.ContainsKey('LogFileName') | Should -BeFalse
        "$((Get-NetFirewallProfile -Name Domain).LogBlocked)" | Should -Be 'True'
        "$((Get-NetFirewallProfile -Name Private).LogBlocked)" | Should -Be 'False'
    }
    It 'defaults to all profiles and only drop logging' {
        Enable-FwLogging -WarningAction SilentlyContinue
        ($FwStandInProfileCalls[0].Name -join ',') | Should -Be 'Domain,Private,Public'
        $FwStandInProfileCalls[0].ContainsKey('LogAllowed') | Should -BeFalse
    }
    It '-WhatIf changes nothing and describes every step' {
        $folder = Join-Path $TestDrive 'new logs'
        $out = Enable-FwLogging -Profile Domain -Path (Join-Path $folder 'p.log') -WhatIf -WarningAction SilentlyContinue 6>&1 | Out-String
        $FwStandInProfileCalls.Count | Should -Be 0
        Test-Path $folder | Should -BeFalse
    }
    It 'binds profiles from Get-FwLogging output' {
        $reg = New-FwTestPolicy "$TestDrive/on.reg" @(($Local -f 'DomainProfile'), '"LogDroppedPackets"=dword:00000001', '')
        Get-FwLogging -Path $reg | Where-Object { -not $_.LogDroppedPackets } | Enable-FwLogging -WarningAction SilentlyContinue
        ($FwStandInProfileCalls[0].Name -join ',') | Should -Be 'Private,Public'
    }
    It 'warns when Group Policy sets a value that overrides the local one' {
        Set-FwTestPolicy (New-FwTestPolicy "$TestDrive/gpo.reg" @(
            ($Gpo -f 'DomainProfile'), '"LogDroppedPackets"=dword:00000000', '"LogFileSize"=dword:00001000', ''))
        Enable-FwLogging -Profile Domain, Public -MaximumSizeKB 20480 -WarningVariable w -WarningAction SilentlyContinue
        $w.Count | Should -Be 1
        "$w" | Should -Match 'Group Policy sets LogDroppedPackets = off, LogFileSize = 4096 KB for the Domain profile'
        "$w" | Should -Match 'Change the Group Policy object'
        $FwStandInProfileCalls.Count | Should -Be 1 # the local setting is still made
    }
    It 'no warning when Group Policy agrees or is silent' {
        Set-FwTestPolicy (New-FwTestPolicy "$TestDrive/gpo-on.reg" @(($Gpo -f 'DomainProfile'), '"LogDroppedPackets"=dword:00000001', ''))
        Enable-FwLogging -Profile Domain, Private -WarningVariable w
        $w.Count | Should -Be 0
    }
    It 'off Windows: says the policy and the folder permission cannot be checked, creates the folder, sets the file' -Skip:$IsWindows {
        $folder = Join-Path $TestDrive 'custom logs'
        $file = Join-Path $folder 'pfirewall_Domain.log'
        Enable-FwLogging -Profile Domain -Path $file -WarningVariable w -WarningAction SilentlyContinue
        Test-Path $folder -PathType Container | Should -BeTrue
        ($w -join "`n") | Should -Match 'Cannot tell whether Group Policy overrides'
        ($w -join "`n") | Should -Match ([regex]::Escape("Cannot check that NT SERVICE\MpsSvc can write to '$folder'"))
        $FwStandInProfileCalls[0].LogFileName | Should -Be $file
    }
    It 'without Set-NetFirewallProfile: a clear error' {
        # A fresh runspace: the stand-in is not defined there.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$FwManifest'; try { Enable-FwLogging -Profile Domain -WarningAction SilentlyContinue } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }")
            $out = @($ps.Invoke())
        } finally { $ps.Dispose() }
        $out[0] | Should -Be 'FwSetNetFirewallProfileMissing,Fw.Commands.EnableFwLoggingCommand'
        $out[1] | Should -Match 'Set-NetFirewallProfile is not available in this session'
    }
    It 'rejects a size out of range' {
        { Enable-FwLogging -MaximumSizeKB 40000 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Fw.Commands.EnableFwLoggingCommand'
    }
}

Describe 'Get-FwDrop says why a log is missing, empty or stale' {
    BeforeEach { Set-FwTestPolicy $null }
    It 'a missing log: the error names the file and, off Windows, says the policy is unknown' -Skip:$IsWindows {
        Get-FwDrop -Path "$TestDrive/none.log" -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'FwLogReadError*'
        $e[0].Exception.Message | Should -Match 'does not exist\. Whether the firewall logs dropped packets is unknown: there is no Windows Firewall policy'
        $e[0].Exception.Message | Should -Match 'Enable-FwLogging'
    }
    It 'an empty log: the profiles writing to it with drop logging off and the command that turns it on' {
        $log = New-FwTestLog -Path "$TestDrive/pfirewall.log"
        $p = $log.Replace('\', '\\')
        Set-FwTestPolicy (New-FwTestPolicy "$TestDrive/p.reg" @(
            ($Local -f 'DomainProfile'), "`"LogFilePath`"=`"$p`"", ''
            ($Local -f 'StandardProfile'), "`"LogFilePath`"=`"$p`"", '"LogDroppedPackets"=dword:00000001', ''
            ($Gpo -f 'PublicProfile'), "`"LogFilePath`"=`"$p`"", '"LogDroppedPackets"=dword:00000000', ''))
        Get-FwDrop -Path $log -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $w.Count | Should -Be 1
        "$w" | Should -Match 'has no log records\. The Domain, Private, Public profiles log to this file; logging of dropped packets is off for Domain, Public\. Turn it on: Enable-FwLogging -Profile Domain,Public\.'
        "$w" | Should -Match 'Group Policy sets it for Public'
    }
    It 'an empty log that no profile writes to names where they write' {
        $log = New-FwTestLog -Path "$TestDrive/other.log"
        Set-FwTestPolicy (New-FwTestPolicy "$TestDrive/p2.reg" @())
        Get-FwDrop -Path $log -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -Match 'No profile logs to this file \(they log to %SystemRoot%.*pfirewall\.log\); logging of dropped packets is off for Domain, Private, Public\. Turn it on: Enable-FwLogging -Profile Domain,Private,Public\.'
    }
    It 'a configured log whose newest record is more than 24 hours old is stale' {
        $old = (Get-Date).AddDays(-3).ToString('yyyy-MM-dd HH:mm:ss', [cultureinfo]::InvariantCulture)
        $log = New-FwTestLog -Path "$TestDrive/stale.log" -Line "$old DROP TCP 10.0.0.1 10.0.0.2 5000 445 52 S 1 0 8192 - - - RECEIVE 4"
        Set-FwTestPolicy (New-FwTestPolicy "$TestDrive/p3.reg" @(($Local -f 'DomainProfile'), "`"LogFilePath`"=`"$($log.Replace('\', '\\'))`"", ''))
        $d = @(Get-FwDrop -Path $log -WarningVariable w -WarningAction SilentlyContinue)
        $d.Count | Should -Be 1
        "$w" | Should -Match "the newest record is from $([regex]::Escape($old)), more than 24 hours ago\. The Domain profile logs to this file; logging of dropped packets is off for Domain\. Turn it on: Enable-FwLogging -Profile Domain\."
    }
    It 'a recent log, or an old log that is not a configured one, says nothing' {
        $now = (Get-Date).ToString('yyyy-MM-dd HH:mm:ss', [cultureinfo]::InvariantCulture)
        $log = New-FwTestLog -Path "$TestDrive/fresh.log" -Line "$now DROP TCP 10.0.0.1 10.0.0.2 5000 445 52 S 1 0 8192 - - - RECEIVE 4"
        Set-FwTestPolicy (New-FwTestPolicy "$TestDrive/p4.reg" @(($Local -f 'DomainProfile'), "`"LogFilePath`"=`"$($log.Replace('\', '\\'))`"", ''))
        Get-FwDrop -Path $log -WarningVariable w | Out-Null
        $w.Count | Should -Be 0
        Get-FwDrop -Path $FwSampleLog -WarningVariable w2 | Out-Null # 2010 records, not this computer's log
        $w2.Count | Should -Be 0
    }
}

Describe 'Help' {
    It 'documents every parameter and has examples' -ForEach @('Get-FwLogging', 'Enable-FwLogging') {
        $h = Get-Help $_ -Full
        $h.Synopsis | Should -Not -BeNullOrEmpty
        $documented = @($h.parameters.parameter.name)
        foreach ($p in (Get-Command $_).Parameters.Keys) {
            if ($p -in [System.Management.Automation.PSCmdlet]::CommonParameters) { continue }
            $documented | Should -Contain $p
        }
        @($h.examples.example).Count | Should -BeGreaterOrEqual 3
    }
    It 'every example runs (stand-ins, a test policy, paths adapted)' {
        . Import-FwNetSecurityStandIn
        $reg = New-FwTestPolicy "$TestDrive/help.reg" @(($Local -f 'DomainProfile'), '"LogDroppedPackets"=dword:00000001', '')
        Set-FwTestPolicy $reg
        $custom = Join-Path $TestDrive 'Logs/Firewall/pfirewall_Domain.log'
        foreach ($cmd in 'Get-FwLogging', 'Enable-FwLogging') {
            foreach ($ex in (Get-Help $cmd -Full).examples.example) {
                $code = $ex.code.Replace('.\fw-policy.reg', "'$reg'").Replace('D:\Logs\Firewall\pfirewall_Domain.log', "'$custom'")
                $errors = $null
                $null = & ([scriptblock]::Create($code)) -ErrorVariable errors -WarningAction SilentlyContinue 4>$null
                $errors | Should -BeNullOrEmpty -Because $code
            }
        }
        $FwStandInProfileCalls.Count | Should -Be 2 # two examples change settings; -WhatIf ones do not
        Test-Path (Split-Path $custom) | Should -BeTrue
    }
}
