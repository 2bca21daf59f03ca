namespace Fw.Tests;

/// <summary>The harness itself: what PsSession.Run captures, so tests of other cmdlets can rely on it.</summary>
public sealed class HarnessTests
{
    [Fact]
    public void Terminating_errors_end_the_script_and_keep_their_error_record()
    {
        var r = PsSession.RunOnce("'before'; Get-FwDrop -Path x.log -DestinationPort 70000; 'after'");
        Assert.Equal(new[] { "before" }, r.Output.Select(o => o.ToString()));
        Assert.NotNull(r.Terminating);
        Assert.Equal("FwInvalidFilterValue,Fw.Commands.GetFwDropCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);

        var thrown = PsSession.RunOnce("throw 'boom'");
        Assert.Equal("boom", thrown.Terminating?.Message);
    }

    [Fact]
    public void Non_terminating_errors_warnings_and_verbose_are_collected_and_the_script_goes_on()
    {
        var r = PsSession.RunOnce("""
            Get-FwDrop -Path /nonexistent/a.log
            $PSCmdlet = $null
            & { [CmdletBinding()] param() $PSCmdlet.WriteWarning('careful'); $PSCmdlet.WriteVerbose('details') } -Verbose
            'after'
            """);
        Assert.Null(r.Terminating);
        Assert.Equal("FwLogReadError,Fw.Commands.GetFwDropCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
        Assert.Equal("careful", Assert.Single(r.Warnings).Message);
        Assert.Equal("details", Assert.Single(r.Verbose).Message);
        Assert.Equal("after", Assert.Single(r.Output).ToString());
    }

    [Fact]
    public void Host_text_captures_WhatIf_and_prompts_are_answered_from_the_queue()
    {
        using var ps = PsSession.Open();
        var r = ps.Run("""
            & { [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')] param()
                if ($PSCmdlet.ShouldProcess('the target', 'the action')) { 'done' } } -WhatIf
            """);
        Assert.Empty(r.Output);
        Assert.Contains("What if: Performing the operation \"the action\" on target \"the target\".", r.HostText);

        ps.Host.ChoiceAnswers.Enqueue(0); // Yes
        var confirmed = ps.Run("""
            & { [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')] param()
                if ($PSCmdlet.ShouldProcess('the target', 'the action')) { 'done' } }
            """);
        Assert.Equal("done", Assert.Single(confirmed.Output).ToString());
        Assert.Contains("the target", Assert.Single(ps.Host.Prompts));

        var unanswered = ps.Run("""
            & { [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')] param()
                if ($PSCmdlet.ShouldProcess('x', 'y')) { 'done' } }
            """);
        Assert.Empty(unanswered.Output);
        Assert.NotNull(unanswered.Terminating);
    }
}
