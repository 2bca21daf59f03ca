using System.Collections.Generic;
using System.Management.Automation;
using Fw.Core.Services;

namespace Fw.Commands
{
    /// <summary>Writes what a service returned as data through the cmdlet's streams, in the order it came.</summary>
    internal static class ServiceOutput
    {
        internal static void Write(this Cmdlet cmdlet, IReadOnlyList<ServiceMessage> messages)
        {
            foreach (var m in messages)
            {
                switch (m.Kind)
                {
                    case ServiceMessageKind.Error: cmdlet.WriteError(m.ToErrorRecord()); break;
                    case ServiceMessageKind.Warning: cmdlet.WriteWarning(m.Text); break;
                    default: cmdlet.WriteVerbose(m.Text); break;
                }
            }
        }
    }
}
