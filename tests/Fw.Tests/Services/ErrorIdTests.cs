using System.Reflection;
using System.Text.RegularExpressions;
using Fw.Core;

namespace Fw.Tests.Services;

/// <summary>
/// One catalogue of FullyQualifiedErrorIds (module/Core/ErrorIds.cs): no id is spelled anywhere else in the module's
/// sources, every ErrorRecord takes its id from the catalogue, and the ids that help and docs name exist.
/// </summary>
public class ErrorIdTests
{
    private static readonly string Module = FwAssembly.Repo("module");
    private static readonly string CatalogueFile = Path.Combine(Module, "Core", "ErrorIds.cs");

    private static Dictionary<string, string> Catalogue() =>
        typeof(ErrorIds).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    private static IEnumerable<string> ModuleSources() =>
        Directory.EnumerateFiles(Module, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) &&
                        !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar));

    [Fact]
    public void The_catalogue_has_distinct_ids_each_with_a_comment()
    {
        var ids = Catalogue();
        Assert.True(ids.Count >= 40, $"{ids.Count} ids");
        Assert.Equal(ids.Count, ids.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, kv => Assert.Equal("Fw" + kv.Key, kv.Value)); // the constant is named after the id
        string text = File.ReadAllText(CatalogueFile);
        foreach (var name in ids.Keys)
            Assert.Matches(new Regex(@"/// <summary>[^\n]+</summary>\s*\n\s*internal const string " + name + " = "), text);
    }

    [Fact]
    public void No_source_file_spells_an_id_outside_the_catalogue()
    {
        var ids = Catalogue().Values.ToHashSet(StringComparer.Ordinal);
        var literal = new Regex("\"(Fw[A-Za-z]+)\"");
        var found = new List<string>();
        foreach (var file in ModuleSources().Where(f => f != CatalogueFile))
        {
            string text = File.ReadAllText(file);
            foreach (Match m in literal.Matches(text))
                if (ids.Contains(m.Groups[1].Value)) found.Add($"{Path.GetRelativePath(Module, file)}: {m.Value}");
        }
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public void Every_ErrorRecord_takes_its_id_from_the_catalogue()
    {
        // new ErrorRecord(exception, <id>, category, target): the id argument is an ErrorIds constant, a ternary of
        // them, or the id of an error record that already has one (the wrapping constructor).
        var call = new Regex(@"new ErrorRecord\(", RegexOptions.Compiled);
        var problems = new List<string>();
        int calls = 0;
        foreach (var file in ModuleSources())
        {
            string text = File.ReadAllText(file);
            foreach (Match m in call.Matches(text))
            {
                var args = Arguments(text, m.Index + m.Length);
                calls++;
                if (args.Count == 2 && args[0].Contains("ErrorRecord")) continue; // new ErrorRecord(e.ErrorRecord, e)
                if (args.Count != 4) { problems.Add($"{Path.GetFileName(file)}: {m.Value}{string.Join(",", args)}"); continue; }
                string id = args[1].Trim();
                // ServiceMessage.ToErrorRecord passes on the id its factories were given (checked below).
                bool fromMessage = file.EndsWith("ServiceMessage.cs", StringComparison.Ordinal) && id == "Id";
                if (!IsCatalogueId(id) && !fromMessage) problems.Add($"{Path.GetRelativePath(Module, file)}: id argument '{id}'");
            }
        }
        Assert.True(calls >= 30, $"only {calls} ErrorRecord constructions found");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_service_error_takes_its_id_from_the_catalogue()
    {
        // The services' errors as data: ServiceMessage.Error(id, ...), ServiceException.Of(id, ...), messages.Error(id, ...).
        var call = new Regex(@"(ServiceMessage\.Error|ServiceException\.Of|messages\.Error)\(", RegexOptions.Compiled);
        var problems = new List<string>();
        int calls = 0;
        foreach (var file in ModuleSources())
        {
            if (file.EndsWith("ServiceMessage.cs", StringComparison.Ordinal)) continue; // the factories themselves
            string text = File.ReadAllText(file);
            foreach (Match m in call.Matches(text))
            {
                calls++;
                string id = Arguments(text, m.Index + m.Length)[0].Trim();
                if (!IsCatalogueId(id)) problems.Add($"{Path.GetRelativePath(Module, file)}: {m.Value}{id}");
            }
        }
        Assert.True(calls >= 15, $"only {calls} service errors found");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>An ErrorIds constant, or a choice between two of them.</summary>
    private static bool IsCatalogueId(string expression) =>
        Regex.IsMatch(expression, @"^(ErrorIds\.\w+|[\w.]+ \? ErrorIds\.\w+ : ErrorIds\.\w+)$");

    /// <summary>The top-level arguments of a call whose '(' ends just before <paramref name="start"/>.</summary>
    private static List<string> Arguments(string text, int start)
    {
        var args = new List<string>();
        int depth = 0, from = start;
        bool inString = false;
        for (int i = start; i < text.Length; i++)
        {
            char ch = text[i];
            if (inString)
            {
                if (ch == '\\') i++;
                else if (ch == '"') inString = false;
                continue;
            }
            if (ch == '"') inString = true;
            else if (ch == '(' || ch == '{' || ch == '[') depth++;
            else if ((ch == ')' || ch == '}' || ch == ']') && depth > 0) depth--;
            else if (ch == ')' && depth == 0) { args.Add(text[from..i]); return args; }
            else if (ch == ',' && depth == 0) { args.Add(text[from..i]); from = i + 1; }
        }
        return args;
    }

    [Fact]
    public void Every_id_that_help_and_docs_name_is_in_the_catalogue()
    {
        var ids = Catalogue().Values.ToHashSet(StringComparer.Ordinal);
        // Names that are not error ids: the module's types, its cmdlets' nouns, and names from examples.
        var other = typeof(ErrorIds).Assembly.GetTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        other.UnionWith(new[] { "FwRuleFromDrop", "FwLogging", "FwShare", "FwDropReport", "FwDropReportTask" });
        var files = Directory.EnumerateFiles(Path.Combine(Module, "help"))
            .Concat(Directory.EnumerateFiles(FwAssembly.Repo("docs"), "*.md"))
            .Append(FwAssembly.Repo("README.md"));
        var named = new SortedSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var file in files)
        {
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"\bFw[A-Z][A-Za-z]+\b"))
            {
                if (other.Contains(m.Value)) continue;
                if (ids.Contains(m.Value)) named.Add(m.Value);
                else unknown.Add($"{Path.GetFileName(file)}: {m.Value}");
            }
        }
        Assert.True(unknown.Count == 0, "help names ids the module does not emit:\n" + string.Join("\n", unknown.Distinct()));
        Assert.Contains("FwNativeLoadFailed", named); // about_Fw
        Assert.Contains("FwFilterNotSupported", named);
    }
}
