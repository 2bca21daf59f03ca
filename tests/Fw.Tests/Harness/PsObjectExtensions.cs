namespace Fw.Tests.Harness;

/// <summary>Property access on emitted objects by name, as PowerShell users see them (no compile-time reference to Fw.dll).</summary>
public static class PsObjectExtensions
{
    /// <summary>The value of property <paramref name="name"/> (fails if the object has no such property).</summary>
    public static object? P(this PSObject o, string name)
    {
        var p = o.Properties[name];
        Assert.True(p != null, $"{o.BaseObject.GetType().FullName} has no property '{name}'");
        var v = p!.Value;
        return v is PSObject ps ? ps.BaseObject : v;
    }

    /// <summary>The property's value as text (IPAddress, enum, ...), or null.</summary>
    public static string? S(this PSObject o, string name) => o.P(name)?.ToString();

    /// <summary>Full .NET type name of the base object.</summary>
    public static string TypeName(this PSObject o) => o.BaseObject.GetType().FullName!;
}
