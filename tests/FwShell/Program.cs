using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;
using Fw.Shell;

// fwsh's hosted engine. Usage (as pwsh):
//   FwShell -Command '<script>' [more script words...]
//   FwShell -File <script.ps1> [args...]
// Fw (../../Fw.psd1, or $FWSH_MODULE) is imported first. Exit code: the script's `exit N`, else 1 if
// the script ended in an uncaught terminating error (or, as pwsh -Command does, its last statement
// failed), else 0.

Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
Environment.SetEnvironmentVariable("POWERSHELL_UPDATECHECK", "Off");

string? command = null;
string? file = null;
var fileArgs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string a = args[i];
    if (Is(a, "-NoProfile", "-nop") || Is(a, "-NonInteractive", "-noni") || Is(a, "-NoLogo", "-nol")) continue;
    if (Is(a, "-Command", "-c"))
    {
        command = string.Join(" ", args.Skip(i + 1));
        break;
    }
    if (Is(a, "-File", "-f"))
    {
        if (i + 1 >= args.Length) return Usage("-File needs a script path.");
        file = args[i + 1];
        fileArgs.AddRange(args.Skip(i + 2));
        break;
    }
    if (Is(a, "-Help", "-h", "-?", "/?")) return Usage(null);
    // pwsh treats a bare first argument as -File.
    if (!a.StartsWith('-'))
    {
        file = a;
        fileArgs.AddRange(args.Skip(i + 1));
        break;
    }
    return Usage($"Unknown option '{a}'.");
}
if (command == null && file == null) return Usage("Give -Command or -File.");

string module = Environment.GetEnvironmentVariable("FWSH_MODULE") ?? FindManifest();
var host = new ConsoleHost();
var iss = InitialSessionState.CreateDefault2();
if (OperatingSystem.IsWindows()) iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
using var runspace = RunspaceFactory.CreateRunspace(host, iss);
runspace.Open();

// Plain text when the output is not a terminal (or NO_COLOR is set), as pwsh does.
if (Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") != null ||
    Environment.GetEnvironmentVariable("TERM") == "dumb")
{
    using var style = PowerShell.Create();
    style.Runspace = runspace;
    style.AddScript("$PSStyle.OutputRendering = 'PlainText'").Invoke();
    host.PlainText = true;
}

// Import Fw the way a user would; a failure is a terminating error like any other.
if (!Invoke(ps => ps.AddCommand("Import-Module").AddParameter("Name", module).AddParameter("ErrorAction", ActionPreference.Stop), out _))
    return 1;

bool ok;
bool lastStatus;
if (command != null)
{
    // pwsh -Command exits 1 when the last statement failed ($? false), e.g. a non-terminating error.
    ok = Invoke(ps => ps.AddScript(command + "\n$global:__fwshStatus = $?"), out lastStatus);
    if (ok) lastStatus = runspace.SessionStateProxy.GetVariable("__fwshStatus") is not false;
}
else
{
    string full = Path.GetFullPath(file!);
    if (!File.Exists(full))
    {
        Console.Error.WriteLine($"The argument '{file}' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
        return 64;
    }
    // As pwsh -File: parameter-looking words (-Name, -Name:) stay parameter names, every other word is a string value.
    var words = new System.Text.StringBuilder("& " + Quote(full));
    foreach (var arg in fileArgs)
    {
        var m = Regex.Match(arg, @"^(-[A-Za-z_][\w-]*)(:(.*))?$");
        string word = !m.Success ? Quote(arg)
            : m.Groups[3].Success && m.Groups[3].Length > 0 ? m.Groups[1].Value + ":" + Quote(m.Groups[3].Value)
            : arg;
        words.Append(' ').Append(word);
    }
    ok = Invoke(ps => ps.AddScript(words.ToString()), out lastStatus);
}
Console.Out.Flush();
if (host.ExitCode.HasValue) return host.ExitCode.Value;
if (!ok) return 1;
if (file != null)
{
    // `exit N` inside a script run by -File sets $LASTEXITCODE.
    var code = runspace.SessionStateProxy.GetVariable("LASTEXITCODE");
    if (code is int n) return n;
    return 0;
}
return lastStatus ? 0 : 1;

// Runs one pipeline through Out-Default (errors merged, so they are formatted to stderr as pwsh does).
// Returns false on an uncaught terminating error. lastStatus is the script's final $?.
bool Invoke(Action<PowerShell> build, out bool lastStatus)
{
    lastStatus = true;
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    build(ps);
    ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
    ps.AddCommand("Out-Default");
    try
    {
        ps.Invoke();
        lastStatus = !ps.HadErrors || ps.Streams.Error.Count == 0;
        return true;
    }
    catch (RuntimeException e)
    {
        // `exit N` surfaces as the engine's internal ExitException (or through SetShouldExit).
        if (host.ExitCode.HasValue) return true;
        if (e.GetType().Name == "ExitException")
        {
            var arg = e.GetType().GetProperty("Argument")?.GetValue(e);
            host.SetShouldExit(arg is int code ? code : 0);
            return true;
        }
        ReportTerminating(e);
        lastStatus = false;
        return false;
    }
}

void ReportTerminating(RuntimeException e)
{
    // Format the error record the way the engine formats errors (through Out-Default to the host).
    Console.Out.Flush();
    host.ToStandardError = true;
    try
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddCommand("Out-Default").AddParameter("InputObject", e.ErrorRecord ?? new ErrorRecord(e, "Unhandled", ErrorCategory.NotSpecified, null));
        ps.Invoke();
    }
    catch (RuntimeException)
    {
        Console.Error.WriteLine(e.Message);
    }
    finally
    {
        host.ToStandardError = false;
        Console.Error.Flush();
    }
}

static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

static bool Is(string arg, params string[] names) => names.Any(n => string.Equals(arg, n, StringComparison.OrdinalIgnoreCase));

static string FindManifest()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Fw.psd1"))) return Path.Combine(dir.FullName, "Fw.psd1");
    throw new InvalidOperationException("Fw.psd1 not found above " + AppContext.BaseDirectory + "; set FWSH_MODULE.");
}

static int Usage(string? problem)
{
    if (problem != null) Console.Error.WriteLine("fwsh: " + problem);
    Console.Error.WriteLine("usage: fwsh -Command '<script>' | fwsh -File <script.ps1> [args...]");
    return problem == null ? 0 : 64;
}
