BeforeAll {
    . $PSScriptRoot/Common.ps1
    function Line([string] $src, [int] $port) { "2026-01-01 10:00:00 DROP TCP $src 10.0.0.5 5000 $port 52 S 1 0 8192 - - - RECEIVE 4" }
    function Add-Lines([string] $path, [string[]] $lines) { [IO.File]::AppendAllText($path, (($lines -join "`r`n") + "`r`n")) }

    # A thread job keeps its streams on itself, other jobs on their child job.
    function Get-FwJobStreams($job) { if ($job.ChildJobs.Count -gt 0) { $job.ChildJobs[0] } else { $job } }

    # Runs $Code (a Get-FwDrop -Wait pipeline) in a thread job with Fw imported and -Verbose on, and waits (on the
    # job's Verbose collection's DataAdded event, bounded) until Get-FwDrop says it is following the log.
    function Start-FwFollower([string] $Code) {
        $job = Start-ThreadJob -ScriptBlock {
            param($manifest, $code)
            Import-Module $manifest
            $VerbosePreference = 'Continue'
            & ([scriptblock]::Create($code))
        } -ArgumentList $FwManifest, $Code
        $verbose = (Get-FwJobStreams $job).Verbose
        $sub = Register-ObjectEvent -InputObject $verbose -EventName DataAdded -SourceIdentifier "fw-follow-$($job.Id)"
        try {
            while (-not ($verbose | Where-Object Message -like 'Following*')) {
                if ($job.State -in 'Completed', 'Failed', 'Stopped') { throw "the follower ended early: $((Get-FwJobStreams $job).Error)" }
                $e = Wait-Event -SourceIdentifier "fw-follow-$($job.Id)" -Timeout 30
                if (-not $e) { throw 'the follower did not start following within 30 s' }
                $e | Remove-Event
            }
        } finally {
            Unregister-Event -SourceIdentifier "fw-follow-$($job.Id)"
        }
        $job
    }
}

Describe 'Alerts are the pipeline: Get-FwDrop -Wait | ForEach-Object' {
    It 'the help example raises one warning per new matching drop appended while it runs' {
        $log = New-FwTestLog -Path "$TestDrive/live.log" -Line (Line 192.168.10.21 135) # old: -Tail 0 skips it
        $example = (Get-Help Get-FwDrop -Full).examples.example | Where-Object title -like '*alert*'
        $example | Should -Not -BeNullOrEmpty
        # Only the path and the watch's length adapted; Select-Object ends the watch after two alerts.
        $code = $example.code.Replace('Get-FwDrop -Wait', "Get-FwDrop -Path '$log' -Wait").Replace('-Timeout 00:30:00', '-Timeout 00:01:00') +
                ' ; "done"'
        $code = $code -replace '\| ForEach-Object', '| Select-Object -First 2 | ForEach-Object'
        $job = Start-FwFollower $code
        try {
            Add-Lines $log @((Line 10.9.9.9 445), (Line 192.168.10.22 49154), (Line 192.168.10.23 3389))
            $job | Wait-Job -Timeout 60 | Out-Null
            $job.State | Should -Be 'Completed'
            $warnings = @((Get-FwJobStreams $job).Warning | ForEach-Object Message)
            $warnings.Count | Should -Be 2
            $warnings[0] | Should -Match '^Dropped TCP 192\.168\.10\.22 -> port 49154 at '
            $warnings[1] | Should -Match '^Dropped TCP 192\.168\.10\.23 -> port 3389 '
            @($job | Receive-Job) | Should -Be @('done')
        } finally {
            $job | Remove-Job -Force
        }
    }
    It '-Tail -Wait: the last records first, then each new one' {
        $log = New-FwTestLog -Path "$TestDrive/tail.log" -Line (Line 10.0.0.1 1), (Line 10.0.0.2 2), (Line 10.0.0.3 3)
        $job = Start-FwFollower "Get-FwDrop -Path '$log' -Tail 2 -Wait -Timeout 00:01:00 | Select-Object -First 4 | ForEach-Object DestinationPort"
        try {
            Add-Lines $log @((Line 10.0.0.4 4), (Line 10.0.0.5 5))
            $job | Wait-Job -Timeout 60 | Out-Null
            (@($job | Receive-Job) -join ',') | Should -Be '2,3,4,5'
        } finally {
            $job | Remove-Job -Force
        }
    }
}
