using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>
    /// What New-FwRuleFromDrop adds to the native synthesiser's candidates: the wizard's options (program, local
    /// addresses, the admin's display name), the RPC keyword's overlap with port 135, and names that stay
    /// content-derived. Kept out of the cmdlet so it can be tested on its own.
    /// </summary>
    internal static class RuleCandidates
    {
        /// <summary>
        /// The candidate's ID when the rule also has a program or local addresses: the native ID
        /// (Fw-In-TCP-49154-&lt;hash&gt;) with the hash taken over those too, so a rerun with the same options finds the
        /// rule by ID and one with other options does not collide with it.
        /// </summary>
        internal static string DerivedName(string nativeName, string? program, string[] localAddress)
        {
            if (program == null && localAddress.Length == 0) return nativeName;
            int dash = nativeName.LastIndexOf('-');
            string stem = dash > 0 ? nativeName.Substring(0, dash) : nativeName;
            string content = nativeName + "\nApp=" + (program ?? string.Empty) + "\nLA=" + string.Join(",", localAddress);
            return stem + "-" + Fnv1a(content).ToString("x16", CultureInfo.InvariantCulture);
        }

        private static ulong Fnv1a(string text)
        {
            ulong h = 0xcbf29ce484222325ul;
            foreach (byte b in Encoding.UTF8.GetBytes(text))
            {
                h ^= b;
                h = unchecked(h * 0x100000001b3ul);
            }
            return h;
        }

        /// <summary>The registry rule string with the program (App=), the local addresses (LA4=/LA6=) and the ID.</summary>
        internal static string DerivedRuleString(string ruleString, string nativeName, string name, string? program, string[] localAddress)
        {
            if (ruleString.Length == 0 || (program == null && localAddress.Length == 0)) return ruleString;
            var extra = new StringBuilder();
            if (program != null) extra.Append("App=").Append(program).Append('|');
            foreach (var a in localAddress) extra.Append(a.IndexOf(':') >= 0 ? "LA6=" : "LA4=").Append(a).Append('|');
            string token = "|Name=" + nativeName + "|";
            int at = ruleString.LastIndexOf(token, StringComparison.Ordinal);
            if (at < 0) return ruleString + extra + "Name=" + name + "|";
            return ruleString.Substring(0, at + 1) + extra + "Name=" + name + "|" + ruleString.Substring(at + token.Length);
        }

        /// <summary>
        /// With -UseRpcKeyword the synthesiser gives sources that hit both 135 and the dynamic range an RPCEPMap rule
        /// and keeps port 135 for the others; with a scope both can come out for the same scope entries, and the
        /// RPCEPMap rule (TCP 135 and 593) already allows port 135 from there. Such a port-135 rule is folded into
        /// the RPCEPMap rule: its drops are counted there and no second rule is made. Returns the folded candidates.
        /// </summary>
        internal static List<FwRuleCandidate> FoldPort135IntoEpMap(List<FwRuleCandidate> candidates)
        {
            var folded = new List<FwRuleCandidate>();
            foreach (var epmap in candidates.Where(c => IsInboundTcp(c, "RPCEPMap") && c.StatusValue == FwRuleCandidateStatus.WouldCreate).ToList())
            {
                var scope = new HashSet<string>(epmap.RemoteAddress, StringComparer.OrdinalIgnoreCase);
                foreach (var c in candidates.Where(c => IsInboundTcp(c, "135") && c.StatusValue == FwRuleCandidateStatus.WouldCreate &&
                                                        c.Program == epmap.Program && c.RemoteAddress.All(scope.Contains)).ToList())
                {
                    candidates.Remove(c);
                    folded.Add(c);
                    epmap.Hits += c.Hits;
                    epmap.RemoteAddressCount += c.RemoteAddressCount; // the synthesiser split the sources: disjoint
                    epmap.RemoteAddressesSeen = epmap.RemoteAddressesSeen.Concat(c.RemoteAddressesSeen).Distinct().ToArray();
                    if (c.FirstSeen.HasValue && (!epmap.FirstSeen.HasValue || c.FirstSeen < epmap.FirstSeen)) epmap.FirstSeen = c.FirstSeen;
                    if (c.LastSeen.HasValue && (!epmap.LastSeen.HasValue || c.LastSeen > epmap.LastSeen)) epmap.LastSeen = c.LastSeen;
                }
            }
            return folded;
        }

        private static bool IsInboundTcp(FwRuleCandidate c, string port) =>
            c.DirectionValue == FwDirection.Inbound && string.Equals(c.Protocol, "TCP", StringComparison.OrdinalIgnoreCase) &&
            string.Equals(c.LocalPort, port, StringComparison.OrdinalIgnoreCase);

        /// <summary>What tells one candidate from another: "Inbound TCP 5061", "Outbound UDP 53", "Inbound ICMPv4 type 8".</summary>
        internal static string What(FwRuleCandidate c)
        {
            string port = c.LocalPort ?? c.RemotePort ?? (c.IcmpType != null ? "type " + c.IcmpType : null) ?? string.Empty;
            return string.Join(" ", new[] { c.Direction.ToString(), c.Protocol, port }.Where(s => s.Length > 0));
        }

        /// <summary>
        /// Display names. Default: "&lt;prefix&gt; Inbound TCP 5061". With -DisplayName: that name when the drops make one
        /// rule; with several, each is "&lt;name&gt; (Inbound TCP 5061)". Rules for different programs add the program's file
        /// name ("..., app.exe"). A name that would still repeat gets " 2", " 3" in candidate order. Candidates with the
        /// same ID are the same rule and share the name.
        /// </summary>
        internal static void AssignDisplayNames(IReadOnlyList<FwRuleCandidate> candidates, string? displayName, string prefix)
        {
            var rules = candidates.Where(c => c.StatusValue != FwRuleCandidateStatus.OutOfScope).ToList();
            int distinct = rules.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            bool programs = candidates.Select(c => c.Program ?? string.Empty).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1;
            var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var c in candidates)
            {
                if (byName.TryGetValue(c.Name, out var same))
                {
                    c.DisplayName = same;
                    continue;
                }
                string program = programs && c.Program != null ? ProgramLabel(c.Program) : string.Empty;
                string text;
                if (displayName == null)
                    text = string.Join(" ", new[] { prefix, What(c) }.Where(s => s.Length > 0)) + (program.Length > 0 ? " (" + program + ")" : "");
                else if (distinct <= 1 && c.StatusValue != FwRuleCandidateStatus.OutOfScope)
                    text = displayName;
                else
                    text = displayName + " (" + What(c) + (program.Length > 0 ? ", " + program : "") + ")";
                string unique = text;
                for (int n = 2; c.StatusValue != FwRuleCandidateStatus.OutOfScope && !used.Add(unique); n++)
                    unique = text + " " + n.ToString(CultureInfo.InvariantCulture);
                c.DisplayName = unique;
                byName[c.Name] = unique;
            }
        }

        private static string ProgramLabel(string program)
        {
            int slash = Math.Max(program.LastIndexOf('\\'), program.LastIndexOf('/'));
            return slash >= 0 && slash < program.Length - 1 ? program.Substring(slash + 1) : program;
        }

        /// <summary>
        /// Checks -LocalAddress entries and builds the probe that tells whether a drop's local address lies in them:
        /// a rule string with only LA4/LA6 conditions, evaluated by the native matcher (one address grammar).
        /// Entries must be addresses, subnets or ranges: no keyword (LocalSubnet, Any) and nothing that could
        /// end the token. Throws ArgumentException naming the entry.
        /// </summary>
        internal static NativeRuleSet LocalAddressProbe(string[] entries)
        {
            foreach (var e in entries)
            {
                if (string.IsNullOrEmpty(e) || e.Any(ch => !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F' ||
                                                             ch == '.' || ch == ':' || ch == '/' || ch == '-')))
                    throw new ArgumentException(
                        $"-LocalAddress '{e}' is not an address, a subnet (a/len or a/mask) or a range (a-b) of this computer; keywords such as Any or LocalSubnet are not allowed (leave -LocalAddress out for any local address).");
            }
            var probe = new NativeRuleSet();
            try
            {
                var text = new StringBuilder("v2.10|Action=Allow|Active=TRUE|Dir=In|");
                foreach (var e in entries)
                {
                    var one = "v2.10|Action=Allow|Active=TRUE|Dir=In|" + (e.IndexOf(':') >= 0 ? "LA6=" : "LA4=") + e + "|";
                    try
                    {
                        using var check = new NativeRuleSet(); // entry by entry, so the error names the entry
                        check.Add("check", one, FwNative.StoreOther);
                    }
                    catch (FwNativeException x)
                    {
                        throw new ArgumentException($"-LocalAddress '{e}' is not an address, a subnet (a/len or a/mask) or a range (a-b): {x.Message}", x);
                    }
                    text.Append(e.IndexOf(':') >= 0 ? "LA6=" : "LA4=").Append(e).Append('|');
                }
                probe.Add("Fw-LocalAddress", text.ToString(), FwNative.StoreOther);
                return probe;
            }
            catch
            {
                probe.Dispose();
                throw;
            }
        }

        /// <summary>True when the probe's local addresses contain <paramref name="address"/>.</summary>
        internal static bool InLocalAddress(NativeRuleSet probe, IPAddress address)
        {
            var packet = new FwPacketNative { Direction = 1, Protocol = -1, LocalPort = -1, RemotePort = -1, IcmpType = -1, IcmpCode = -1 };
            DropValues.SetAddress(ref packet.Local, address);
            Ensure.Success(FwNative.fw_ruleset_evaluate(out var ev, probe.Handle, ref packet, 0));
            using (ev)
            {
                Ensure.Success(FwNative.fw_evaluation_get(ev, out var info));
                return info.Verdict == (int)FwVerdict.AllowedByRule;
            }
        }
    }
}
