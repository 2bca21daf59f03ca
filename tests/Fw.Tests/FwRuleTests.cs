using System.Text;

namespace Fw.Tests;

/// <summary>Real rule strings (tests/data/rules/reference-rules.txt: [MS-GPFAS] 4.2 and other public sources named there) and .reg exports the tests write.</summary>
public sealed class RuleFiles : IDisposable
{
    public LogFiles Files { get; } = new();

    /// <summary>The rule strings of formats.md section 4.3, verbatim, in order.</summary>
    public IReadOnlyList<string> Reference { get; }

    /// <summary>A UTF-16LE .reg export (as reg export writes it) of the reference rules, named Ref01..Ref17, in the local store's key.</summary>
    public string RegPath { get; }

    public RuleFiles()
    {
        // The same 17 strings the native suite reads: formats.md section 4.3, verbatim, in order.
        string txt = Path.Combine(PsSession.RepoRoot, "tests", "data", "rules", "reference-rules.txt");
        Reference = File.ReadAllLines(txt).Where(l => l.StartsWith("v") || l.StartsWith("V")).ToList();
        Assert.Equal(17, Reference.Count);
        RegPath = Files.Write("rules.reg", Reg(Reference.Select((r, i) => ($"Ref{i + 1:00}", r)),
            @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules"),
            crlf: true, encoding: new UnicodeEncoding(false, false), bom: true);
    }

    /// <summary>The text of a .reg export: header, one key, "name"="data" with \ and " escaped.</summary>
    public static string Reg(IEnumerable<(string Name, string Rule)> rules, string key, string extra = "")
    {
        var sb = new StringBuilder("Windows Registry Editor Version 5.00\n\n");
        sb.Append('[').Append(key).Append("]\n");
        foreach (var (name, rule) in rules)
            sb.Append('"').Append(Escape(name)).Append("\"=\"").Append(Escape(rule)).Append("\"\n");
        sb.Append(extra);
        sb.Append('\n');
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

    public void Dispose() => Files.Dispose();
}

public sealed class FwRuleTests : IClassFixture<RuleFiles>
{
    private readonly RuleFiles _files;

    public FwRuleTests(RuleFiles files) => _files = files;

    private PsResult Run(string script, Dictionary<string, object?>? vars = null) => PsSession.RunOnce(script, vars);

    private Dictionary<string, PSObject> ReferenceRules()
    {
        var r = Run("Get-FwRule -Path $p", new() { ["p"] = _files.RegPath }).AssertNoErrors();
        Assert.Equal(_files.Reference.Count, r.Output.Count);
        return r.Output.ToDictionary(o => o.S("Name")!);
    }

    [Fact]
    public void Every_reference_rule_string_parses_from_a_UTF16_reg_export()
    {
        Assert.Equal(17, _files.Reference.Count);
        var rules = ReferenceRules();
        for (int i = 0; i < _files.Reference.Count; i++)
        {
            var o = rules[$"Ref{i + 1:00}"];
            Assert.Equal("Fw.FwRule", o.TypeName());
            Assert.Equal(_files.Reference[i], o.S("RuleString")); // the .reg escapes were undone exactly
            Assert.Equal("Local", o.S("Store"));
            Assert.Equal(_files.RegPath, o.S("Source"));
            Assert.Empty((string[])o.P("UnknownToken")!);
        }
    }

    [Fact]
    public void Reference_rules_mean_what_they_say()
    {
        var rules = ReferenceRules();

        var gpfas = rules["Ref01"]; // [MS-GPFAS] 4.2 example
        Assert.Equal("2.10", gpfas.S("SchemaVersion"));
        Assert.Equal(new[] { "RPC" }, (string[])gpfas.P("LocalPort")!);
        Assert.Equal(new[] { "49000" }, (string[])gpfas.P("RemotePort")!);
        Assert.Equal(new[] { "192.168.1.0/24", "192.168.0.0/24" }, (string[])gpfas.P("LocalAddress")!);
        Assert.Equal(new[] { "LocalSubnet" }, (string[])gpfas.P("RemoteAddress")!);
        Assert.Equal("Public", gpfas.S("Profile"));
        Assert.Equal("Authenticate, An-NoEncap", gpfas.S("Security"));
        Assert.Equal("Firewall Rule Test", gpfas.S("DisplayName"));
        Assert.False((bool)gpfas.P("IsIndirect")!);

        var rdp = rules["Ref02"];
        Assert.True((bool)rdp.P("Enabled")!);
        Assert.Equal("Inbound", rdp.S("Direction"));
        Assert.Equal("Allow", rdp.S("Action"));
        Assert.Equal("TCP", rdp.S("Protocol"));
        Assert.Equal(6, rdp.P("ProtocolNumber"));
        Assert.Equal(new[] { "3389" }, (string[])rdp.P("LocalPort")!);
        Assert.Equal(new[] { "Any" }, (string[])rdp.P("RemoteAddress")!);
        Assert.Equal("Any", rdp.S("Profile"));
        Assert.Equal(@"%SystemRoot%\system32\svchost.exe", rdp.S("Program"));
        Assert.Equal("termservice", rdp.S("Service"));
        Assert.Equal("@FirewallAPI.dll,-28775", rdp.S("DisplayName"));
        Assert.True((bool)rdp.P("IsIndirect")!);
        Assert.True((bool)rdp.P("IsDescriptionIndirect")!);
        Assert.Equal("@FirewallAPI.dll,-28752", rdp.S("Group"));
        Assert.Equal("Ref02", rdp.S("Label")); // indirect display name: the ID is shown

        Assert.Equal(new[] { "RPCEPMap" }, (string[])rules["Ref03"].P("LocalPort")!); // NetSecurity name
        Assert.Equal(new[] { "RPC-EPMap" }, (string[])rules["Ref03"].P("LocalPortRegistry")!);
        Assert.Equal(new[] { "8:*" }, (string[])rules["Ref05"].P("IcmpType")!);
        Assert.Equal("ICMPv6", rules["Ref06"].S("Protocol"));

        var dhcp = rules["Ref10"]; // V2.0 service hardening: no Active, no Protocol
        Assert.Equal("2.0", dhcp.S("SchemaVersion"));
        Assert.False((bool)dhcp.P("Enabled")!);
        Assert.Equal("Block", dhcp.S("Action"));
        Assert.Equal("Any", dhcp.S("Protocol"));
        Assert.Null(dhcp.P("ProtocolNumber"));

        var bfe = rules["Ref12"];
        Assert.Equal("Outbound", bfe.S("Direction"));
        Assert.Equal("DisplayEnhancementService", bfe.S("Service")); // Svc==...

        var search = rules["Ref13"]; // Protocol=tcp, rport= comma list
        Assert.Equal("TCP", search.S("Protocol"));
        Assert.Equal(new[] { "3268", "389", "563", "993", "995", "80", "443" }, (string[])search.P("RemotePort")!);

        Assert.Equal(new[] { "1-553", "555-8553", "8555-65535" }, (string[])rules["Ref14"].P("LocalPort")!);
        Assert.True((bool)rules["Ref15"].P("EdgeTraversal")!);
        Assert.False((bool)rules["Ref16"].P("Enabled")!);
        Assert.Equal("Private, Public", rules["Ref17"].S("Profile"));
        Assert.Equal("java.exe", rules["Ref17"].S("Label"));
    }

    [Fact]
    public void RuleString_from_the_pipeline_with_IDs_names_and_a_bad_string()
    {
        var r = Run("""
            'v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|Svc=Rpcss|Name=RPC Endpoint Mapper|',
            'My-SSH=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=tcp|LPort=22|RA4=192.0.2.0/255.255.255.0|',
            'v2.10|Action=Allow|Dir=Sideways|',
            'v2.10|Action=Block|Active=TRUE|Dir=Out|RA6=2001:db8::/32|' | Get-FwRule
            """);
        Assert.Null(r.Terminating);
        Assert.Equal(3, r.Output.Count);
        Assert.Equal("RPC Endpoint Mapper", r.Output[0].S("Name"));
        Assert.Equal("RuleString", r.Output[0].S("Store"));
        Assert.Equal("My-SSH", r.Output[1].S("Name"));
        Assert.Equal(new[] { "192.0.2.0/24" }, (string[])r.Output[1].P("RemoteAddress")!);
        Assert.Equal("RuleString4", r.Output[2].S("Name"));
        Assert.Equal(new[] { "2001:db8::/32" }, (string[])r.Output[2].P("RemoteAddress")!);
        var e = Assert.Single(r.Errors);
        Assert.Equal("FwRuleParseError,Fw.Commands.GetFwRuleCommand", e.FullyQualifiedErrorId);
        Assert.Contains("position 24", e.Exception.Message);
        Assert.Contains("Dir must be In or Out", e.Exception.Message);
        Assert.Equal(24L, PSObject.AsPSObject(e.Exception).P("Column"));
    }

    [Fact]
    public void Bad_rules_in_a_reg_file_are_errors_and_the_others_load()
    {
        string reg = RuleFiles.Reg(new[]
        {
            ("Good-1", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80|"),
            ("Broken", "v2.10|Action=Allow|Protocol=6|LPort=99999|"),
            ("Good-2", "v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=23|"),
        }, @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules", "\"PolicyVersion\"=dword:0000021a\n");
        string path = _files.Files.Write("gpo.reg", reg, encoding: new UnicodeEncoding(false, false), bom: true);
        var r = Run("Get-FwRule -Path $p", new() { ["p"] = path });
        Assert.Equal(new[] { "Good-1", "Good-2" }, r.Output.Select(o => o.S("Name")).ToArray());
        Assert.All(r.Output, o => Assert.Equal("GroupPolicy", o.S("Store")));
        var e = Assert.Single(r.Errors);
        Assert.Equal("FwRuleParseError,Fw.Commands.GetFwRuleCommand", e.FullyQualifiedErrorId);
        Assert.Contains("rule 'Broken'", e.Exception.Message);
        Assert.Contains("position 37", e.Exception.Message);
        Assert.Equal("Broken", e.TargetObject);
    }

    [Fact]
    public void Text_files_with_IDs_comments_and_wildcards()
    {
        string dir = Path.Combine(_files.Files.Folder, "text");
        _files.Files.Write("text/a.txt", "# rules\nWeb=v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=80,443|\n\n; note\nV2.0|Action=Block|Dir=In|Svc=*|\n");
        _files.Files.Write("text/b.txt", "v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|RPort=53|\n");
        var r = Run("Get-FwRule -Path $pattern", new() { ["pattern"] = Path.Combine(dir, "*.txt") }).AssertNoErrors();
        Assert.Equal(new[] { "Web", "a.txt:5", "b.txt:1" }, r.Output.Select(o => o.S("Name")).ToArray());
        Assert.Equal(new[] { "80", "443" }, (string[])r.Output[0].P("LocalPort")!);
        Assert.Equal("File", r.Output[0].S("Store"));
        Assert.Equal(2L, r.Output[0].P("LineNumber"));
        Assert.Equal("*", r.Output[1].S("Service"));
    }

    [Fact]
    public void Missing_file_is_a_non_terminating_error()
    {
        var r = Run("Get-FwRule -Path $p, $q", new() { ["p"] = Path.Combine(_files.Files.Folder, "nope.reg"), ["q"] = _files.RegPath });
        Assert.Null(r.Terminating);
        Assert.Equal(17, r.Output.Count);
        var e = Assert.Single(r.Errors);
        Assert.Equal("FwRuleFileError,Fw.Commands.GetFwRuleCommand", e.FullyQualifiedErrorId);
    }

    [Fact]
    public void Without_Path_or_RuleString_elsewhere_than_Windows_it_says_why()
    {
        if (OperatingSystem.IsWindows()) return; // the registry is there
        var r = Run("Get-FwRule");
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwRegistryUnavailable,Fw.Commands.GetFwRuleCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("-Path", r.Terminating.ErrorRecord.ErrorDetails.Message);
    }

    [Fact]
    public void Format_view_shows_a_table()
    {
        using var ps = PsSession.Open(width: 200);
        var r = ps.Run("Get-FwRule -Path $p | Out-Host", new() { ["p"] = _files.RegPath }).AssertNoErrors();
        var lines = r.HostText.Split('\n').Where(l => l.Trim().Length > 0).ToList();
        // Intended change (80-column view, labels = property names; Profile and Program/Service are in Format-List).
        Assert.Matches(@"^Label\s+Enabled\s+Direction\s+Action\s+Protocol\s+LocalPort\s+RemoteAddress\s*$", lines[0]);
        var rdp = lines.Single(l => l.StartsWith("Ref02 "));
        Assert.Matches(@"^Ref02\s+True\s+Inbound\s+Allow\s+TCP\s+3389\s+Any\s*$", rdp);
        Assert.Contains(lines, l => l.StartsWith("java.exe "));
    }

    [Fact]
    public void Help_has_examples_and_parameters()
    {
        var r = Run("""
            $h = Get-Help Get-FwRule -Full
            $h.Synopsis
            @($h.examples.example).Count
            ($h.parameters.parameter.name) -join ','
            """).AssertNoErrors();
        Assert.Contains("rules", r.Output[0].ToString());
        Assert.True((int)r.Output[1].BaseObject >= 3);
        var names = r.Output[2].ToString().Split(',');
        foreach (var p in new[] { "Path", "RuleString", "Store" }) Assert.Contains(p, names);
    }
}
