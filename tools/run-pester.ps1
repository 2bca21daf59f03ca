# Runs the Pester suite (tests/pester/*.Tests.ps1) in this pwsh and writes the results where `make test`'s
# summary reads them. Usage: pwsh -File tools/run-pester.ps1 <Pester.psd1> <results dir> [test file or folder ...]
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ResultsDirectory,
    [string[]] $Path = @([System.IO.Path]::Combine($PSScriptRoot, '..', 'tests', 'pester'))
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path -LiteralPath $PesterManifest).Path -Force
$null = New-Item -ItemType Directory -Force -Path $ResultsDirectory

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = [System.IO.Path]::Combine($ResultsDirectory, 'pester.xml')
if ($env:FW_PESTER_TAG) { $config.Filter.Tag = $env:FW_PESTER_TAG -split ',' }

$result = Invoke-Pester -Configuration $config
# One line that tools/test-summary.sh adds to the total. A container that failed to run (a syntax error, a
# BeforeAll that threw) counts as a failure even though its tests never ran.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$line = "pester: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
Set-Content -LiteralPath ([System.IO.Path]::Combine($ResultsDirectory, 'pester.status')) -Value $line
$line
if ($failed -gt 0 -or $result.PassedCount -eq 0) { exit 1 }
exit 0
