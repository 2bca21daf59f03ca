using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace Fw.Tests.Harness;

/// <summary>
/// A PSHost whose UI records everything written to it: formatted output (Out-Host / Out-Default),
/// "What if:" text, warnings, verbose and error lines. Answers PromptForChoice from a queue
/// (<see cref="ChoiceAnswers"/>) so -Confirm can be tested; with no answer queued it fails the prompt.
/// </summary>
public sealed class CapturingHost : PSHost
{
    private readonly CapturingUI _ui;
    private readonly Guid _id = Guid.NewGuid();

    public CapturingHost(int width = 200) => _ui = new CapturingUI(width);

    /// <summary>Text written through Write/WriteLine (formatted output, What if: messages, Write-Host).</summary>
    public string Text => _ui.Text;

    /// <summary>Every line written, by kind: "out", "error", "warning", "verbose", "debug", "information".</summary>
    public IReadOnlyList<(string Kind, string Line)> Lines => _ui.AllLines;

    /// <summary>Answers for PromptForChoice, in order: the index of the choice to pick.</summary>
    public Queue<int> ChoiceAnswers => _ui.ChoiceAnswers;

    /// <summary>The prompts that were shown (caption + message), in order.</summary>
    public IReadOnlyList<string> Prompts => _ui.Prompts;

    public void Clear() => _ui.Clear();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.GetCultureInfo("en-US");
    public override Guid InstanceId => _id;
    public override string Name => "FwTestHost";
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(1, 0);
    public override void EnterNestedPrompt() => throw new NotSupportedException("nested prompts are not supported in tests");
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class CapturingUI : PSHostUserInterface
    {
        private readonly object _gate = new();
        private readonly StringBuilder _text = new();
        private readonly List<(string, string)> _lines = new();
        private readonly StringBuilder _partial = new();
        private readonly FixedRawUI _raw;

        public CapturingUI(int width) => _raw = new FixedRawUI(width, "Fw tests");

        public Queue<int> ChoiceAnswers { get; } = new();
        public List<string> Prompts { get; } = new();

        public string Text { get { lock (_gate) return _text.ToString(); } }
        public IReadOnlyList<(string, string)> AllLines { get { lock (_gate) return _lines.ToArray(); } }

        public void Clear()
        {
            lock (_gate) { _text.Clear(); _lines.Clear(); _partial.Clear(); }
        }

        public override PSHostRawUserInterface RawUI => _raw;

        public override void Write(string value) => Append(value, newline: false);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value, newline: false);
        public override void WriteLine(string value) => Append(value, newline: true);
        public override void WriteErrorLine(string value) => Add("error", value);
        public override void WriteWarningLine(string message) => Add("warning", message);
        public override void WriteVerboseLine(string message) => Add("verbose", message);
        public override void WriteDebugLine(string message) => Add("debug", message);
        public override void WriteInformation(InformationRecord record) => Add("information", record.ToString());
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        private void Append(string value, bool newline)
        {
            // The formatter colours table headers even with $PSStyle.OutputRendering = 'PlainText' in a custom host;
            // tests compare plain text.
            value = AnsiText.Strip(value);
            lock (_gate)
            {
                _text.Append(value);
                if (newline) _text.Append('\n');
                _partial.Append(value);
                if (newline)
                {
                    _lines.Add(("out", _partial.ToString()));
                    _partial.Clear();
                }
            }
        }

        private void Add(string kind, string line)
        {
            lock (_gate) _lines.Add((kind, line));
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            => throw new NotSupportedException($"Prompt is not supported in tests ({caption}: {message})");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            lock (_gate)
            {
                Prompts.Add(caption + "\n" + message);
                if (ChoiceAnswers.Count == 0)
                    throw new InvalidOperationException($"Unexpected prompt: {caption}: {message}");
                return ChoiceAnswers.Dequeue();
            }
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => throw new NotSupportedException("credentials are not supported in tests");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => throw new NotSupportedException("credentials are not supported in tests");

        public override string ReadLine() => throw new NotSupportedException("ReadLine is not supported in tests");
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
    }
}
