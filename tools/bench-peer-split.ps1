# make bench: the fastest form of the PowerShell peers' approach - read lines, split on spaces, compare
# fields as text (no objects). Usage: fwsh -File bench-peer-split.ps1 <log>; prints the number of matches.
$n = 0
foreach ($line in [System.IO.File]::ReadLines($args[0])) {
    if ($line.Length -eq 0 -or $line[0] -eq '#') { continue }
    $f = $line.Split(' ')
    if ($f[2] -eq 'DROP' -and $f[3] -eq 'TCP' -and $f[7] -eq '49154') { $n++ }
}
$n
