# make bench: the PowerShell log parsers' ConvertFrom-Csv pattern (as in the scripts and modules collected in
# shared/reference/peers.md): the #Fields line names the columns, Get-Content feeds ConvertFrom-Csv with a space
# delimiter, Where-Object filters the objects. Usage: pwsh -File bench-peer-csv.ps1 <log>; prints the matches.
$fields = ((Get-Content $args[0] -TotalCount 10 | Where-Object { $_ -like '#Fields:*' } | Select-Object -First 1) -replace '^#Fields: ', '') -split ' '
$n = 0
Get-Content $args[0] | Where-Object { $_ -and $_[0] -ne '#' } | ConvertFrom-Csv -Delimiter ' ' -Header $fields |
    Where-Object { $_.action -eq 'DROP' -and $_.protocol -eq 'TCP' -and $_.'dst-port' -eq '49154' } | ForEach-Object { $n++ }
$n
