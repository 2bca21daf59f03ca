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
        protected abstract IReadOnlyList<WordTip> Words { get; }

        /// <summary>A word offered and its tool tip.</summary>
        protected readonly struct WordTip
        {
            /// <summary>The completion text.</summary>
            public readonly string Word;
            /// <summary>The tool tip shown for it.</summary>
            public readonly string Tip;
            /// <summary>A word and its tool tip.</summary>
            public WordTip(string word, string tip) { Word = word; Tip = tip; }
        }

        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var pattern = WildcardPattern.Get(WildcardPattern.Escape((wordToComplete ?? string.Empty).Trim('\'', '"')) + "*",
                WildcardOptions.IgnoreCase);
            foreach (var w in Words)
                if (pattern.IsMatch(w.Word)) yield return new CompletionResult(w.Word, w.Word, CompletionResultType.ParameterValue, w.Tip);
        }
    }

    /// <summary>-Protocol: the protocols the log names (a number 0-255 is accepted too, so this completes, it does not validate).</summary>
    public sealed class FwProtocolCompleter : FwWordCompleter
    {
        private static readonly WordTip[] List =
        {
            new WordTip("TCP", "TCP (6)"), new WordTip("UDP", "UDP (17)"),
            new WordTip("ICMP", "ICMP (1; ICMP over IPv6 in the log too)"), new WordTip("ICMPv6", "ICMPv6 (58)"),
        };

        /// <inheritdoc/>
        protected override IReadOnlyList<WordTip> Words => List;
    }

    /// <summary>-Scope: the address keywords New-NetFirewallRule -RemoteAddress accepts (addresses, subnets and ranges are typed).</summary>
    public sealed class FwScopeCompleter : FwWordCompleter
    {
        private static readonly WordTip[] List =
        {
            new WordTip("LocalSubnet", "the subnets of this computer's interfaces"),
            new WordTip("DNS", "the DNS servers this computer uses"),
            new WordTip("DHCP", "the DHCP servers this computer uses"),
            new WordTip("WINS", "the WINS servers this computer uses"),
            new WordTip("DefaultGateway", "this computer's default gateways"),
            new WordTip("Internet", "addresses outside the intranet"),
            new WordTip("Intranet", "the intranet address ranges (Windows 8 / Server 2012 and later)"),
            new WordTip("IntranetRemoteAccess", "intranet ranges reached through remote access"),
            new WordTip("PlayToDevice", "Play To devices"),
        };

        /// <inheritdoc/>
        protected override IReadOnlyList<WordTip> Words => List;
    }
}
