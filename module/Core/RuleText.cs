using System;
using System.Collections.Generic;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>Port keywords: the registry's spelling ([MS-GPFAS]) to the names NetSecurity shows and New-NetFirewallRule takes.</summary>
    internal static class PortKeywords
    {
        private static readonly Dictionary<string, string> NetSecurity = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["RPC-EPMap"] = "RPCEPMap",
            ["Ply2Disc"] = "PlayToDiscovery",
            ["IPTLSIn"] = "IPHTTPSIn",
            ["IPTLSOut"] = "IPHTTPSOut",
        };

        /// <summary>The NetSecurity name of a port list item (RPC-EPMap -> RPCEPMap); numbers, ranges and other keywords as they are.</summary>
        internal static string NetSecurityName(string item) => NetSecurity.TryGetValue(item, out var name) ? name : item;
    }

    /// <summary>
    /// Resolves the indirect strings of rules (@FirewallAPI.dll,-28775) through fwcore, once per distinct string:
    /// a few hundred rules share a few dozen group and DLL strings. Off Windows nothing resolves and the rules keep
    /// the raw text with the *Resolved properties false.
    /// </summary>
    internal sealed class IndirectStrings
    {
        private readonly Dictionary<string, string?> _cache = new Dictionary<string, string?>(StringComparer.Ordinal);

        /// <summary>How many distinct indirect strings could not be resolved.</summary>
        internal int Unresolved { get; private set; }

        /// <summary>The text Windows shows for an indirect string, or null when it cannot be resolved here.</summary>
        internal string? Resolve(string indirect)
        {
            if (_cache.TryGetValue(indirect, out var known)) return known;
            string? text = null;
            byte[] source = Utf8.ToNative(indirect);
            var buffer = new byte[512];
            int rc = FwNative.fw_indirect_string_resolve(source, buffer, (UIntPtr)(uint)buffer.Length, out var needed);
            if (rc == (int)FwStatus.Buffer)
            {
                buffer = new byte[checked((int)needed.ToUInt64())];
                rc = FwNative.fw_indirect_string_resolve(source, buffer, (UIntPtr)(uint)buffer.Length, out needed);
            }
            if (rc == (int)FwStatus.Ok)
            {
                int length = Array.IndexOf(buffer, (byte)0);
                text = System.Text.Encoding.UTF8.GetString(buffer, 0, length < 0 ? buffer.Length : length);
            }
            else
            {
                Unresolved++;
            }
            _cache.Add(indirect, text);
            return text;
        }

        /// <summary>Replaces the rule's indirect display name, description and group with the text Windows shows, where it can.</summary>
        internal void Apply(FwRule rule)
        {
            if (rule.IsIndirect && rule.DisplayNameSource != null && Resolve(rule.DisplayNameSource) is string name)
            {
                rule.DisplayName = name;
                rule.DisplayNameResolved = true;
            }
            if (rule.IsDescriptionIndirect && rule.DescriptionSource != null && Resolve(rule.DescriptionSource) is string description)
            {
                rule.Description = description;
                rule.DescriptionResolved = true;
            }
            if (rule.IsGroupIndirect && rule.Group != null && Resolve(rule.Group) is string group)
            {
                rule.DisplayGroup = group;
                rule.DisplayGroupResolved = true;
            }
        }
    }
}
