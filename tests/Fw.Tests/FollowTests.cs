namespace Fw.Tests;

/// <summary>Get-FwDrop -Wait: follow mode across growth, partial lines, rotation and truncation; -Timeout and Ctrl+C end it.</summary>
public sealed class FollowTests
{
    [Fact]
    public async Task Follow_mode_delivers_every_record_once_across_a_rotation()
    {
        using var log = new RotatingLog();
        log.Append(5);
        using var ps = PsSession.Open();
        var writer = Task.Run(() =>
        {
            Thread.Sleep(800);
            log.Append(3);                     // 6-8: growth
            Thread.Sleep(400);
            string line = log.TakeLine();      // 9
            log.AppendRaw(line.Substring(0, 20)); // the service mid-write
            Thread.Sleep(400);
            log.AppendRaw(line.Substring(20));
            log.Append(2);                     // 10-11, in the file about to be rotated
            log.Rotate();
            log.Append(3);                     // 12-14: the new file
            Thread.Sleep(400);
            log.Append(1);                     // 15
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = ps.Run("Get-FwDrop -Path $p -Wait -Timeout 00:00:05", new() { ["p"] = log.Path });
        await writer;
        r.AssertNoErrors();
        Assert.Equal(RotatingLog.Range(1, 15), RotatingLog.Ports(r));
        Assert.Empty(r.Warnings);
        Assert.InRange(watch.Elapsed.TotalSeconds, 4.5, 9);
    }

    [Fact]
    public void Timeout_ends_follow_mode()
    {
        using var log = new RotatingLog();
        log.Append(2);
        using var ps = PsSession.Open();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = ps.Run("Get-FwDrop -Path $p -Wait -Timeout 00:00:01.500", new() { ["p"] = log.Path }).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(1, 2), RotatingLog.Ports(r));
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.4, 4);
    }

    [Fact]
    public void Stop_ends_follow_mode_promptly()
    {
        using var log = new RotatingLog();
        log.Append(2);
        var iss = System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2();
        using var ps = PowerShell.Create(iss);
        ps.AddScript("Import-Module $args[0]; Get-FwDrop -Path $args[1] -Wait").AddArgument(PsSession.ManifestPath).AddArgument(log.Path);
        var output = new PSDataCollection<PSObject>();
        var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (output.Count < 2 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Equal(2, output.Count);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ps.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Stop took {watch.Elapsed}");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
    }

    [Fact]
    public async Task Follow_mode_applies_the_filters()
    {
        using var log = new RotatingLog();
        log.Append(2, dstPort: 3389);
        using var ps = PsSession.Open();
        var writer = Task.Run(() =>
        {
            Thread.Sleep(500);
            log.Append(2, dstPort: 443);
            log.Append(1, dstPort: 3389);
            log.Rotate();
            log.Append(1, dstPort: 3389);
        });
        var r = ps.Run("Get-FwDrop -Path $p -DestinationPort 3389 -Wait -Timeout 00:00:02.500", new() { ["p"] = log.Path });
        await writer;
        r.AssertNoErrors();
        Assert.Equal(new List<int> { 1, 2, 5, 6 }, RotatingLog.Ports(r));
    }

    [Fact]
    public async Task Follow_mode_notices_truncation()
    {
        using var log = new RotatingLog();
        log.Append(3);
        using var ps = PsSession.Open();
        var writer = Task.Run(() =>
        {
            Thread.Sleep(600);
            log.Truncate();
            log.Append(1);
        });
        var r = ps.Run("Get-FwDrop -Path $p -Wait -Timeout 00:00:02", new() { ["p"] = log.Path });
        await writer;
        r.AssertNoErrors();
        Assert.Equal(RotatingLog.Range(1, 4), RotatingLog.Ports(r));
        Assert.Contains(r.Warnings, w => w.Message.Contains("truncated"));
    }

    [Fact]
    public async Task Follow_mode_waits_for_a_log_that_does_not_exist_yet()
    {
        using var log = new RotatingLog(create: false);
        using var ps = PsSession.Open();
        var writer = Task.Run(() =>
        {
            Thread.Sleep(500);
            log.Create();
            log.Append(2);
        });
        var r = ps.Run("Get-FwDrop -Path $p -Wait -Timeout 00:00:02", new() { ["p"] = log.Path });
        await writer;
        r.AssertNoErrors();
        Assert.Equal(RotatingLog.Range(1, 2), RotatingLog.Ports(r));
        Assert.Single(r.Warnings);
        Assert.Contains("does not exist yet", r.Warnings[0].Message);
    }

    [Fact]
    public async Task Wait_with_a_bookmark_saves_where_following_ended()
    {
        using var log = new RotatingLog();
        log.Append(3);
        using var ps = PsSession.Open();
        var writer = Task.Run(() =>
        {
            Thread.Sleep(500);
            log.Append(2);
            log.Rotate();
            log.Append(1);
        });
        var r = ps.Run("Get-FwDrop -Path $p -Bookmark $b -Wait -Timeout 00:00:02", new() { ["p"] = log.Path, ["b"] = log.Bookmark });
        await writer;
        Assert.Equal(RotatingLog.Range(1, 6), RotatingLog.Ports(r.AssertNoErrors()));
        log.Append(2);
        var next = ps.Run("Get-FwDrop -Path $p -Bookmark $b", new() { ["p"] = log.Path, ["b"] = log.Bookmark }).AssertNoErrors();
        Assert.Equal(RotatingLog.Range(7, 8), RotatingLog.Ports(next));
    }

    [Fact]
    public void Help_documents_the_unattended_parameters()
    {
        using var ps = PsSession.Open();
        var r = ps.Run("$h = Get-Help Get-FwDrop -Full; ($h.parameters.parameter.name) -join ','; ($h.examples.example.code) -join [char]10").AssertNoErrors();
        var names = r.Output[0].ToString().Split(',');
        foreach (var p in new[] { "Bookmark", "IncludeRotated", "Wait", "Timeout" }) Assert.Contains(p, names);
        Assert.Contains("-Bookmark", r.Output[1].ToString());
        Assert.Contains("-Wait -Timeout", r.Output[1].ToString());
    }

    [Fact]
    public void Timeout_without_Wait_is_an_error()
    {
        using var log = new RotatingLog();
        using var ps = PsSession.Open();
        var r = ps.Run("Get-FwDrop -Path $p -Timeout 00:00:01", new() { ["p"] = log.Path });
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwTimeoutWithoutWait,Fw.Commands.GetFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
    }
}
