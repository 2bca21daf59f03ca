#
# Module manifest for Fw: Windows Firewall drop logs as typed objects, and firewall rules from them.
#
# One manifest for both layouts: in a source checkout it loads bin/Fw.dll and the views under module/formats/;
# `make package` (tools/package.ps1) writes the installed package's manifest from this file, changing only
# those paths (Fw.dll and the views sit at the package root). Keep one item per line in the lists.
#
@{
    RootModule             = 'bin/Fw.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '5d3f1c6e-8a2b-4f7d-9c41-0e6b7a9d2f13'
    Author                 = 'Fw contributors'
    CompanyName            = 'Fw'
    Copyright              = '(c) Fw contributors. MIT License.'
    Description            = 'Reads Windows Firewall logs (pfirewall.log) at native speed as typed objects, filters them natively, explains drops against the rules in force, and turns dropped traffic into the narrowest firewall rules.'
    CompatiblePSEditions   = @('Desktop', 'Core')
    PowerShellVersion      = '5.1'
    # Windows PowerShell loads the netstandard2.0 Fw.dll without extra facades from .NET Framework 4.7.2 on.
    DotNetFrameworkVersion = '4.7.2'

    CmdletsToExport        = @(
        'Get-FwDrop'
        'Measure-FwDrop'
        'Get-FwRule'
        'Test-FwDrop'
        'New-FwRuleFromDrop'
        'Get-FwLogging'
        'Enable-FwLogging'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()

    FormatsToProcess       = @(
        'module/formats/FwDrop.format.ps1xml'
        'module/formats/FwRuleCandidate.format.ps1xml'
        'module/formats/FwRule.format.ps1xml'
        'module/formats/FwDropVerdict.format.ps1xml'
        'module/formats/FwDropGroup.format.ps1xml'
        'module/formats/FwLoggingProfile.format.ps1xml'
    )

    # No HelpInfoUri, ProjectUri or LicenseUri: Fw has no public web site yet, and these must be real addresses.
    # The help ships in the module (en-US); about_Fw says there is no online version. The license is the LICENSE
    # file in the module folder.
    PrivateData            = @{
        PSData = @{
            Tags         = @(
                'Firewall'
                'WindowsFirewall'
                'pfirewall'
                'Log'
                'Security'
                'Network'
                'PSEdition_Core'
                'PSEdition_Desktop'
                'Windows'
                'Linux'
            )
            ReleaseNotes = @'
0.1.0 - first release.
Get-FwDrop reads pfirewall.log (and .old) as typed drops, filters natively, resumes with -Bookmark and follows with -Wait.
Measure-FwDrop counts drops by any property without one object per line.
Get-FwRule reads firewall rules from the registry stores, .reg exports and rule strings.
Test-FwDrop explains each drop against the rules in force.
New-FwRuleFromDrop turns drops into the narrowest allow rules (-WhatIf, -Confirm, -AsScript).
Get-FwLogging and Enable-FwLogging show and turn on drop logging per profile; Get-FwDrop -Tail, -ResolveDns, -Filter.
Native libraries for win-x64, win-x86 and linux-x64. Help: Get-Help about_Fw, about_Fw_ScheduledTask.
'@
        }
    }
}
