using System.Globalization;
using Fw.Core;
using Fw.Core.Services;

namespace Fw.Tests.Services;

/// <summary>Measure-FwDrop's counting service on the sample logs, checked against counts taken from the log text.</summary>
public class DropSummaryTests
{
    public DropSummaryTests() => FwAssembly.EnsureNative();

    private static readonly string DirectorLog = FwAssembly.Repo("docs", "samples", "director.log");

    /// <summary>The records of a W3C-style log and the value of one field in each, read from the text.</summary>
    private static List<string> FieldValues(string path, string field)
    {
        var values = new List<string>();
        int index = -1;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("#Fields:", StringComparison.Ordinal))
            {
                index = Array.IndexOf(line.Substring(8).Split(' ', StringSplitOptions.RemoveEmptyEntries), field);
                continue;
            }
            if (line.Length == 0 || line[0] == '#') continue;
            values.Add(line.Split(' ')[index]);
        }
        return values;
    }

    private static DropSummary Summarise(string path, params FwDropKey[] keys)
    {
        FwAssembly.EnsureNative();
        var summary = new DropSummary(keys);
        using var reader = LogReader.Open(path, null, fields: summary.Fields);
        while (reader.Next(out var records, out int count)) summary.Add(records, count);
        return summary;
    }

    [Fact]
    public void Counts_every_record_by_destination_port_most_first()
    {
        var expected = FieldValues(DirectorLog, "dst-port").GroupBy(v => v).ToDictionary(g => g.Key, g => (long)g.Count());
        using var summary = Summarise(DirectorLog, FwDropKey.DestinationPort);
        var groups = summary.Finish(0);

        Assert.Equal((ulong)expected.Values.Sum(), summary.Records);
        Assert.Equal(expected.Count, groups.Count);
        Assert.Equal((ulong)groups.Count, summary.Groups);
        foreach (var g in groups)
        {
            Assert.Equal(expected[g.Name], g.Count);
            Assert.Equal(new[] { "DestinationPort" }, g.GroupBy);
            Assert.Equal(g.Name == "-" ? null : int.Parse(g.Name, CultureInfo.InvariantCulture), g.DestinationPort);
            Assert.Equal(100.0 * g.Count / summary.Records, g.Percent, 9);
        }
        Assert.Equal(groups.Select(g => g.Count).OrderByDescending(c => c), groups.Select(g => g.Count)); // ranked
        Assert.Equal(12, groups.Single(g => g.Name == "49154").Count); // the Director's dynamic RPC port
    }

    [Fact]
    public void Read_counts_in_fwcore_exactly_what_batches_handed_out_count()
    {
        var keys = new[] { FwDropKey.Direction, FwDropKey.Protocol, FwDropKey.LocalPort };
        using var byBatches = Summarise(DirectorLog, keys);
        var expected = byBatches.Finish(0);

        using var counted = new DropSummary(keys);
        using (var reader = LogReader.Open(DirectorLog, null, fields: counted.Fields))
        {
            while (counted.Read(reader)) { }
            Assert.Throws<Fw.Native.FwNativeException>(() => reader.Next(out _, out _)); // a counting reader hands out nothing
        }
        var groups = counted.Finish(0);

        Assert.Equal(byBatches.Records, counted.Records);
        Assert.Equal(expected.Select(g => (g.Name, g.Count, g.FirstSeen, g.LastSeen, g.Bytes)),
                     groups.Select(g => (g.Name, g.Count, g.FirstSeen, g.LastSeen, g.Bytes)));
    }

    [Fact]
    public void Top_keeps_the_largest_groups_and_names_join_the_keys()
    {
        using var all = Summarise(DirectorLog, FwDropKey.Action, FwDropKey.Protocol);
        var every = all.Finish(0);
        using var summary = Summarise(DirectorLog, FwDropKey.Action, FwDropKey.Protocol);
        var top = summary.Finish(2);

        Assert.Equal(2, top.Count);
        Assert.Equal(every.Take(2).Select(g => (g.Name, g.Count)), top.Select(g => (g.Name, g.Count)));
        Assert.All(top, g => Assert.Equal(g.Action + ", " + g.Protocol, g.Name));
        var actions = FieldValues(DirectorLog, "action");
        var protocols = FieldValues(DirectorLog, "protocol");
        var pairs = actions.Zip(protocols, (a, p) => a + ", " + p).GroupBy(x => x).OrderByDescending(g => g.Count()).First();
        Assert.Equal(pairs.Key, top[0].Name);
        Assert.Equal(pairs.Count(), top[0].Count);
    }

    [Fact]
    public void A_key_given_twice_is_an_error_naming_the_keys_before_any_native_call()
    {
        var keys = new[] { FwDropKey.LocalPort, FwDropKey.Protocol, FwDropKey.LocalPort };
        var problem = DropSummary.KeyProblem(keys);
        Assert.NotNull(problem);
        Assert.Equal(ErrorIds.GroupByRepeated, problem!.Id);
        Assert.Contains("LocalPort, Protocol, LocalPort", problem.Text);
        var e = Assert.Throws<ServiceException>(() => new DropSummary(keys));
        Assert.Equal(ErrorIds.GroupByRepeated, e.Error.ToErrorRecord().FullyQualifiedErrorId);
        Assert.Null(DropSummary.KeyProblem(new[] { FwDropKey.Hour }));
    }

    [Fact]
    public void An_empty_summary_has_no_groups()
    {
        FwAssembly.EnsureNative();
        using var summary = new DropSummary(new[] { FwDropKey.Hour });
        Assert.Empty(summary.Finish(0));
        Assert.Equal(0ul, summary.Records);
    }
}
