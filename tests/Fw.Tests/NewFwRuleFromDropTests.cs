using System.Collections;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;

namespace Fw.Tests;

/// <summary>
/// A Director-scenario log: a pool's admin console (192.168.10.0/24) cannot reach the Director's TCP 49154;
/// plus a drop from outside the pool, drops to 135 and to another dynamic port, and unrelated traffic.
/// </summary>
public sealed class DirectorLogs : IDisposable
{
    public LogFiles Files { get; } = new();

    public const string Director = LogFiles.Header18 + "\n" +
        "2022-09-01 10:00:04 DROP TCP 192.168.10.21 192.168.10.5 50001 49154 52 S 11 0 64240 - - - RECEIVE 3128\n" +
        "2022-09-01 10:00:07 DROP TCP 192.168.10.21 192.168.10.5 50002 49154 52 S 12 0 64240 - - - RECEIVE 3128\n" +
        "2022-09-01 10:05:00 DROP TCP 192.168.10.22 192.168.10.5 50003 49154 52 S 13 0 64240 - - - RECEIVE 3128\n" +
        "2022-09-01 10:06:00 DROP TCP 10.9.9.9 192.168.10.5 50004 49154 52 S 14 0 64240 - - - RECEIVE 3128\n" +
        "2022-09-01 10:07:00 DROP TCP 192.168.10.21 192.168.10.5 50005 135 52 S 15 0 64240 - - - RECEIVE 4\n" +
        "2022-09-01 10:07:01 DROP TCP 192.168.10.21 192.168.10.5 50006 49160 52 S 16 0 64240 - - - RECEIVE 3128\n" +
        "2022-09-01 10:08:00 ALLOW UDP 192.168.10.5 192.168.10.1 57583 53 0 - - - - - - - SEND 2312\n" +
        "2022-09-01 10:09:00 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - - - RECEIVE -\n";

    public string Path { get; }

    public DirectorLogs() => Path = Files.Write("director.log", Director, crlf: true);

    public void Dispose() => Files.Dispose();
}

public sealed class NewFwRuleFromDropTests : IClassFixture<DirectorLogs>
{
    private readonly DirectorLogs _logs;

    public NewFwRuleFromDropTests(DirectorLogs logs) => _logs = logs;

    private static string StandInPath => Path.Combine(PsSession.RepoRoot, "tests", "Fw.Tests", "NetSecurityStandIn.ps1");

    /// <summary>A session with Fw imported, the stand-in New-NetFirewallRule defined, and $p = the Director log.</summary>
    private PsSession Open()
    {
        var s = PsSession.Open();
        s.Run(". $standIn", new() { ["standIn"] = StandInPath, ["p"] = _logs.Path }).AssertNoErrors();
        return s;
    }

    private static List<Hashtable> Calls(PsSession s) =>
        s.Run("$global:FwStandInCalls").AssertNoErrors().Output.Select(o => (Hashtable)o.BaseObject).ToList();

    private static string[] Strings(object? v) => v switch
    {
        null => Array.Empty<string>(),
        string s => new[] { s },
        IEnumerable e => e.Cast<object>().Select(x => x.ToString()!).ToArray(),
        _ => new[] { v.ToString()! },
    };

    /// <summary>$rules = the stand-in's rules as Fw.FwRule objects (Get-FwRule -RuleString 'ID=v2.30|...').</summary>
    private const string RulesFromStandIn =
        "$rules = @(Get-FwRule -RuleString @($global:FwStandInRules | ForEach-Object { $_.Name + '=' + $_.RuleString }))\n";

    private const string Director = "Get-FwDrop -Path $p -DestinationPort 49154 | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain";

    [Fact]
    public void Director_scenario_creates_exactly_one_rule_with_the_right_parameters()
    {
        using var s = Open();
        var r = s.Run(Director + " -Confirm:$false").AssertNoErrors();

        var calls = Calls(s);
        var call = Assert.Single(calls);
        Assert.Matches("^Fw-In-TCP-49154-[0-9a-f]{16}$", (string)call["Name"]!);
        Assert.Equal("Fw Inbound TCP 49154", call["DisplayName"]);
        Assert.Equal("Fw", call["Group"]);
        Assert.Equal("Inbound", call["Direction"]!.ToString());
        Assert.Equal("Allow", call["Action"]!.ToString());
        Assert.Equal("TCP", call["Protocol"]);
        Assert.Equal(new[] { "49154" }, Strings(call["LocalPort"]));
        Assert.False(call.ContainsKey("RemotePort"));
        Assert.Equal(new[] { "192.168.10.0/24" }, Strings(call["RemoteAddress"]));
        Assert.Equal("Domain", call["Profile"]!.ToString());
        Assert.Equal("True", call["Enabled"]!.ToString());
        // The stand-in's enums are the real cmdlet's types: the values were converted, not passed as bools.
        Assert.Equal("Enabled", call["Enabled"]!.GetType().Name);
        Assert.Equal("Profile", call["Profile"]!.GetType().Name);
        var description = (string)call["Description"]!;
        Assert.Contains("3 dropped packet(s)", description);
        Assert.Contains("2022-09-01 10:00:04", description);
        Assert.Contains("2022-09-01 10:05:00", description);
        Assert.Contains("192.168.10.21-192.168.10.22", description);
        Assert.Contains("Created by Fw", description);

        var created = r.Output.Single(o => o.S("Status") == "Created");
        Assert.Equal("Fw.FwRuleCandidate", created.TypeName());
        Assert.Equal(call["Name"], created.S("Name"));
        Assert.Equal(3L, created.P("Hits"));
        Assert.Equal(new DateTime(2022, 9, 1, 10, 0, 4), (DateTime)created.P("FirstSeen")!);
        Assert.Equal(new DateTime(2022, 9, 1, 10, 5, 0), (DateTime)created.P("LastSeen")!);
        Assert.Equal(new[] { "192.168.10.21-192.168.10.22" }, (string[])created.P("RemoteAddressesSeen")!);
        Assert.True((bool)created.P("IsDynamicRpcPort")!);
        // New-NetFirewallRule ran in a scope of its own: the stand-in's variables did not leak into the caller's.
        Assert.Equal(_logs.Path, s.Run("$p").AssertNoErrors().Output.Single().ToString());
        // 49154 is an RPC dynamic port: the module says it can change after a reboot.
        Assert.Contains(r.Warnings, w => w.Message.Contains("RPC dynamic range") && w.Message.Contains("-UseRpcKeyword"));
    }

    [Fact]
    public void Drops_from_outside_the_scope_come_back_OutOfScope()
    {
        using var s = Open();
        var r = s.Run(Director + " -Confirm:$false").AssertNoErrors();
        var outside = r.Output.Single(o => o.S("Status") == "OutOfScope");
        Assert.Equal(new[] { "10.9.9.9" }, (string[])outside.P("RemoteAddressesSeen")!);
        Assert.Empty((string[])outside.P("RemoteAddress")!);
        Assert.Equal(1L, outside.P("Hits"));
        Assert.Equal(2, r.Output.Count);
        Assert.Single(Calls(s)); // nothing created for it
    }

    [Fact]
    public void WhatIf_calls_nothing_and_says_what_it_would_create()
    {
        using var s = Open();
        var r = s.Run(Director + " -WhatIf").AssertNoErrors();
        Assert.Empty(Calls(s));
        var would = r.Output.Single(o => o.S("Status") == "WouldCreate");
        Assert.Contains("What if:", r.HostText);
        Assert.Contains("Fw Inbound TCP 49154", r.HostText);
        Assert.Contains("-LocalPort 49154 -RemoteAddress 192.168.10.0/24 -Profile Domain", r.HostText);
        Assert.Contains(would.S("Name")!, r.HostText);
    }

    [Fact]
    public void Confirm_prompts_and_no_creates_nothing()
    {
        using var s = Open();
        s.Host.ChoiceAnswers.Enqueue(2); // [Y] Yes  [A] Yes to All  [N] No  [L] No to All
        var r = s.Run(Director).AssertNoErrors();
        Assert.Single(s.Host.Prompts);
        Assert.Empty(Calls(s));
        Assert.Contains(r.Output, o => o.S("Status") == "WouldCreate");
    }

    [Fact]
    public void A_second_run_with_the_first_runs_rules_creates_nothing_and_reports_AlreadyAllowed()
    {
        using var s = Open();
        s.Run(Director + " -Confirm:$false").AssertNoErrors();
        var first = Assert.Single(Calls(s));

        // The rules the stand-in "created", read back as Fw reads rules in force: Fw.FwRule objects from
        // Get-FwRule, given "ID=rule string" like a registry value.
        var r = s.Run(RulesFromStandIn +
                      "if (@($rules).Count -ne 1 -or $rules[0].GetType().FullName -ne 'Fw.FwRule') { throw 'expected one Fw.FwRule' }\n" +
                      "$global:FwStandInCalls.Clear()\n" +
                      Director + " -ExistingRule $rules -Confirm:$false").AssertNoErrors();
        Assert.Empty(Calls(s));
        var allowed = r.Output.Single(o => o.S("Status") == "AlreadyAllowed");
        Assert.Equal(first["Name"], allowed.S("CoveringRule"));
        Assert.Equal(first["Name"], allowed.S("Name"));
        Assert.Contains(r.Output, o => o.S("Status") == "OutOfScope");
        Assert.DoesNotContain(r.Output, o => o.S("Status") is "Created" or "WouldCreate");
    }

    [Fact]
    public void Deserialized_rules_from_another_session_dedupe_too()
    {
        using var s = Open();
        s.Run(Director + " -Confirm:$false").AssertNoErrors();
        var r = s.Run(RulesFromStandIn +
                      "$remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($rules))\n" +
                      "if ($remote[0].PSObject.TypeNames[0] -ne 'Deserialized.Fw.FwRule') { throw 'not deserialized' }\n" +
                      "$global:FwStandInCalls.Clear()\n" +
                      Director + " -ExistingRule $remote -Confirm:$false").AssertNoErrors();
        Assert.Empty(Calls(s));
        Assert.Single(r.Output, o => o.S("Status") == "AlreadyAllowed");
    }

    [Fact]
    public void A_failing_New_NetFirewallRule_is_Failed_with_its_error_and_the_run_goes_on()
    {
        using var s = Open();
        s.Run(Director + " -Confirm:$false").AssertNoErrors();
        s.Run("$global:FwStandInCalls.Clear()").AssertNoErrors();
        // Deduplicating against nothing, the 49154 rule is attempted again: its ID exists, the stand-in fails like
        // the real cmdlet. Port 135 and 49160 still get their rules. ALLOW lines are not drops: counted and ignored.
        var r = s.Run("Get-FwDrop -Path $p -Action * -SourceAddress 192.168.10.0/24 | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -ExistingRule @() -Confirm:$false");
        Assert.Null(r.Terminating);
        var error = Assert.Single(r.Errors);
        Assert.Contains("already exists", error.Exception.Message);
        Assert.Equal("Failed", r.Output.Single(o => o.S("LocalPort") == "49154").S("Status"));
        Assert.Equal(new[] { "135", "49160" }, r.Output.Where(o => o.S("Status") == "Created").Select(o => o.S("LocalPort")!).OrderBy(x => x).ToArray());
        Assert.Equal(2, Calls(s).Count);
        Assert.Contains(r.Warnings, w => w.Message.Contains("1 record(s) were not drops"));
    }

    [Fact]
    public void Rules_made_by_someone_else_dedupe_through_the_matcher()
    {
        using var s = Open();
        var r = s.Run("$rules = @([pscustomobject]@{ Name = 'Director-Pool'; RuleString = 'v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=49152-65535|RA4=192.168.0.0/16|Name=Director pool|' })\n" +
                      Director + " -ExistingRule $rules -Confirm:$false").AssertNoErrors();
        Assert.Empty(Calls(s));
        Assert.Equal("Director-Pool", r.Output.Single(o => o.S("Status") == "AlreadyAllowed").S("CoveringRule"));
    }

    [Fact]
    public void A_block_rule_is_reported_and_not_overridden_unless_Force()
    {
        using var s = Open();
        const string rules = "$rules = @([pscustomobject]@{ Name = 'Block-Pool'; RuleString = 'v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|RA4=192.168.10.22|Name=Block pool|' })\n";
        var r = s.Run(rules + Director + " -ExistingRule $rules -Confirm:$false").AssertNoErrors();
        var blocked = r.Output.Single(o => o.S("Status") == "BlockedByRule");
        Assert.Equal("Block-Pool", blocked.S("BlockingRule"));
        Assert.Equal(new[] { "192.168.10.22" }, (string[])blocked.P("RemoteAddressesSeen")!);
        Assert.Contains(r.Warnings, w => w.Message.Contains("Block-Pool"));
        // 192.168.10.21 is not blocked: its rule is created.
        Assert.Single(Calls(s));

        s.Run("$global:FwStandInCalls.Clear(); $global:FwStandInRules.Clear()").AssertNoErrors();
        r = s.Run(rules + Director + " -ExistingRule $rules -Force -Confirm:$false").AssertNoErrors();
        // Both addresses map to the same rule (RemoteAddress 192.168.10.0/24): created once.
        Assert.Single(Calls(s));
        Assert.Contains(r.Output, o => o.S("Status") == "Created" && o.S("BlockingRule") == "Block-Pool");
        Assert.Equal(2, r.Output.Count(o => o.S("Status") == "Created"));

        // Without a scope the two addresses are two different rules.
        s.Run("$global:FwStandInCalls.Clear(); $global:FwStandInRules.Clear()").AssertNoErrors();
        r = s.Run(rules + "Get-FwDrop -Path $p -DestinationPort 49154 -SourceAddress 192.168.10.0/24 | New-FwRuleFromDrop -ExistingRule $rules -Force -Confirm:$false").AssertNoErrors();
        Assert.Equal(2, Calls(s).Count);
        Assert.Equal(new[] { "192.168.10.21", "192.168.10.22" }, Calls(s).Select(c => Strings(c["RemoteAddress"]).Single()).OrderBy(x => x).ToArray());
    }

    [Fact]
    public void UseRpcKeyword_produces_the_RPC_and_RPC_EPMap_rules()
    {
        using var s = Open();
        var r = s.Run("Get-FwDrop -Path $p -Protocol TCP -SourceAddress 192.168.10.0/24 | " +
                      "New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -UseRpcKeyword -Confirm:$false").AssertNoErrors();
        var calls = Calls(s);
        Assert.Equal(2, calls.Count);
        var rpc = calls.Single(c => Strings(c["LocalPort"]).SequenceEqual(new[] { "RPC" }));
        var epmap = calls.Single(c => Strings(c["LocalPort"]).SequenceEqual(new[] { "RPCEPMap" }));
        Assert.Equal("TCP", rpc["Protocol"]);
        Assert.Equal("TCP", epmap["Protocol"]);
        Assert.Equal(new[] { "192.168.10.0/24" }, Strings(rpc["RemoteAddress"]));
        Assert.Equal("Fw Inbound TCP RPC", rpc["DisplayName"]);
        // 49154 and 49160 from the pool: one RPC rule with all their drops.
        Assert.Equal(4L, r.Output.Single(o => o.S("LocalPort") == "RPC").P("Hits"));
        Assert.DoesNotContain(r.Warnings, w => w.Message.Contains("RPC dynamic range"));
        // The stand-in stored them in registry form.
        var stored = s.Run("$global:FwStandInRules.RuleString").AssertNoErrors().Output.Select(o => o.ToString()).ToList();
        Assert.Contains(stored, t => t.Contains("|LPort=RPC|"));
        Assert.Contains(stored, t => t.Contains("|LPort=RPC-EPMap|"));
        // And a rerun finds them.
        s.Run("$global:FwStandInCalls.Clear()").AssertNoErrors();
        r = s.Run(RulesFromStandIn +
                  "Get-FwDrop -Path $p -Protocol TCP -SourceAddress 192.168.10.0/24 | " +
                  "New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -UseRpcKeyword -ExistingRule $rules -Confirm:$false").AssertNoErrors();
        Assert.Empty(Calls(s));
        Assert.All(r.Output, o => Assert.Equal("AlreadyAllowed", o.S("Status")));
    }

    [Fact]
    public void Deserialized_input_binds_by_property_name_and_gives_the_same_result()
    {
        using var s = Open();
        s.Run(Director + " -WhatIf").AssertNoErrors();
        var direct = s.Run(Director + " -WhatIf").AssertNoErrors().Output.Select(o => (o.S("Status"), o.S("Name"), o.P("Hits"))).ToList();

        var r = s.Run("$drops = Get-FwDrop -Path $p -DestinationPort 49154\n" +
                      "$round = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($drops))\n" +
                      "if ($round[0].PSObject.TypeNames[0] -ne 'Deserialized.Fw.FwDrop') { throw 'not deserialized: ' + $round[0].PSObject.TypeNames[0] }\n" +
                      "$round | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -WhatIf").AssertNoErrors();
        Assert.Equal(direct, r.Output.Select(o => (o.S("Status"), o.S("Name"), o.P("Hits"))).ToList());
        Assert.Equal(new DateTime(2022, 9, 1, 10, 0, 4), (DateTime)r.Output.Single(o => o.S("Status") == "WouldCreate").P("FirstSeen")!);
    }

    [Fact]
    public void Csv_like_string_input_binds_by_property_name()
    {
        using var s = Open();
        var direct = s.Run(Director + " -WhatIf").AssertNoErrors().Output.Single(o => o.S("Status") == "WouldCreate");
        var r = s.Run(
            "@([pscustomobject]@{ Time = '2022-09-01 10:00:04'; Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = '49154'; RemoteAddress = '192.168.10.21' },\n" +
            "  [pscustomobject]@{ Time = '2022-09-01 10:00:07'; Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = '49154'; RemoteAddress = '192.168.10.21' },\n" +
            "  [pscustomobject]@{ Time = '2022-09-01 10:05:00'; Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = '49154'; RemoteAddress = '192.168.10.22' }) |\n" +
            "  New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -WhatIf").AssertNoErrors();
        var c = Assert.Single(r.Output);
        Assert.Equal(direct.S("Name"), c.S("Name"));
        Assert.Equal(3L, c.P("Hits"));
        Assert.Equal(direct.P("LastSeen"), c.P("LastSeen"));
    }

    [Fact]
    public void Incomplete_input_is_an_error_per_record_and_the_rest_goes_on()
    {
        using var s = Open();
        var r = s.Run("@([pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = '80'; RemoteAddress = 'not-an-ip' },\n" +
                      "  [pscustomobject]@{ Direction = 'Sideways'; Protocol = 'TCP'; LocalPort = '80'; RemoteAddress = '192.0.2.1' },\n" +
                      "  [pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; RemoteAddress = '192.0.2.1' },\n" +
                      "  [pscustomobject]@{ Direction = 'Inbound'; Protocol = 'TCP'; LocalPort = '80'; RemoteAddress = '192.0.2.1' }) |\n" +
                      "  New-FwRuleFromDrop -WhatIf");
        Assert.Null(r.Terminating);
        Assert.Equal(3, r.Errors.Count);
        Assert.All(r.Errors, e => Assert.Equal("FwDropInvalid,Fw.Commands.NewFwRuleFromDropCommand", e.FullyQualifiedErrorId));
        var c = Assert.Single(r.Output);
        Assert.Equal(new[] { "192.0.2.1" }, (string[])c.P("RemoteAddress")!); // without -Scope: exactly the address seen, never Any
    }

    [Fact]
    public void Bad_scope_is_a_terminating_error_naming_the_entry()
    {
        using var s = Open();
        var r = s.Run("Get-FwDrop -Path $p | New-FwRuleFromDrop -Scope 192.168.10.0/24, 'nowhere' -WhatIf");
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwScopeInvalid,Fw.Commands.NewFwRuleFromDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("nowhere", r.Terminating.Message);
        Assert.Empty(Calls(s));
    }

    [Fact]
    public void The_stand_in_rejects_a_misspelt_parameter()
    {
        // The guard the other tests rely on: a misspelt or unknown parameter name fails like the real cmdlet.
        using var s = Open();
        var r = s.Run("New-NetFirewallRule -DisplayName x -LocalPorts 80");
        Assert.NotNull(r.Terminating);
        Assert.Contains("LocalPorts", r.Terminating!.Message);
        r = s.Run("New-NetFirewallRule -DisplayName x -Enabled Yes");
        Assert.NotNull(r.Terminating);
        Assert.Empty(Calls(s));
    }

    [Fact]
    public void AsScript_output_is_injection_proof()
    {
        using var s = Open();
        const string evil = "x'; $global:pwned = 1; '\u2018; $global:pwned = 2; \u2019 \u201A \u201B \"$(Set-Variable pwned 3 -Scope Global)\" `$global:pwned=4 ; | & @(5) \n# newline";
        var r = s.Run("Get-FwDrop -Path $p | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain,Private -AsScript -Group $evil -DisplayNamePrefix $evil",
            new() { ["evil"] = evil }).AssertNoErrors();
        Assert.Empty(Calls(s));
        var script = Assert.IsType<string>(Assert.Single(r.Output).BaseObject);

        var ast = Parser.ParseInput(script, out var tokens, out var errors);
        Assert.Empty(errors);
        var statements = ast.EndBlock.Statements;
        Assert.Equal(3, statements.Count); // 49154 and 135 and 49160 (no -UseRpcKeyword) from the pool
        Assert.Null(ast.BeginBlock);
        Assert.Null(ast.ProcessBlock);
        Assert.Null(ast.ParamBlock);
        foreach (var statement in statements)
        {
            var pipeline = Assert.IsType<PipelineAst>(statement);
            var command = Assert.IsType<CommandAst>(Assert.Single(pipeline.PipelineElements));
            Assert.Equal(TokenKind.Unknown, command.InvocationOperator);
            Assert.Null(command.Redirections.FirstOrDefault());
            Assert.Equal("New-NetFirewallRule", command.GetCommandName());
            var name = Assert.IsType<StringConstantExpressionAst>(command.CommandElements[0]);
            Assert.Equal(StringConstantType.BareWord, name.StringConstantType);
            var values = new Dictionary<string, string[]>();
            for (int i = 1; i < command.CommandElements.Count; i += 2)
            {
                var parameter = Assert.IsType<CommandParameterAst>(command.CommandElements[i]);
                Assert.Null(parameter.Argument);
                var value = command.CommandElements[i + 1];
                values[parameter.ParameterName] = value switch
                {
                    StringConstantExpressionAst c when c.StringConstantType == StringConstantType.SingleQuoted => new[] { c.Value },
                    ArrayLiteralAst a => a.Elements.Select(e =>
                    {
                        var c = Assert.IsType<StringConstantExpressionAst>(e);
                        Assert.Equal(StringConstantType.SingleQuoted, c.StringConstantType);
                        return c.Value;
                    }).ToArray(),
                    _ => throw new Xunit.Sdk.XunitException($"not a constant string: {value.GetType().Name} {value.Extent.Text}"),
                };
            }
            // The values come back exactly: nothing was lost or interpreted.
            Assert.Equal(evil, values["Group"].Single());
            Assert.StartsWith(evil + " Inbound TCP ", values["DisplayName"].Single());
            Assert.Equal("Domain,Private", values["Profile"].Single());
            Assert.Equal("True", values["Enabled"].Single());
            Assert.Equal("Allow", values["Action"].Single());
            Assert.Equal(new[] { "192.168.10.0/24" }, values["RemoteAddress"]);
            Assert.Matches("^Fw-In-TCP-[0-9]+-[0-9a-f]{16}$", values["Name"].Single());
        }
        // Nothing but comments and those commands in the token stream either.
        Assert.DoesNotContain(tokens, t => t.Kind is TokenKind.Variable or TokenKind.SplattedVariable or TokenKind.DollarParen or TokenKind.AtParen or TokenKind.Semi);

        // Run it against the stand-in: the values arrive verbatim and nothing else runs.
        var run = s.Run(script).AssertNoErrors();
        Assert.Equal(3, Calls(s).Count);
        Assert.All(Calls(s), c => Assert.Equal(evil, c["Group"]));
        Assert.Equal(true, s.Run("$null -eq $global:pwned").AssertNoErrors().Output.Single().BaseObject);
    }

    [Fact]
    public void Table_view_shows_status_port_scope_and_rule()
    {
        using var s = Open();
        var r = s.Run(Director + " -Confirm:$false | Out-Host").AssertNoErrors();
        var lines = r.HostText.Split('\n');
        // Intended change (80-column view, labels = property names; Profile, LastSeen, Rule and Name are in Format-List).
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^Status\s+Direction\s+Protocol\s+Port\s+RemoteAddress\s+Hits\s*$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^Created\s+Inbound\s+TCP\s+49154 \(RPC\?\)\s+192\.168\.10\.0/24\s+3\s*$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^OutOfScope\s+Inbound\s+TCP\s+49154 \(RPC\?\)\s+\(10\.9\.9\.9\)"));
    }

    [Fact]
    public void Help_documents_every_parameter_and_has_the_examples()
    {
        using var s = PsSession.Open();
        var titles = s.Run("(Get-Help New-FwRuleFromDrop -Full).examples.example | ForEach-Object { $_.title }").AssertNoErrors()
            .Output.Select(o => o.ToString()).ToList();
        Assert.Contains(titles, t => t.Contains("Director"));
        Assert.Contains(titles, t => t.Contains("scheduled task"));
        Assert.Contains(titles, t => t.Contains("Invoke-Command"));
        var documented = s.Run("(Get-Help New-FwRuleFromDrop -Full).parameters.parameter | ForEach-Object { $_.name }").AssertNoErrors()
            .Output.Select(o => o.ToString()).ToHashSet();
        var actual = s.Run("(Get-Command New-FwRuleFromDrop).Parameters.Values | Where-Object { -not [System.Management.Automation.Cmdlet]::CommonParameters.Contains($_.Name) -and $_.Name -notin 'WhatIf','Confirm' } | ForEach-Object { $_.Name }")
            .AssertNoErrors().Output.Select(o => o.ToString()).ToList();
        Assert.NotEmpty(actual);
        Assert.All(actual, name => Assert.Contains(name, documented));
        var synopsis = s.Run("(Get-Help New-FwRuleFromDrop).Synopsis").AssertNoErrors().Output.Single().ToString();
        Assert.Contains("allow rules", synopsis);
    }
}
