#
# Module manifest for Fw: Windows Firewall drop logs as typed objects, and firewall rules from them.
#
@{
    RootModule           = 'bin/Fw.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d3f1c6e-8a2b-4f7d-9c41-0e6b7a9d2f13'
    Author               = 'Fw contributors'
    CompanyName          = 'Fw'
    Copyright            = '(c) Fw contributors. All rights reserved.'
    Description          = 'Reads Windows Firewall logs (pfirewall.log) at native speed as typed objects, filters them natively, and turns dropped traffic into firewall rules.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'

    CmdletsToExport      = @('Get-FwDrop', 'Measure-FwDrop', 'Get-FwRule', 'Test-FwDrop', 'New-FwRuleFromDrop',
                            'Get-FwLogging', 'Enable-FwLogging')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    FormatsToProcess     = @('module/formats/FwDrop.format.ps1xml', 'module/formats/FwRuleCandidate.format.ps1xml',
                             'module/formats/FwRule.format.ps1xml', 'module/formats/FwDropVerdict.format.ps1xml',
                             'module/formats/FwDropGroup.format.ps1xml',
                             'module/formats/FwLoggingProfile.format.ps1xml')

    PrivateData          = @{
        PSData = @{
            Tags       = @('Firewall', 'WindowsFirewall', 'pfirewall', 'Log', 'Security', 'Network',
                           'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux')
            ProjectUri = ''
        }
    }
}
