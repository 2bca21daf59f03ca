using System.Net;
using System.Text;

namespace Fw.Tests;

/// <summary>Logs shared by the Get-FwDrop tests: real sample lines (tests/data/log/formats-section7.log).</summary>
public sealed class SampleLogs : IDisposable
{
    public LogFiles Files { get; } = new();

    /// <summary>XP/2003 log (plaso test data): 17 fields, OPEN/CLOSE, INFO-EVENTS-LOST, no blank line.</summary>
    public const string Xp = LogFiles.Header17 +
        "2005-04-11 08:05:57 DROP UDP 123.45.78.90 123.156.78.255 137 137 78 - - - - - - - RECEIVE\n" +
        "2005-04-11 08:05:57 DROP UDP 123.45.78.90 255.255.255.255 1631 2234 37 - - - - - - - RECEIVE\n" +
        "2005-04-11 08:05:58 OPEN UDP 123.45.78.90 123.156.78.90 500 500 - - - - - - - - -\n" +
        "2005-04-11 08:06:02 CLOSE UDP 123.45.78.90 123.156.78.90 1027 53 - - - - - - - - -\n" +
        "2005-04-11 08:06:05 DROP UDP 0.0.0.0 255.255.255.255 68 67 328 - - - - - - - RECEIVE\n" +
        "2005-04-11 08:06:26 DROP TCP 123.45.78.90 123.156.78.90 80 1774 576 A 123456789 987654321 12345 - - - RECEIVE\n" +
        "2005-04-11 08:06:27 DROP TCP 123.45.78.90 123.156.78.90 80 1774 576 AP 123456789 987654321 12345 - - - RECEIVE\n" +
        "2005-04-11 08:08:58 DROP ICMP 123.45.78.90 123.156.78.90 7 7 78 - - - - 8 0 - RECEIVE\n" +
        "2005-04-11 08:09:29 OPEN TCP 123.45.78.90 123.156.78.90 1606 445 - - - - - - - - -\n" +
        "2005-04-11 08:48:46 DROP TCP 123.45.78.90 123.156.78.90 80 1693 40 FA 2351482979 694744025 64675 - - - RECEIVE\n" +
        "2005-04-11 08:52:26 INFO-EVENTS-LOST - - - - - - - - - - - - 59 -\n";

    /// <summary>Server 2019 (17 fields, blank line after #Fields), then the header again with pid (18 fields), then 17 again.</summary>
    public const string Mixed = LogFiles.Header17 + "\n" +
        "2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 - - - RECEIVE\n" +
        "2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 52098 139 60 S 3387349162 0 64240 - - - RECEIVE\n" +
        "2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 51426 445 60 S 896008114 0 64240 - - - RECEIVE\n" +
        "2022-07-11 21:03:54 DROP TCP 192.168.122.1 192.168.122.71 53978 47001 60 S 288201912 0 64240 - - - RECEIVE\n" +
        "2022-08-13 07:26:52 ALLOW ICMP 10.21.23.35 10.12.13.14 - - 0 - - - - 8 0 - RECEIVE\n" +
        "2022-08-13 07:26:52 DROP TCP 94.232.47.52 10.12.13.14 28126 3390 52 S 607837051 0 8192 - - - RECEIVE\n" +
        LogFiles.Header18 + "\n" +
        "2022-09-01 10:00:00 ALLOW UDP 192.168.254.106 192.168.254.254 57583 53 0 - - - - - - - SEND 2312\n" +
        "2022-09-01 10:00:01 ALLOW TCP 192.168.254.106 52.221.167.3 50941 443 0 - 0 0 0 - - - SEND 7012\n" +
        "2022-09-01 10:00:02 DROP TCP 192.168.9.163 192.168.9.212 63619 445 64 S 1031365855 0 65535 - - - RECEIVE 4\n" +
        "2022-09-01 10:00:03 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - - - RECEIVE -\n" +
        "2022-09-01 10:00:04 DROP TCP 192.168.10.7 192.168.10.5 50001 49154 52 S 11 0 64240 - - - RECEIVE 3128\n" +
        "2022-09-01 10:00:05 DROP 2 192.168.10.9 224.0.0.22 - - 40 - - - - - - - RECEIVE -\n" +
        LogFiles.Fields17 +
        "2022-09-02 11:00:00 DROP UDP 10.1.7.30 255.255.255.255 1522 14000 104 - - - - - - - RECEIVE\n" +
        "2022-09-02 11:00:01 DROP ICMPv6 fe80::1 ff02::1 - - 72 - - - - 135 0 - RECEIVE\n";

    public string XpPath { get; }
    public string MixedPath { get; }

    public SampleLogs()
    {
        XpPath = Files.Write("xp.log", Xp, crlf: true);
        MixedPath = Files.Write("mixed.log", Mixed, crlf: true);
    }

    public void Dispose() => Files.Dispose();
}

public sealed class GetFwDropTests : IClassFixture<SampleLogs>
{
    private readonly SampleLogs _logs;

    public GetFwDropTests(SampleLogs logs) => _logs = logs;

    private static PsResult Run(string script, Dictionary<string, object?>? vars = null) => PsSession.RunOnce(script, vars);

    private PsResult Mixed(string args) => Run("Get-FwDrop -Path $p " + args, new() { ["p"] = _logs.MixedPath });

    private static List<long> Lines(PsResult r) => r.Output.Select(o => (long)o.P("LineNumber")!).ToList();

    // ---- Reading ------------------------------------------------------------------------------

    [Fact]
    public void Xp_log_with_17_fields_reads_every_line_and_action()
    {
        var r = Run("Get-FwDrop -Path $p -Action *", new() { ["p"] = _logs.XpPath }).AssertNoErrors();
        Assert.Empty(r.Warnings);
        Assert.Equal(11, r.Output.Count);
        Assert.All(r.Output, o => Assert.Equal("Fw.FwDrop", o.TypeName()));
        var actions = r.Output.Select(o => o.S("Action")).ToList();
        Assert.Equal(new[] { "DROP", "DROP", "OPEN", "CLOSE", "DROP", "DROP", "DROP", "DROP", "OPEN", "DROP", "INFO-EVENTS-LOST" }, actions);

        var first = r.Output[0];
        Assert.Equal(new DateTime(2005, 4, 11, 8, 5, 57), (DateTime)first.P("Time")!);
        // Intended change: the log records no offset, so the time claims none (JSON/CliXml write no offset).
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)first.P("Time")!).Kind);
        Assert.Equal("UDP", first.S("Protocol"));
        // Intended change: addresses are text (ConvertTo-Json wrote IPAddress as {"Address":n} or null for IPv6).
        Assert.Equal("123.45.78.90", first.P("SourceAddress"));
        Assert.Equal("123.156.78.255", first.P("DestinationAddress"));
        Assert.Equal(137, first.P("SourcePort"));
        Assert.Equal(137, first.P("DestinationPort"));
        Assert.Equal(78L, first.P("Size"));
        Assert.Null(first.P("TcpFlags"));
        Assert.Null(first.P("TcpSyn"));
        Assert.Null(first.P("ProcessId"));
        Assert.Equal("RECEIVE", first.S("Path"));
        Assert.Equal("Inbound", first.S("Direction"));
        Assert.Equal(_logs.XpPath, first.S("LogFile"));
        Assert.Equal(5L, first.P("LineNumber"));

        var tcp = r.Output[9];
        Assert.Equal("FA", tcp.S("TcpFlags"));
        Assert.Equal(2351482979L, tcp.P("TcpSyn"));
        Assert.Equal(694744025L, tcp.P("TcpAck"));
        Assert.Equal(64675, tcp.P("TcpWindow"));

        var icmp = r.Output[7];
        Assert.Equal("ICMP", icmp.S("Protocol"));
        Assert.Equal(8, icmp.P("IcmpType"));
        Assert.Equal(0, icmp.P("IcmpCode"));

        var open = r.Output[2];
        Assert.Null(open.P("Size"));
        Assert.Null(open.P("Path"));
        Assert.Null(open.P("Direction"));
        Assert.Null(open.P("LocalAddress"));

        var lost = r.Output[10];
        Assert.Equal(59L, lost.P("Info"));
        Assert.Null(lost.P("Protocol"));
        Assert.Null(lost.P("SourceAddress"));
        Assert.Null(lost.P("DestinationPort"));
        Assert.Null(lost.P("Path"));
    }

    [Fact]
    public void Default_action_is_drop()
    {
        var r = Run("Get-FwDrop -Path $p", new() { ["p"] = _logs.XpPath }).AssertNoErrors();
        Assert.Equal(7, r.Output.Count);
        Assert.All(r.Output, o => Assert.Equal("DROP", o.S("Action")));
    }

    [Fact]
    public void Header_again_mid_file_switches_between_17_and_18_fields()
    {
        var r = Mixed("-Action * -Verbose").AssertNoErrors();
        Assert.Empty(r.Warnings);
        Assert.Equal(14, r.Output.Count);
        // 17-field part: no pid column, ProcessId is null.
        Assert.All(r.Output.Take(6), o => Assert.Null(o.P("ProcessId")));
        // 18-field part: pid as logged, '-' is null.
        Assert.Equal(new int?[] { 2312, 7012, 4, null, 3128, null }, r.Output.Skip(6).Take(6).Select(o => (int?)o.P("ProcessId")).ToArray());
        // back to 17 fields.
        Assert.All(r.Output.Skip(12), o => Assert.Null(o.P("ProcessId")));
        Assert.Equal("10.1.7.30", r.Output[12].S("SourceAddress"));
        Assert.Contains(r.Verbose, v => v.Message.Contains("layout", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Absent_fields_are_null_and_protocols_by_number_read()
    {
        var r = Mixed("-Action *").AssertNoErrors();
        var icmp = r.Output.Single(o => o.S("Action") == "ALLOW" && o.S("Protocol") == "ICMP");
        Assert.Null(icmp.P("SourcePort"));
        Assert.Null(icmp.P("DestinationPort"));
        Assert.Null(icmp.P("LocalPort"));
        Assert.Equal(0L, icmp.P("Size"));
        Assert.Null(icmp.P("TcpFlags"));
        Assert.Null(icmp.P("TcpWindow"));
        Assert.Equal(8, icmp.P("IcmpType"));

        var igmp = r.Output.Single(o => o.S("Protocol") == "2");
        Assert.Equal("224.0.0.22", igmp.S("DestinationAddress"));

        var icmp6 = r.Output.Single(o => o.S("Protocol") == "ICMPv6");
        Assert.Equal(135, icmp6.P("IcmpType"));

        var allowTcp = r.Output.Single(o => o.S("Action") == "ALLOW" && o.S("Protocol") == "TCP");
        Assert.Null(allowTcp.P("TcpFlags"));
        Assert.Equal(0L, allowTcp.P("TcpSyn"));
        Assert.Equal(0, allowTcp.P("TcpWindow"));
    }

    [Fact]
    public void Direction_gives_local_and_remote_ends()
    {
        var r = Mixed("-Action *").AssertNoErrors();
        var inbound = r.Output.Single(o => (int?)o.P("DestinationPort") == 49154);
        Assert.Equal("Inbound", inbound.S("Direction"));
        Assert.Equal("192.168.10.5", inbound.S("LocalAddress"));
        Assert.Equal(49154, inbound.P("LocalPort"));
        Assert.Equal("192.168.10.7", inbound.S("RemoteAddress"));
        Assert.Equal(50001, inbound.P("RemotePort"));

        var outbound = r.Output.Single(o => (int?)o.P("DestinationPort") == 443);
        Assert.Equal("Outbound", outbound.S("Direction"));
        Assert.Equal("SEND", outbound.S("Path"));
        Assert.Equal("192.168.254.106", outbound.S("LocalAddress"));
        Assert.Equal(50941, outbound.P("LocalPort"));
        Assert.Equal("52.221.167.3", outbound.S("RemoteAddress"));
        Assert.Equal(443, outbound.P("RemotePort"));
    }

    [Fact]
    public void IPv6_addresses_are_canonical_text()
    {
        // Intended change: addresses are strings in IPAddress.ToString() form (they were IPAddress objects).
        var r = Mixed("-Action * -Protocol UDP").AssertNoErrors();
        var v6 = r.Output.Single(o => o.S("SourceAddress")!.Contains(':'));
        var src = Assert.IsType<string>(v6.P("SourceAddress"));
        Assert.Equal(IPAddress.Parse("fe80::3680:dff:fe01:9e88").ToString(), src);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, IPAddress.Parse(src).AddressFamily);
        Assert.Equal("ff02::fb", v6.P("DestinationAddress"));
    }

    [Fact]
    public void Utf16le_with_bom_reads_the_same_as_utf8()
    {
        using var files = new LogFiles();
        string utf16 = files.Write("notepad.log", SampleLogs.Mixed, crlf: true, encoding: new UnicodeEncoding(false, true), bom: true);
        var a = Run("Get-FwDrop -Path $p -Action * | ForEach-Object { $_.ToString() }", new() { ["p"] = _logs.MixedPath }).AssertNoErrors();
        var b = Run("Get-FwDrop -Path $p -Action * | ForEach-Object { $_.ToString() }", new() { ["p"] = utf16 }).AssertNoErrors();
        Assert.Equal(14, a.Output.Count);
        Assert.Equal(a.Output.Select(o => o.ToString()), b.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Lf_line_ends_read_the_same_as_crlf()
    {
        using var files = new LogFiles();
        string lf = files.Write("lf.log", SampleLogs.Xp, crlf: false);
        var a = Run("Get-FwDrop -Path $p -Action * | ForEach-Object { $_.ToString() }", new() { ["p"] = _logs.XpPath }).AssertNoErrors();
        var b = Run("Get-FwDrop -Path $p -Action * | ForEach-Object { $_.ToString() }", new() { ["p"] = lf }).AssertNoErrors();
        Assert.Equal(a.Output.Select(o => o.ToString()), b.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Malformed_lines_are_skipped_with_a_warning_and_good_lines_all_come_through()
    {
        using var files = new LogFiles();
        string text = LogFiles.Header17 +
            "2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 - - - RECEIVE\n" +
            "this is not a log line\n" +                                                                             // line 6
            "2022-07-11 21:03:40 DROP TCP 192.168.122.1 192.168.122.71 43287\n" +                                     // line 7: too few fields
            "2022-07-11 21:03:41 DROP TCP 999.168.122.1 192.168.122.71 43288 135 60 S 1 0 64240 - - - RECEIVE\n" +   // line 8: bad address
            "2022-07-11 21:03:42 DROP TCP 192.168.122.1 192.168.122.71 43289 135 60 S 3362791310 0 64240 - - - RECEIVE\n" +
            "\u0001\u0002garbage\u00ff\n" +
            "2022-07-11 21:03:43 DROP UDP 192.168.122.1 192.168.122.255 137 137 78 - - - - - - - RECEIVE\n";
        string path = files.Write("garbage.log", text);
        var r = Run("Get-FwDrop -Path $p -Action *", new() { ["p"] = path });
        r.AssertNoErrors();
        Assert.Equal(new long[] { 5, 9, 11 }, Lines(r));
        var warning = Assert.Single(r.Warnings).Message;
        Assert.Contains("skipped 4", warning);
        Assert.Contains(path, warning);
        foreach (var line in new[] { "6", "7", "8", "10" }) Assert.Contains(line, warning);
    }

    [Fact]
    public void Binary_garbage_and_truncated_last_line_never_crash()
    {
        using var files = new LogFiles();
        var rng = new Random(42);
        var junk = new byte[64 * 1024];
        rng.NextBytes(junk);
        string binary = files.WriteBytes("junk.log", junk);
        string truncated = files.Write("truncated.log", LogFiles.Header17 +
            "2019-11-06 12:35:19 DROP UDP 5.5.3.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE\n" +
            "2019-11-06 12:35:19 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - - ");
        string nuls = files.WriteBytes("nul.log", Encoding.ASCII.GetBytes(LogFiles.Header17 +
            "2019-11-06 12:35:19 DROP UDP 5.5.3.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE\r\n")
            .Concat(new byte[4096]).Concat(Encoding.ASCII.GetBytes(
            "2019-11-06 12:35:20 DROP UDP 5.5.3.198 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE\r\n")).ToArray());

        var r = Run("Get-FwDrop -Path $a -Action *", new() { ["a"] = binary });
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        Assert.Empty(r.Output);

        var t = Run("Get-FwDrop -Path $a -Action *", new() { ["a"] = truncated }).AssertNoErrors();
        Assert.Equal("5.5.3.197", Assert.Single(t.Output).S("SourceAddress"));

        var n = Run("Get-FwDrop -Path $a -Action *", new() { ["a"] = nuls }).AssertNoErrors();
        Assert.Equal(new[] { "5.5.3.197", "5.5.3.198" }, n.Output.Select(o => o.S("SourceAddress")));
    }

    // ---- Paths and errors -----------------------------------------------------------------------

    [Fact]
    public void A_missing_file_among_good_ones_is_a_non_terminating_error_and_the_others_are_read()
    {
        string missing = Path.Combine(_logs.Files.Folder, "nope", "pfirewall.log");
        var r = Run("Get-FwDrop -Path $a, $m, $b -Action *", new() { ["a"] = _logs.XpPath, ["m"] = missing, ["b"] = _logs.MixedPath });
        Assert.Null(r.Terminating);
        var error = Assert.Single(r.Errors);
        Assert.Equal("FwLogReadError,Fw.Commands.GetFwDropCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(missing, error.TargetObject);
        Assert.Contains(missing, error.ToString());
        Assert.Equal(11 + 14, r.Output.Count);
        Assert.Equal(11, r.Output.Count(o => o.S("LogFile") == _logs.XpPath));
        Assert.Equal(14, r.Output.Count(o => o.S("LogFile") == _logs.MixedPath));
    }

    [Fact]
    public void Unreadable_file_says_access_denied_and_to_run_elevated()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root") return; // root reads everything; covered on Windows by ACLs
        using var files = new LogFiles();
        string path = files.Write("locked.log", SampleLogs.Xp);
        File.SetUnixFileMode(path, UnixFileMode.None);
        var r = Run("Get-FwDrop -Path $p", new() { ["p"] = path });
        var error = Assert.Single(r.Errors);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Contains("elevated", error.ToString());
    }

    [Fact]
    public void A_folder_is_an_error_naming_it()
    {
        var r = Run("Get-FwDrop -Path $p", new() { ["p"] = _logs.Files.Folder });
        var error = Assert.Single(r.Errors);
        Assert.Equal("FwLogReadError,Fw.Commands.GetFwDropCommand", error.FullyQualifiedErrorId);
        Assert.Contains(_logs.Files.Folder, error.ToString());
    }

    [Fact]
    public void Wildcards_and_relative_paths_resolve_against_the_current_location()
    {
        using var files = new LogFiles();
        files.Write("pfirewall.log", SampleLogs.Xp);
        files.Write("pfirewall.log.old", SampleLogs.Mixed);
        files.Write("other.txt", "not a log\n");
        var r = Run("""
            $ExecutionContext.SessionState.Path.SetLocation($d) | Out-Null
            (Get-FwDrop pfirewall.log* -Action *).Count
            (Get-FwDrop -Path ./pfirewall.log -Action *).Count
            (Get-FwDrop -Path 'pfirewall.l?g' -Action *).Count
            """, new() { ["d"] = files.Folder }).AssertNoErrors();
        Assert.Equal(new[] { 25, 11, 11 }, r.Output.Select(o => (int)o.BaseObject));
    }

    [Fact]
    public void A_wildcard_that_matches_nothing_is_an_error()
    {
        var r = Run("Get-FwDrop -Path $p", new() { ["p"] = Path.Combine(_logs.Files.Folder, "*.nothing") });
        var error = Assert.Single(r.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void LiteralPath_does_not_expand_wildcards()
    {
        using var files = new LogFiles();
        string path = files.Write("fw[1].log", SampleLogs.Xp);
        var r = Run("Get-FwDrop -LiteralPath $p -Action *", new() { ["p"] = path }).AssertNoErrors();
        Assert.Equal(11, r.Output.Count);
    }

    [Fact]
    public void Files_bind_from_the_pipeline_by_FullName_and_PSPath_and_strings_by_value()
    {
        using var files = new LogFiles();
        files.Write("a.log", SampleLogs.Xp);
        files.Write("b.log", SampleLogs.Mixed);
        var r = Run("""
            ([IO.DirectoryInfo]::new($d).GetFiles('*.log') | Get-FwDrop -Action *).Count
            ([pscustomobject]@{ PSPath = "Microsoft.PowerShell.Core\FileSystem::$d/a.log" } | Get-FwDrop -Action *).Count
            ([pscustomobject]@{ FullName = "$d/b.log" } | Get-FwDrop -Action *).Count
            ("$d/a.log", "$d/b.log" | Get-FwDrop -Action *).Count
            """, new() { ["d"] = files.Folder }).AssertNoErrors();
        Assert.Equal(new[] { 25, 11, 14, 25 }, r.Output.Select(o => (int)o.BaseObject));
    }

    [Fact]
    public void No_path_on_this_system_says_path_is_required()
    {
        if (OperatingSystem.IsWindows()) return;
        var error = Caught("Get-FwDrop");
        Assert.Equal("FwPathRequired,Fw.Commands.GetFwDropCommand", error.FullyQualifiedErrorId);
        Assert.Contains("-Path", error.ToString());
    }

    // ---- Filters: each one gives what Where-Object would give on the unfiltered output -----------

    public static IEnumerable<object[]> FilterCases() => new[]
    {
        new object[] { "-Action Allow", (Func<PSObject, bool>)(o => o.S("Action") == "ALLOW") },
        new object[] { "-Action Drop,Allow", (Func<PSObject, bool>)(o => o.S("Action") is "DROP" or "ALLOW") },
        new object[] { "-Action All", (Func<PSObject, bool>)(_ => true) },
        new object[] { "-Protocol TCP", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && o.S("Protocol") == "TCP") },
        new object[] { "-Action * -Protocol udp,ICMP", (Func<PSObject, bool>)(o => o.S("Protocol") is "UDP" or "ICMP") },
        new object[] { "-Protocol 2", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && o.S("Protocol") == "2") },
        new object[] { "-Protocol ICMPv6", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && o.S("Protocol") == "ICMPv6") },
        new object[] { "-SourceAddress 192.168.122.1", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && o.S("SourceAddress") == "192.168.122.1") },
        new object[] { "-Action * -SourceAddress 192.168.0.0/16", (Func<PSObject, bool>)(o => o.S("SourceAddress")?.StartsWith("192.168.") == true) },
        new object[] { "-Action * -SourceAddress 10.0.0.0/255.0.0.0", (Func<PSObject, bool>)(o => o.S("SourceAddress")?.StartsWith("10.") == true) },
        new object[] { "-Action * -SourceAddress 192.168.9.1-192.168.10.8", (Func<PSObject, bool>)(o => o.S("SourceAddress") is "192.168.9.163" or "192.168.10.7") },
        new object[] { "-Action * -SourceAddress fe80::/10", (Func<PSObject, bool>)(o => o.S("SourceAddress")?.StartsWith("fe80:") == true) },
        new object[] { "-DestinationAddress 10.12.13.14, 192.168.10.5", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && o.S("DestinationAddress") is "10.12.13.14" or "192.168.10.5") },
        new object[] { "-DestinationAddress ff02::/16", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && o.S("DestinationAddress")?.StartsWith("ff02:") == true) },
        new object[] { "-SourcePort 5353", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && (int?)o.P("SourcePort") == 5353) },
        new object[] { "-Action * -SourcePort 50000-60000", (Func<PSObject, bool>)(o => (int?)o.P("SourcePort") is >= 50000 and <= 60000) },
        new object[] { "-DestinationPort 49154", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && (int?)o.P("DestinationPort") == 49154) },
        new object[] { "-DestinationPort 135,139,445", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && (int?)o.P("DestinationPort") is 135 or 139 or 445) },
        new object[] { "-Action * -DestinationPort 1-1024", (Func<PSObject, bool>)(o => (int?)o.P("DestinationPort") is >= 1 and <= 1024) },
        new object[] { "-Action * -Direction Outbound", (Func<PSObject, bool>)(o => o.S("Direction") == "Outbound") },
        new object[] { "-Direction Inbound", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && o.S("Direction") == "Inbound") },
        new object[] { "-Action * -After '2022-09-01 10:00:02'", (Func<PSObject, bool>)(o => (DateTime)o.P("Time")! >= new DateTime(2022, 9, 1, 10, 0, 2)) },
        new object[] { "-Action * -Before '2022-09-01 10:00:02'", (Func<PSObject, bool>)(o => (DateTime)o.P("Time")! < new DateTime(2022, 9, 1, 10, 0, 2)) },
        new object[] { "-Action * -After '2022-08-13' -Before '2022-09-01 10:00:03.5'", (Func<PSObject, bool>)(o => (DateTime)o.P("Time")! >= new DateTime(2022, 8, 13) && (DateTime)o.P("Time")! <= new DateTime(2022, 9, 1, 10, 0, 3)) },
        new object[] { "-Protocol TCP -Direction Inbound -DestinationPort 49152-65535 -SourceAddress 192.168.10.0/24", (Func<PSObject, bool>)(o => o.S("Action") == "DROP" && (int?)o.P("DestinationPort") == 49154) },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_parameters_match_the_same_records_as_filtering_the_output(string args, Func<PSObject, bool> expected)
    {
        var all = Mixed("-Action *").AssertNoErrors();
        var filtered = Mixed(args).AssertNoErrors();
        var want = all.Output.Where(expected).Select(o => (long)o.P("LineNumber")!).ToList();
        Assert.NotEmpty(want);
        Assert.Equal(want, Lines(filtered));
    }

    [Theory]
    [InlineData("-DestinationPort 70000", "70000")]
    [InlineData("-SourcePort 'abc'", "abc")]
    [InlineData("-SourceAddress 300.1.1.1", "300.1.1.1")]
    [InlineData("-DestinationAddress 10.0.0.0/33", "10.0.0.0/33")]
    [InlineData("-Protocol FOO", "FOO")]
    [InlineData("-Action Reject", "Reject")]
    public void Invalid_filter_values_are_terminating_errors_naming_the_value(string args, string value)
    {
        var error = Caught("Get-FwDrop -Path $p " + args, new() { ["p"] = _logs.MixedPath });
        Assert.Equal("FwInvalidFilterValue,Fw.Commands.GetFwDropCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(value, error.ToString());
    }

    /// <summary>Runs <paramref name="script"/> in try/catch: only a terminating error is caught. Fails if none was.</summary>
    private static ErrorRecord Caught(string script, Dictionary<string, object?>? vars = null)
    {
        var r = Run("try { " + script + "; 'no terminating error' } catch { $_ }", vars);
        Assert.Null(r.Terminating);
        var last = Assert.Single(r.Output, o => o.BaseObject is ErrorRecord || o.BaseObject is string);
        return Assert.IsType<ErrorRecord>(last.BaseObject);
    }

    [Fact]
    public void Direction_only_accepts_Inbound_or_Outbound()
    {
        var error = Caught("Get-FwDrop -Path $p -Direction Sideways", new() { ["p"] = _logs.MixedPath });
        Assert.IsAssignableFrom<ParameterBindingException>(error.Exception);
    }

    [Fact]
    public void After_must_be_before_Before()
    {
        var error = Caught("Get-FwDrop -Path $p -After '2022-09-02' -Before '2022-09-01'", new() { ["p"] = _logs.MixedPath });
        Assert.Equal("FwInvalidTimeWindow,Fw.Commands.GetFwDropCommand", error.FullyQualifiedErrorId);
    }

    // ---- The way users type it -------------------------------------------------------------------

    [Fact]
    public void Where_Object_on_ports_and_addresses_works_as_typed()
    {
        var r = Run("""
            $d = Get-FwDrop -Path $p -Action *
            ($d | Where-Object DestinationPort -eq 49154).LineNumber
            ($d | Where-Object SourceAddress -eq '192.168.10.7').LineNumber
            ($d | Where-Object { $_.SourceAddress -eq '192.168.10.7' }).LineNumber
            ($d | Where-Object DestinationAddress -in '192.168.10.5', '10.12.13.14').Count
            ($d | Where-Object Direction -eq 'Outbound').Count
            ($d | Where-Object Time -ge ([datetime]'2022-09-01')).Count
            ($d | Where-Object ProcessId -eq 4).DestinationPort
            """, new() { ["p"] = _logs.MixedPath }).AssertNoErrors();
        var v = r.Output.Select(o => o.BaseObject.ToString()).ToList();
        Assert.Equal(new[] { "21", "21", "21", "3", "2", "8", "445" }, v);
    }

    [Fact]
    public void Director_sample_answers_the_question()
    {
        string sample = Path.Combine(PsSession.RepoRoot, "docs", "samples", "director.log");
        var r = Run("Get-FwDrop -Path $p -DestinationPort 49154", new() { ["p"] = sample }).AssertNoErrors();
        Assert.Equal(12, r.Output.Count);
        Assert.All(r.Output, o =>
        {
            Assert.Equal("192.168.10.21", o.S("SourceAddress"));
            Assert.Equal("192.168.10.5", o.S("DestinationAddress"));
            Assert.Equal("TCP", o.S("Protocol"));
            Assert.Equal("S", o.S("TcpFlags"));
            Assert.Equal("Inbound", o.S("Direction"));
        });
        Assert.Equal(4, r.Output.Select(o => o.P("SourcePort")).Distinct().Count());
    }

    [Fact]
    public void Format_view_renders_a_table_that_reads_like_the_log()
    {
        using var ps = PsSession.Open(width: 120);
        var r = ps.Run("Get-FwDrop -Path $p -DestinationPort 49154,445 | Out-Host", new() { ["p"] = _logs.MixedPath }).AssertNoErrors();
        Assert.Empty(r.Output);
        var lines = r.HostText.Split('\n').Where(l => l.Trim().Length > 0).ToList();
        // Intended change (80-column view, labels = property names): the date heads the rows, the row has the time.
        Assert.StartsWith("Date: ", lines[0].Trim());
        Assert.Contains(lines, l => l.Trim() == "Date: 2022-09-01");
        Assert.Matches(@"^Time\s+Action\s+Protocol\s+SourceAddress\s+DestinationAddress\s+DestinationPort\s*$", lines[1]);
        Assert.StartsWith("----", lines[2]);
        var row = lines.Single(l => l.Contains("49154"));
        Assert.Matches(@"^10:00:04 DROP\s+TCP\s+192\.168\.10\.7\s+192\.168\.10\.5\s+49154\s*$", row);
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 120, $"wider than 120: {l}"));
        Assert.False(r.HostText.Contains((char)0x1b), "ANSI escapes in host text");
    }

    [Fact]
    public void Verbose_reports_what_was_read()
    {
        var r = Mixed("-Verbose").AssertNoErrors();
        Assert.Contains(r.Verbose, v => v.Message.Contains(_logs.MixedPath) && v.Message.Contains("record"));
    }

    [Fact]
    public void Get_Help_shows_examples_and_every_parameter()
    {
        var r = Run("""
            $h = Get-Help Get-FwDrop -Full
            $h.Synopsis
            @($h.examples.example).Count
            ($h.examples.example.code) -join "`n"
            ($h.parameters.parameter.name) -join ','
            Get-Help Get-FwDrop -Examples | Out-Host
            """).AssertNoErrors();
        Assert.Contains("dropped", r.Output[0].ToString());
        Assert.True((int)r.Output[1].BaseObject >= 5);
        string code = r.Output[2].ToString();
        Assert.Contains("Get-FwDrop -DestinationPort 49154", code);
        Assert.Contains("Where-Object", code);
        Assert.Contains("Get-ChildItem", code);
        Assert.Contains("-After", code);
        var documented = r.Output[3].ToString().Split(',');
        foreach (var p in new[] { "Path", "LiteralPath", "Action", "Protocol", "SourceAddress", "DestinationAddress", "SourcePort", "DestinationPort", "Direction", "After", "Before" })
            Assert.Contains(p, documented);
        Assert.Contains("Get-FwDrop -DestinationPort 49154", r.HostText);
    }

    [Fact]
    public void Progress_is_reported_by_bytes_on_large_files()
    {
        using var files = new LogFiles();
        var sb = new StringBuilder(LogFiles.Header17);
        const string line = "2022-07-11 21:03:39 DROP TCP 192.168.122.1 192.168.122.71 43286 135 60 S 3362791310 0 64240 - - - RECEIVE\r\n";
        int n = (int)(40L * 1024 * 1024 / line.Length);
        for (int i = 0; i < n; i++) sb.Append(line);
        sb.Append("2022-07-11 21:04:00 DROP TCP 192.168.122.1 192.168.122.71 43286 49154 60 S 1 0 64240 - - - RECEIVE\r\n");
        string path = files.Write("big.log", sb.ToString(), crlf: false);
        var r = Run("$n = 0; Get-FwDrop -Path $p -DestinationPort 135,49154 | ForEach-Object { $n++; $last = $_ }; $n; $last.LineNumber",
            new() { ["p"] = path }).AssertNoErrors();
        Assert.Equal(n + 1, (int)r.Output[0].BaseObject);
        Assert.Equal((long)n + 5, (long)r.Output[1].BaseObject);
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Processing && p.PercentComplete is > 0 and <= 100 && p.Activity.Contains("big.log"));
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
    }
}
