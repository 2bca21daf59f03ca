# tests/fwsh, the project-local pwsh with this checkout's Fw imported (used by `make demo`), as a user runs it: exit
# codes like pwsh -Command / -File, errors on stderr, and FW_NATIVE_PATH pointing at a missing or broken native
# library reported as FwNativeLoadFailed with the path and the ABI version. Moved from the xunit suite (FwShellTests).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Fwsh = [System.IO.Path]::Combine($FwRepo, 'tests', 'fwsh')
    # Runs tests/fwsh with $Arguments (and $Environment added); its exit code, stdout and stderr.
    function Invoke-Fwsh([string[]] $Arguments, [hashtable] $Environment = @{}) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new($Fwsh)
        foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $p = [System.Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit(180000)) { $p.Kill($true); throw 'fwsh did not finish' }
        [pscustomobject]@{ Code = $p.ExitCode; Out = $out.Result; Err = $err.Result }
    }
}

Describe 'tests/fwsh' -Tag 'Fwsh' -Skip:$IsWindows {
    It 'runs -Command and -File with Fw imported, with exit codes like pwsh' {
        $ok = Invoke-Fwsh '-Command', "(Get-FwDrop -Path '$FwSampleLog' -DestinationPort 49154).Count"
        $ok.Code | Should -Be 0 -Because $ok.Err
        $ok.Out.Trim() | Should -Be '12'

        $thrown = Invoke-Fwsh '-Command', "'before'; throw 'boom'; 'after'"
        $thrown.Code | Should -Be 1
        $thrown.Out | Should -Match 'before'
        $thrown.Out | Should -Not -Match 'after'
        $thrown.Err | Should -Match 'boom'

        $missing = Invoke-Fwsh '-Command', 'Get-FwDrop -Path /nonexistent/pfirewall.log'
        $missing.Code | Should -Be 1
        $missing.Err | Should -Match ([regex]::Escape('/nonexistent/pfirewall.log'))

        $script = Join-Path $TestDrive 's.ps1'
        [System.IO.File]::WriteAllText($script, "param(`$Port, [switch]`$Table)`n`"port=`$Port table=`$Table`"`nexit 7`n")
        $file = Invoke-Fwsh '-File', $script, '-Port', '49154', '-Table'
        $file.Code | Should -Be 7
        $file.Out.Trim() | Should -Be 'port=49154 table=True'
    }

    It 'a missing or wrong native library (FW_NATIVE_PATH) is FwNativeLoadFailed naming the path and the ABI version' {
        $r = Invoke-Fwsh '-Command', "try { Get-FwDrop -Path '$FwSampleLog' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }; Get-Command Get-FwDrop | ForEach-Object Name" @{ FW_NATIVE_PATH = '/nonexistent/fwcore.so' }
        $r.Code | Should -Be 0 -Because $r.Err
        $lines = @($r.Out -split "`n" | ForEach-Object Trim | Where-Object { $_ })
        $lines[0] | Should -Be 'FwNativeLoadFailed,Fw.Commands.GetFwDropCommand'
        $lines[1] | Should -Match ([regex]::Escape('/nonexistent/fwcore.so'))
        $lines[1] | Should -Match 'ABI version \d+'
        $lines[-1] | Should -Be 'Get-FwDrop' -Because 'the import itself still worked'

        $bogus = Join-Path $TestDrive 'fwcore.so'
        [System.IO.File]::WriteAllText($bogus, "not an ELF file`n")
        $b = Invoke-Fwsh '-Command', "Get-FwDrop -Path '$FwSampleLog'" @{ FW_NATIVE_PATH = $bogus }
        $b.Code | Should -Be 1
        $b.Err | Should -Match 'Cannot load the Fw native library'
        $b.Err | Should -Match ([regex]::Escape($bogus))
    }
}
