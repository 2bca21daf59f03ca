# Get-FwDrop -Wait (follow mode) across growth, a line written in parts, rotation and truncation; how a follow or
# a long read ends (-Timeout, Ctrl+C, Select-Object); two -Bookmark runs at once. Moved from the xunit suite
# (FollowTests, BookmarkTests, GetFwDropTests): no sleeps - the test waits on the follower's output, warning and
# verbose streams (DataAdded events) before it changes the log, and Select-Object -First ends each follow.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    # Record n: a DROP from source port n, so a test can tell exactly which records came back, and in which order.
    function Get-FwFollowLine([int] $Number, [int] $DestinationPort = 443) {
        '2024-05-01 {0:00}:{1:00}:{2:00} DROP TCP 192.0.2.7 198.51.100.1 {3} {4} 60 S 100 0 64240 - - - RECEIVE 4' -f
            ((10 + [math]::Floor($Number / 3600)) % 24), ([math]::Floor($Number / 60) % 60), ($Number % 60), $Number, $DestinationPort
    }

    # A log that grows, rotates and truncates like the firewall service's (the next record number in $Next).
    function New-FwFollowLog([switch] $NoCreate) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $folder
        $log = [pscustomobject]@{
            Path = Join-Path $folder 'pfirewall.log'; Bookmark = Join-Path $folder 'state/fw.bookmark.json'; Next = 1
        }
        if (-not $NoCreate) { Initialize-FwFollowLog $log }
        $log
    }
    function Initialize-FwFollowLog($Log) {
        [System.IO.File]::WriteAllText($Log.Path, (($FwFieldsHeader -join "`r`n") + "`r`n"))
    }
    function Add-FwFollowRaw($Log, [string] $Text) {
        $s = [System.IO.FileStream]::new($Log.Path, 'Append', 'Write', [System.IO.FileShare]'ReadWrite, Delete')
        try { $bytes = [System.Text.Encoding]::ASCII.GetBytes($Text); $s.Write($bytes, 0, $bytes.Length) } finally { $s.Dispose() }
    }
    function Add-FwFollowRecord($Log, [int] $Count, [int] $DestinationPort = 443) {
        $text = -join (1..$Count | ForEach-Object { (Get-FwFollowLine ($Log.Next++) $DestinationPort) + "`r`n" })
        Add-FwFollowRaw $Log $text
    }
    # The service's rotation: the full file becomes .old (replacing an older one), a new file starts with a header.
    function Invoke-FwFollowRotation($Log) {
        Move-Item -LiteralPath $Log.Path -Destination "$($Log.Path).old" -Force
        Initialize-FwFollowLog $Log
    }
    function Clear-FwFollowLog($Log) {
        $s = [System.IO.FileStream]::new($Log.Path, 'Open', 'Write', [System.IO.FileShare]'ReadWrite, Delete')
        try {
            $s.SetLength(0)
            $bytes = [System.Text.Encoding]::ASCII.GetBytes((($FwFieldsHeader -join "`r`n") + "`r`n"))
            $s.Write($bytes, 0, $bytes.Length)
        } finally { $s.Dispose() }
    }

    # Runs $Code in a runspace of its own with Fw imported and -Verbose on; its output, warnings, verbose lines,
    # errors and state changes raise events here, so Wait-FwFollower can wait for them without polling.
    function Start-FwFollower([string] $Code) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("param(`$Manifest) Import-Module `$Manifest; `$VerbosePreference = 'Continue'; $Code").AddArgument($FwManifest)
        $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $in.Complete()
        $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $id = "fw-follow-$([guid]::NewGuid().ToString('N'))"
        $subscriptions = @(
            Register-ObjectEvent -InputObject $out -EventName DataAdded -SourceIdentifier "$id-output"
            Register-ObjectEvent -InputObject $ps.Streams.Warning -EventName DataAdded -SourceIdentifier "$id-warning"
            Register-ObjectEvent -InputObject $ps.Streams.Verbose -EventName DataAdded -SourceIdentifier "$id-verbose"
            Register-ObjectEvent -InputObject $ps.Streams.Error -EventName DataAdded -SourceIdentifier "$id-error"
            Register-ObjectEvent -InputObject $ps -EventName InvocationStateChanged -SourceIdentifier "$id-state"
        )
        $handle = $ps.BeginInvoke($in, $out)
        [pscustomobject]@{ PowerShell = $ps; Output = $out; Handle = $handle; Id = $id; Subscriptions = $subscriptions }
    }

    function Test-FwFollowerEnded($Follower) { $Follower.PowerShell.InvocationStateInfo.State -in 'Completed', 'Failed', 'Stopped' }

    # Waits (each event bounded by 60 s: a hang fails the test) until $Condition is true.
    function Wait-FwFollower($Follower, [scriptblock] $Condition, [string] $What) {
        while (-not (& $Condition)) {
            if (Test-FwFollowerEnded $Follower) {
                if (& $Condition) { break }
                throw "the follower ended before $What (output: $($Follower.Output -join ','); errors: $($Follower.PowerShell.Streams.Error))"
            }
            # Only this test's follower raises events: any event is a reason to look again.
            $e = Wait-Event -Timeout 60
            if (-not $e) { throw "no word from the follower within 60 s while waiting for $What (output: $($Follower.Output -join ','))" }
            $e | Remove-Event
        }
    }
    function Wait-FwFollowerOutput($Follower, [int] $Count) {
        Wait-FwFollower $Follower { $Follower.Output.Count -ge $Count } "$Count record(s)"
    }

    # Waits for the follower to end by itself (Select-Object -First, -Timeout) or stops it (Ctrl+C), and returns
    # what it wrote.
    function Stop-FwFollower($Follower, [switch] $Stop) {
        try {
            if ($Stop) {
                $stopping = $Follower.PowerShell.BeginStop($null, $null)
                $stopping.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue -Because 'Stop must end follow mode'
            }
            Wait-FwFollower $Follower { Test-FwFollowerEnded $Follower } 'the end'
            [pscustomobject]@{
                State    = $Follower.PowerShell.InvocationStateInfo.State
                Reason   = $Follower.PowerShell.InvocationStateInfo.Reason
                Output   = @($Follower.Output | ForEach-Object { $_ })
                Warnings = @($Follower.PowerShell.Streams.Warning | ForEach-Object Message)
                Errors   = @($Follower.PowerShell.Streams.Error)
            }
        } finally {
            $Follower.Subscriptions | ForEach-Object { Unregister-Event -SourceIdentifier $_.Name -ErrorAction SilentlyContinue }
            Get-Event | Where-Object SourceIdentifier -like "$($Follower.Id)-*" | Remove-Event
            $Follower.PowerShell.Dispose()
        }
    }
}

Describe 'Get-FwDrop -Wait follows the log' -Tag 'Follow' {
    It 'delivers every record once across growth, a line written in two parts and a rotation' {
        $log = New-FwFollowLog
        Add-FwFollowRecord $log 5
        $f = Start-FwFollower "Get-FwDrop -LiteralPath '$($log.Path)' -Wait -Timeout 00:01:00 | Select-Object -First 15 | ForEach-Object SourcePort"
        Wait-FwFollowerOutput $f 5
        Add-FwFollowRecord $log 3                        # 6-8: growth
        Wait-FwFollowerOutput $f 8
        $line = (Get-FwFollowLine ($log.Next++)) + "`r`n" # 9: the service mid-write
        Add-FwFollowRaw $log $line.Substring(0, 20)
        Add-FwFollowRaw $log $line.Substring(20)
        Add-FwFollowRecord $log 2                        # 10-11, in the file about to be rotated
        Invoke-FwFollowRotation $log
        Add-FwFollowRecord $log 3                        # 12-14: the new file
        Wait-FwFollowerOutput $f 14
        Add-FwFollowRecord $log 1                        # 15
        $r = Stop-FwFollower $f
        $r.State | Should -Be 'Completed' -Because "$($r.Reason)"
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -Be (1..15)
        $r.Warnings | Should -BeNullOrEmpty
    }

    It 'applies the filters to what it follows, across a rotation' {
        $log = New-FwFollowLog
        Add-FwFollowRecord $log 2 -DestinationPort 3389
        $f = Start-FwFollower "Get-FwDrop -LiteralPath '$($log.Path)' -DestinationPort 3389 -Wait -Timeout 00:01:00 | Select-Object -First 4 | ForEach-Object SourcePort"
        Wait-FwFollowerOutput $f 2
        Add-FwFollowRecord $log 2 -DestinationPort 443
        Add-FwFollowRecord $log 1 -DestinationPort 3389
        Invoke-FwFollowRotation $log
        Add-FwFollowRecord $log 1 -DestinationPort 3389
        $r = Stop-FwFollower $f
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -Be @(1, 2, 5, 6)
    }

    It 'notices a truncated log, says so and reads it again from the start' {
        $log = New-FwFollowLog
        Add-FwFollowRecord $log 3
        $f = Start-FwFollower "Get-FwDrop -LiteralPath '$($log.Path)' -Wait -Timeout 00:01:00 | Select-Object -First 4 | ForEach-Object SourcePort"
        Wait-FwFollowerOutput $f 3
        Clear-FwFollowLog $log
        Add-FwFollowRecord $log 1
        $r = Stop-FwFollower $f
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -Be (1..4)
        ($r.Warnings -join "`n") | Should -Match 'truncated'
    }

    It 'waits for a log that does not exist yet, with one warning' {
        $log = New-FwFollowLog -NoCreate
        $f = Start-FwFollower "Get-FwDrop -LiteralPath '$($log.Path)' -Wait -Timeout 00:01:00 | Select-Object -First 2 | ForEach-Object SourcePort"
        Wait-FwFollower $f { $f.PowerShell.Streams.Warning.Count -ge 1 } 'the warning about the missing log'
        Initialize-FwFollowLog $log
        Add-FwFollowRecord $log 2
        $r = Stop-FwFollower $f
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -Be @(1, 2)
        $r.Warnings.Count | Should -Be 1
        $r.Warnings[0] | Should -Match 'does not exist yet'
    }

    It 'with -Bookmark saves where following ended: the next run starts after it' {
        $log = New-FwFollowLog
        Add-FwFollowRecord $log 3
        $f = Start-FwFollower "Get-FwDrop -LiteralPath '$($log.Path)' -Bookmark '$($log.Bookmark)' -Wait -Timeout 00:01:00 | Select-Object -First 6 | ForEach-Object SourcePort"
        Wait-FwFollowerOutput $f 3
        Add-FwFollowRecord $log 2
        Invoke-FwFollowRotation $log
        Add-FwFollowRecord $log 1
        $r = Stop-FwFollower $f
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -Be (1..6)
        Add-FwFollowRecord $log 2
        @(Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark | ForEach-Object SourcePort) | Should -Be @(7, 8)
    }
}

Describe 'How a follow or a long read ends' -Tag 'Follow' {
    It '-Timeout ends follow mode with what was read' {
        $log = New-FwFollowLog
        Add-FwFollowRecord $log 2
        @(Get-FwDrop -LiteralPath $log.Path -Wait -Timeout 00:00:00.3 | ForEach-Object SourcePort) | Should -Be @(1, 2)
    }

    It 'Stop (Ctrl+C) ends follow mode' {
        $log = New-FwFollowLog
        Add-FwFollowRecord $log 2
        $f = Start-FwFollower "Get-FwDrop -LiteralPath '$($log.Path)' -Wait | ForEach-Object SourcePort"
        Wait-FwFollowerOutput $f 2
        $r = Stop-FwFollower $f -Stop
        $r.State | Should -Be 'Stopped'
        $r.Output | Should -Be @(1, 2)
    }

    It 'Stop (Ctrl+C) ends a long read in the middle' {
        $log = New-FwFollowLog
        $line = (Get-FwFollowLine 7 135) + "`r`n"
        Add-FwFollowRaw $log ($line * 200000)
        # The stop comes from inside the pipeline (BeginStop, as Ctrl+C does) at the 1000th record: no timing.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Log, $Self)
                    Import-Module $Manifest
                    $n = 0
                    Get-FwDrop -LiteralPath $Log | ForEach-Object { if (++$n -eq 1000) { $null = $Self.BeginStop($null, $null) }; $n }
                }).AddArgument($FwManifest).AddArgument($log.Path).AddArgument($ps)
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            try { $ps.Invoke($null, $out) } catch [System.Management.Automation.PipelineStoppedException] { }
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally { $ps.Dispose() }
        $out.Count | Should -BeGreaterOrEqual 1000
        $out.Count | Should -BeLessThan 200000 -Because 'the read must really stop in the middle'
    }

    It '-Timeout without -Wait is an error' {
        $log = New-FwFollowLog
        { Get-FwDrop -LiteralPath $log.Path -Timeout 00:00:01 } | Should -Throw -ErrorId 'FwTimeoutWithoutWait,Fw.Commands.GetFwDropCommand'
    }

    It 'the help documents the unattended parameters, with examples' {
        $h = Get-Help Get-FwDrop -Full
        $names = @($h.parameters.parameter.name)
        foreach ($p in 'Bookmark', 'IncludeRotated', 'Wait', 'Timeout') { $names | Should -Contain $p }
        $code = ($h.examples.example.code) -join "`n"
        $code | Should -Match '-Bookmark'
        $code | Should -Match '-Wait -Timeout'
    }
}

Describe 'Two -Bookmark runs at once' -Tag 'Follow', 'Bookmark' {
    It 'never report a record twice: the second run fails as busy while the first follows' {
        $log = New-FwFollowLog
        Add-FwFollowRecord $log 5
        $a = Start-FwFollower "Get-FwDrop -LiteralPath '$($log.Path)' -Bookmark '$($log.Bookmark)' -Wait -Timeout 00:01:00 | Select-Object -First 8 | ForEach-Object SourcePort"
        Wait-FwFollowerOutput $a 5
        $b = @(); $busy = $null
        try { Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark | ForEach-Object { $b += $_ } } catch { $busy = $_ }
        $busy.FullyQualifiedErrorId | Should -Be 'FwBookmarkBusy,Fw.Commands.GetFwDropCommand'
        $b.Count | Should -Be 0
        Add-FwFollowRecord $log 3 # the first run sees these while following
        $r = Stop-FwFollower $a
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -Be (1..8)
        Add-FwFollowRecord $log 1
        @(Get-FwDrop -LiteralPath $log.Path -Bookmark $log.Bookmark | ForEach-Object SourcePort) | Should -Be @(9)
    }
}
