using System.Collections.Generic;
using System.Management.Automation;

namespace Fw.Commands
{
    /// <summary>
    /// Runs a Windows command (New-NetFirewallRule, Set-NetFirewallProfile) in the caller's session: the command the
    /// caller would get (a proxy function or an alias counts), by name, in a scope of its own, module-qualified when
    /// it came from a module so the command found is the one that runs.
    /// </summary>
    internal static class CallerCommand
    {
        /// <summary>The command as the caller's session resolves <paramref name="name"/>, or null.</summary>
        internal static CommandInfo? Find(PSCmdlet cmdlet, string name) =>
            cmdlet.InvokeCommand.GetCommand(name, CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias);

        /// <summary>
        /// Invokes <paramref name="command"/> with the parameters and -Confirm:$false (the calling cmdlet's ShouldProcess
        /// has asked); its errors are written through <paramref name="cmdlet"/>. True when it wrote none.
        /// </summary>
        internal static bool Invoke(PSCmdlet cmdlet, CommandInfo command, IEnumerable<KeyValuePair<string, object>> parameters)
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            // useLocalScope: a function such as a proxy must not run dot-sourced into the caller's scope.
            string name = string.IsNullOrEmpty(command.ModuleName) ? command.Name : command.ModuleName + "\\" + command.Name;
            ps.AddCommand(name, useLocalScope: true);
            foreach (var p in parameters) ps.AddParameter(p.Key, p.Value);
            ps.AddParameter("Confirm", new SwitchParameter(false));
            try
            {
                ps.Invoke();
            }
            catch (RuntimeException e)
            {
                cmdlet.WriteError(new ErrorRecord(e.ErrorRecord, e));
                return false;
            }
            foreach (var e in ps.Streams.Error) cmdlet.WriteError(e);
            return ps.Streams.Error.Count == 0;
        }
    }
}
