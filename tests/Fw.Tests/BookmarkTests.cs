using System.Text;

namespace Fw.Tests;

/// <summary>
/// A log that grows, rotates and truncates like the firewall service's: record n is a DROP from source port n,
/// so a test can tell exactly which records came back and in which order.
/// </summary>
public sealed class RotatingLog : IDisposable
{
    public const string Header = "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n" +
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n\r\n";

    private readonly LogFiles _files = new();

    public RotatingLog(bool create = true)
    {
        Path = System.IO.Path.Combine(_files.Folder, "pfirewall.log");
        Bookmark = System.IO.Path.Combine(_files.Folder, "state", "fw.bookmark.json");
        if (create) Create();
    }

    public string Folder => _files.Folder;
    public string Path { get; }
    public string OldPath => Path + ".old";
    public string Bookmark { get; }
    public int Next { get; private set; } = 1;

    public static string Line(int n, int dstPort = 443) =>
        $"2024-05-01 {(10 + n / 3600) % 24:00}:{n / 60 % 60:00}:{n % 60:00} DROP TCP 192.0.2.7 198.51.100.1 {n} {dstPort} 60 S 100 0 64240 - - - RECEIVE\r\n";

    /// <summary>The next record's line, without writing it (for writing it in parts).</summary>
    public string TakeLine(int dstPort = 443) => Line(Next++, dstPort);

    public void Create() => File.WriteAllText(Path, Header, new UTF8Encoding(false));

    public void AppendRaw(string text)
    {
        using var s = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        var bytes = Encoding.ASCII.GetBytes(text);
        s.Write(bytes, 0, bytes.Length);
    }

    /// <summary>Appends <paramref name="count"/> records and returns their numbers.</summary>
    public List<int> Append(int count, int dstPort = 443)
    {
        var sb = new StringBuilder();
        var numbers = new List<int>();
        for (int i = 0; i < count; i++)
        {
            numbers.Add(Next);
            sb.Append(Line(Next++, dstPort));
        }
        AppendRaw(sb.ToString());
        return numbers;
    }

    /// <summary>The service's rotation: the full file becomes .old (replacing an older one), a new file starts with a header.</summary>
    public void Rotate()
    {
        File.Move(Path, OldPath, overwrite: true);
        Create();
    }

    public void Truncate()
    {
        using var s = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        s.SetLength(0);
        var bytes = Encoding.ASCII.GetBytes(Header);
        s.Write(bytes, 0, bytes.Length);
    }

    public static List<int> Ports(PsResult r) => r.Output.Select(o => (int)o.P("SourcePort")!).ToList();

    public static List<int> Range(int first, int last) => Enumerable.Range(first, last - first + 1).ToList();

    public void Dispose() => _files.Dispose();
}

public sealed class BookmarkTests
{
    private static PsResult Run(PsSession ps, RotatingLog log, string extra = "") =>
        ps.Run($"Get-FwDrop -Path $p -Bookmark $b {extra}", new() { ["p"] = log.Path, ["b"] = log.Bookmark });

    [Fact]
    public void Run_append_run_returns_exactly_the_appended_records()
    {
        using var log = new RotatingLog();
        log.Append(30);
        using var ps = PsSession.Open();

        var first = Run(ps, log).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(1, 30), RotatingLog.Ports(first));
        Assert.True(File.Exists(log.Bookmark), "the first run creates the bookmark (and its folder)");

        var nothing = Run(ps, log).AssertNoErrors();
        Assert.Empty(nothing.Output);

        log.Append(12);
        var second = Run(ps, log).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(31, 42), RotatingLog.Ports(second));
        Assert.Empty(second.Warnings);

        // Human-readable JSON naming the log, the offset and the run's record count.
        string json = File.ReadAllText(log.Bookmark);
        Assert.Contains("\"format\": \"Fw.Bookmark\"", json);
        Assert.Contains("\"logPath\": " + Quote(log.Path), json);
        Assert.Contains($"\"offset\": {new FileInfo(log.Path).Length},", json);
        Assert.Contains("\"recordsRead\": 12", json);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(log.Bookmark)!, "*.tmp"));
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [Fact]
    public void Run_append_rotate_append_run_returns_each_new_record_once_in_order()
    {
        using var log = new RotatingLog();
        log.Append(20);
        using var ps = PsSession.Open();
        Assert.Equal(RotatingLog.Range(1, 20), RotatingLog.Ports(Run(ps, log).AssertNoErrors()));

        log.Append(10); // 21-30: only in the file that becomes .old
        log.Rotate();
        log.Append(5);  // 31-35: the new file
        var second = Run(ps, log).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(21, 35), RotatingLog.Ports(second));
        Assert.All(second.Output.Take(10), o => Assert.EndsWith("pfirewall.log.old", o.S("LogFile")));
        Assert.All(second.Output.Skip(10), o => Assert.EndsWith("pfirewall.log", o.S("LogFile")));
        Assert.Empty(second.Warnings);

        log.Append(2);
        Assert.Equal(RotatingLog.Range(36, 37), RotatingLog.Ports(Run(ps, log).AssertNoErrors()));
    }

    [Fact]
    public void A_partial_last_line_is_delivered_once_when_complete()
    {
        using var log = new RotatingLog();
        log.Append(3);
        string line = log.TakeLine();
        log.AppendRaw(line.Substring(0, 30));
        using var ps = PsSession.Open();
        Assert.Equal(RotatingLog.Range(1, 3), RotatingLog.Ports(Run(ps, log).AssertNoErrors()));
        Assert.Empty(Run(ps, log).AssertNoErrors().Output);
        log.AppendRaw(line.Substring(30));
        Assert.Equal(new List<int> { 4 }, RotatingLog.Ports(Run(ps, log).AssertNoErrors()));
        Assert.Empty(Run(ps, log).AssertNoErrors().Output);
    }

    [Fact]
    public void The_bookmark_covers_filtered_out_lines()
    {
        using var log = new RotatingLog();
        log.Append(5, dstPort: 443);
        log.Append(5, dstPort: 3389);
        using var ps = PsSession.Open();
        var filtered = Run(ps, log, "-DestinationPort 3389").AssertNoErrors();
        Assert.Equal(RotatingLog.Range(6, 10), RotatingLog.Ports(filtered));
        log.Append(3, dstPort: 443);
        Assert.Empty(Run(ps, log, "-DestinationPort 3389").AssertNoErrors().Output);
        // Without the filter only what came after the last run: 1-5 were read (and filtered out) then.
        Assert.Empty(Run(ps, log).AssertNoErrors().Output);
    }

    [Fact]
    public void Both_files_rotated_away_warns_and_repeats_nothing()
    {
        using var log = new RotatingLog();
        log.Append(10);
        using var ps = PsSession.Open();
        Run(ps, log).AssertNoErrors();
        log.Append(2);  // 11-12 are lost: their file is rotated away twice
        log.Rotate();
        log.Append(3);  // 13-15
        log.Rotate();
        log.Append(2);  // 16-17
        var r = Run(ps, log).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(13, 17), RotatingLog.Ports(r));
        Assert.Contains(r.Warnings, w => w.Message.Contains("may have been lost"));
    }

    [Fact]
    public void Truncation_reads_again_from_the_start_with_a_warning()
    {
        using var log = new RotatingLog();
        log.Append(10);
        using var ps = PsSession.Open();
        Run(ps, log).AssertNoErrors();
        log.Truncate();
        log.Append(2);
        var r = Run(ps, log).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(11, 12), RotatingLog.Ports(r));
        Assert.Contains(r.Warnings, w => w.Message.Contains("truncated"));
    }

    [Theory]
    [InlineData("not json at all", "is corrupt: it is not valid JSON")]
    [InlineData("{\"format\": \"Fw.Bookmark\", \"version\": 1, \"logPath\": \"x\"}", "is corrupt")]
    [InlineData("{\"format\": \"Something.Else\"}", "is not an Fw bookmark")]
    [InlineData("{\"format\": \"Fw.Bookmark\", \"version\": 7}", "has version 7")]
    [InlineData("[1, 2,]", "is corrupt")]
    public void A_corrupt_or_foreign_bookmark_is_a_terminating_error_and_is_left_alone(string content, string expected)
    {
        using var log = new RotatingLog();
        log.Append(5);
        Directory.CreateDirectory(Path.GetDirectoryName(log.Bookmark)!);
        File.WriteAllText(log.Bookmark, content);
        using var ps = PsSession.Open();
        var r = Run(ps, log);
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwBookmarkInvalid,Fw.Commands.GetFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains(log.Bookmark, r.Terminating.Message);
        Assert.Contains(expected, r.Terminating.Message);
        Assert.Empty(r.Output);
        Assert.Equal(content, File.ReadAllText(log.Bookmark));
    }

    [Fact]
    public void A_tampered_bookmark_field_is_reported()
    {
        using var log = new RotatingLog();
        log.Append(5);
        using var ps = PsSession.Open();
        Run(ps, log).AssertNoErrors();
        string json = File.ReadAllText(log.Bookmark);
        File.WriteAllText(log.Bookmark, json.Replace("\"prefixHash\": \"0x", "\"prefixHash\": \"zz"));
        var r = Run(ps, log);
        Assert.NotNull(r.Terminating);
        Assert.Contains("prefixHash", r.Terminating!.Message);
    }

    [Fact]
    public void A_bookmark_written_for_another_log_is_refused()
    {
        using var log = new RotatingLog();
        log.Append(5);
        using var other = new RotatingLog();
        other.Append(3);
        using var ps = PsSession.Open();
        Run(ps, log).AssertNoErrors();
        var r = ps.Run("Get-FwDrop -Path $p -Bookmark $b", new() { ["p"] = other.Path, ["b"] = log.Bookmark });
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwBookmarkForeign,Fw.Commands.GetFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains(log.Path, r.Terminating.Message);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void A_run_holding_the_bookmark_makes_a_second_run_fail_clearly()
    {
        using var log = new RotatingLog();
        log.Append(5);
        Directory.CreateDirectory(Path.GetDirectoryName(log.Bookmark)!);
        using var ps = PsSession.Open();
        using (new FileStream(log.Bookmark + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var r = Run(ps, log);
            Assert.NotNull(r.Terminating);
            Assert.Equal("FwBookmarkBusy,Fw.Commands.GetFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
            Assert.Contains("Another Get-FwDrop -Bookmark run holds", r.Terminating.Message);
            Assert.Contains(log.Bookmark, r.Terminating.Message);
            Assert.Empty(r.Output);
            Assert.InRange(watch.Elapsed.TotalSeconds, 2.5, 10); // it waited briefly first
        }
        Assert.Equal(RotatingLog.Range(1, 5), RotatingLog.Ports(Run(ps, log).AssertNoErrors()));
    }

    [Fact]
    public void A_downstream_failure_on_a_record_delivers_that_record_again_next_time()
    {
        using var log = new RotatingLog();
        log.Append(10);
        using var ps = PsSession.Open();
        var r = ps.Run("Get-FwDrop -Path $p -Bookmark $b | ForEach-Object { if ($_.SourcePort -eq 6) { throw 'downstream failed' }; $_ }",
            new() { ["p"] = log.Path, ["b"] = log.Bookmark });
        Assert.NotNull(r.Terminating);
        Assert.Equal(RotatingLog.Range(1, 5), RotatingLog.Ports(r));
        var next = Run(ps, log).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(6, 10), RotatingLog.Ports(next));
    }

    [Fact]
    public void IncludeRotated_reads_the_old_file_first()
    {
        using var log = new RotatingLog();
        log.Append(4);
        log.Rotate();
        log.Append(3);
        using var ps = PsSession.Open();
        var both = ps.Run("Get-FwDrop -Path $p -IncludeRotated", new() { ["p"] = log.Path }).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(1, 7), RotatingLog.Ports(both));
        Assert.EndsWith(".old", both.Output[0].S("LogFile"));
        var live = ps.Run("Get-FwDrop -Path $p", new() { ["p"] = log.Path }).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(5, 7), RotatingLog.Ports(live));
        // The first bookmark run with -IncludeRotated starts at the beginning of .old.
        var bm = Run(ps, log, "-IncludeRotated").AssertNoErrors();
        Assert.Equal(RotatingLog.Range(1, 7), RotatingLog.Ports(bm));
    }

    [Fact]
    public void Bookmark_needs_one_log()
    {
        using var log = new RotatingLog();
        log.Append(2);
        File.Copy(log.Path, Path.Combine(log.Folder, "second.log"));
        using var ps = PsSession.Open();
        var r = ps.Run("Get-FwDrop -Path \"$f/*.log\" -Bookmark $b", new() { ["f"] = log.Folder, ["b"] = log.Bookmark });
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwOneLogOnly,Fw.Commands.GetFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.False(File.Exists(log.Bookmark));
    }

    [Fact]
    public void A_missing_log_is_an_error_and_writes_no_bookmark()
    {
        using var log = new RotatingLog(create: false);
        using var ps = PsSession.Open();
        var r = Run(ps, log);
        Assert.Contains(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("FwLogReadError"));
        Assert.False(File.Exists(log.Bookmark));
    }
}

/// <summary>
/// The scheduled-task script of docs/scheduled-task.md, extracted from the page and run as written (everything but
/// Register-ScheduledTask): exit codes, exactly-once reports across rotation, busy, and a failed report write that
/// leaves the bookmark where it was.
/// </summary>
public sealed class ScheduledTaskScriptTests : IDisposable
{
    private readonly RotatingLog _log = new();
    private readonly string _script;
    private readonly string _state;
    private readonly string _reports;

    public ScheduledTaskScriptTests()
    {
        string doc = File.ReadAllText(Path.Combine(PsSession.RepoRoot, "docs", "scheduled-task.md"));
        const string begin = "<!-- fw-script:begin -->";
        const string end = "<!-- fw-script:end -->";
        int a = doc.IndexOf(begin, StringComparison.Ordinal);
        int b = doc.IndexOf(end, StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a, "docs/scheduled-task.md has no fw-script block");
        string block = doc.Substring(a + begin.Length, b - a - begin.Length).Trim();
        Assert.StartsWith("```powershell", block);
        Assert.EndsWith("```", block);
        block = block.Substring("```powershell".Length, block.Length - "```powershell".Length - 3);
        _script = Path.Combine(_log.Folder, "Invoke-FwDropReport.ps1");
        File.WriteAllText(_script, block);
        _state = Path.Combine(_log.Folder, "ProgramData", "Fw");
        _reports = Path.Combine(_log.Folder, "ProgramData", "Fw", "Reports");
    }

    public void Dispose() => _log.Dispose();

    private string BookmarkFile => Path.Combine(_state, "pfirewall.bookmark.json");

    /// <summary>What each run said, for failure messages.</summary>
    private List<string> Runs { get; } = new();

    private void AssertExit(int expected, int actual) =>
        Assert.True(expected == actual, $"expected exit {expected}, got {actual}; runs:\n{string.Join("\n", Runs)}");

    private (int Exit, PSObject Summary, PsResult Result) RunScript(PsSession ps, string? reports = null)
    {
        var r = ps.Run("& $s -LogPath $p -StateFolder $st -ReportFolder $rf -Module $m; $LASTEXITCODE", new()
        {
            ["s"] = _script, ["p"] = _log.Path, ["st"] = _state, ["rf"] = reports ?? _reports, ["m"] = PsSession.ManifestPath,
        });
        Assert.True(r.Terminating == null, r.Terminating?.Message);
        Assert.True(r.Output.Count == 2, $"script output: {string.Join(" | ", r.Output)}; host: {r.HostText}");
        var warnings = r.Output[0].P("Warnings") as object[];
        Runs.Add($"exit {r.Output[1]}: {string.Join("; ", warnings ?? System.Array.Empty<object>())} {r.HostText}");
        return ((int)r.Output[1].BaseObject, r.Output[0], r);
    }

    [Fact]
    public void Each_drop_is_reported_once_across_runs_and_a_rotation()
    {
        _log.Append(5);
        using var ps = PsSession.Open();
        var first = RunScript(ps);
        AssertExit(1, first.Exit);
        Assert.Equal(5, (int)first.Summary.P("NewDrops")!);
        string report = (string)first.Summary.P("Report")!;
        string text = File.ReadAllText(report);
        Assert.Contains("5 new drop(s)", text);
        Assert.Contains("New-NetFirewallRule", text);
        Assert.True(File.Exists(BookmarkFile));
        Assert.False(File.Exists(BookmarkFile + ".staged"));

        var idle = RunScript(ps);
        AssertExit(0, idle.Exit);
        Assert.Equal(0, (int)idle.Summary.P("NewDrops")!);
        Assert.Null(idle.Summary.P("Report"));

        _log.Append(2);
        _log.Rotate();
        _log.Append(1);
        var third = RunScript(ps);
        AssertExit(1, third.Exit);
        Assert.Equal(3, (int)third.Summary.P("NewDrops")!);
        Assert.Equal(2, Directory.GetFiles(_reports, "*.ps1").Length);
    }

    [Fact]
    public void A_busy_bookmark_is_exit_code_2_and_reads_nothing()
    {
        _log.Append(2);
        Directory.CreateDirectory(_state);
        using var ps = PsSession.Open();
        using (new FileStream(BookmarkFile + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var busy = RunScript(ps);
            AssertExit(2, busy.Exit);
            Assert.Equal(0, (int)busy.Summary.P("NewDrops")!);
        }
        AssertExit(1, RunScript(ps).Exit);
    }

    [Fact]
    public void A_report_that_cannot_be_written_leaves_the_bookmark_and_the_drops_for_the_next_run()
    {
        _log.Append(3);
        using var ps = PsSession.Open();
        AssertExit(1, RunScript(ps).Exit);
        string before = File.ReadAllText(BookmarkFile);
        _log.Append(4);
        string blocked = Path.Combine(_log.Folder, "not-a-folder");
        File.WriteAllText(blocked, "a file where the report folder should be");
        var failed = RunScript(ps, Path.Combine(blocked, "Reports"));
        AssertExit(3, failed.Exit);
        Assert.Equal(before, File.ReadAllText(BookmarkFile));
        var retry = RunScript(ps);
        AssertExit(1, retry.Exit);
        Assert.Equal(4, (int)retry.Summary.P("NewDrops")!);
    }

    [Fact]
    public void A_corrupt_bookmark_is_exit_code_3_and_is_kept()
    {
        _log.Append(1);
        Directory.CreateDirectory(_state);
        File.WriteAllText(BookmarkFile, "{ corrupt");
        using var ps = PsSession.Open();
        var r = RunScript(ps);
        AssertExit(3, r.Exit);
        Assert.Contains(((object[])r.Summary.P("Warnings")!).Select(w => w.ToString()), w => w!.Contains("is corrupt"));
        Assert.Equal("{ corrupt", File.ReadAllText(BookmarkFile));
    }
}
