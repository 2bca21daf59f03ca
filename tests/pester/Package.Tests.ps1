# The package as an admin gets it: `make package` builds out/Fw/<version>/ and out/repo/Fw.<version>.nupkg (make
# test-pester depends on it; this file builds nothing). Each test runs a fresh shell of the same kind (pwsh, or
# powershell.exe under Windows PowerShell) with its own PSResourceGet settings and module folder (HOME and XDG_*
# under $TestDrive), so nothing is registered or installed in the user's real folders. On Windows, where those
# folders cannot be moved by environment, Save-PSResource puts the module in a private folder on PSModulePath
# instead of Install-PSResource -Scope CurrentUser (the same files; the repository registration is removed again).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Version = (Import-PowerShellDataFile -LiteralPath $FwManifest).ModuleVersion
    $script:PackageFolder = [System.IO.Path]::Combine($FwRepo, 'out', 'Fw', $Version)
    $script:RepoFolder = [System.IO.Path]::Combine($FwRepo, 'out', 'repo')
    $script:Nupkg = [System.IO.Path]::Combine($RepoFolder, "Fw.$Version.nupkg")
    if (-not [System.IO.File]::Exists($Nupkg)) { throw "No package at '$Nupkg': run 'make package' first." }
    # This same shell, started afresh: $PSHOME holds its executable (the process itself may be the dotnet host).
    $script:Pwsh = @('pwsh.exe', 'pwsh', 'powershell.exe') | ForEach-Object { [System.IO.Path]::Combine($PSHOME, $_) } |
        Where-Object { [System.IO.File]::Exists($_) } | Select-Object -First 1
    if (-not $Pwsh) { throw "No PowerShell executable in '$PSHOME'." }
    $script:OnWindows = [Environment]::OSVersion.Platform -eq 'Win32NT'   # $IsWindows does not exist in 5.1
    $script:Rid = if ($OnWindows) { if ([Environment]::Is64BitProcess) { 'win-x64' } else { 'win-x86' } } else { 'linux-x64' }
    $script:NativeFile = if ($OnWindows) { 'fwcore.dll' } else { 'fwcore.so' }
    # A library for another platform than this process.
    $script:ForeignLibrary = if ($OnWindows) { 'linux-x64/fwcore.so' } else { 'win-x86/fwcore.dll' }

    # A private home for child shells: PSResourceGet's repository list, the CurrentUser module folder (PSResourceGet
    # installs under HOME/.local/share on Linux, whatever XDG_DATA_HOME says) and the module analysis cache all live
    # under it. The folders must exist: .NET reports a missing one as '' and PSResourceGet then writes to the
    # current folder.
    function New-FwPrivateHome([string] $Path) {
        $h = @{
            HOME             = $Path
            XDG_DATA_HOME    = [System.IO.Path]::Combine($Path, '.local', 'share')
            XDG_CONFIG_HOME  = [System.IO.Path]::Combine($Path, '.config')
            XDG_CACHE_HOME   = [System.IO.Path]::Combine($Path, '.cache')
            WorkingDirectory = [System.IO.Path]::Combine($Path, 'work')
            Modules          = [System.IO.Path]::Combine($Path, 'Modules')
        }
        foreach ($k in $h.Keys) { if ($k -ne 'HOME') { [void][System.IO.Directory]::CreateDirectory($h[$k]) } }
        if ($OnWindows) { $h['PSModulePath'] = $h.Modules }
        $h
    }

    # Where PSResourceGet would install for the real user: the test checks it gains nothing.
    $script:RealUserModules = if ($OnWindows) { $null } else {
        [System.IO.Path]::Combine([Environment]::GetFolderPath('UserProfile'), '.local', 'share', 'powershell', 'Modules', 'Fw')
    }

    # Runs a script in a fresh `pwsh -NoProfile` with the given environment (PSModulePath removed, so the child
    # computes its own from XDG_DATA_HOME) and returns exit code, stdout and stderr.
    function Invoke-FwChildPwsh {
        param([string] $Script, [Parameter(Mandatory)] [hashtable] $Environment, [string[]] $FileArguments)
        $psi = [System.Diagnostics.ProcessStartInfo]::new($Pwsh)
        # One argument string (ProcessStartInfo.ArgumentList is missing in .NET Framework); the arguments here are
        # switches, base64 and paths without quotes.
        $words = @('-NoProfile', '-NonInteractive')
        if ($FileArguments) { $words += @('-File') + @($FileArguments | ForEach-Object { if ($_ -match '^-') { $_ } else { '"' + $_ + '"' } }) }
        else { $words += @('-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))) }
        $psi.Arguments = $words -join ' '
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $psi.WorkingDirectory = $Environment.WorkingDirectory
        [void]$psi.Environment.Remove('PSModulePath')
        [void]$psi.Environment.Remove('FW_NATIVE_PATH')
        foreach ($k in $Environment.Keys) { if ($k -notin 'WorkingDirectory', 'Modules') { $psi.Environment[$k] = $Environment[$k] } }
        $psi.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
        $psi.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
        $p = [System.Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $stdout; Error = $stderr.Result }
    }

    # The last line of a child's output, which the child scripts below write with ConvertTo-Json -Compress.
    function ConvertFrom-FwChildJson($Result) {
        $line = @($Result.Output -split "`n" | Where-Object { $_.Trim() }) | Select-Object -Last 1
        if (-not $line) { throw "The child pwsh wrote nothing (exit $($Result.ExitCode)): $($Result.Error)" }
        $line | ConvertFrom-Json
    }
}

Describe 'The package folder' {
    It 'has the manifest, Fw.dll at its root, views, help, license, samples and fwcore for every runtime' {
        $expected = @(
            'Fw.psd1', 'Fw.dll', 'LICENSE', 'en-US/Fw.dll-Help.xml', 'en-US/about_Fw.help.txt',
            'en-US/about_Fw_ScheduledTask.help.txt', 'samples/director.log', 'samples/director-rules.txt', 'samples/Invoke-FwDropReport.ps1',
            'win-x64/fwcore.dll', 'win-x86/fwcore.dll', 'linux-x64/fwcore.so'
        )
        foreach ($f in $expected) { [System.IO.Path]::Combine($PackageFolder, $f) | Should -Exist }
        $manifest = Test-ModuleManifest -Path ([System.IO.Path]::Combine($PackageFolder, 'Fw.psd1'))
        $manifest.RootModule | Should -Be 'Fw.dll'
        $manifest.Version | Should -Be $Version
        $manifest.DotNetFrameworkVersion | Should -Be '4.7.2'
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Match $Version
        foreach ($f in $manifest.ExportedFormatFiles) { $f | Should -Exist }
    }
    It 'exports what the source manifest exports' {
        $source = Import-PowerShellDataFile -LiteralPath $FwManifest
        $packaged = Import-PowerShellDataFile -LiteralPath ([System.IO.Path]::Combine($PackageFolder, 'Fw.psd1'))
        $packaged.CmdletsToExport | Should -Be $source.CmdletsToExport
        $packaged.FormatsToProcess.Count | Should -Be $source.FormatsToProcess.Count
    }
    It 'ships Windows libraries of the right architecture' {
        # PE header: the machine field after "PE\0\0" is 0x8664 (x64) or 0x14c (x86).
        foreach ($case in @(@{ Rid = 'win-x64'; Machine = 0x8664 }, @{ Rid = 'win-x86'; Machine = 0x14c })) {
            $bytes = [System.IO.File]::ReadAllBytes([System.IO.Path]::Combine($PackageFolder, $case.Rid, 'fwcore.dll'))
            $pe = [BitConverter]::ToInt32($bytes, 0x3c)
            [System.Text.Encoding]::ASCII.GetString($bytes, $pe, 2) | Should -Be 'PE'
            [BitConverter]::ToUInt16($bytes, $pe + 4) | Should -Be $case.Machine
        }
    }
}

# Windows PowerShell 5.1 has no PSResourceGet unless someone installed it.
Describe 'Install-PSResource from a local repository, then Import-Module Fw by name' -Skip:(-not (Get-Command Save-PSResource -ErrorAction SilentlyContinue)) {
    BeforeAll {
        $script:Home1 = New-FwPrivateHome ([System.IO.Path]::Combine($TestDrive, 'home'))
        $script:RealBefore = $RealUserModules -and [System.IO.Directory]::Exists($RealUserModules)
        $repoName = 'FwTest-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $install = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name '$repoName' -Uri '$($RepoFolder.Replace("'", "''"))' -Trusted
if (`$env:OS -eq 'Windows_NT') {
    Save-PSResource -Name Fw -Repository '$repoName' -Path '$($Home1.Modules.Replace("'", "''"))' -TrustRepository -Quiet
    `$r = Get-InstalledPSResource -Name Fw -Path '$($Home1.Modules.Replace("'", "''"))'
}
else {
    Install-PSResource -Name Fw -Repository '$repoName' -Scope CurrentUser -TrustRepository -Quiet
    `$r = Get-InstalledPSResource -Name Fw -Scope CurrentUser
}
Unregister-PSResourceRepository -Name '$repoName'
[pscustomobject]@{ Version = [string]`$r.Version; Location = `$r.InstalledLocation } | ConvertTo-Json -Compress
"@
        $script:Installed = Invoke-FwChildPwsh -Script $install -Environment $Home1
    }

    It 'installs into the private CurrentUser module folder' {
        $Installed.ExitCode | Should -Be 0 -Because $Installed.Error
        $r = ConvertFrom-FwChildJson $Installed
        $r.Version | Should -Be $Version
        $privateModules = if ($OnWindows) { $Home1.Modules } else { [System.IO.Path]::Combine($Home1.XDG_DATA_HOME, 'powershell', 'Modules') }
        $r.Location | Should -Be $privateModules
        [System.IO.Path]::Combine($privateModules, 'Fw', $Version, 'Fw.psd1') | Should -Exist
        # Nothing was written beside the test (PSResourceGet falls back to the current folder without a data folder)
        # nor into the real user's module folder.
        [System.IO.Path]::Combine($Home1.WorkingDirectory, 'PSResourceGet') | Should -Not -Exist
        if ($RealUserModules -and -not $RealBefore) { $RealUserModules | Should -Not -Exist }
    }

    It 'imports by name in a fresh pwsh and runs the Director scenario on the shipped sample log' {
        $scenario = @'
$ErrorActionPreference = 'Stop'
Import-Module Fw
$m = Get-Module Fw
$log = [System.IO.Path]::Combine($m.ModuleBase, 'samples', 'director.log')
$services = @(Measure-FwDrop -Path $log)
$drops = @(Get-FwDrop -Path $log -DestinationPort 49154)
$epmap = @(Get-FwDrop -Path $log -Action Allow -SourceAddress 192.168.10.21 -DestinationAddress 192.168.10.5 -DestinationPort 135)
$script = @(Get-FwDrop -Path $log -DestinationPort 49154 |
    New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -UseRpcKeyword -ExistingRule @() -AsScript)
$table = Get-FwDrop -Path $log -DestinationPort 49154 | Select-Object -First 1 | Format-Table | Out-String -Width 120
[pscustomobject]@{
    ModuleBase   = $m.ModuleBase
    Version      = [string]$m.Version
    Services     = $services.Count
    TopService   = [string]$services[0].Name
    Drops        = $drops.Count
    Sources      = @($drops | ForEach-Object { [string]$_.SourceAddress } | Sort-Object -Unique)
    Actions      = @($drops | ForEach-Object { [string]$_.Action } | Sort-Object -Unique)
    EpMap        = $epmap.Count
    Script       = $script -join "`n"
    Table        = $table
    Synopsis     = (Get-Help Get-FwDrop).Synopsis
    About        = (Get-Help about_Fw | Out-String)
    AboutTask    = (Get-Help about_Fw_ScheduledTask | Out-String)
} | ConvertTo-Json -Compress
'@
        $result = Invoke-FwChildPwsh -Script $scenario -Environment $Home1
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $r = ConvertFrom-FwChildJson $result
        $r.ModuleBase | Should -BeLike "$((ConvertFrom-FwChildJson $Installed).Location)*"
        $r.Version | Should -Be $Version
        $r.Services | Should -BeGreaterThan 1
        $r.TopService | Should -Be 'Inbound, UDP, 137'
        $r.Drops | Should -Be 12
        $r.Sources | Should -Be @('192.168.10.21')
        $r.Actions | Should -Be @('Drop')
        $r.EpMap | Should -BeGreaterThan 0
        $r.Script | Should -Match "New-NetFirewallRule -Name 'Fw-In-TCP-RPC-[0-9a-f]+'"
        $r.Script | Should -Match "-LocalPort 'RPC' -RemoteAddress '192\.168\.10\.0/24' -Profile 'Domain'"
        $r.Table | Should -Match '192\.168\.10\.21\s+192\.168\.10\.5\s+49154' # the default view: source, destination, destination port
        $r.Synopsis | Should -Match 'dropped'
        $r.About | Should -Match 'no online version'
        $r.AboutTask | Should -Match 'Invoke-FwDropReport'
    }

    It 'runs the shipped scheduled-task script with the installed module: new drops once, then nothing' {
        $base = (ConvertFrom-FwChildJson $Installed).Location
        $base = [System.IO.Path]::Combine($base, 'Fw', $Version)
        $task = [System.IO.Path]::Combine($base, 'samples', 'Invoke-FwDropReport.ps1')
        $log = [System.IO.Path]::Combine($TestDrive, 'pfirewall.log')
        [System.IO.File]::Copy([System.IO.Path]::Combine($base, 'samples', 'director.log'), $log)
        $state = [System.IO.Path]::Combine($TestDrive, 'state')
        $reports = [System.IO.Path]::Combine($TestDrive, 'reports')
        $arguments = @($task, '-LogPath', $log, '-StateFolder', $state, '-ReportFolder', $reports)

        $first = Invoke-FwChildPwsh -Environment $Home1 -FileArguments $arguments
        $first.ExitCode | Should -Be 1 -Because "$($first.Output) $($first.Error)"
        $report = @(Get-ChildItem -LiteralPath $reports -Filter 'fw-drops-*.ps1')
        $report.Count | Should -Be 1
        Get-Content -LiteralPath $report[0].FullName -Raw | Should -Match 'New-NetFirewallRule -Name'

        $second = Invoke-FwChildPwsh -Environment $Home1 -FileArguments $arguments
        $second.ExitCode | Should -Be 0 -Because "$($second.Output) $($second.Error)"
        @(Get-ChildItem -LiteralPath $reports -Filter 'fw-drops-*.ps1').Count | Should -Be 1
    }
}

Describe 'A broken native library in an installed copy' {
    BeforeEach {
        # A copy of the package folder as an admin would have it: <modules>/Fw/<version>/.
        $script:Modules = [System.IO.Path]::Combine($TestDrive, 'mods-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
        $script:Copy = [System.IO.Path]::Combine($Modules, 'Fw', $Version)
        [void][System.IO.Directory]::CreateDirectory($Copy)
        Copy-Item -Path ([System.IO.Path]::Combine($PackageFolder, '*')) -Destination $Copy -Recurse
        $script:Library = [System.IO.Path]::Combine($Copy, $Rid, $NativeFile)
        $script:Home2 = New-FwPrivateHome ([System.IO.Path]::Combine($Modules, 'home'))
        $Home2['PSModulePath'] = $Modules
        $script:Probe = @'
Import-Module Fw -ErrorAction Stop
$names = @(Get-Command -Module Fw | ForEach-Object Name)
$synopsis = (Get-Help Get-FwDrop).Synopsis
$log = [System.IO.Path]::Combine((Get-Module Fw).ModuleBase, 'samples', 'director.log')
try {
    $n = @(Get-FwDrop -Path $log).Count
    [pscustomobject]@{ Failed = $false; Count = $n; Commands = $names; Synopsis = $synopsis } | ConvertTo-Json -Compress
}
catch {
    [pscustomobject]@{
        Failed = $true; Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; Target = [string]$_.TargetObject
        Category = [string]$_.CategoryInfo.Category; Commands = $names; Synopsis = $synopsis
    } | ConvertTo-Json -Compress
}
'@
    }

    It 'loads the intact copy (the control case)' {
        $r = ConvertFrom-FwChildJson (Invoke-FwChildPwsh -Script $Probe -Environment $Home2)
        $r.Failed | Should -BeFalse
        $r.Count | Should -BeGreaterThan 0
    }

    It 'a missing library: FwNativeLoadFailed naming the path; the module still imports with its help' {
        [System.IO.File]::Delete($Library)
        $r = ConvertFrom-FwChildJson (Invoke-FwChildPwsh -Script $Probe -Environment $Home2)
        $r.Failed | Should -BeTrue
        $r.Id | Should -BeLike 'FwNativeLoadFailed,*'
        $r.Message | Should -BeLike "*'$Library'*"
        $r.Message | Should -Match 'does not exist'
        $r.Target | Should -Be $Library
        $r.Commands | Should -Contain 'Get-FwDrop'
        $r.Synopsis | Should -Match 'dropped'
    }

    It 'a file of garbage: FwNativeLoadFailed naming the path' {
        $bytes = [byte[]]::new(4096)
        [System.Random]::new(9).NextBytes($bytes)
        [System.IO.File]::WriteAllBytes($Library, $bytes)
        $r = ConvertFrom-FwChildJson (Invoke-FwChildPwsh -Script $Probe -Environment $Home2)
        $r.Failed | Should -BeTrue
        $r.Id | Should -BeLike 'FwNativeLoadFailed,*'
        $r.Message | Should -BeLike "Cannot load the Fw native library '$Library'*"
    }

    It 'a library of another platform in place of this one: FwNativeLoadFailed naming the path' {
        [System.IO.File]::Copy([System.IO.Path]::Combine($Copy, $ForeignLibrary), $Library, $true)
        $r = ConvertFrom-FwChildJson (Invoke-FwChildPwsh -Script $Probe -Environment $Home2)
        $r.Failed | Should -BeTrue
        $r.Id | Should -BeLike 'FwNativeLoadFailed,*'
        $r.Message | Should -BeLike "Cannot load the Fw native library '$Library'*"
    }
}
