# Dot-sourced by every tests/pester/*.Tests.ps1 in BeforeAll: imports Fw from this checkout (./Fw.psd1, built
# by `make module`) and defines the helpers the suites share.
$script:FwRepo = (Resolve-Path ([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))).Path
$script:FwManifest = [System.IO.Path]::Combine($FwRepo, 'Fw.psd1')
$script:FwSampleLog = [System.IO.Path]::Combine($FwRepo, 'docs', 'samples', 'director.log')
$script:FwFormatsLog = [System.IO.Path]::Combine($FwRepo, 'tests', 'data', 'log', 'formats-section7.log')
Import-Module $FwManifest -Force -ErrorAction Stop

# The #Fields header Windows 10 and later write (18 columns, with pid).
$script:FwFieldsHeader = @(
    '#Version: 1.5'
    '#Software: Microsoft Windows Firewall'
    '#Time Format: Local'
    '#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid'
    ''
)

# Writes a log file (the header above, then the given record lines, CRLF) and returns its full path.
function New-FwTestLog {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [string[]] $Line = @(),
        [switch] $NoHeader
    )
    $all = if ($NoHeader) { $Line } else { $FwFieldsHeader + $Line }
    [System.IO.File]::WriteAllText($Path, (($all -join "`r`n") + "`r`n"), [System.Text.UTF8Encoding]::new($false))
    (Resolve-Path -LiteralPath $Path).Path
}

# Loads the stand-ins for the Windows-only NetSecurity cmdlets (documented parameter sets; calls recorded in
# $global:FwStandInCalls, rules in $global:FwStandInRules). Call again to reset the recordings.
function Import-FwNetSecurityStandIn {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'NetSecurityStandIn.ps1'))
}

# The executable of this shell, to start a fresh one (the NuGet global tool runs pwsh under dotnet, so the
# process path is dotnet's; $PSHOME holds pwsh itself).
$script:FwPwsh = @('pwsh.exe', 'pwsh', 'powershell.exe') | ForEach-Object { [System.IO.Path]::Combine($PSHOME, $_) } |
    Where-Object { [System.IO.File]::Exists($_) } | Select-Object -First 1

# Writes a .reg export as `reg export` does (UTF-16LE with a BOM): the header, one key, "name"="data" lines with
# \ and " escaped, then $Extra lines. $Rule: an ordered dictionary of value name -> rule string. Returns the path.
function New-FwTestRegExport {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Rule,
        [string] $Key = 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules',
        [string[]] $Extra = @()
    )
    $escape = { param($s) $s.Replace('\', '\\').Replace('"', '\"') }
    $lines = @('Windows Registry Editor Version 5.00', '', "[$Key]")
    foreach ($name in $Rule.Keys) { $lines += '"{0}"="{1}"' -f (& $escape $name), (& $escape $Rule[$name]) }
    $lines += $Extra
    [System.IO.File]::WriteAllText($Path, (($lines -join "`r`n") + "`r`n`r`n"), [System.Text.UnicodeEncoding]::new($false, $true))
    (Resolve-Path -LiteralPath $Path).Path
}

# The rule strings of tests/data/rules/reference-rules.txt (formats.md section 4.3), in order.
$script:FwReferenceRuleStrings = @([System.IO.File]::ReadAllLines([System.IO.Path]::Combine($FwRepo, 'tests', 'data', 'rules', 'reference-rules.txt')) |
        Where-Object { $_ -cmatch '^[vV]' })
