using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Fw.Core;
using Fw.Native;

namespace Fw.Tests.Services;

/// <summary>
/// The services are tested without a runspace, straight against bin/Fw.dll: the assembly is loaded from the repository's
/// bin/ (as Import-Module does) and fwcore beside it (bin/&lt;rid&gt;/), through
/// the module's own loader.
/// </summary>
internal static class FwAssembly
{
    [ModuleInitializer]
    internal static void ResolveFromBin()
    {
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            name.Name == "Fw" ? context.LoadFromAssemblyPath(Path.Combine(RepoRoot, "bin", "Fw.dll")) : null;
    }

    /// <summary>The folder that holds Fw.psd1, above the test binaries.</summary>
    internal static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Fw.psd1")))
                return dir.FullName;
        throw new InvalidOperationException($"No Fw.psd1 above {AppContext.BaseDirectory}: run the tests from the repository.");
    }

    private static readonly object Gate = new();
    private static bool _ready;

    /// <summary>Loads fwcore (once) and fails the test with the loader's reason when it cannot.</summary>
    internal static void EnsureNative()
    {
        lock (Gate)
        {
            if (_ready) return;
            LoadNative();
            _ready = true;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // Fw is resolved on the first call, after the resolver is in place
    private static void LoadNative()
    {
        NativeLoader.Initialize();
        Assert.Equal(FwNative.AbiVersion, FwNative.fw_abi_version());
    }

    internal static string Repo(params string[] parts) => Path.Combine(new[] { RepoRoot }.Concat(parts).ToArray());

    /// <summary>Every record of a log, as Get-FwDrop makes them (native reader + RecordConverter), without a runspace.</summary>
    internal static unsafe List<FwDrop> ReadDrops(string path)
    {
        EnsureNative();
        var drops = new List<FwDrop>();
        var converter = new RecordConverter(path);
        using var reader = LogReader.Open(path, null);
        while (reader.Next(out var records, out int count))
        {
            var p = (FwRecord*)records;
            for (int i = 0; i < count; i++) drops.Add(converter.Convert(p + i));
        }
        return drops;
    }

    /// <summary>The rule strings of a text file of rules (lines starting with v2.), with their line numbers as names.</summary>
    internal static List<KeyValuePair<string, string>> RuleLines(string path) =>
        File.ReadAllLines(path).Select((line, i) => new KeyValuePair<string, string>("line" + (i + 1), line))
            .Where(l => l.Value.StartsWith("v2.", StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>An object with Name and RuleString, as a deserialized Get-FwRule result looks (no runspace needed).</summary>
    internal static PSObject RuleObject(string name, string ruleString)
    {
        var o = new PSObject();
        o.Properties.Add(new PSNoteProperty("Name", name));
        o.Properties.Add(new PSNoteProperty("RuleString", ruleString));
        return o;
    }
}
