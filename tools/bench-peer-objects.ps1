# make bench: the PowerShell peers' usual pattern - one object per log line, named from the #Fields header
# (as Get-WindowsDefenderFirewallLog and the ConvertFrom-Csv scripts do), then Where-Object.
# Usage: fwsh -File bench-peer-objects.ps1 <log>; prints the number of matches.
$names = $null
$n = 0
[System.IO.File]::ReadLines($args[0]) | ForEach-Object {
    if ($_.StartsWith('#Fields: ')) { $names = $_.Substring(9).Split(' '); return }
    if ($_.Length -eq 0 -or $_[0] -eq '#') { return }
    $f = $_.Split(' ')
    $o = [ordered]@{}
    for ($i = 0; $i -lt $names.Length; $i++) { $o[$names[$i]] = $f[$i] }
    [pscustomobject]$o
} | Where-Object { $_.action -eq 'DROP' -and $_.protocol -eq 'TCP' -and $_.'dst-port' -eq '49154' } | ForEach-Object { $n++ }
$n
