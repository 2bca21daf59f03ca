# Loading Fw: what Windows PowerShell 5.1 needs of Fw.dll, the native library per platform, long paths.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:FwAssembly = (Get-Module Fw).ImplementingAssembly
    $script:Pwsh = @('pwsh.exe', 'pwsh') | ForEach-Object { [System.IO.Path]::Combine($PSHOME, $_) } |
        Where-Object { [System.IO.File]::Exists($_) } | Select-Object -First 1
    $script:OnWindows = [Environment]::OSVersion.Platform -eq 'Win32NT'   # $IsWindows does not exist in 5.1
    $script:CheckRefs = [System.IO.Path]::Combine($FwRepo, 'tools', 'check-assembly-refs.ps1')

    # Calls an internal static method of Fw.dll (the module's own logic, without a platform to run it on).
    function Invoke-FwInternal([string] $Type, [string] $Method, [object[]] $Arguments) {
        $t = $FwAssembly.GetType($Type, $true)
        $m = $t.GetMethod($Method, [System.Reflection.BindingFlags]'Static, NonPublic, Public')
        if (-not $m) { throw "$Type has no method $Method" }
        $m.Invoke($null, $Arguments)
    }
}

# The reference check reads metadata with System.Reflection.Metadata, which PowerShell 7 has in the box.
Describe 'Fw.dll for Windows PowerShell 5.1 (.NET Framework 4.7.2)' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
    It 'references only netstandard and System.Management.Automation, and no ValueTuple or RuntimeInformation' {
        $out = & $Pwsh -NoProfile -NonInteractive -File $CheckRefs $FwAssembly.Location
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match 'assembly references: netstandard 2\.0\.0\.0; System\.Management\.Automation'
    }
    It 'the check fails on an assembly that uses a tuple and RuntimeInformation (it can fail)' {
        $dll = [System.IO.Path]::Combine($TestDrive, 'Tuples.dll')
        Add-Type -OutputAssembly $dll -OutputType Library -TypeDefinition @'
public static class FwTupleProbe {
    public static (int A, string B) Pair() => (1, System.Runtime.InteropServices.RuntimeInformation.OSDescription);
}
'@
        $out = & $Pwsh -NoProfile -NonInteractive -File $CheckRefs $dll
        $LASTEXITCODE | Should -Be 1
        $text = $out -join "`n"
        $text | Should -Match "FAIL: uses type 'System\.ValueTuple``2'"
        $text | Should -Match "FAIL: uses type 'System\.Runtime\.InteropServices\.RuntimeInformation'"
        $text | Should -Match "FAIL: references assembly 'System\.Runtime'"
    }
    It 'the manifest asks for .NET Framework 4.7.2 in Windows PowerShell' {
        (Test-ModuleManifest -Path $FwManifest).DotNetFrameworkVersion | Should -Be '4.7.2'
    }
}

Describe 'Native library location' {
    It 'picks the runtime folder of this process' {
        $expected = if ($OnWindows) { if ([Environment]::Is64BitProcess) { 'win-x64' } else { 'win-x86' } }
                    elseif (-not $OnWindows -and $IsLinux -and [Environment]::Is64BitProcess -and
                            [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64') { 'linux-x64' }
                    else { 'not a supported platform' }
        Invoke-FwInternal 'Fw.NativeLoader' 'RuntimeFolder' @() | Should -Be $expected
    }
    It 'loads bin/(runtime folder)/fwcore in a source checkout' {
        $rid = Invoke-FwInternal 'Fw.NativeLoader' 'RuntimeFolder' @()
        $path = $FwAssembly.GetType('Fw.NativeLoader', $true).GetProperty('ExpectedPath', [System.Reflection.BindingFlags]'Static, NonPublic').GetValue($null)
        $path | Should -Be ([System.IO.Path]::Combine($FwRepo, 'bin', $rid, $(if ($OnWindows) { 'fwcore.dll' } else { 'fwcore.so' })))
        @(Get-FwDrop -Path $FwSampleLog -DestinationPort 49154).Count | Should -Be 12
    }
    It 'names the platform and the supported ones for an unsupported architecture (<Rid>)' -TestCases @(
        @{ Rid = 'linux-arm64'; Arch = 'arm64' }
        @{ Rid = 'win-arm64'; Arch = 'arm64' }
        @{ Rid = 'osx-x64'; Arch = 'x64' }
    ) {
        param($Rid, $Arch)
        $message = Invoke-FwInternal 'Fw.Native.Platform' 'UnsupportedMessage' @($Rid, "/opt/Fw/$Rid/fwcore.so")
        $message | Should -BeLike "Fw does not support this platform: the process runs as $Rid (architecture $Arch)*"
        $message | Should -Match 'win-x64, win-x86, linux-x64'
        $message | Should -Match 'FW_NATIVE_PATH'
        if ($Rid -eq 'win-arm64') { $message | Should -Match 'x64 PowerShell 7' }
    }
    It 'knows which runtimes it supports (<Rid>: <Supported>)' -TestCases @(
        @{ Rid = 'win-x64'; Supported = $true }, @{ Rid = 'win-x86'; Supported = $true }, @{ Rid = 'linux-x64'; Supported = $true }
        @{ Rid = 'win-arm64'; Supported = $false }, @{ Rid = 'linux-arm64'; Supported = $false }, @{ Rid = 'osx-arm64'; Supported = $false }
    ) {
        param($Rid, $Supported)
        Invoke-FwInternal 'Fw.Native.Platform' 'IsSupported' @($Rid) | Should -Be $Supported
    }
}

Describe 'Paths longer than MAX_PATH' {
    It 'gives Windows the long form of <In>' -TestCases @(
        @{ In = 'C:\logs\short.json'; Out = 'C:\logs\short.json' }
        @{ In = 'C:\' + ('d' * 250) + '\b.json'; Out = '\\?\C:\' + ('d' * 250) + '\b.json' }
        @{ In = '\\fs01\share\' + ('d' * 250) + '\b.json'; Out = '\\?\UNC\fs01\share\' + ('d' * 250) + '\b.json' }
        @{ In = '\\?\C:\' + ('d' * 250); Out = '\\?\C:\' + ('d' * 250) }
    ) {
        param($In, $Out)
        Invoke-FwInternal 'Fw.Core.LongPath' 'WindowsForm' @($In) | Should -Be $Out
        Invoke-FwInternal 'Fw.Core.LongPath' 'WithoutPrefix' @($Out) | Should -Be $(if ($In.StartsWith('\\?\')) { $In.Substring(4) } else { $In })
    }

    It 'reads, bookmarks and resumes a log whose folder and bookmark paths are over 260 characters' {
        $deep = $TestDrive
        foreach ($i in 1..4) { $deep = [System.IO.Path]::Combine($deep, ('folder-{0}-' -f $i) + ('x' * 70)) }
        [void][System.IO.Directory]::CreateDirectory($deep)
        $log = [System.IO.Path]::Combine($deep, 'pfirewall.log')
        $bookmark = [System.IO.Path]::Combine($deep, 'state', 'pfirewall.bookmark.json')
        $bookmark.Length | Should -BeGreaterThan 260
        $lines = @(
            '2026-11-23 09:16:17 DROP TCP 192.168.10.21 192.168.10.5 51740 49154 52 S 1 0 64240 - - - RECEIVE 4'
            '2026-11-23 09:16:20 DROP TCP 192.168.10.21 192.168.10.5 51740 49154 52 S 1 0 64240 - - - RECEIVE 4'
        )
        New-FwTestLog -Path $log -Line $lines | Out-Null

        @(Get-FwDrop -Path $log -Bookmark $bookmark).Count | Should -Be 2
        $bookmark | Should -Exist
        (Get-Content -LiteralPath $bookmark -Raw | ConvertFrom-Json) | Should -Not -BeNullOrEmpty
        @(Get-FwDrop -Path $log -Bookmark $bookmark).Count | Should -Be 0

        [System.IO.File]::AppendAllText($log, "2026-11-23 09:17:01 DROP UDP 192.168.10.21 192.168.10.5 5353 5353 60 - - - - - - - RECEIVE 4`r`n")
        $new = @(Get-FwDrop -Path $log -Bookmark $bookmark)
        $new.Count | Should -Be 1
        $new[0].Protocol | Should -Be 'UDP'
    }
}
