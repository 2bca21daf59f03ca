using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Fw.Core
{
    /// <summary>Tab completion from a fixed list of words: the words that start with what was typed (any quotes removed).</summary>
    public abstract class FwWordCompleter : IArgumentCompleter
    {
        /// <summary>The words offered, in the order shown.</summary>
        protected abstract IReadOnlyList<(string Word, string Tip)> Words { get; }

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var pattern = WildcardPattern.Get(WildcardPattern.Escape((wordToComplete ?? string.Empty).Trim('\'', '"')) + "*",
                WildcardOptions.IgnoreCase);
            foreach (var (word, tip) in Words)
                if (pattern.IsMatch(word)) yield return new CompletionResult(word, word, CompletionResultType.ParameterValue, tip);
        }
    }

    /// <summary>-Protocol: the protocols the log names (a number 0-255 is accepted too, so this completes, it does not validate).</summary>
    public sealed class FwProtocolCompleter : FwWordCompleter
    {
        private static readonly (string, string)[] List =
        {
            ("TCP", "TCP (6)"), ("UDP", "UDP (17)"), ("ICMP", "ICMP (1; ICMP over IPv6 in the log too)"), ("ICMPv6", "ICMPv6 (58)"),
        };

        /// <inheritdoc/>
        protected override IReadOnlyList<(string Word, string Tip)> Words => List;
    }

    /// <summary>-Scope: the address keywords New-NetFirewallRule -RemoteAddress accepts (addresses, subnets and ranges are typed).</summary>
    public sealed class FwScopeCompleter : FwWordCompleter
    {
        private static readonly (string, string)[] List =
        {
            ("LocalSubnet", "the subnets of this computer's interfaces"),
            ("DNS", "the DNS servers this computer uses"),
            ("DHCP", "the DHCP servers this computer uses"),
            ("WINS", "the WINS servers this computer uses"),
            ("DefaultGateway", "this computer's default gateways"),
            ("Internet", "addresses outside the intranet"),
            ("Intranet", "the intranet address ranges (Windows 8 / Server 2012 and later)"),
            ("IntranetRemoteAccess", "intranet ranges reached through remote access"),
            ("PlayToDevice", "Play To devices"),
        };

        /// <inheritdoc/>
        protected override IReadOnlyList<(string Word, string Tip)> Words => List;
    }
}
