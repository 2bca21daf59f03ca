using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using Fw.Core;
using Fw.Native;

namespace Fw.Commands
{
    /// <summary>
    /// Get-FwDrop's unattended modes, all through the native cursor (fw_cursor): -Bookmark (read only what was
    /// added since the run that wrote the bookmark, across a rotation), -IncludeRotated (pfirewall.log.old before
    /// pfirewall.log) and -Wait (follow the log like Get-Content -Wait, across rotation and truncation).
    ///
    /// Exactly once: a record counts as delivered when it was handed to the pipeline: WriteObject returned, or
    /// threw because the pipeline is stopping (Ctrl+C, or Select-Object -First taking it as its last record). The
    /// bookmark is saved on the way out, however the run ends, at the position just past the last delivered
    /// record's line:
    ///  - normal end, -Timeout, or Ctrl+C between records: just past everything written;
    ///  - a stop while a record was being written: just past that record;
    ///  - a downstream command that failed on a record (WriteObject threw anything else): just before that
    ///    record, so the next run delivers it again;
    ///  - a read error or any other failure: just past the last whole batch written.
    /// The lock file is held from before the bookmark is read until after it is saved, so two runs never
    /// deliver the same records.
    /// </summary>
    public sealed partial class GetFwDropCommand
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
        private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(3);
        private static readonly TimeSpan FollowSaveInterval = TimeSpan.FromSeconds(10);

        private readonly object _wake = new object();
        private bool _cursorRan;

        /// <summary>
        /// A bookmark file (JSON). Reads only what was added to the log since the run that wrote it (including the
        /// unread part of pfirewall.log.old after a rotation), then saves the new position. Missing: the whole log is
        /// read and the bookmark created. Combines with every filter: it records how far the log was read.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Bookmark { get; set; }

        /// <summary>Reads the rotated file (path + ".old") before the log, in time order.</summary>
        [Parameter]
        public SwitchParameter IncludeRotated { get; set; }

        /// <summary>After reading, keeps waiting for new lines (across rotation) until Ctrl+C or -Timeout.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait: stop following after this long (e.g. 00:05:00).</summary>
        [Parameter]
        public TimeSpan Timeout { get; set; }

        private bool CursorMode => Bookmark != null || IncludeRotated.IsPresent || Wait.IsPresent;

        private void CheckCursorParameters()
        {
            bool hasTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout));
            if (hasTimeout && !Wait.IsPresent)
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Timeout applies to -Wait only."),
                    ErrorIds.TimeoutWithoutWait, ErrorCategory.InvalidArgument, Timeout));
            if (hasTimeout && Timeout <= TimeSpan.Zero)
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-Timeout must be positive, not {Timeout}."),
                    ErrorIds.InvalidTimeout, ErrorCategory.InvalidArgument, Timeout));
        }

        private void ReadWithCursor(List<string> files)
        {
            if (files.Count == 0) return;
            bool single = Bookmark != null || Wait.IsPresent;
            if (single && (files.Count > 1 || _cursorRan))
            {
                string what = Bookmark != null ? "-Bookmark" : "-Wait";
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"{what} reads one log at a time, but the input names more than one " +
                                            $"({string.Join(", ", files)}). Run Get-FwDrop once per log, each with its own bookmark file."),
                    ErrorIds.OneLogOnly, ErrorCategory.InvalidArgument, files));
            }
            _cursorRan = true;
            string? bookmarkFile = Bookmark == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Bookmark);
            foreach (var path in files)
            {
                if (_stopping) return;
                ReadOneWithCursor(path, bookmarkFile);
            }
        }

        private sealed class CursorRun
        {
            internal CursorRun(string logPath, string? bookmarkFile) { LogPath = logPath; BookmarkFile = bookmarkFile; }
            internal string LogPath { get; }
            internal string? BookmarkFile { get; }
            internal FwPosition? Delivered; // a position everything before which was delivered
            internal FwPosition? Final;     // set when the run ended inside a batch or on a read error
            internal bool HasFinal;
            internal ulong Emitted;
            internal bool NoLogWarned;
        }

        private void ReadOneWithCursor(string path, string? bookmarkFile)
        {
            BookmarkLock? held = null;
            try
            {
                Bookmark? previous = null;
                if (bookmarkFile != null)
                {
                    held = AcquireBookmark(bookmarkFile);
                    previous = LoadBookmark(bookmarkFile, path);
                }

                FwPosition? start = previous?.Position;
                if (TailMode) // -Tail -Wait: the last records first, then follow from the end they were read to
                {
                    var segments = new List<string>();
                    if (IncludeRotated.IsPresent && System.IO.File.Exists(path + ".old")) segments.Add(path + ".old");
                    segments.Add(path);
                    start = System.IO.File.Exists(path) ? WriteTail(segments) : null;
                    if (_stopping) return;
                }
                LogCursor cursor;
                try
                {
                    cursor = LogCursor.Open(path, start, IncludeRotated.IsPresent && start == null && !TailMode, Wait.IsPresent, _filter);
                }
                catch (FwNativeException e)
                {
                    WriteError(CursorError(new CursorRun(path, bookmarkFile), e));
                    return;
                }
                using (cursor)
                {
                    var run = new CursorRun(path, bookmarkFile) { Delivered = start };
                    bool finished = false;
                    try
                    {
                        TakeWarnings(cursor, run);
                        bool ended = !Drain(cursor, run);
                        if (!ended && Wait.IsPresent) Follow(cursor, run);
                        finished = true;
                    }
                    finally
                    {
                        // However the run ends (the end of the log, -Timeout, Ctrl+C, Select-Object -First, a failure
                        // downstream or here), the bookmark moves past what was delivered. An exception from
                        // anywhere else keeps the last whole batch (at least once, never lost).
                        if (bookmarkFile != null)
                        {
                            FwPosition? at = run.HasFinal ? run.Final : run.Delivered;
                            if (finished && !run.HasFinal)
                            {
                                try { at = cursor.Position() ?? run.Delivered; }
                                catch (FwNativeException) { }
                            }
                            SaveBookmark(run, at, quiet: _stopping || !finished);
                        }
                    }
                }
            }
            finally
            {
                held?.Dispose();
            }
        }

        private BookmarkLock AcquireBookmark(string bookmarkFile)
        {
            try
            {
                if (Core.Bookmark.CreateMissingFolder(bookmarkFile) is string created)
                    WriteWarning($"The folder '{created}' for bookmark '{bookmarkFile}' did not exist and was created.");
                return BookmarkLock.Acquire(bookmarkFile, LockWait, () => _stopping);
            }
            catch (BookmarkBusyException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, ErrorIds.BookmarkBusy, ErrorCategory.ResourceBusy, bookmarkFile));
                throw; // not reached
            }
            catch (BookmarkException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, ErrorIds.BookmarkInvalid, ErrorCategory.WriteError, bookmarkFile));
                throw;
            }
        }

        private Bookmark? LoadBookmark(string bookmarkFile, string path)
        {
            Bookmark? previous;
            try
            {
                previous = Core.Bookmark.Load(bookmarkFile);
            }
            catch (BookmarkException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, ErrorIds.BookmarkInvalid, ErrorCategory.InvalidData, bookmarkFile));
                throw;
            }
            if (previous == null)
            {
                WriteVerbose($"Bookmark '{bookmarkFile}' does not exist yet: reading '{path}' from the start; it is created at the end.");
                return null;
            }
            if (!Core.Bookmark.SameLogPath(previous.LogPath, path))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new BookmarkException($"Bookmark '{bookmarkFile}' was written for the log '{previous.LogPath}', not '{path}'. " +
                                          "Use one bookmark file per log."),
                    ErrorIds.BookmarkForeign, ErrorCategory.InvalidArgument, bookmarkFile));
            }
            WriteVerbose(string.Format(CultureInfo.InvariantCulture,
                "Bookmark '{0}': continuing '{1}' after byte {2} (saved {3:yyyy-MM-dd HH:mm:ss} UTC by a run that delivered {4} record(s)).",
                bookmarkFile, path, previous.Position.Offset, previous.WrittenUtc, previous.RecordsRead));
            return previous;
        }

        private void SaveBookmark(CursorRun run, FwPosition? position, bool quiet)
        {
            if (run.BookmarkFile == null || position == null) return;
            var bookmark = new Core.Bookmark(run.LogPath, position.Value, DateTime.UtcNow, run.Emitted);
            try
            {
                bookmark.Save(run.BookmarkFile);
            }
            catch (BookmarkException e)
            {
                if (quiet) return; // the pipeline is stopping: nothing can be reported
                ThrowTerminatingError(new ErrorRecord(e, ErrorIds.BookmarkWriteFailed, ErrorCategory.WriteError, run.BookmarkFile));
            }
            if (!quiet)
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Bookmark '{0}' saved: {1} record(s) delivered, next run continues after byte {2}.",
                    run.BookmarkFile, run.Emitted, position.Value.Offset));
        }

        private void TakeWarnings(LogCursor cursor, CursorRun run)
        {
            uint flags = cursor.TakeWarnings(out var message);
            if (flags == 0 || _stopping) return;
            if (flags == FwNative.WarnNoLog && Wait.IsPresent)
            {
                // Between a rotation's rename and the new file, or before logging starts: wait quietly.
                if (!run.NoLogWarned) WriteWarning($"'{run.LogPath}' does not exist yet; waiting for it. {LoggingPolicy.Explain(run.LogPath)}");
                run.NoLogWarned = true;
                return;
            }
            if ((flags & FwNative.WarnRealigned) != 0 && run.BookmarkFile != null)
                message = $"Bookmark '{run.BookmarkFile}': {message} The bookmark is saved at a line start at the end of this run.";
            WriteWarning(message);
        }

        // A cursor error, naming the bookmark the run continued from (its position may be what is wrong).
        private ErrorRecord CursorError(CursorRun run, FwNativeException e)
        {
            var error = OpenError(run.LogPath, e);
            if (run.BookmarkFile != null)
                error.ErrorDetails = new ErrorDetails($"{error.Exception.Message} (continuing from bookmark '{run.BookmarkFile}')");
            return error;
        }

        /// <summary>Reads every planned segment; false when the run must end (stopped, or a read error).</summary>
        private unsafe bool Drain(LogCursor cursor, CursorRun run)
        {
            while (!_stopping)
            {
                IntPtr reader;
                string segmentPath;
                try
                {
                    if (!cursor.NextSegment(out reader, out _, out segmentPath)) return true;
                }
                catch (FwNativeException e)
                {
                    WriteError(CursorError(run, e));
                    return false;
                }
                TakeWarnings(cursor, run);
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Reading '{0}' from byte {1}.", segmentPath, LogCursor.Stats(reader).Position));
                var converter = new RecordConverter(segmentPath);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                while (true)
                {
                    if (_stopping) return false; // the reader stopped at a batch end: the cursor's position
                    bool more;
                    IntPtr records;
                    int count;
                    try
                    {
                        more = LogCursor.Next(reader, out records, out count);
                    }
                    catch (FwNativeException e)
                    {
                        WriteError(ReadError(segmentPath, $"Cannot read '{segmentPath}': {e.Message}", Category(e), e));
                        run.Final = run.Delivered; // just past the last whole batch written
                        run.HasFinal = true;
                        return false;
                    }
                    if (!more) break;
                    var p = (FwRecord*)records;
                    var ahead = ConvertAhead(converter, p, count); // -ResolveDns: the batch's names at once
                    for (int i = 0; i < count; i++)
                    {
                        var record = (IntPtr)(p + i);
                        if (_stopping)
                        {
                            if (run.BookmarkFile != null) run.Final = cursor.PositionBefore(record);
                            run.HasFinal = true;
                            return false;
                        }
                        var drop = Enriching ? Enrich(ahead?[i] ?? converter.Convert(p + i)) : converter.Convert(p + i);
                        try
                        {
                            WriteObject(drop);
                        }
                        catch (Exception e)
                        {
                            // Select-Object -First that took this record stops us from inside WriteObject (pwsh 7.6
                            // throws a PipelineStoppedException out of it, 5.1 and older 7.x a
                            // StopUpstreamCommandsException): the record was handed over, it is delivered. A stop of
                            // the whole pipeline (Ctrl+C, PowerShell.Stop) calls StopProcessing first and makes
                            // WriteObject throw before it hands the record over: it is delivered again next run, as is
                            // a record the next command failed on (at least once, never lost).
                            bool handedOver = (e is PipelineStoppedException || e.GetType().Name == "StopUpstreamCommandsException")
                                && !Stopping;
                            if (handedOver) run.Emitted++;
                            if (run.BookmarkFile != null)
                            {
                                run.Final = run.Delivered; // if the position cannot be had: at least once, never lost
                                try { run.Final = handedOver ? cursor.PositionThrough(record) : cursor.PositionBefore(record); }
                                catch (FwNativeException) { }
                                run.HasFinal = true; // saved on the way out (ReadOneWithCursor)
                            }
                            throw;
                        }
                        run.Emitted++;
                    }
                    if (run.BookmarkFile != null) run.Delivered = cursor.Position() ?? run.Delivered;
                }
                var stats = LogCursor.Stats(reader);
                if (!Wait.IsPresent || stats.Skipped > 0 || (stats.Notes & ~FwNative.NotePassedOver) != 0)
                    Report(LogCursor.Diagnostics(reader), segmentPath, stats, watch.Elapsed);
            }
            return false;
        }

        private void Follow(LogCursor cursor, CursorRun run)
        {
            bool hasTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout));
            var deadline = hasTimeout ? DateTime.UtcNow + Timeout : DateTime.MaxValue;
            WriteVerbose(hasTimeout
                ? $"Following '{run.LogPath}' for {Timeout} (Ctrl+C ends it)."
                : $"Following '{run.LogPath}' (Ctrl+C ends it).");
            var lastSave = DateTime.UtcNow;
            while (!_stopping)
            {
                // With -Bookmark, save now and then while following, so a killed process repeats little.
                if (run.BookmarkFile != null && run.Emitted > 0 && DateTime.UtcNow - lastSave >= FollowSaveInterval)
                {
                    SaveBookmark(run, cursor.Position() ?? run.Delivered, quiet: true);
                    lastSave = DateTime.UtcNow;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return;
                lock (_wake)
                {
                    if (!_stopping) Monitor.Wait(_wake, left < PollInterval ? left : PollInterval);
                }
                if (_stopping) return;
                bool ready;
                try
                {
                    ready = cursor.Poll();
                }
                catch (FwNativeException e)
                {
                    WriteError(ReadError(run.LogPath, $"Cannot follow '{run.LogPath}': {e.Message}", Category(e), e));
                    return;
                }
                TakeWarnings(cursor, run);
                if (ready && !Drain(cursor, run)) return;
            }
        }

        private void WakeFollower()
        {
            lock (_wake) Monitor.PulseAll(_wake);
        }
    }
}
