using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Fw.Core;
using Fw.Core.Services;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// What the cmdlets that read firewall logs share (Get-FwDrop, Measure-FwDrop): -Path/-LiteralPath resolved
    /// against the current location (the configured logs on Windows when absent), the filter parameters built into
    /// one native filter, the read loop with progress and Ctrl+C, and the errors for files that cannot be read.
    /// </summary>
    public abstract class FwLogCommand : PSCmdlet, IDisposable
    {
        private protected const string PathSet = "Path";
        private protected const string LiteralPathSet = "LiteralPath";
        private const long ProgressMinBytes = 16L * 1024 * 1024;
        private const int ProgressIntervalMs = 250;
        private const int ProgressActivityId = 0x4677; // "Fw"

        private string[]? _paths;
        private bool _literal;
        private protected DropFilter? _filter;
        private protected volatile bool _stopping;

        /// <summary>Log files to read. Wildcards are allowed; relative paths resolve against the current location.</summary>
        [Parameter(Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Path
        {
            get => _paths;
            set { _paths = value; _literal = false; }
        }

        /// <summary>Log files to read, taken literally (no wildcards). Binds FullName and PSPath from piped files.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath
        {
            get => _paths;
            set { _paths = value; _literal = true; }
        }

        /// <summary>Actions to return: Drop (the default), Allow, Info-Events-Lost, Open, Open-Inbound, Close; * or All for every action.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(FwActionCompleter))]
        public string[] Action { get; set; } = { "Drop" };

        /// <summary>Protocols: TCP, UDP, ICMP, ICMPv6, or a number 0-255.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Fw.Core.FwProtocolCompleter))]
        public string[]? Protocol { get; set; }

        /// <summary>Source addresses: an address, a CIDR block (10.0.0.0/8), a mask (10.0.0.0/255.0.0.0) or a range (a-b). IPv4 or IPv6.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? SourceAddress { get; set; }

        /// <summary>Destination addresses, in the same forms as -SourceAddress.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DestinationAddress { get; set; }

        /// <summary>Source ports: a port (443) or a range (49152-65535).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? SourcePort { get; set; }

        /// <summary>Destination ports: a port (49154) or a range (49152-65535).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DestinationPort { get; set; }

        /// <summary>Inbound (path RECEIVE) or Outbound (path SEND).</summary>
        [Parameter]
        public FwDirection Direction { get; set; }

        /// <summary>Only lines logged at or after this time (the log's local time).</summary>
        [Parameter]
        public DateTime After { get; set; }

        /// <summary>Only lines logged before this time (the log's local time).</summary>
        [Parameter]
        public DateTime Before { get; set; }

        /// <summary>
        /// A Where-Object condition run natively before records become objects: `{ $_.DestinationPort -eq 49154 }`,
        /// `{ DestinationPort -eq 49154 }`, as a script block or a string. AND'ed with the other filter parameters.
        /// </summary>
        [Parameter]
        [ValidateNotNull]
        public object? Filter { get; set; }

        /// <summary>Most threads reading one log at once (1-256). Default: one per processor core. A log of a few MB,
        /// a UTF-16 log, and -Bookmark or -Wait reads use one thread.</summary>
        [Parameter]
        [ValidateRange(1, FwNative.ReaderThreadsMax)]
        public int ThrottleLimit { get; set; }

        /// <summary>fw_record_fields the records need (0: all); Measure-FwDrop asks for its keys only.</summary>
        private protected uint RecordFields { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            NativeLoader.EnsureLoaded(this);
            _filter = BuildFilter();
        }

        /// <inheritdoc/>
        protected override void EndProcessing() => DisposeFilter();

        /// <inheritdoc/>
        protected override void StopProcessing() => _stopping = true;

        /// <inheritdoc/>
        public void Dispose() => DisposeFilter();

        private void DisposeFilter()
        {
            _filter?.Dispose();
            _filter = null;
        }

        // ---- Filter ------------------------------------------------------------------------------

        private DropFilter BuildFilter()
        {
            var filter = DropFilter.Create();
            try
            {
                if (!Action.Any(a => a == "*" || string.Equals(a, "All", StringComparison.OrdinalIgnoreCase)))
                    AddAll(filter, FwFilterField.Action, Action, nameof(Action));
                AddAll(filter, FwFilterField.Protocol, Protocol, nameof(Protocol));
                AddAll(filter, FwFilterField.SourceAddress, SourceAddress, nameof(SourceAddress));
                AddAll(filter, FwFilterField.DestinationAddress, DestinationAddress, nameof(DestinationAddress));
                AddAll(filter, FwFilterField.SourcePort, SourcePort, nameof(SourcePort));
                AddAll(filter, FwFilterField.DestinationPort, DestinationPort, nameof(DestinationPort));
                if (MyInvocation.BoundParameters.ContainsKey(nameof(Direction)))
                    AddAll(filter, FwFilterField.Direction, new[] { Direction.ToString() }, nameof(Direction));

                bool hasAfter = MyInvocation.BoundParameters.ContainsKey(nameof(After));
                bool hasBefore = MyInvocation.BoundParameters.ContainsKey(nameof(Before));
                if (hasAfter || hasBefore)
                {
                    if (hasAfter && hasBefore && After >= Before)
                    {
                        ThrowTerminatingError(new ErrorRecord(
                            new ArgumentException($"-After ({After:yyyy-MM-dd HH:mm:ss}) must be earlier than -Before ({Before:yyyy-MM-dd HH:mm:ss})."),
                            ErrorIds.InvalidTimeWindow, ErrorCategory.InvalidArgument, After));
                    }
                    filter.SetTime(hasAfter ? After : (DateTime?)null, hasBefore ? Before : (DateTime?)null);
                }
                Core.Filter.FilterParameter.Apply(this, Filter, filter);
                return filter;
            }
            catch
            {
                filter.Dispose();
                throw;
            }
        }

        private void AddAll(DropFilter filter, FwFilterField field, string[]? values, string parameter)
        {
            if (values == null) return;
            foreach (var value in values)
            {
                try
                {
                    filter.Add(field, value.Trim());
                }
                catch (Exception e) when (e is FwNativeException || e is ArgumentException)
                {
                    string reason = e.Message;
                    var error = new ErrorRecord(
                        new ParameterBindingException($"Cannot use '{value}' for -{parameter}: {reason}", e),
                        ErrorIds.InvalidFilterValue, ErrorCategory.InvalidArgument, value);
                    error.ErrorDetails = new ErrorDetails($"Cannot use '{value}' for -{parameter}: {reason}");
                    ThrowTerminatingError(error);
                }
            }
        }

        // ---- Paths -------------------------------------------------------------------------------

        private protected IEnumerable<string> FilesToRead()
        {
            if (_paths == null)
            {
                foreach (var p in DefaultPaths()) yield return p;
                yield break;
            }
            foreach (var given in _paths)
            {
                if (_literal || !WildcardPattern.ContainsWildcardCharacters(given))
                {
                    string? full = ResolveLiteral(given);
                    if (full != null) yield return full;
                    continue;
                }
                foreach (var p in ResolveWildcard(given)) yield return p;
            }
        }

        private string? ResolveLiteral(string given)
        {
            try
            {
                string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(given, out var provider, out _);
                if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                {
                    WriteError(ReadError(given, $"'{given}' is not a file system path (provider {provider.Name}).",
                        ErrorCategory.InvalidArgument, null));
                    return null;
                }
                if (Directory.Exists(full))
                {
                    WriteError(ReadError(full, $"Cannot read '{full}': it is a folder; give a log file such as " +
                        $"'{System.IO.Path.Combine(full, "pfirewall.log")}' or a wildcard.", ErrorCategory.InvalidArgument, null));
                    return null;
                }
                return full;
            }
            catch (Exception e) when (e is SessionStateException || e is ProviderInvocationException ||
                                      e is ArgumentException || e is NotSupportedException || e is IOException)
            {
                WriteError(ReadError(given, $"Cannot resolve '{given}': {e.Message}", ErrorCategory.InvalidArgument, e));
                return null;
            }
        }

        private IEnumerable<string> ResolveWildcard(string given)
        {
            var result = new List<string>();
            try
            {
                var resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(given, out var provider);
                if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                {
                    WriteError(ReadError(given, $"'{given}' is not a file system path (provider {provider.Name}).",
                        ErrorCategory.InvalidArgument, null));
                    return result;
                }
                foreach (var p in resolved)
                    if (!Directory.Exists(p)) result.Add(p);
            }
            catch (ItemNotFoundException)
            {
                // reported below, as for no match
            }
            catch (Exception e) when (e is SessionStateException || e is ProviderInvocationException ||
                                      e is ArgumentException || e is NotSupportedException || e is IOException)
            {
                WriteError(ReadError(given, $"Cannot resolve '{given}': {e.Message}", ErrorCategory.InvalidArgument, e));
                return result;
            }
            if (result.Count == 0)
                WriteError(ReadError(given, $"No log file matches '{given}'.", ErrorCategory.ObjectNotFound, null));
            result.Sort(StringComparer.Ordinal);
            return result;
        }

        /// <summary>
        /// With no -Path: the logs the firewall is configured to write on Windows (fw_log_default_paths: Group
        /// Policy over local settings, all profiles, else %SystemRoot%\System32\LogFiles\Firewall\pfirewall.log);
        /// elsewhere -Path is required.
        /// </summary>
        private IEnumerable<string> DefaultPaths()
        {
            if (!Platform.IsWindows)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("-Path is required on this system: there is no Windows Firewall log to read by default. " +
                                            $"Example: {MyInvocation.MyCommand.Name} -Path ./pfirewall.log"),
                    ErrorIds.PathRequired, ErrorCategory.InvalidArgument, null));
            }
            try
            {
                var configured = LogCursor.DefaultLogPaths();
                if (configured.Length > 0)
                {
                    WriteVerbose($"Firewall log(s) configured on this computer: {string.Join(", ", configured)}.");
                    return configured;
                }
            }
            catch (FwNativeException e)
            {
                WriteVerbose($"Cannot read the firewall's logging settings ({e.Message}); using the default log path.");
            }
            string root = Environment.GetEnvironmentVariable("SystemRoot") ?? @"C:\Windows";
            return new[] { System.IO.Path.Combine(root, "System32", "LogFiles", "Firewall", "pfirewall.log") };
        }

        // ---- Reading -----------------------------------------------------------------------------

        /// <summary>Reads <paramref name="path"/> from <paramref name="startOffset"/>, handing each batch of records
        /// that pass the filter to <paramref name="batch"/> (native memory, valid during the call; a batch may be
        /// empty).</summary>
        private protected ulong ReadLog(string path, ulong startOffset, Action<IntPtr, int> batch) =>
            ReadLog(path, startOffset, reader =>
            {
                if (!reader.Next(out var records, out var count)) return false;
                batch(records, count);
                return true;
            });

        /// <summary>
        /// Reads one log file from <paramref name="startOffset"/> (a line start), calling <paramref name="step"/>
        /// until it returns false (the end of the data). A step takes one step of the reader: records handed out
        /// (<see cref="LogReader.Next"/>) or counted in fwcore (<see cref="DropSummary.Read"/>); it may throw
        /// <see cref="FwNativeException"/>. Reports progress by bytes on long reads, stops on Ctrl+C, and reports
        /// the reader's diagnostics at the end. A file that cannot be read is a non-terminating FwLogReadError.
        /// Returns the byte offset just past the last complete line consumed (0 if the file was not read).
        /// </summary>
        private protected ulong ReadLog(string path, ulong startOffset, Func<LogReader, bool> step)
        {
            LogReader reader;
            try
            {
                reader = LogReader.Open(path, _filter, startOffset, 0, (uint)ThrottleLimit, RecordFields);
            }
            catch (FwNativeException e)
            {
                WriteError(OpenError(path, e));
                return 0;
            }

            var watch = Stopwatch.StartNew();
            long lastProgress = 0;
            bool progressShown = false;
            FwReaderStats stats = default;
            try
            {
                ulong fileSize = reader.Stats().FileSize;
                bool showProgress = fileSize >= ProgressMinBytes;
                WriteVerbose($"Reading '{path}' ({fileSize} bytes) from offset {startOffset}.");
                while (!_stopping)
                {
                    bool more;
                    try
                    {
                        more = step(reader);
                    }
                    catch (FwNativeException e)
                    {
                        WriteError(ReadError(path, $"Cannot read '{path}': {e.Message}", Category(e), e));
                        break;
                    }
                    if (!more) break;
                    if (showProgress && watch.ElapsedMilliseconds - lastProgress >= ProgressIntervalMs)
                    {
                        lastProgress = watch.ElapsedMilliseconds;
                        progressShown = true;
                        var s = reader.Stats();
                        WriteProgressFor(path, s.Position, fileSize, s.Matched, watch.Elapsed, completed: false);
                    }
                }
                stats = reader.Stats();
                if (progressShown) WriteProgressFor(path, stats.Position, fileSize, stats.Matched, watch.Elapsed, completed: true);
                if (!_stopping) Report(reader.Diagnostics(), path, stats, watch.Elapsed);
                return stats.Position;
            }
            finally
            {
                reader.Dispose();
            }
        }

        private protected void WriteProgressFor(string path, ulong position, ulong size, ulong matched, TimeSpan elapsed, bool completed)
        {
            var progress = new ProgressRecord(ProgressActivityId, $"Reading {path}",
                $"{position / (1024 * 1024)} of {size / (1024 * 1024)} MB, {matched} matching line(s)");
            if (completed)
            {
                progress.RecordType = ProgressRecordType.Completed;
            }
            else if (size > 0)
            {
                int percent = (int)Math.Min(100UL, position * 100UL / size);
                progress.PercentComplete = percent;
                if (position > 0)
                {
                    double rate = position / Math.Max(elapsed.TotalSeconds, 0.001);
                    progress.SecondsRemaining = (int)Math.Min(int.MaxValue, (size - Math.Min(size, position)) / Math.Max(rate, 1));
                }
            }
            WriteProgress(progress);
        }

        private protected unsafe void Report(List<LineMessage> diagnostics, string path, FwReaderStats stats, TimeSpan elapsed)
        {
            string encoding = stats.Encoding == FwNative.EncodingUtf16LE ? "UTF-16LE" : "UTF-8";
            WriteVerbose($"'{path}': {stats.Lines} line(s), {stats.Records} record(s), {stats.Matched} matching, " +
                         $"{stats.Skipped} skipped; {stats.Headers} #Fields header(s), {stats.LayoutChanges} layout change(s); " +
                         $"{encoding}; pid column: {(stats.HasPid != 0 ? "yes" : "no")}; {elapsed.TotalMilliseconds:F0} ms.");
            if ((stats.Notes & FwNative.NotePassedOver) != 0)
                WriteVerbose($"'{path}': lines that cannot hold the port asked for were passed over unread (they are not counted as records, " +
                             "and a malformed one among them is not reported); read without the port filter to check every line.");
            if (stats.LayoutChanges > 0)
                WriteVerbose($"'{path}': the column layout changed {stats.LayoutChanges} time(s) (a new #Fields line); each part was read with its own columns.");
            if (stats.NulBytes > 0)
                WriteVerbose($"'{path}': ignored {stats.NulBytes} NUL padding byte(s).");
            if (stats.PartialTail != 0)
                WriteVerbose($"'{path}': the last line has no line end yet (still being written); it was not read.");
            foreach (var (line, message) in diagnostics)
                WriteVerbose($"'{path}': {message}");
            if ((stats.Notes & FwNative.NoteShrank) != 0)
                WriteWarning($"'{path}' shrank while it was read ({stats.FileSize} bytes when opened): the records up to byte {stats.Position} " +
                             "were read, the rest is gone (the log was truncated or rewritten meanwhile).");
            if ((stats.Notes & FwNative.NoteCrOnly) != 0)
                WriteWarning($"'{path}' ends its lines with CR alone (no LF), which Windows never writes: its records cannot be read. " +
                             "Convert the line ends to CRLF (or LF) and read it again.");
            if (stats.Skipped > 0)
            {
                // Each line listed once (fragments of a NUL-cut line are not repeated); 0 ends the list.
                var lines = new List<string>();
                for (int i = 0; i < FwNative.MaxSkippedLines && stats.SkippedLines[i] != 0; i++)
                    lines.Add(stats.SkippedLines[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
                string more = stats.Skipped > (ulong)lines.Count ? ", ..." : string.Empty;
                WriteWarning($"'{path}': skipped {stats.Skipped} malformed line(s) (line {string.Join(", ", lines)}{more}). " +
                             "Use -Verbose for details.");
            }
        }

        // ---- Errors ------------------------------------------------------------------------------

        private protected static ErrorCategory Category(FwNativeException e)
        {
            if (e.IsNotFound) return ErrorCategory.ObjectNotFound;
            if (e.IsAccessDenied) return ErrorCategory.PermissionDenied;
            return ErrorCategory.ReadError;
        }

        private protected static ErrorRecord OpenError(string path, FwNativeException e)
        {
            string message;
            if (e.IsNotFound)
                message = $"Cannot read '{path}': the file does not exist.";
            else if (e.IsAccessDenied)
                message = $"Cannot read '{path}': access is denied. Reading the firewall log needs administrator rights: " +
                          "run PowerShell as Administrator (elevated).";
            else
                message = $"Cannot read '{path}': {e.Message}";
            return ReadError(path, message, Category(e), e);
        }

        private protected static ErrorRecord ReadError(string path, string message, ErrorCategory category, Exception? inner)
        {
            Exception exception = category switch
            {
                ErrorCategory.ObjectNotFound => new FileNotFoundException(message, path, inner),
                ErrorCategory.PermissionDenied => new UnauthorizedAccessException(message, inner),
                _ => new IOException(message, inner),
            };
            return new ErrorRecord(exception, ErrorIds.LogReadError, category, path);
        }
    }
}
