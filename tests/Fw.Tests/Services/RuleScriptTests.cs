using System.Management.Automation.Language;
using Fw.Core.Services;

namespace Fw.Tests.Services;

/// <summary>
/// The script New-FwRuleFromDrop -AsScript writes: whatever the names, descriptions, programs, groups, policy stores
/// and computer names hold, PowerShell's parser (no runspace) reads exactly one New-NetFirewallRule command whose
/// arguments are constants equal to the values given, and comments that stay comments.
/// </summary>
public class RuleScriptTests
{
    /// <summary>Values that would run code, end a string or end a line if they were not quoted.</summary>
    public static readonly TheoryData<string> Hostile = new()
    {
        "plain",
        "it's",
        "'; Remove-Item C:\\ -Recurse; '",
        "\u2019; calc; \u2018",               // typographic quotes end single-quoted strings too
        "\u201A\u201B''''",
        "$(Invoke-Expression 'calc')",
        "${env:PATH}",
        "`$(calc)`",
        "\"; calc; \"",
        "line\nNew-NetFirewallRule -Name Evil",
        "cr\rcalc",
        "nel\u0085calc ls\u2028calc ps\u2029calc",
        "nul\0after",
        "#> <# calc",
        "@'\ncalc\n'@",
        "a,b;c|d&e",
        "",
    };

    private static FwRuleCandidate Candidate(string hostile) => new()
    {
        Name = "Fw-In-TCP-5061-" + hostile,
        DisplayName = hostile,
        Description = "Allows traffic: " + hostile,
        Group = hostile,
        DirectionValue = FwDirection.Inbound,
        Protocol = "TCP",
        LocalPort = "5061",
        RemoteAddress = new[] { "192.168.10.0/24", hostile },
        LocalAddress = new[] { hostile },
        Program = @"C:\Program Files\" + hostile + ".exe",
        Profile = "Domain",
        Hits = 3,
        RemoteAddressCount = 1,
    };

    /// <summary>The command's parameters and their constant values; fails on anything that is not a constant.</summary>
    private static Dictionary<string, object> ConstantArguments(CommandAst command)
    {
        var arguments = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        var elements = command.CommandElements;
        Assert.Equal("New-NetFirewallRule", command.GetCommandName());
        for (int i = 1; i < elements.Count; i++)
        {
            var parameter = Assert.IsType<CommandParameterAst>(elements[i]);
            Assert.Null(parameter.Argument);
            var value = elements[++i];
            arguments.Add(parameter.ParameterName, value switch
            {
                StringConstantExpressionAst s => Verbatim(s),
                ArrayLiteralAst a => a.Elements.Select(e => Verbatim(Assert.IsType<StringConstantExpressionAst>(e))).ToArray(),
                _ => throw new Xunit.Sdk.XunitException($"-{parameter.ParameterName} is not a constant: {value.GetType().Name} {value}"),
            });
        }
        return arguments;
    }

    private static string Verbatim(StringConstantExpressionAst s)
    {
        Assert.Equal(StringConstantType.SingleQuoted, s.StringConstantType);
        return s.Value;
    }

    private static ScriptBlockAst Parse(string script)
    {
        var ast = Parser.ParseInput(script, out _, out var errors);
        Assert.True(errors.Length == 0, string.Join("; ", errors.Select(e => e.Message)) + "\n" + script);
        return ast;
    }

    private static List<CommandAst> Commands(Ast ast) => ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().ToList();

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_script_line_is_one_command_with_the_values_as_constants(string hostile)
    {
        var c = Candidate(hostile);
        string line = RuleScript.ScriptLine(c, policyStore: hostile, cimSession: new object[] { hostile, "server2" });
        var command = Assert.Single(Commands(Parse(line)));
        Assert.Empty(Parse(line).FindAll(a => a is SubExpressionAst || a is ExpandableStringExpressionAst || a is VariableExpressionAst, true));
        var arguments = ConstantArguments(command);

        Assert.Equal(c.Name, arguments["Name"]);
        Assert.Equal(hostile, arguments["DisplayName"]);
        Assert.Equal(c.Description, arguments["Description"]);
        Assert.Equal(hostile, arguments["Group"]);
        Assert.Equal(c.Program, arguments["Program"]);
        Assert.Equal(hostile, arguments["PolicyStore"]);
        Assert.Equal(new[] { "5061" }, AsList(arguments["LocalPort"]));
        Assert.Equal(c.RemoteAddress, AsList(arguments["RemoteAddress"]));
        Assert.Equal(c.LocalAddress, AsList(arguments["LocalAddress"]));
        Assert.Equal(new[] { hostile, "server2" }, AsList(arguments["CimSession"]));
        Assert.Equal("Allow", arguments["Action"]);
        Assert.Equal("Inbound", arguments["Direction"]);
        Assert.Equal("True", arguments["Enabled"]);
    }

    private static string[] AsList(object value) => value as string[] ?? new[] { (string)value };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_whole_script_has_one_command_per_rule_and_its_notes_stay_comments(string hostile)
    {
        var rules = new[] { Candidate(hostile), Candidate(hostile + "2") };
        rules[1].DirectionValue = FwDirection.Outbound;
        rules[1].LocalPort = null;
        rules[1].RemotePort = "53";
        string script = RuleScript.Script(rules, 7, hostile, new object[] { hostile }, new[] { "note: " + hostile, hostile });

        var ast = Parse(script);
        var commands = Commands(ast);
        Assert.Equal(2, commands.Count);
        Assert.All(commands, c => ConstantArguments(c));
        Assert.Equal(rules[1].Name, ConstantArguments(commands[1])["Name"]);
        Assert.Equal(new[] { "53" }, AsList(ConstantArguments(commands[1])["RemotePort"]));
        Assert.StartsWith("# New-NetFirewallRule commands from New-FwRuleFromDrop (Fw): 2 rule(s) from 7 drop(s).\n", script);
        // The header is comments only, one per line: no value ended a comment and started a command.
        Parser.ParseInput(script, out var tokens, out _);
        var header = tokens.TakeWhile(t => t.Kind != TokenKind.Generic && t.Kind != TokenKind.Identifier).ToList();
        Assert.All(header, t => Assert.True(t.Kind == TokenKind.Comment || t.Kind == TokenKind.NewLine, t.Kind + ": " + t.Text));
        Assert.Equal(script.Substring(0, script.IndexOf("\nNew-NetFirewallRule ", StringComparison.Ordinal)).Split('\n').Length,
                     header.Count(t => t.Kind == TokenKind.Comment));
        Assert.Equal(2, ast.EndBlock.Statements.Count);
    }

    [Fact]
    public void Parameters_are_in_a_stable_order_with_the_cmdlet_value_forms()
    {
        var c = Candidate("x");
        c.IcmpType = null;
        var sessions = new object[] { "server1" };
        var p = RuleScript.Parameters(c, "contoso.com\\GPO", sessions);
        Assert.Equal(new[] { "Name", "DisplayName", "Description", "Group", "Direction", "Action", "Protocol", "LocalPort",
                             "RemoteAddress", "LocalAddress", "Program", "Profile", "Enabled", "PolicyStore", "CimSession" },
                     p.Select(kv => kv.Key));
        Assert.IsType<string[]>(p.Single(kv => kv.Key == "LocalPort").Value);
        Assert.Same(sessions, p.Single(kv => kv.Key == "CimSession").Value);
    }

    [Fact]
    public void The_WhatIf_text_and_target_say_what_would_be_created_and_where()
    {
        var c = Candidate("Lync");
        Assert.Equal(@"New-NetFirewallRule -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 192.168.10.0/24,Lync " +
                     @"-LocalAddress Lync -Program C:\Program Files\Lync.exe -Profile Domain (3 drop(s) from 1 address(es))", RuleScript.ActionText(c));
        Assert.Equal("Lync (Fw-In-TCP-5061-Lync) in policy store 'contoso.com\\GPO' on server1, server2",
                     RuleScript.Target(c, "contoso.com\\GPO", new object[] { "server1", PSObject.AsPSObject("server2") }));
    }

    [Fact]
    public void Cim_sessions_are_named_by_computer()
    {
        var session = new PSObject();
        session.Properties.Add(new PSNoteProperty("ComputerName", "dc01.contoso.com"));
        Assert.Equal(new[] { "dc01.contoso.com", "plain" }, RuleScript.CimSessionNames(new object[] { session, "plain", null! }));
    }
}
