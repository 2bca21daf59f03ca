# Runs every example in the help of every Fw command against the sample logs, so help cannot rot. The commands are
# found at discovery (Get-Command -Module Fw), so cmdlets added later are covered without editing this file.
# Only paths are adapted (the firewall log, rule exports, ProgramData), plus what cannot exist here:
#   - Get-FwDrop/Measure-FwDrop/Get-FwRule without -Path read the computer's configuration on Windows; here they get
#     the sample log and the reference rules as default -Path ($PSDefaultParameterValues), Test-FwDrop and
#     New-FwRuleFromDrop those rules as the rules in force (the registry stores are Windows-only);
#   - NetSecurity cmdlets come from the stand-in (Import-FwNetSecurityStandIn);
#   - the firewall's logging policy in the registry (Get-FwLogging, Enable-FwLogging's Group Policy check, Get-FwDrop's
#     empty-log message) is a Windows computer's `reg export` (tests/data/policy/fw-policy.reg, through the test hook
#     TestHooks.LoggingPolicyFile, module/Core/TestHooks.cs), and an example's .\fw-policy.reg is that file;
#   - Invoke-Command -ComputerName runs the script block here and returns deserialized copies, as remoting does;
#   - a -Wait example gets a one-second -Timeout instead of minutes; -Confirm prompts are answered yes
#     ($ConfirmPreference None), as an admin running the example would.
# An example that fails is a failure; the only skips are listed in $WindowsOnly, each with its reason.
BeforeDiscovery {
    . $PSScriptRoot/Common.ps1
    $script:WindowsOnly = @{
        'Get-FwRule/2'         = 'runs reg.exe export on the Windows registry'
        'New-FwRuleFromDrop/5' = 'registers a Windows scheduled task (ScheduledTasks module)'
    }
    $script:Examples = foreach ($command in Get-Command -Module Fw | Sort-Object Name) {
        $help = Get-Help $command.Name -Examples
        $i = 0
        foreach ($example in @($help.examples.example)) {
            $i++
            $key = "$($command.Name)/$i"
            @{ Command = $command.Name; Number = $i; Code = ($example.code -join "`n"); Title = ($example.title -replace '^-+\s*|\s*-+$', '')
               Skip = $WindowsOnly[$key]; Key = $key }
        }
    }
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:RulesFile = [System.IO.Path]::Combine($FwRepo, 'tests', 'data', 'rules', 'reference-rules.txt')
    $script:PolicyFile = [System.IO.Path]::Combine($FwRepo, 'tests', 'data', 'policy', 'fw-policy.reg')
    # The registry's firewall policy of a Windows computer (Domain logs drops, Private and Public do not).
    $script:PolicyHook = [Fw.FwDrop].Assembly.GetType('Fw.Core.TestHooks').GetField('LoggingPolicyFile', [Reflection.BindingFlags]'NonPublic,Static')
    $PolicyHook.SetValue($null, $PolicyFile)

    # The example's text with only its paths pointed at the test data.
    function ConvertTo-TestCode([string] $Code) {
        $log = "'$FwSampleLog'"
        $Code = $Code -replace '(?i)C:\\Windows\\System32\\LogFiles\\Firewall\\pfirewall\.log\*?', $log
        $Code = $Code -replace '(?i)\.\\[\w-]*pfirewall\.log', $log
        $Code = $Code -replace '(?i)\.\\director\.log', $log
        $Code = $Code -replace '(?i)\.\\[\w-]*rules\.reg', "'$RulesFile'"
        $Code = $Code -replace '(?i)\.\\[\w-]*policy\.reg', "'$PolicyFile'"
        $Code = [regex]::Replace($Code, '(?i)\$env:ProgramData\\(\S+)', { param($m) "'" + [System.IO.Path]::Combine($TestDrive, ($m.Groups[1].Value -replace '\\', '/')) + "'" })
        $Code = $Code -replace '(?i)-Timeout\s+\S+', '-Timeout 00:00:01'
        # A -Wait example without -Timeout would follow until Ctrl+C: bound it too.
        if ($Code -match '(?i)-Wait\b' -and $Code -notmatch '(?i)-Timeout\b') { $Code = $Code -replace '(?i)-Wait\b', '-Wait -Timeout 00:00:01' }
        # A custom folder on another drive (D:\FirewallLogs) becomes a folder under TestDrive.
        $Code = [regex]::Replace($Code, '(?i)\b[D-Z]:\\([^''"\s]+)', { param($m) [System.IO.Path]::Combine($TestDrive, ($m.Groups[1].Value -replace '\\', '/')) })
        $Code -replace '\.\\', "$TestDrive/"
    }
}

AfterAll { $PolicyHook.SetValue($null, $null) }

Describe 'Help example <Key>: <Title>' -ForEach $Examples {
    BeforeAll {
        . Import-FwNetSecurityStandIn
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $TestDrive 'Fw')
        $rules = @(Get-FwRule -Path $RulesFile)
        $global:PSDefaultParameterValues = @{
            'Test-FwDrop:Rule'                = $rules
            'New-FwRuleFromDrop:ExistingRule' = $rules
            '*:WarningAction'                 = 'SilentlyContinue'
        }
        # A command that gets its input from the pipeline (Get-ChildItem | Get-FwDrop) must not get a default -Path too.
        foreach ($name in 'Get-FwDrop', 'Measure-FwDrop', 'Get-FwRule') {
            if ($Code -notmatch "\|\s*$name\b") { $global:PSDefaultParameterValues["${name}:Path"] = if ($name -eq 'Get-FwRule') { $RulesFile } else { $FwSampleLog } }
        }
        # Remoting stand-in: runs here, returns what remoting returns (deserialized property bags).
        function global:Invoke-Command {
            param([string[]] $ComputerName, [Parameter(Position = 0)] [scriptblock] $ScriptBlock)
            foreach ($computer in $ComputerName) {
                $out = & $ScriptBlock
                [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($out, 2))
            }
        }
        # Import-Module Fw by name inside an example: Fw is already imported from this checkout.
        function global:Import-Module { param([Parameter(Position = 0)] [string[]] $Name) if ($Name -ne 'Fw') { Microsoft.PowerShell.Core\Import-Module @PSBoundParameters } }
    }
    AfterAll {
        $global:PSDefaultParameterValues = @{}
        Remove-Item Function:\Invoke-Command, Function:\Import-Module -ErrorAction SilentlyContinue
    }

    It 'runs' {
        if ($Skip) { Set-ItResult -Skipped -Because "needs a Windows machine: $Skip"; return }
        $code = ConvertTo-TestCode $Code
        Push-Location $TestDrive
        try {
            $ErrorActionPreference = 'Stop'
            $ConfirmPreference = 'None'   # the admin's "yes" at the -Confirm prompt (ConfirmImpact High)
            # Formatted as the console would, so the default views run too. Any error fails the example.
            $null = & ([scriptblock]::Create($code)) | Out-String -Width 80
        }
        finally { Pop-Location }
    }
}
