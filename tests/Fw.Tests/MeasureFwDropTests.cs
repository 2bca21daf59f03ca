using System.Net;
using System.Text;

namespace Fw.Tests;

/// <summary>Measure-FwDrop: native counting checked against counting Get-FwDrop's objects in PowerShell.</summary>
public sealed class MeasureFwDropTests : IDisposable
{
    private readonly LogFiles _files = new();
    private readonly string _log;

    public MeasureFwDropTests()
    {
        // A few thousand real-format lines: inbound and outbound, TCP/UDP/ICMP, IPv4 and IPv6, two hours,
        // a later #Fields header with pid, an ALLOW line and a malformed line.
        var sb = new StringBuilder(LogFiles.Header17);
        var rng = new Random(42);
        string[] sources = { "192.168.10.21", "192.168.10.22", "192.168.20.9", "203.0.113.50", "fe80::3680:dff:fe01:9e88" };
        int[] ports = { 49154, 135, 3389, 445, 5353 };
        for (int i = 0; i < 3000; i++)
        {
            if (i == 1500) sb.Append(LogFiles.Fields18);
            string src = sources[rng.Next(sources.Length)];
            bool v6 = src.Contains(':');
            string local = v6 ? "fe80::1" : "192.168.10.5";
            var t = new DateTime(2022, 9, 1, 9, 40, 0).AddSeconds(i * 1.7);
            string pid = i >= 1500 ? " " + (4 + i % 3) : "";
            int kind = rng.Next(10);
            if (kind < 6)
                sb.Append($"{t:yyyy-MM-dd HH:mm:ss} DROP TCP {src} {local} {50000 + i % 900} {ports[rng.Next(ports.Length)]} 52 S 11 0 64240 - - - RECEIVE{pid}\n");
            else if (kind < 8)
                sb.Append($"{t:yyyy-MM-dd HH:mm:ss} DROP UDP {src} {local} {5353} {ports[rng.Next(ports.Length)]} 60 - - - - - - - RECEIVE{pid}\n");
            else if (kind < 9)
                sb.Append($"{t:yyyy-MM-dd HH:mm:ss} DROP ICMP {local} {src} - - 84 - - - - 8 0 - SEND{pid}\n");
            else
                sb.Append($"{t:yyyy-MM-dd HH:mm:ss} ALLOW TCP {local} {src} {50000 + i % 900} 443 52 S 11 0 64240 - - - SEND{pid}\n");
            if (i == 700) sb.Append("2022-09-01 garbage line\n");
        }
        _log = _files.Write("measure.log", sb.ToString());
    }

    public void Dispose() => _files.Dispose();

    /// <summary>The same counts computed by PowerShell from Get-FwDrop objects (what a user would write with Group-Object).</summary>
    private const string CountInScript = """
        param($props)
        $counts = @{}
        foreach ($d in $input) {
            $key = ($props | ForEach-Object { $v = $d.$_; if ($null -eq $v) { '-' } else { "$v" } }) -join ', '
            $counts[$key] = 1 + [int]$counts[$key]
        }
        $counts.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }
        """;

    [Theory]
    [InlineData("Direction,Protocol,LocalPort", "")]
    [InlineData("RemoteAddress", "-Protocol TCP -DestinationPort 49154")]
    [InlineData("Action,Direction,RemotePort", "-Action Drop,Allow")]
    [InlineData("SourceAddress,DestinationAddress,IcmpType", "-Protocol ICMP")]
    [InlineData("ProcessId,Protocol", "-After '2022-09-01 10:00'")]
    public void Counts_equal_counting_Get_FwDrop_objects(string groupBy, string filters)
    {
        var vars = new Dictionary<string, object?> { ["log"] = _log, ["props"] = groupBy.Split(',') };
        var expected = PsSession.RunOnce(
            "$count = {" + CountInScript + "}\n" +
            $"Get-FwDrop -Path $log {filters} -WarningAction SilentlyContinue | & $count $props", vars)
            .AssertNoErrors().Output.Select(o => o.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);

        var r = PsSession.RunOnce($"Measure-FwDrop -Path $log {filters} -GroupBy {groupBy} -WarningAction SilentlyContinue", vars).AssertNoErrors();
        Assert.All(r.Output, o => Assert.Equal("Fw.FwDropGroup", o.TypeName()));
        var actual = r.Output.Select(o => $"{o.S("Name")}={o.P("Count")}").OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);

        // Largest first; percentages of the whole.
        var counts = r.Output.Select(o => (long)o.P("Count")!).ToList();
        Assert.Equal(counts.OrderByDescending(c => c).ToList(), counts);
        Assert.InRange(r.Output.Sum(o => (double)o.P("Percent")!), 99.9, 100.1);
    }

    [Fact]
    public void Groups_carry_typed_keys_times_and_bytes_and_Top_limits_the_output()
    {
        var r = PsSession.RunOnce("Measure-FwDrop -Path $log -Protocol TCP -DestinationPort 49154 -GroupBy LocalPort, RemoteAddress, Hour -Top 3 -WarningAction SilentlyContinue",
            new() { ["log"] = _log }).AssertNoErrors();
        Assert.Equal(3, r.Output.Count);
        var top = r.Output[0];
        Assert.Equal(49154, top.P("LocalPort"));
        Assert.True(IPAddress.TryParse(Assert.IsType<string>(top.P("RemoteAddress")), out _)); // intended: addresses are text
        var hour = (DateTime)top.P("Hour")!;
        Assert.Equal(0, hour.Minute);
        Assert.Null(top.P("Protocol"));   // not grouped by
        Assert.Null(top.P("SourcePort"));
        var first = (DateTime)top.P("FirstSeen")!;
        var last = (DateTime)top.P("LastSeen")!;
        Assert.True(first <= last);
        Assert.Equal(hour, new DateTime(first.Year, first.Month, first.Day, first.Hour, 0, 0));
        Assert.Equal(52L * (long)top.P("Count")!, (long)top.P("Bytes")!);
        Assert.Equal(new[] { "LocalPort", "RemoteAddress", "Hour" }, ((System.Collections.IEnumerable)top.P("GroupBy")!).Cast<object>().Select(k => k.ToString()));
        Assert.StartsWith("49154, ", top.S("Name"));
    }

    [Fact]
    public void A_missing_file_is_an_error_and_the_others_are_counted_and_skipped_lines_are_reported()
    {
        string missing = Path.Combine(_files.Folder, "nope.log");
        var r = PsSession.RunOnce("Measure-FwDrop -Path $missing, $log -GroupBy Protocol", new() { ["log"] = _log, ["missing"] = missing });
        var e = Assert.Single(r.Errors);
        Assert.Equal("FwLogReadError,Fw.Commands.MeasureFwDropCommand", e.FullyQualifiedErrorId);
        Assert.Contains(missing, e.Exception.Message);
        Assert.Equal(3, r.Output.Count); // TCP, UDP, ICMP
        Assert.Contains(r.Warnings, w => w.Message.Contains("skipped 1 malformed line"));
    }

    [Fact]
    public void Repeated_or_unknown_keys_are_refused()
    {
        var r = PsSession.RunOnce("Measure-FwDrop -Path $log -GroupBy LocalPort, LocalPort", new() { ["log"] = _log });
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwGroupByRepeated,Fw.Commands.MeasureFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        var u = PsSession.RunOnce("Measure-FwDrop -Path $log -GroupBy Colour", new() { ["log"] = _log });
        Assert.NotNull(u.Terminating);
        Assert.Contains("Colour", u.Terminating!.Message);
    }

    [Fact]
    public void Format_view_and_help()
    {
        using var ps = PsSession.Open(width: 160);
        var r = ps.Run("Measure-FwDrop -Path $log -GroupBy Direction,Protocol,LocalPort -Top 2 -WarningAction SilentlyContinue | Out-Host", new() { ["log"] = _log }).AssertNoErrors();
        var lines = r.HostText.Split('\n').Where(l => l.Trim().Length > 0).ToList();
        Assert.Matches(@"^\s*Count\s+Percent\s+FirstSeen\s+LastSeen\s+Name\s*$", lines[0]); // intended: labels are property names
        Assert.Matches(@"^\s*\d+\s+\d+\.\d\s+2022-09-01 \d\d:\d\d:\d\d\s+2022-09-01 \d\d:\d\d:\d\d\s+Inbound, (TCP|UDP), \d+\s*$", lines[2]);

        var h = ps.Run("""
            $h = Get-Help Measure-FwDrop -Full
            @($h.examples.example).Count
            ($h.parameters.parameter.name) -join ','
            $h.Synopsis
            """).AssertNoErrors();
        Assert.True((int)h.Output[0].BaseObject >= 3);
        foreach (var p in new[] { "Path", "LiteralPath", "GroupBy", "Top", "DestinationPort", "After" })
            Assert.Contains(p, h.Output[1].ToString().Split(','));
        Assert.StartsWith("Counts the packets", h.Output[2].ToString());
    }
}
