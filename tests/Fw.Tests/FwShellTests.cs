using System.Diagnostics;

namespace Fw.Tests;

/// <summary>
/// tests/fwsh as a user runs it (a separate process, the project-local pwsh 7.6.9 that `make test-module`
/// installs): exit codes like pwsh -Command / -File, errors on stderr, and a broken native library reported as
/// FwNativeLoadFailed with the path and the ABI version.
/// </summary>
public sealed class FwShellTests
{
    private static (int Code, string Out, string Err) Fwsh(Dictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(PsSession.RepoRoot, "tests", "fwsh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(180_000), "fwsh did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Command_and_File_run_with_Fw_imported_and_exit_codes_like_pwsh()
    {
        if (OperatingSystem.IsWindows()) return; // the launcher is a bash script
        string sample = Path.Combine(PsSession.RepoRoot, "docs", "samples", "director.log");

        var ok = Fwsh(null, "-Command", $"(Get-FwDrop -Path '{sample}' -DestinationPort 49154).Count");
        Assert.Equal(0, ok.Code);
        Assert.Equal("12", ok.Out.Trim());

        var thrown = Fwsh(null, "-Command", "'before'; throw 'boom'; 'after'");
        Assert.Equal(1, thrown.Code);
        Assert.Contains("before", thrown.Out);
        Assert.DoesNotContain("after", thrown.Out);
        Assert.Contains("boom", thrown.Err);

        var missing = Fwsh(null, "-Command", "Get-FwDrop -Path /nonexistent/pfirewall.log");
        Assert.Equal(1, missing.Code);
        Assert.Contains("/nonexistent/pfirewall.log", missing.Err);

        using var files = new LogFiles();
        string script = files.Write("s.ps1", "param($Port, [switch]$Table)\n\"port=$Port table=$Table\"\nexit 7\n", crlf: false);
        var file = Fwsh(null, "-File", script, "-Port", "49154", "-Table");
        Assert.Equal(7, file.Code);
        Assert.Equal("port=49154 table=True", file.Out.Trim());
    }

    [Fact]
    public void A_missing_or_wrong_native_library_is_FwNativeLoadFailed_naming_the_path()
    {
        if (OperatingSystem.IsWindows()) return;
        string sample = Path.Combine(PsSession.RepoRoot, "docs", "samples", "director.log");
        var r = Fwsh(new() { ["FW_NATIVE_PATH"] = "/nonexistent/fwcore.so" }, "-Command",
            $"try {{ Get-FwDrop -Path '{sample}' }} catch {{ $_.FullyQualifiedErrorId; $_.Exception.Message }}; Get-Command Get-FwDrop | ForEach-Object Name");
        Assert.Equal(0, r.Code);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("FwNativeLoadFailed,Fw.Commands.GetFwDropCommand", lines[0]);
        Assert.Contains("/nonexistent/fwcore.so", lines[1]);
        Assert.Matches(@"ABI version \d+", lines[1]);
        Assert.Equal("Get-FwDrop", lines[^1]); // the import itself still worked

        // A file that is not a shared library at all.
        using var files = new LogFiles();
        string bogus = files.Write("fwcore.so", "not an ELF file\n");
        var b = Fwsh(new() { ["FW_NATIVE_PATH"] = bogus }, "-Command", $"Get-FwDrop -Path '{sample}'");
        Assert.Equal(1, b.Code);
        Assert.Contains("Cannot load the Fw native library", b.Err);
        Assert.Contains(bogus, b.Err);
    }
}
