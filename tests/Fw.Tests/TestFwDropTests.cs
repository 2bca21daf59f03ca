using System.Text;

namespace Fw.Tests;

/// <summary>Test-FwDrop over logs and rule sets the tests build (and the reference rules of formats.md 4.3).</summary>
public sealed class TestFwDropTests : IClassFixture<RuleFiles>
{
    private readonly RuleFiles _rules;

    public TestFwDropTests(RuleFiles rules) => _rules = rules;

    private static string Tcp(string time, string src, string dst, int sport, int dport, string path = "RECEIVE") =>
        $"2022-09-01 {time} DROP TCP {src} {dst} {sport} {dport} 52 S 11 0 64240 - - - {path}\n";

    private static string Udp(string time, string src, string dst, int sport, int dport) =>
        $"2022-09-01 {time} DROP UDP {src} {dst} {sport} {dport} 60 - - - - - - - RECEIVE\n";

    private string Log(string name, params string[] lines) =>
        _rules.Files.Write(name, LogFiles.Header17 + string.Concat(lines), crlf: true);

    /// <summary>Runs Get-FwDrop $log | Test-FwDrop -Rule $rules &lt;extra&gt;, $rules from the given rule strings.</summary>
    private static PsResult Test(string log, IEnumerable<string> ruleStrings, string extra = "")
    {
        return PsSession.RunOnce("$rules = $strings | Get-FwRule; Get-FwDrop -Path $log | Test-FwDrop -Rule $rules " + extra,
            new() { ["log"] = log, ["strings"] = ruleStrings.ToArray() });
    }

    private PsResult TestWithReference(string log, string filter, string extra = "") =>
        PsSession.RunOnce($"$rules = Get-FwRule -Path $reg | Where-Object {{ {filter} }}; Get-FwDrop -Path $log | Test-FwDrop -Rule $rules {extra}",
            new() { ["log"] = log, ["reg"] = _rules.RegPath });

    private static PSObject[] Matches(PSObject verdict) =>
        ((object[])verdict.P("MatchingRules")!).Select(o => PSObject.AsPSObject(o)).ToArray();

    [Fact]
    public void RDP_scoped_to_svchost_termservice_is_allowed_but_only_for_that_service()
    {
        string log = Log("rdp.log",
            Tcp("10:00:01", "198.51.100.7", "192.0.2.10", 50001, 3389),
            Tcp("10:00:05", "198.51.100.7", "192.0.2.10", 50002, 3389));
        var r = TestWithReference(log, "$true").AssertNoErrors(); // all 17 reference rules
        var v = Assert.Single(r.Output);
        Assert.Equal("Fw.FwDropVerdict", v.TypeName());
        Assert.Equal("AllowedByRule", v.S("Verdict"));
        Assert.Equal(2L, v.P("Count"));
        Assert.Equal(new DateTime(2022, 9, 1, 10, 0, 1), (DateTime)v.P("FirstSeen")!);
        Assert.Equal(new DateTime(2022, 9, 1, 10, 0, 5), (DateTime)v.P("LastSeen")!);
        Assert.Equal(3389, v.P("LocalPort"));
        Assert.Equal("198.51.100.7", v.S("RemoteAddress"));
        Assert.StartsWith("Allowed by rule 'Ref02'", v.S("Explanation"));
        Assert.EndsWith("but only for service termservice: is the service running?", v.S("Explanation"));
        var first = Matches(v)[0];
        Assert.Equal("Ref02", first.S("Name"));
        Assert.True((bool)first.P("Deciding")!);
        Assert.Equal("Maybe", first.S("Applies"));
        Assert.Equal("ScopedToService", first.S("Reason"));
        // The WMP service-hardening block (ports 1-553,555-8553,...) is listed: it blocks only that service's traffic.
        var wmp = Matches(v).Single(m => m.S("Name") == "Ref14");
        Assert.Equal("Block", ((PSObject)PSObject.AsPSObject(wmp.P("Rule"))).S("Action"));
        Assert.Equal("Maybe", wmp.S("Applies"));
    }

    [Fact]
    public void A_dynamic_RPC_port_with_only_a_disabled_RPC_rule_names_that_rule()
    {
        string log = Log("rpc.log", Tcp("10:00:04", "192.168.10.21", "192.168.10.5", 50001, 49154));
        var r = TestWithReference(log, "$_.Name -in 'Ref03','Ref16'").AssertNoErrors();
        var v = Assert.Single(r.Output);
        Assert.Equal("AllowedByDisabledRule", v.S("Verdict"));
        Assert.Contains("disabled rule 'Ref16'", v.S("Explanation"));
        Assert.Contains("RPC runtime handed out port 49154", v.S("Explanation"));
        var m = Matches(v)[0];
        Assert.Equal("Ref16", m.S("Name"));
        Assert.False((bool)m.P("Enabled")!);
        Assert.Equal("Disabled", m.S("Reason"));
        Assert.Equal("ktmrm", ((PSObject)PSObject.AsPSObject(m.P("Rule"))).S("Service"));
    }

    [Fact]
    public void RPC_EPMap_matches_port_135()
    {
        string log = Log("epm.log", Tcp("10:07:00", "192.168.10.21", "192.168.10.5", 50005, 135),
                                    Tcp("10:07:01", "192.168.10.21", "192.168.10.5", 50006, 136));
        var r = TestWithReference(log, "$_.Name -eq 'Ref03'").AssertNoErrors();
        Assert.Equal(2, r.Output.Count);
        Assert.Equal("AllowedByRule", r.Output[0].S("Verdict"));
        Assert.Contains("only for service Rpcss", r.Output[0].S("Explanation"));
        Assert.Equal("NoMatchingRule", r.Output[1].S("Verdict"));
        Assert.Contains("default inbound action", r.Output[1].S("Explanation"));
    }

    [Fact]
    public void Block_wins_over_allow_and_flows_are_grouped()
    {
        string log = Log("ssh.log",
            Tcp("09:00:00", "198.51.100.7", "192.0.2.10", 40001, 22),
            Tcp("09:00:01", "198.51.100.7", "192.0.2.10", 40002, 22),
            Tcp("09:00:02", "203.0.113.9", "192.0.2.10", 40003, 22),
            Tcp("09:00:03", "198.51.100.7", "192.0.2.10", 40004, 22),
            "2022-09-01 09:00:04 ALLOW TCP 198.51.100.7 192.0.2.10 40005 22 52 S 11 0 64240 - - - RECEIVE\n");
        var r = Test(log, new[]
        {
            "Allow-SSH=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=22|Name=Allow SSH|",
            "Block-Net=v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=22|RA4=198.51.100.0/24|Name=Block bad net|",
        }).AssertNoErrors();
        Assert.Equal(2, r.Output.Count);
        var blocked = r.Output[0];
        Assert.Equal(3L, blocked.P("Count"));
        Assert.Equal("BlockedByRule", blocked.S("Verdict"));
        Assert.Equal("Blocked by rule 'Block bad net', which wins over allow rule 'Allow SSH'.", blocked.S("Explanation"));
        Assert.Equal(new[] { "Block-Net", "Allow-SSH" }, Matches(blocked).Select(m => m.S("Name")).ToArray());
        var allowed = r.Output[1];
        Assert.Equal(1L, allowed.P("Count"));
        Assert.Equal("AllowedByRule", allowed.S("Verdict"));
        var near = Matches(allowed).Single(m => m.S("Name") == "Block-Net");
        Assert.Equal("OtherRemoteAddress", near.S("Reason"));
        Assert.Equal("No", near.S("Applies"));
    }

    [Fact]
    public void LocalSubnet_is_undecidable_and_says_why()
    {
        string log = Log("llmnr.log", Udp("11:00:00", "192.0.2.99", "192.0.2.10", 61000, 5355));
        var r = TestWithReference(log, "$_.Name -eq 'Ref07'").AssertNoErrors();
        var v = Assert.Single(r.Output);
        Assert.Equal("Undecidable", v.S("Verdict"));
        Assert.Contains("LocalSubnet", v.S("Explanation"));
        Assert.Equal("AddressKeyword", Matches(v)[0].S("Reason"));
    }

    [Fact]
    public void The_profile_decides_when_given_and_is_named_when_not()
    {
        string log = Log("profile.log", Tcp("12:00:00", "198.51.100.7", "192.0.2.10", 40001, 2222));
        var rules = new[] { "SSH-Domain=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=2222|" };
        var domain = Assert.Single(Test(log, rules, "-Profile Domain").AssertNoErrors().Output);
        Assert.Equal("AllowedByRule", domain.S("Verdict"));
        Assert.Equal("Domain", domain.S("Profile"));
        var pub = Assert.Single(Test(log, rules, "-Profile Public").AssertNoErrors().Output);
        Assert.Equal("NoMatchingRule", pub.S("Verdict"));
        Assert.Equal("OtherProfile", Matches(pub)[0].S("Reason"));
        var unknown = Assert.Single(Test(log, rules).AssertNoErrors().Output);
        Assert.Equal("Undecidable", unknown.S("Verdict"));
        Assert.Equal("Unknown", unknown.S("Profile"));
        Assert.Contains("only on the Domain profile", unknown.S("Explanation"));
    }

    [Fact]
    public void Outbound_flows_are_keyed_by_remote_port_and_AllRules_lists_everything()
    {
        string log = Log("out.log",
            Tcp("13:00:00", "192.0.2.10", "198.51.100.80", 50001, 443, "SEND"),
            Tcp("13:00:01", "192.0.2.10", "198.51.100.80", 50002, 443, "SEND"));
        var rules = new[]
        {
            "Block-Out=v2.10|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=443|RA4=198.51.100.0/24|",
            "Web-In=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|",
        };
        var v = Assert.Single(Test(log, rules).AssertNoErrors().Output);
        Assert.Equal("Outbound", v.S("Direction"));
        Assert.Equal(2L, v.P("Count"));
        Assert.Equal(443, v.P("RemotePort"));
        Assert.Equal("BlockedByRule", v.S("Verdict"));
        Assert.Single(Matches(v));
        var all = Assert.Single(Test(log, rules, "-AllRules").AssertNoErrors().Output);
        Assert.Equal("OtherDirection", Matches(all).Single(m => m.S("Name") == "Web-In").S("Reason"));
    }

    [Fact]
    public void Without_rules_elsewhere_than_Windows_it_asks_for_them()
    {
        if (OperatingSystem.IsWindows()) return;
        string log = Log("norules.log", Tcp("10:00:01", "198.51.100.7", "192.0.2.10", 50001, 3389));
        var r = PsSession.RunOnce("Get-FwDrop -Path $log | Test-FwDrop", new() { ["log"] = log });
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwRulesRequired,Fw.Commands.TestFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("-Rule", r.Terminating.ErrorRecord.ErrorDetails.Message);
    }

    [Fact]
    public void Deserialized_drops_and_rules_from_other_servers_give_the_same_verdicts()
    {
        string log = Log("fanout.log",
            Tcp("10:00:01", "198.51.100.7", "192.0.2.10", 50001, 3389),
            Tcp("10:00:04", "192.168.10.21", "192.168.10.5", 50001, 49154),
            Tcp("10:00:05", "192.168.10.21", "192.168.10.5", 50002, 49154),
            Udp("10:00:06", "192.168.10.22", "192.168.10.5", 5353, 161));
        const string Summary = "ForEach-Object { '{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}' -f $_.Direction, $_.Protocol, $_.LocalPort, $_.RemoteAddress, $_.Count, $_.FirstSeen, $_.Verdict, $_.Explanation }";
        var vars = new Dictionary<string, object?> { ["log"] = log, ["reg"] = _rules.RegPath };
        var direct = PsSession.RunOnce("$rules = Get-FwRule -Path $reg; Get-FwDrop -Path $log | Test-FwDrop -Rule $rules | " + Summary, vars)
            .AssertNoErrors().Output.Select(o => o.ToString()).ToList();
        Assert.Equal(3, direct.Count);

        // What Invoke-Command brings back: property bags, not Fw types.
        var remote = PsSession.RunOnce("""
            $ser = [System.Management.Automation.PSSerializer]
            $drops = $ser::Deserialize($ser::Serialize((Get-FwDrop -Path $log)))
            $rules = $ser::Deserialize($ser::Serialize((Get-FwRule -Path $reg)))
            if ($drops[0].PSObject.TypeNames[0] -ne 'Deserialized.Fw.FwDrop') { throw 'drops not deserialized' }
            if ($rules[0].PSObject.TypeNames[0] -ne 'Deserialized.Fw.FwRule') { throw 'rules not deserialized' }
            $drops | Test-FwDrop -Rule $rules |
            """ + Summary, vars).AssertNoErrors().Output.Select(o => o.ToString()).ToList();
        Assert.Equal(direct, remote);

        // Rows of text, as Import-Csv gives them (only the columns a flow needs, with the log's own path field).
        var csv = PsSession.RunOnce("""
            $rows = Get-FwDrop -Path $log | ForEach-Object {
                [pscustomobject]@{ Time = $_.Time.ToString('yyyy-MM-dd HH:mm:ss'); Action = 'DROP'; Protocol = "$($_.Protocol)";
                    SourceAddress = "$($_.SourceAddress)"; DestinationAddress = "$($_.DestinationAddress)";
                    SourcePort = "$($_.SourcePort)"; DestinationPort = "$($_.DestinationPort)"; Path = $_.Path }
            }
            $rows | Test-FwDrop -Rule (Get-FwRule -Path $reg) |
            """ + Summary, vars).AssertNoErrors().Output.Select(o => o.ToString()).ToList();
        Assert.Equal(direct, csv);
    }

    [Fact]
    public void Input_that_is_not_a_drop_is_an_error_naming_the_value_and_the_rest_is_tested()
    {
        string log = Log("bad.log", Tcp("10:00:01", "198.51.100.7", "192.0.2.10", 50001, 3389));
        var r = PsSession.RunOnce("""
            $bad = [pscustomobject]@{ Direction = 'Sideways'; Protocol = 'TCP'; LocalPort = 80; RemoteAddress = '10.0.0.1' }
            @($bad) + @(Get-FwDrop -Path $log) | Test-FwDrop -Rule (Get-FwRule -Path $reg)
            """, new() { ["log"] = log, ["reg"] = _rules.RegPath });
        var e = Assert.Single(r.Errors);
        Assert.Equal("FwDropInvalid,Fw.Commands.TestFwDropCommand", e.FullyQualifiedErrorId);
        Assert.Contains("Direction 'Sideways' is neither Inbound nor Outbound", e.Exception.Message);
        Assert.Equal("AllowedByRule", Assert.Single(r.Output).S("Verdict"));
    }

    [Fact]
    public void Format_view_and_help()
    {
        string log = Log("view.log", Tcp("10:00:01", "198.51.100.7", "192.0.2.10", 50001, 3389));
        using var ps = PsSession.Open(width: 200);
        var r = ps.Run("$rules = Get-FwRule -Path $reg; Get-FwDrop -Path $log | Test-FwDrop -Rule $rules | Out-Host",
            new() { ["log"] = log, ["reg"] = _rules.RegPath }).AssertNoErrors();
        var lines = r.HostText.Split('\n').Where(l => l.Trim().Length > 0).ToList();
        // Intended change (80-column view, labels = property names; Count and the times are in Format-List).
        Assert.Matches(@"^Direction\s+Protocol\s+Port\s+RemoteAddress\s+Verdict\s+Explanation\s*$", lines[0]);
        Assert.Matches(@"^Inbound\s+TCP\s+3389\s+198\.51\.100\.7\s+AllowedByRule\s+Allowed by rule 'Ref02'", lines[2]);

        var h2 = ps.Run("""
            $h = Get-Help Test-FwDrop -Full
            @($h.examples.example).Count
            ($h.parameters.parameter.name) -join ','
            """).AssertNoErrors();
        Assert.True((int)h2.Output[0].BaseObject >= 2);
        foreach (var p in new[] { "InputObject", "Rule", "Profile", "AllRules" }) Assert.Contains(p, h2.Output[1].ToString().Split(','));
    }
}
