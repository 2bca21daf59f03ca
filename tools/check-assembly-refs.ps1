# Checks that Fw.dll loads in Windows PowerShell 5.1 on .NET Framework 4.7.2 without extra facades: its only
# assembly references are netstandard and System.Management.Automation, and it names no type that .NET Framework
# 4.7.2 lacks in-box (ValueTuple: what C# tuple syntax compiles to; RuntimeInformation; Span and friends).
# Usage: pwsh -File tools/check-assembly-refs.ps1 <path to Fw.dll>. Prints what it found; exit 1 on a violation.
param([Parameter(Mandatory)] [string] $Assembly)
$ErrorActionPreference = 'Stop'

$allowedAssemblies = @('netstandard', 'System.Management.Automation')
$forbiddenTypes = @(
    'System.ValueTuple*', 'System.Runtime.InteropServices.RuntimeInformation', 'System.Runtime.InteropServices.OSPlatform',
    'System.Runtime.InteropServices.Architecture', 'System.Span*', 'System.ReadOnlySpan*', 'System.Memory*',
    'System.ReadOnlyMemory*', 'System.Runtime.InteropServices.NativeLibrary', 'System.Index', 'System.Range',
    'System.HashCode', 'System.Runtime.CompilerServices.TupleElementNamesAttribute'
)

$full = (Resolve-Path -LiteralPath $Assembly).Path
$stream = [System.IO.File]::OpenRead($full)
try {
    $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
    $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
    $problems = [System.Collections.Generic.List[string]]::new()

    $refs = foreach ($h in $md.AssemblyReferences) {
        $r = $md.GetAssemblyReference($h)
        $name = $md.GetString($r.Name)
        "$name $($r.Version)"
        if ($allowedAssemblies -notcontains $name) { $problems.Add("references assembly '$name' $($r.Version) (allowed: $($allowedAssemblies -join ', '))") }
    }
    $types = foreach ($h in $md.TypeReferences) {
        $t = $md.GetTypeReference($h)
        $ns = $md.GetString($t.Namespace)
        if ($ns) { "$ns.$($md.GetString($t.Name))" } else { $md.GetString($t.Name) }
    }
    foreach ($t in $types | Sort-Object -Unique) {
        foreach ($f in $forbiddenTypes) {
            if ($t -like $f) { $problems.Add("uses type '$t', which Fw.dll must not use (Windows PowerShell 5.1 on .NET Framework 4.7.2 without extra facades)") }
        }
    }
    "check-assembly-refs: $full"
    "  assembly references: $($refs -join '; ')"
    "  type references: $(@($types | Sort-Object -Unique).Count)"
    if ($problems.Count) {
        foreach ($p in $problems) { "  FAIL: $p" }
        exit 1
    }
    '  OK: nothing outside netstandard 2.0 and System.Management.Automation, no ValueTuple/RuntimeInformation/Span'
}
finally {
    $stream.Dispose()
}
