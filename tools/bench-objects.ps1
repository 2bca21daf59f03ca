# The cost of one object per record, in CPU time of this pwsh process (user+sys of all its threads, so the
# native reader's threads and the GC count too; wall clock on a shared machine says little).
# Usage: pwsh -NoProfile -File tools/bench-objects.ps1 [-Log] <log> [[-Repetitions] 7] [-Module Fw.psd1] [case ...]
# Prints one line per case: best and median CPU seconds over the repetitions, and objects per CPU second.
# The cases separate what Fw pays (native read, conversion, WriteObject) from what the pipeline pays for any
# object (the "floor": the same objects, already in memory, piped to the same consumer).
param(
    [Parameter(Mandatory, Position = 0)] [string] $Log,
    [Parameter(Position = 1)] [int] $Repetitions = 7,
    [string] $Module = (Join-Path $PSScriptRoot '../Fw.psd1'),
    [Parameter(ValueFromRemainingArguments)] [string[]] $Case = @('get-measure', 'collect', 'floor-measure', 'plain-measure', 'get-outnull', 'floor-outnull',
        'get-foreach', 'floor-foreach', 'get-where', 'floor-where', 'floor-plain-where')
)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$Log = (Resolve-Path $Log).ProviderPath
$me = [System.Diagnostics.Process]::GetCurrentProcess()

function Measure-Cpu([scriptblock] $Block) {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $me.Refresh()
    $cpu0 = $me.TotalProcessorTime; $wall = [System.Diagnostics.Stopwatch]::StartNew()
    $null = & $Block
    $wall.Stop(); $me.Refresh()
    [pscustomobject]@{ Cpu = ($me.TotalProcessorTime - $cpu0).TotalSeconds; Wall = $wall.Elapsed.TotalSeconds }
}

# The objects in memory for the floor cases, and plain objects of the same count (a small .NET class of the
# same shape would need Add-Type; [object] is the cheapest object there is).
$drops = Get-FwDrop -Action * -Path $Log
$n = $drops.Count
$plain = [object[]]::new($n); for ($i = 0; $i -lt $n; $i++) { $plain[$i] = [object]::new() }
$pscustom = if ($Case -contains 'floor-plain-where') { foreach ($d in $drops) { [pscustomobject]@{ DestinationPort = $d.DestinationPort } } }

$cases = [ordered]@{
    'get-measure'       = { Get-FwDrop -Action * -Path $Log | Measure-Object }
    'collect'           = { $x = Get-FwDrop -Action * -Path $Log; $x.Count }
    'floor-measure'     = { $drops | Measure-Object }
    'plain-measure'     = { $plain | Measure-Object }
    'get-outnull'       = { Get-FwDrop -Action * -Path $Log | Out-Null }
    'floor-outnull'     = { $drops | Out-Null }
    'get-foreach'       = { Get-FwDrop -Action * -Path $Log | ForEach-Object { } }
    'floor-foreach'     = { $drops | ForEach-Object { } }
    'get-where'         = { Get-FwDrop -Action * -Path $Log | Where-Object DestinationPort -eq 1 }
    'floor-where'       = { $drops | Where-Object DestinationPort -eq 1 }
    'floor-plain-where' = { $pscustom | Where-Object DestinationPort -eq 1 }
    'get-null'          = { $null = Get-FwDrop -Action * -Path $Log }
    'get-null-1thread'  = { $null = Get-FwDrop -Action * -Path $Log -ThrottleLimit 1 }
    'read-only'         = { $null = Get-FwDrop -Action * -Path $Log -DestinationPort 1 }
    'get-measure-1thread' = { Get-FwDrop -Action * -Path $Log -ThrottleLimit 1 | Measure-Object }
}

"{0} records; pwsh {1}; {2} repetitions (after one warm-up)" -f $n, $PSVersionTable.PSVersion, $Repetitions
foreach ($name in $Case) {
    $block = $cases[$name]
    if (-not $block) { throw "unknown case '$name'" }
    $null = Measure-Cpu $block # warm-up: JIT, caches
    $runs = @(for ($r = 0; $r -lt $Repetitions; $r++) { Measure-Cpu $block })
    $cpu = @($runs.Cpu | Sort-Object); $wall = @($runs.Wall | Sort-Object)
    $median = $cpu[[int][math]::Floor($cpu.Count / 2)]
    "{0,-18} cpu best {1,6:F3} s median {2,6:F3} s  wall best {3,6:F3} s  {4,8:N0} objects/cpu-s (best) {5,8:N0} objects/wall-s" -f `
        $name, $cpu[0], $median, $wall[0], ($n / [math]::Max($cpu[0], 1e-6)), ($n / [math]::Max($wall[0], 1e-6))
}
