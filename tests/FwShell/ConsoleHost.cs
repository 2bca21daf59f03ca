using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace Fw.Shell;

/// <summary>
/// A minimal non-interactive console host: formatted output, warnings and verbose text go to stdout
/// (as pwsh prints them), errors to stderr. Prompts fail, as in `pwsh -NonInteractive`.
/// </summary>
internal sealed class ConsoleHost : PSHost
{
    private readonly ConsoleUI _ui = new();
    private readonly Guid _id = Guid.NewGuid();

    public int? ExitCode { get; private set; }

    /// <summary>Strip ANSI escape sequences (output is not a terminal).</summary>
    public bool PlainText { get => _ui.PlainText; set => _ui.PlainText = value; }

    /// <summary>Send formatted output to stderr (while an uncaught error is being printed).</summary>
    public bool ToStandardError { get => _ui.ToStandardError; set => _ui.ToStandardError = value; }

    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
    public override Guid InstanceId => _id;
    public override string Name => "fwsh";
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(0, 1, 0);
    public override void EnterNestedPrompt() => throw new NotSupportedException("fwsh is not interactive");
    public override void ExitNestedPrompt() => throw new NotSupportedException("fwsh is not interactive");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;

    private sealed class ConsoleUI : PSHostUserInterface
    {
        private readonly FixedRawUI _raw = new(ConsoleWidth(), "fwsh");
        private readonly TextWriter _stdout = Console.Out;
        private readonly TextWriter _err = Console.Error;

        public bool ToStandardError { get; set; }

        private TextWriter Out => ToStandardError ? _err : _stdout;

        public bool PlainText { get; set; }

        private string Text(string s) => PlainText ? AnsiText.Strip(s) : s;

        public override PSHostRawUserInterface RawUI => _raw;
        public override void Write(string value) => Out.Write(Text(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Out.Write(Text(value));
        public override void WriteLine(string value) => Out.WriteLine(Text(value));
        public override void WriteErrorLine(string value)
        {
            _stdout.Flush();
            _err.WriteLine(Text(value));
            _err.Flush();
        }
        public override void WriteWarningLine(string message) => Out.WriteLine("WARNING: " + Text(message));
        public override void WriteVerboseLine(string message) => Out.WriteLine("VERBOSE: " + Text(message));
        public override void WriteDebugLine(string message) => Out.WriteLine("DEBUG: " + Text(message));
        public override void WriteInformation(InformationRecord record) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            => throw NotInteractive(caption, message);
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            => throw NotInteractive(caption, message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => throw NotInteractive(caption, message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NotInteractive(caption, message);
        public override string ReadLine() => Console.In.ReadLine() ?? string.Empty;
        public override SecureString ReadLineAsSecureString() => throw NotInteractive("Read-Host", "secure input");

        private static PSInvalidOperationException NotInteractive(string caption, string message) =>
            new($"fwsh is non-interactive and cannot prompt ({caption}: {message}). Use -Confirm:$false or -Force.");
    }

    private static int ConsoleWidth()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int c) && c > 20) return c;
        try
        {
            if (!Console.IsOutputRedirected && Console.WindowWidth > 20) return Console.WindowWidth;
        }
        catch (IOException) { }
        return 150;
    }
}
