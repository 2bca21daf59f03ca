using Fw.Core;
using Fw.Core.Services;

namespace Fw.Tests.Services;

/// <summary>New-FwRuleFromDrop's synthesis service: the Director scenario, the wizard's options, and bad input as data.</summary>
public class RuleSynthesisTests
{
    public RuleSynthesisTests() => FwAssembly.EnsureNative();

    private static readonly string DirectorLog = FwAssembly.Repo("docs", "samples", "director.log");
    private static readonly string DirectorRules = FwAssembly.Repo("docs", "samples", "director-rules.txt");

    private static List<FwDrop> RpcDrops() =>
        FwAssembly.ReadDrops(DirectorLog).Where(d => d.DestinationPort == 49154).ToList();

    private static ExistingRules DirectorRulesInForce() =>
        ExistingRules.Given(FwAssembly.RuleLines(DirectorRules).Select(r => FwAssembly.RuleObject(r.Key, r.Value)).ToArray());

    private static RuleSynthesis New(RuleSynthesisOptions options)
    {
        FwAssembly.EnsureNative();
        return new RuleSynthesis(options);
    }

    [Fact]
    public void The_Director_drops_make_one_RPC_rule_for_the_subnet()
    {
        using var synthesis = New(new RuleSynthesisOptions
        {
            Scope = new[] { "192.168.10.0/24" },
            Profile = new[] { "Domain" },
            UseRpcKeyword = true,
            DisplayName = "Allow Lync Server Control Panel from the pool (RPC)",
        });
        foreach (var d in RpcDrops()) synthesis.Add(PSObject.AsPSObject(d));
        Assert.Empty(synthesis.TakeMessages());
        Assert.Empty(synthesis.CloseInput());
        var candidates = synthesis.Candidates(DirectorRulesInForce());
        Assert.DoesNotContain(synthesis.TakeMessages(), m => m.Kind != ServiceMessageKind.Verbose);
        Assert.Equal(12, synthesis.Drops);

        var steps = synthesis.Plan(candidates);
        var create = Assert.Single(steps, s => s.Kind == RuleStepKind.Create).Candidate;
        Assert.Equal("Allow Lync Server Control Panel from the pool (RPC)", create.DisplayName);
        Assert.Equal("RPC", create.LocalPort);
        Assert.Equal(new[] { "192.168.10.0/24" }, create.RemoteAddress);
        Assert.Equal("Domain", create.Profile);
        Assert.Equal("TCP", create.Protocol);
        Assert.Equal("Inbound", create.Direction);
        Assert.StartsWith("Fw-In-TCP-RPC-", create.Name);
        Assert.Contains("Created by Fw (New-FwRuleFromDrop)", create.Description);
        Assert.Contains("192.168.10.21", create.Description);
        Assert.Equal(12, candidates.Where(c => c.StatusValue != FwRuleCandidateStatus.OutOfScope).Sum(c => c.Hits));
    }

    [Fact]
    public void An_existing_rule_that_allows_the_traffic_makes_it_AlreadyAllowed()
    {
        using var synthesis = New(new RuleSynthesisOptions());
        foreach (var d in RpcDrops()) synthesis.Add(d.Direction, d.Protocol, d.LocalPort, d.RemotePort, d.RemoteAddress, d.Time, d.IcmpType, null);
        synthesis.CloseInput();
        var rules = FwAssembly.RuleLines(DirectorRules).Select(r => FwAssembly.RuleObject(r.Key, r.Value)).ToList();
        rules.Add(FwAssembly.RuleObject("Lync-49154", "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49154|Name=Lync dynamic RPC|"));
        var candidates = synthesis.Candidates(ExistingRules.Given(rules.ToArray()));
        Assert.NotEmpty(candidates);
        Assert.All(candidates, c => Assert.Equal(FwRuleCandidateStatus.AlreadyAllowed, c.StatusValue));
        Assert.All(candidates, c => Assert.Equal("Lync-49154", c.CoveringRule));
        Assert.All(synthesis.Plan(candidates), s => Assert.Equal(RuleStepKind.Report, s.Kind));
    }

    [Fact]
    public void A_bad_drop_is_an_error_naming_it_and_the_batch_goes_on()
    {
        using var synthesis = New(new RuleSynthesisOptions());
        var drops = RpcDrops();
        synthesis.Add(PSObject.AsPSObject(drops[0]));
        var sideways = new PSObject();
        sideways.Properties.Add(new PSNoteProperty("Direction", 7)); // out of range (issue 12, finding 6)
        sideways.Properties.Add(new PSNoteProperty("Protocol", "TCP"));
        sideways.Properties.Add(new PSNoteProperty("LocalPort", 49154));
        sideways.Properties.Add(new PSNoteProperty("RemoteAddress", "192.168.10.21"));
        synthesis.Add(sideways);
        synthesis.Add("Inbound", "TCP", null, 5000, "192.168.10.22", null, null, "by value"); // no LocalPort
        foreach (var d in drops.Skip(1)) synthesis.Add(PSObject.AsPSObject(d));

        var messages = synthesis.TakeMessages().Concat(synthesis.CloseInput()).Where(m => m.Kind == ServiceMessageKind.Error).ToList();
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal(ErrorIds.DropInvalid, m.Id));
        Assert.Contains("Input #2", messages[0].Text);
        Assert.Contains("Input #3", messages[1].Text);
        Assert.Contains("LocalPort", messages[1].Text);
        Assert.Equal("by value", messages[1].Target);
        Assert.Equal(12, synthesis.Drops);
        Assert.Equal(14, synthesis.Input);
        Assert.NotEmpty(synthesis.Candidates(ExistingRules.Given(null)));
    }

    [Fact]
    public void Options_are_checked_before_any_input_and_name_the_value()
    {
        FwAssembly.EnsureNative();
        var scope = Assert.Throws<ServiceException>(() => new RuleSynthesis(new RuleSynthesisOptions { Scope = new[] { "192.168.10.0/33" } }));
        Assert.Equal(ErrorIds.ScopeInvalid, scope.Error.Id);
        var local = Assert.Throws<ServiceException>(() => new RuleSynthesis(new RuleSynthesisOptions { LocalAddress = new[] { "LocalSubnet" } }));
        Assert.Equal(ErrorIds.LocalAddressInvalid, local.Error.Id);
        Assert.Contains("'LocalSubnet'", local.Error.Text);
        var program = Assert.Throws<ServiceException>(() => new RuleSynthesis(new RuleSynthesisOptions { Program = "C:\\a|b.exe" }));
        Assert.Equal(ErrorIds.ProgramInvalid, program.Error.Id);
        var both = Assert.Throws<ServiceException>(() => new RuleSynthesis(new RuleSynthesisOptions { Program = "C:\\a.exe", ProgramFromProcessId = true }));
        Assert.Equal(ErrorIds.ParameterConflict, both.Error.Id);
    }

    [Fact]
    public void ProgramFromProcessId_uses_the_resolver_once_per_id_and_reports_the_ones_without_a_program()
    {
        var asked = new List<int>();
        using var synthesis = New(new RuleSynthesisOptions
        {
            ProgramFromProcessId = true,
            ResolveProcess = pid =>
            {
                asked.Add(pid);
                return pid == 1234 ? ProgramLookup.Found(@"C:\Program Files\Lync\lync.exe") : ProgramLookup.Failed("is not running here; give -Program <path>");
            },
        });
        var drops = RpcDrops();
        for (int i = 0; i < drops.Count; i++)
        {
            var o = PSObject.AsPSObject(drops[i]);
            drops[i].ProcessId = i < 8 ? 1234 : 99;
            synthesis.Add(o);
        }
        var errors = synthesis.CloseInput().Where(m => m.Kind == ServiceMessageKind.Error).ToList();
        Assert.Equal(new[] { 1234, 99 }, asked);
        var error = Assert.Single(errors);
        Assert.Equal(ErrorIds.ProcessNotFound, error.Id);
        Assert.Contains("and 3 more drop(s)", error.Text);
        var candidates = synthesis.Candidates(ExistingRules.Given(null));
        Assert.All(candidates, c => Assert.Equal(@"C:\Program Files\Lync\lync.exe", c.Program));
        Assert.Equal(8, candidates.Sum(c => c.Hits));
        Assert.All(candidates, c => Assert.Contains(@"App=C:\Program Files\Lync\lync.exe|", c.RuleString));
    }

    [Fact]
    public void Only_drops_count_and_every_drop_out_of_scope_is_a_note()
    {
        using var synthesis = New(new RuleSynthesisOptions { Scope = new[] { "10.0.0.0/8" } });
        foreach (var d in FwAssembly.ReadDrops(DirectorLog).Where(d => d.DestinationPort == 49154 || d.Action == "ALLOW"))
            synthesis.Add(PSObject.AsPSObject(d));
        var closing = synthesis.CloseInput();
        Assert.Contains(closing, m => m.Kind == ServiceMessageKind.Warning && m.Text.StartsWith("30 record(s) were not drops", StringComparison.Ordinal));
        var candidates = synthesis.Candidates(ExistingRules.Given(null));
        Assert.All(candidates, c => Assert.Equal(FwRuleCandidateStatus.OutOfScope, c.StatusValue));
        var note = Assert.Single(synthesis.Notes);
        Assert.StartsWith("Every drop (12) came from outside -Scope 10.0.0.0/8", note);
        Assert.Contains(synthesis.TakeMessages(), m => m.Kind == ServiceMessageKind.Warning && m.Text == note);
    }
}
