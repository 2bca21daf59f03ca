using Fw.Core;
using Fw.Core.Services;

namespace Fw.Tests.Services;

/// <summary>Test-FwDrop's evaluation service: the Director's drops against the Director's rules, and bad input as data.</summary>
public class DropEvaluatorTests
{
    public DropEvaluatorTests() => FwAssembly.EnsureNative();

    private static readonly string DirectorLog = FwAssembly.Repo("docs", "samples", "director.log");
    private static readonly string DirectorRules = FwAssembly.Repo("docs", "samples", "director-rules.txt");

    private static List<FwDrop> RpcDrops() =>
        FwAssembly.ReadDrops(DirectorLog).Where(d => d.DestinationPort == 49154).ToList();

    private static DropEvaluator WithDirectorRules()
    {
        var evaluator = new DropEvaluator();
        foreach (var r in FwAssembly.RuleLines(DirectorRules)) evaluator.AddRule(r.Key, r.Value);
        return evaluator;
    }

    [Fact]
    public void The_dropped_RPC_flow_has_no_matching_rule()
    {
        var drops = RpcDrops();
        Assert.Equal(12, drops.Count);
        using var evaluator = WithDirectorRules();
        Assert.True(evaluator.RuleCount >= 5);
        foreach (var d in drops) evaluator.Add(PSObject.AsPSObject(d));
        Assert.Empty(evaluator.TakeMessages());

        var verdicts = evaluator.Verdicts("Domain", allRules: false).ToList();
        Assert.NotEmpty(verdicts);
        Assert.Equal(evaluator.FlowCount, verdicts.Count);
        Assert.Equal(12, verdicts.Sum(v => v.Count));
        Assert.All(verdicts, v => Assert.Equal("NoMatchingRule", v.Verdict));
        Assert.All(verdicts, v => Assert.Equal("Domain", v.Profile));
        Assert.Equal("192.168.10.21", verdicts[0].RemoteAddress);
        Assert.All(verdicts, v => Assert.True(v.FirstSeen <= v.LastSeen));
    }

    [Fact]
    public void A_rule_for_the_port_allows_it_and_is_named_in_the_matches()
    {
        using var evaluator = WithDirectorRules();
        evaluator.AddRule("Lync-RPC-49154", "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|Name=Lync dynamic RPC|");
        foreach (var d in RpcDrops()) evaluator.Add(d);
        var verdicts = evaluator.Verdicts(null, allRules: true).ToList();
        Assert.All(verdicts, v => Assert.Equal("AllowedByRule", v.Verdict));
        Assert.All(verdicts, v => Assert.Equal("Unknown", v.Profile));
        Assert.All(verdicts, v => Assert.Contains(v.MatchingRules, m => m.Deciding && m.Rule.Name == "Lync-RPC-49154" && m.Applies == "Yes"));
        // -AllRules: every loaded rule is listed with why it does (not) apply.
        Assert.All(verdicts, v => Assert.Equal(evaluator.RuleCount, v.MatchingRules.Length));
    }

    [Fact]
    public void Bad_rules_and_bad_drops_are_messages_and_the_rest_go_on()
    {
        using var evaluator = new DropEvaluator();
        var noText = new PSObject();
        noText.Properties.Add(new PSNoteProperty("Name", "no rule string"));
        int given = evaluator.AddRules(new PSObject?[]
        {
            FwAssembly.RuleObject("good", "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|Name=smb|"),
            null,
            noText,
            FwAssembly.RuleObject("bad", "v2.26|Action=Allow|Protocol=6|LPort=70000|"),
        });
        Assert.Equal(3, given);
        Assert.Equal(1, evaluator.RuleCount);
        var messages = evaluator.TakeMessages();
        Assert.Equal(new[] { ErrorIds.RuleInvalid, ErrorIds.RuleParseError }, messages.Select(m => m.Id));
        Assert.Same(noText, messages[0].Target);

        var notADrop = new PSObject();
        notADrop.Properties.Add(new PSNoteProperty("Direction", "Sideways"));
        notADrop.Properties.Add(new PSNoteProperty("RemoteAddress", "10.5"));
        evaluator.Add(notADrop);
        var dropMessages = evaluator.TakeMessages();
        Assert.Equal(ErrorIds.DropInvalid, Assert.Single(dropMessages).Id);
        Assert.Equal(ServiceMessageKind.Error, dropMessages[0].Kind);

        var allow = FwAssembly.ReadDrops(DirectorLog).First(d => d.Action != "DROP");
        evaluator.Add(allow);
        Assert.Equal(1, evaluator.NotDrops);
        Assert.Equal(0, evaluator.FlowCount);
        var summary = evaluator.Summary();
        Assert.Equal(ServiceMessageKind.Verbose, Assert.Single(summary).Kind);
    }

    [Fact]
    public void No_rules_is_its_own_error()
    {
        var m = DropEvaluator.NoRules("-Rule is empty", null);
        Assert.Equal(ErrorIds.NoRules, m.Id);
        Assert.Contains("'no matching rule' would be meaningless", m.Text);
    }

    [Theory]
    [InlineData("TCP", null, 6)]
    [InlineData("udp", null, 17)]
    [InlineData("ICMP", "192.168.10.21", 1)]
    [InlineData("ICMP", "fe80::1", 58)]
    [InlineData("47", null, 47)]
    [InlineData("256", null, -1)]
    [InlineData("", null, -1)]
    public void Protocol_numbers_follow_the_log(string protocol, string? peer, int expected) =>
        Assert.Equal(expected, DropEvaluator.ProtocolNumber(protocol, peer));
}
