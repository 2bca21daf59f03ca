using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Fw.Tests.Harness;

/// <summary>What a script produced: objects, each stream, the host's text and any terminating error.</summary>
public sealed class PsResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<WarningRecord> Warnings { get; init; }
    public required IReadOnlyList<VerboseRecord> Verbose { get; init; }
    public required IReadOnlyList<ProgressRecord> Progress { get; init; }
    public required IReadOnlyList<InformationRecord> Information { get; init; }

    /// <summary>Text the host UI received during this run (formatted output, What if: lines, prompts).</summary>
    public required string HostText { get; init; }

    /// <summary>The terminating error that ended the script, or null.</summary>
    public RuntimeException? Terminating { get; init; }

    /// <summary>The base objects of the output, cast to <typeparamref name="T"/> (fails if one is not a T).</summary>
    public List<T> Objects<T>() => Output.Select(o => Assert.IsType<T>(o.BaseObject)).ToList();

    /// <summary>Fails with every error when the run had a terminating or non-terminating error.</summary>
    public PsResult AssertNoErrors()
    {
        var all = Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}").ToList();
        if (Terminating != null) all.Add($"terminating {Terminating.ErrorRecord?.FullyQualifiedErrorId}: {Terminating.Message}");
        Assert.True(all.Count == 0, "Unexpected errors:\n" + string.Join("\n", all));
        return this;
    }

    public override string ToString() =>
        $"{Output.Count} object(s), {Errors.Count} error(s), {Warnings.Count} warning(s)" +
        (Terminating != null ? $", terminating: {Terminating.Message}" : "");
}

/// <summary>
/// A runspace of the real PowerShell engine (System.Management.Automation, InitialSessionState.CreateDefault2:
/// Microsoft.PowerShell.Core cmdlets only) with a <see cref="CapturingHost"/>, and Fw imported from the
/// repository root (./Fw.psd1 -> bin/Fw.dll, as a user imports it).
/// One per test is the usual pattern: <c>using var ps = PsSession.Open(); var r = ps.Run("Get-FwDrop -Path $p", new() { ["p"] = path });</c>
/// </summary>
public sealed class PsSession : IDisposable
{
    static PsSession()
    {
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
        Environment.SetEnvironmentVariable("POWERSHELL_UPDATECHECK", "Off");
    }

    private readonly Runspace _runspace;

    private PsSession(Runspace runspace, CapturingHost host)
    {
        _runspace = runspace;
        Host = host;
    }

    public CapturingHost Host { get; }

    /// <summary>The repository root (the folder that holds Fw.psd1), found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Full path of the module manifest.</summary>
    public static string ManifestPath => Path.Combine(RepoRoot, "Fw.psd1");

    /// <summary>Opens a runspace with Fw imported. <paramref name="width"/> is the host's line width for formatted output.</summary>
    public static PsSession Open(int width = 200, bool importFw = true)
    {
        var host = new CapturingHost(width);
        var iss = InitialSessionState.CreateDefault2();
        iss.ThrowOnRunspaceOpenError = true;
        if (OperatingSystem.IsWindows())
            iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        var runspace = RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        var session = new PsSession(runspace, host);
        try
        {
            var setup = session.Run("$PSStyle.OutputRendering = 'PlainText'");
            setup.AssertNoErrors();
            if (importFw)
            {
                var import = session.Run("Import-Module -Name $m -ErrorAction Stop", new() { ["m"] = ManifestPath });
                import.AssertNoErrors();
            }
            host.Clear();
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>One-shot: open a session, run <paramref name="script"/>, close it.</summary>
    public static PsResult RunOnce(string script, Dictionary<string, object?>? variables = null, int width = 200)
    {
        using var session = Open(width);
        return session.Run(script, variables);
    }

    /// <summary>
    /// Runs <paramref name="script"/> (a script block body) in this runspace. Each entry of
    /// <paramref name="variables"/> becomes a variable ($name) first. Any terminating error, including a
    /// cmdlet's statement-terminating ThrowTerminatingError (which a plain script would step over), ends the
    /// script and is returned in <see cref="PsResult.Terminating"/> with its original ErrorRecord.
    /// Non-terminating errors (WriteError) go to <see cref="PsResult.Errors"/> and the script goes on.
    /// A script that starts with a param block is run as is (statement-terminating errors then continue).
    /// </summary>
    public PsResult Run(string script, Dictionary<string, object?>? variables = null)
    {
        if (variables != null)
            foreach (var (name, value) in variables)
                _runspace.SessionStateProxy.SetVariable(name, value);

        int mark = Host.Text.Length;
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        bool hasParamBlock = System.Text.RegularExpressions.Regex.IsMatch(script, @"^\s*(\[CmdletBinding|param\s*\()",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        ps.AddScript(hasParamBlock ? script : "try {\n" + script + "\n} catch { throw }");
        // Collected as it is written, so the output before a terminating error is kept.
        var output = new PSDataCollection<PSObject>();
        RuntimeException? terminating = null;
        try
        {
            ps.Invoke(null, output);
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }
        string text = Host.Text;
        return new PsResult
        {
            Output = output.Where(o => o != null).ToList(),
            Errors = ps.Streams.Error.ToList(),
            Warnings = ps.Streams.Warning.ToList(),
            Verbose = ps.Streams.Verbose.ToList(),
            Progress = ps.Streams.Progress.ToList(),
            Information = ps.Streams.Information.ToList(),
            HostText = mark <= text.Length ? text.Substring(mark) : text,
            Terminating = terminating,
        };
    }

    public void Dispose() => _runspace.Dispose();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Fw.psd1")))
                return dir.FullName;
        throw new InvalidOperationException($"No Fw.psd1 above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
