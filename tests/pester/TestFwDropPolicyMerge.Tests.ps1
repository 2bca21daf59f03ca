# Test-FwDrop and Group Policy's AllowLocalPolicyMerge: where the policy sets it to 0 for a profile, Windows enforces
# only Group Policy rules there, so a local rule that matches a drop is named as ignored, not as the rule that allows
# it. The rules in force come from a Windows computer's `reg export` through the test hook
# TestHooks.FirewallRulesFile (module/Core/TestHooks.cs), as Test-FwDrop reads them from the registry on Windows.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Hook = [Fw.FwDrop].Assembly.GetType('Fw.Core.TestHooks').GetField('FirewallRulesFile', [Reflection.BindingFlags]'NonPublic,Static')
    $policyKey = 'HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\WindowsFirewall'
    $local = [ordered]@{ 'Web-8443' = 'v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8443|Name=Web 8443|' }
    $gpoRules = @('', "[$policyKey\FirewallRules]",
        '"Gpo-9443"="v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=9443|Name=GPO 9443|"')
    # A domain computer whose Group Policy keeps local rules out of the Public profile only.
    $script:NoMergePublic = New-FwTestRegExport -Path (Join-Path $TestDrive 'no-merge-public.reg') -Rule $local -Extra ($gpoRules + @(
            '', "[$policyKey\PublicProfile]", '"AllowLocalPolicyMerge"=dword:00000000',
            '', "[$policyKey\DomainProfile]", '"AllowLocalPolicyMerge"=dword:00000001'))
    # The same rules, no merge setting: local rules apply everywhere.
    $script:Merged = New-FwTestRegExport -Path (Join-Path $TestDrive 'merged.reg') -Rule $local -Extra $gpoRules

    function Tcp([int] $Port) { "2022-09-01 10:00:01 DROP TCP 198.51.100.7 192.0.2.10 50001 $Port 52 S 11 0 64240 - - - RECEIVE -" }
    $script:Log = New-FwTestLog -Path (Join-Path $TestDrive 'drops.log') -Line (Tcp 8443), (Tcp 9443)
    # Test-FwDrop without -Rule, reading the rules in force (here: the hook's export).
    function Test-InForce([string] $Export, [string] $Profile) {
        $Hook.SetValue($null, $Export)
        $with = if ($Profile) { @{ Profile = $Profile } } else { @{} }
        try { @(Get-FwDrop -Path $Log | Test-FwDrop @with) } finally { $Hook.SetValue($null, $null) }
    }
}

AfterAll { $Hook.SetValue($null, $null) }

Describe 'Test-FwDrop honours AllowLocalPolicyMerge' -Tag 'Verdict' {
    It 'a local allow rule in a profile where Group Policy does not merge local rules: NoMatchingRule, naming the rule' {
        $v = @(Test-InForce $NoMergePublic 'Public' | Where-Object LocalPort -EQ 8443)
        $v.Count | Should -Be 1
        "$($v[0].Verdict)" | Should -Be 'NoMatchingRule'
        $v[0].Explanation | Should -BeLike "No rule in force allows this flow: local rule 'Web 8443' would, but Group Policy does not merge local rules in the Public profile (AllowLocalPolicyMerge = 0);*"
        $first = @($v[0].MatchingRules)[0]
        $first.Name | Should -Be 'Web-8443'
        "$($first.Reason)" | Should -Be 'LocalRuleNotMerged'
        "$($first.Applies)" | Should -Be 'No'
        $first.Deciding | Should -BeTrue
        "$($first.Rule.Store)" | Should -Be 'Local'
        $first.Explanation | Should -Be 'Group Policy does not merge local rules in the Public profile (AllowLocalPolicyMerge = 0)'
    }

    It 'a Group Policy allow rule still allows in that profile' {
        $v = @(Test-InForce $NoMergePublic 'Public' | Where-Object LocalPort -EQ 9443)
        "$($v[0].Verdict)" | Should -Be 'AllowedByRule'
        @($v[0].MatchingRules)[0].Name | Should -Be 'Gpo-9443'
    }

    It 'in a profile where local rules are merged (AllowLocalPolicyMerge = 1 or absent) the local rule allows' {
        foreach ($profile in 'Domain', 'Private') {
            $v = @(Test-InForce $NoMergePublic $profile | Where-Object LocalPort -EQ 8443)
            "$($v[0].Verdict)" | Should -Be 'AllowedByRule' -Because "$profile merges local rules"
        }
    }

    It 'without the policy value the local rule allows in the Public profile too' {
        $v = @(Test-InForce $Merged 'Public' | Where-Object LocalPort -EQ 8443)
        "$($v[0].Verdict)" | Should -Be 'AllowedByRule'
        $v[0].Explanation | Should -Not -BeLike '*AllowLocalPolicyMerge*'
    }

    It 'the active profile unknown: the local rule may apply, only where it is merged' {
        $v = @(Test-InForce $NoMergePublic '' | Where-Object LocalPort -EQ 8443)
        "$($v[0].Verdict)" | Should -Be 'Undecidable'
        @($v[0].MatchingRules)[0].Explanation | Should -BeLike '*only on the Domain, Private profiles, where Group Policy merges local rules*'
    }

    It 'says in verbose output which profiles ignore local rules' {
        $Hook.SetValue($null, $NoMergePublic)
        try { $out = Get-FwDrop -Path $Log | Test-FwDrop -Profile Public -Verbose 4>&1 } finally { $Hook.SetValue($null, $null) }
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $verbose | Should -Contain ('Group Policy does not merge local rules in the Public profile(s) (AllowLocalPolicyMerge = 0): ' +
            'there only Group Policy rules are in force, and verdicts name the local rules Windows ignores.')
    }

    It 'Get-FwRule still lists the ignored local rule: it is in the store' {
        $rules = @(Get-FwRule -Path $NoMergePublic)
        ($rules | Where-Object Name -EQ 'Web-8443').Count | Should -Be 1
    }

    It 'the table view shows the reason' {
        $Hook.SetValue($null, $NoMergePublic)
        try { $text = Get-FwDrop -Path $Log | Test-FwDrop -Profile Public | Out-String -Width 400 } finally { $Hook.SetValue($null, $null) }
        $text | Should -Match 'AllowLocalPolicyMerge = 0'
    }
}
