namespace Fw.Tests;

/// <summary>The manifest, exports, format file and help, as the engine sees them.</summary>
public sealed class ModuleManifestTests
{
    [Fact]
    public void Manifest_is_valid_and_explicit()
    {
        var r = PsSession.RunOnce("Test-ModuleManifest -Path $m", new() { ["m"] = PsSession.ManifestPath }).AssertNoErrors();
        var info = Assert.Single(r.Output);
        Assert.Equal("0.1.0", info.S("Version"));
        var editions = ((IEnumerable<string>)info.P("CompatiblePSEditions")!).ToList();
        Assert.Contains("Desktop", editions);
        Assert.Contains("Core", editions);
        Assert.Equal("5.1", info.S("PowerShellVersion"));

        string text = File.ReadAllText(PsSession.ManifestPath);
        Assert.DoesNotContain("'*'", text);
        Assert.Contains("CmdletsToExport", text);
        Assert.Matches(@"FunctionsToExport\s+= @\(\)", text);
        Assert.Matches(@"AliasesToExport\s+= @\(\)", text);
        Assert.Matches(@"VariablesToExport\s+= @\(\)", text);
        // Windows PowerShell 5.1 refuses the import on .NET Framework older than 4.7.2 with a clear message.
        Assert.Equal("4.7.2", info.S("DotNetFrameworkVersion"));
        // No invented addresses: there is no public site, so no HelpInfoUri/ProjectUri/LicenseUri.
        Assert.DoesNotContain("Uri ", text.Replace("# No HelpInfoUri, ProjectUri or LicenseUri", string.Empty));
    }

    [Fact]
    public void Import_exports_Get_FwDrop_and_only_declared_cmdlets()
    {
        var declared = new[] { "Get-FwDrop", "Measure-FwDrop", "Get-FwRule", "Test-FwDrop", "New-FwRuleFromDrop", "Get-FwLogging", "Enable-FwLogging" };
        var r = PsSession.RunOnce("(Get-Module Fw).ExportedCmdlets.Keys; '--'; (Get-Module Fw).ExportedFunctions.Count; (Get-Module Fw).ExportedAliases.Count").AssertNoErrors();
        var values = r.Output.Select(o => o.BaseObject.ToString()!).ToList();
        int sep = values.IndexOf("--");
        var cmdlets = values.Take(sep).ToList();
        Assert.Contains("Get-FwDrop", cmdlets);
        Assert.All(cmdlets, c => Assert.Contains(c, declared));
        Assert.Equal("0", values[sep + 1]);
        Assert.Equal("0", values[sep + 2]);
    }

    [Fact]
    public void Get_FwDrop_declares_its_output_type_and_pipeline_binding()
    {
        var r = PsSession.RunOnce("""
            $c = Get-Command Get-FwDrop
            $c.OutputType.Name
            $lp = $c.Parameters['LiteralPath']
            ($lp.Aliases -join ',')
            ($lp.ParameterSets.Values | ForEach-Object { $_.ValueFromPipelineByPropertyName }) -join ','
            ($c.Parameters['Path'].ParameterSets.Values | ForEach-Object { $_.ValueFromPipeline -and $_.Position -eq 0 }) -join ','
            $c.Parameters['Direction'].ParameterType.FullName
            ($c.Parameters.Keys | Where-Object { $_ -in 'Action','Protocol','SourceAddress','DestinationAddress','SourcePort','DestinationPort','After','Before' }).Count
            """).AssertNoErrors();
        var v = r.Output.Select(o => o.BaseObject.ToString()).ToList();
        Assert.Equal("Fw.FwDrop", v[0]);
        Assert.Contains("PSPath", v[1]!.Split(','));
        Assert.Contains("FullName", v[1]!.Split(','));
        Assert.Equal("True", v[2]);
        Assert.Equal("True", v[3]);
        Assert.Equal("Fw.FwDirection", v[4]);
        Assert.Equal("8", v[5]);
    }

    [Fact]
    public void Format_file_loads_and_names_real_properties()
    {
        // Importing already loaded it (a FormatXmlUpdateException would have failed Open); check the names too.
        var path = Path.Combine(PsSession.RepoRoot, "module", "formats", "FwDrop.format.ps1xml");
        var doc = System.Xml.Linq.XDocument.Load(path);
        var typeNames = doc.Descendants("TypeName").Select(e => e.Value.Trim()).Distinct().ToList();
        Assert.Equal(new[] { "Fw.FwDrop" }, typeNames);
        var r = PsSession.RunOnce("(Get-Command Get-FwDrop).ImplementingType.Assembly.GetType('Fw.FwDrop').GetProperties().Name").AssertNoErrors();
        var props = r.Output.Select(o => o.BaseObject.ToString()).ToHashSet();
        foreach (var name in doc.Descendants("PropertyName").Select(e => e.Value.Trim()))
            Assert.Contains(name, props);
    }
}
