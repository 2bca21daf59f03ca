# Fw demo: the Director scenario.
#
# An admin console on a pool server (192.168.10.21) cannot reach the Director (192.168.10.5).
# docs/samples/director.log is the Director's firewall log (pfirewall.log as Windows 10+ writes it:
# pid column, blank line after #Fields, CRLF). Question: what did the Director's firewall drop?
#
# Run it with `make demo`, or: tests/fwsh -File docs/demo.ps1
# The admin's whole procedure: turn drop logging on, read the end of the log, explain the drop against the
# rules in force, and write the rule the wizard would (name, description, scope, profile) as a reviewable script.
# It uses only Fw and PowerShell's core cmdlets, so it runs in pwsh and in Windows PowerShell 5.1. Off Windows
# the logging step is a -WhatIf preview (there is no firewall to change).
param(
    [string] $Log = [System.IO.Path]::Combine($PSScriptRoot, 'samples', 'director.log'),
    [string] $Rules = [System.IO.Path]::Combine($PSScriptRoot, 'samples', 'director-rules.txt'),
    [string] $PoolServer = '192.168.10.21',
    [string] $Director = '192.168.10.5'
)

function Show-Title([string] $Text) {
    ''
    $Text
    '-' * $Text.Length
}

"The Director ($Director) log: $Log"

# 0. Drop logging is off by default: turn it on for the profile the servers use (here a preview).
Show-Title 'Enable-FwLogging -Profile Domain -WhatIf'
Enable-FwLogging -Profile Domain -WhatIf

# 1. What was dropped, counted natively by direction, protocol and local port (no object per line).
Show-Title 'Measure-FwDrop: dropped packets per service'
Measure-FwDrop -Path $Log | Out-Host

# 1b. The end of the log, as a tail tool opens it.
Show-Title 'Get-FwDrop -Tail 20'
Get-FwDrop -Path $Log -Tail 20 | Out-Host

# 2. Everything the pool server sent to the Director, dropped or allowed.
Show-Title "From the pool server ($PoolServer) to the Director, dropped and allowed"
Get-FwDrop -Path $Log -Action Drop, Allow -SourceAddress $PoolServer -DestinationAddress $Director | Out-Host

# 3. The main job: the dynamic RPC port the endpoint mapper handed out.
Show-Title 'Get-FwDrop -DestinationPort 49154'
$drops = @(Get-FwDrop -Path $Log -DestinationPort 49154)
$drops | Out-Host

# 4. The answer, from the data.
Show-Title 'Answer'
$flows = @{}
foreach ($d in $drops) {
    $key = '{0} -> {1} {2}/{3} ({4})' -f $d.SourceAddress, $d.DestinationAddress, $d.Protocol, $d.DestinationPort, $d.Direction
    if (-not $flows.ContainsKey($key)) {
        $flows[$key] = [pscustomobject]@{ Flow = $key; Packets = 0; Attempts = @{}; First = $d.Time; Last = $d.Time; Flags = @{}; Pid = $d.ProcessId }
    }
    $f = $flows[$key]
    $f.Packets++
    $f.Attempts[$d.SourcePort] = $true
    $f.Flags["$($d.TcpFlags)"] = $true
    if ($d.Time -lt $f.First) { $f.First = $d.Time }
    if ($d.Time -gt $f.Last) { $f.Last = $d.Time }
}
foreach ($f in $flows.Values) {
    '{0}: {1} packet(s) dropped, {2} connection attempt(s) (TCP flags {3}), {4:HH:mm:ss} to {5:HH:mm:ss}, listening process id {6}.' -f `
        $f.Flow, $f.Packets, $f.Attempts.Count, (@($f.Flags.Keys) -join ','), $f.First, $f.Last, $f.Pid
}
$epmap = @(Get-FwDrop -Path $Log -Action Allow -SourceAddress $PoolServer -DestinationAddress $Director -DestinationPort 135)
if ($epmap.Count -gt 0 -and $drops.Count -gt 0) {
    "The RPC endpoint mapper (TCP 135) was allowed $($epmap.Count) time(s) just before; the dynamic port it handed out was dropped."
    'Fix: allow inbound TCP to the RPC dynamic ports (LocalPort RPC) from the pool server, for the service that listens'
    "(process id $($drops[0].ProcessId) on the Director), rather than opening port 49154, which changes at every restart."
}
elseif ($drops.Count -eq 0) {
    'No packet to port 49154 was dropped.'
}

# 5. The drop explained against the Director's rules in force (a .reg export or the registry on Windows).
Show-Title 'Test-FwDrop: why was it dropped?'
$inForce = @(Get-FwRule -Path $Rules)
$drops | Test-FwDrop -Rule $inForce -Profile Domain | Format-List Direction, Protocol, Port, RemoteAddress, Verdict, Explanation | Out-Host

# 6. The rule the wizard would write, for change control: a reviewable script (nothing is created here;
#    without -AsScript it calls New-NetFirewallRule, with -WhatIf and -Confirm).
Show-Title 'New-FwRuleFromDrop -DisplayName ... -Description ... -Scope 192.168.10.0/24 -Profile Domain -AsScript'
$drops | New-FwRuleFromDrop -Scope 192.168.10.0/24 -Profile Domain -UseRpcKeyword -ExistingRule $inForce -AsScript `
    -DisplayName 'Allow Lync Server Control Panel from the pool (RPC)' `
    -Description 'The admin console on the pool servers (192.168.10.0/24) reaches the Director over RPC: endpoint mapper on 135, then a dynamic port.'
