using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Fw.Native;

namespace Fw.Core.Filter
{
    /// <summary>
    /// Turns one comparison of a property with a constant into a native leaf with PowerShell's own answer.
    /// The answer is never re-implemented: PowerShell's operator is asked, at compile time, on the values a
    /// record can have. A finite field (action, protocol, path, direction) is asked for every value; a number
    /// field for the value the constant converts to and its neighbours (-eq, -in, -contains) or by bisection
    /// over the field's range (-lt, -le, -gt, -ge, whose answers are monotonic); text leaves are checked against
    /// the operator on sample values. Whatever the operator throws on, or where the probes disagree with the
    /// leaf, is refused: Where-Object would write an error per record there, which -Filter cannot mimic.
    /// </summary>
    internal sealed class FilterLeaves
    {
        private readonly Dictionary<string, ScriptBlock> _operators = new Dictionary<string, ScriptBlock>();

        /// <summary>PowerShell's answer for `left op right`, as Where-Object would take it.</summary>
        internal bool Eval(object? left, string op, object? right)
        {
            if (!_operators.TryGetValue(op, out var block))
            {
                block = ScriptBlock.Create("param($l, $r) $l " + op + " $r");
                _operators[op] = block;
            }
            Collection<PSObject> result;
            try
            {
                result = block.Invoke(left, right);
            }
            catch (RuntimeException e)
            {
                throw new FilterException($"PowerShell cannot evaluate {Shown(left)} {op} {Shown(right)} ({e.Message.TrimEnd('.')}); Where-Object would write an error for such records");
            }
            return LanguagePrimitives.IsTrue(result.Count == 1 ? result[0] : (object)result);
        }

        internal static string Shown(object? v) => v switch
        {
            null => "$null",
            string s => "'" + s + "'",
            object[] a => "@(" + string.Join(", ", a.Select(Shown)) + ")",
            DateTime t => "[datetime]'" + t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "'",
            _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? v.GetType().Name,
        };

        /// <summary>The leaf for `property op constant` (propertyLeft) or `constant op property`.</summary>
        internal FilterNode Compare(FilterField f, bool propertyLeft, string opBase, bool caseSensitive, object? c, string where)
        {
            string op = "-" + (caseSensitive ? "c" : "") + opBase;
            Func<object?, bool> p = v => propertyLeft ? Eval(v, op, c) : Eval(c, op, v);
            bool nullResult = p(f.NullValue);

            if (f.Kind == FieldKind.Code)
            {
                var words = new ulong[f.CodeWords];
                foreach (var cv in f.Codes())
                    if (p(cv.Value)) words[cv.Code / 64] |= 1UL << (cv.Code % 64);
                return new LeafNode(f, FwNative.ExprCodes, false) { Codes = words };
            }

            bool negated = opBase == "ne" || opBase == "notlike" || opBase == "notin" || opBase == "notcontains";
            string posBase = negated ? (opBase == "ne" ? "eq" : opBase.Substring(3)) : opBase;
            string pos = "-" + (caseSensitive ? "c" : "") + posBase;
            Func<object?, bool> pp = v => propertyLeft ? Eval(v, pos, c) : Eval(c, pos, v);
            bool absentPasses = negated ? !nullResult : nullResult;
            // The constant is a list of candidates: `x -in list`, `list -contains x`.
            bool listOfCandidates = (posBase == "in" && propertyLeft) || (posBase == "contains" && !propertyLeft);
            Func<object?, Func<object?, bool>> perElement = e => v =>
                propertyLeft ? Eval(v, pos, new[] { e }) : Eval(new[] { e }, pos, v);

            FilterNode positive;
            if (posBase == "like")
            {
                if (!propertyLeft) throw new FilterException($"{where}: the property is the pattern of {op}; put the property on the left");
                if (f.Kind == FieldKind.Time) throw new FilterException($"{where}: {op} on {f.Name} depends on the culture's date format; compare with -lt/-ge and a [datetime]");
                positive = Like(f, c, caseSensitive, absentPasses, pp, where);
            }
            else if (posBase == "lt" || posBase == "le" || posBase == "gt" || posBase == "ge")
            {
                if (f.Kind == FieldKind.Address || f.IsAddressText)
                    throw new FilterException($"{where}: ordering addresses with {op} is not supported; use -in with a CIDR block or a range ({f.Name} -in '10.0.0.0/8' or '10.0.0.1-10.0.0.9'), or -eq, -like");
                if (f.Kind == FieldKind.Text)
                    throw new FilterException($"{where}: {op} on the text of {f.Name} follows the culture's sort order; use -eq, -like or -in");
                bool trueAtLow = propertyLeft ? (posBase == "lt" || posBase == "le") : (posBase == "gt" || posBase == "ge");
                positive = NumberLeaf(f, Monotone(f, pp, trueAtLow, op, c), absentPasses);
            }
            else if (posBase == "eq" || posBase == "in" || posBase == "contains")
            {
                if (!propertyLeft && posBase == "eq" && c is object[])
                    throw new FilterException($"{where}: a list on the left of {op} returns its matching items, not $true or $false");
                List<object?> candidates = listOfCandidates ? AsList(c) : new List<object?> { c };
                Func<object?, Func<object?, bool>> test = listOfCandidates ? perElement : (_ => pp);
                positive = f.Kind switch
                {
                    FieldKind.Number or FieldKind.Time => NumberLeaf(f, candidates.SelectMany(e => NumberPoints(f, test(e), e, op)).ToList(), absentPasses),
                    FieldKind.Address => AddressLeaf(f, candidates, test, listOfCandidates, absentPasses, op, where),
                    _ => TextEquals(f, candidates, test, listOfCandidates, caseSensitive, absentPasses, op, where),
                };
            }
            else
            {
                throw new FilterException($"{where}: the operator {op} is not supported");
            }
            return negated ? FilterNodes.Not(positive) : positive;
        }

        internal static List<object?> AsList(object? c) => c is object?[] a ? new List<object?>(a) : new List<object?> { c };

        // ---- Numbers and times ---------------------------------------------------------------------

        private static FilterNode NumberLeaf(FilterField f, List<NumberRange> ranges, bool absentPasses)
        {
            ranges = Merge(ranges);
            bool all = ranges.Count == 1 && ranges[0].Lo <= f.Min && ranges[0].Hi >= f.Max;
            // Values the property shows as its null value (a pid over Int32.MaxValue, a time outside DateTime)
            // go with the absent ones.
            if (absentPasses)
            {
                if (f.Kind == FieldKind.Time)
                {
                    ranges.Insert(0, new NumberRange(long.MinValue, f.Min - 1));
                    ranges.Add(new NumberRange(f.Max + 1, long.MaxValue));
                }
                else if (f.NullAbove < long.MaxValue)
                {
                    ranges.Add(new NumberRange(f.NullAbove + 1, long.MaxValue));
                }
            }
            if (ranges.Count == 0 && !absentPasses) return ConstNode.False;
            if (all && absentPasses) return ConstNode.True;
            var leaf = new LeafNode(f, FwNative.ExprNumbers, absentPasses);
            leaf.Ranges.AddRange(ranges);
            return leaf;
        }

        private static List<NumberRange> Merge(List<NumberRange> ranges)
        {
            var sorted = ranges.OrderBy(r => r.Lo).ToList();
            var merged = new List<NumberRange>();
            foreach (var r in sorted)
            {
                if (merged.Count > 0 && (merged[merged.Count - 1].Hi == long.MaxValue || r.Lo <= merged[merged.Count - 1].Hi + 1))
                {
                    var last = merged[merged.Count - 1];
                    merged[merged.Count - 1] = new NumberRange(last.Lo, Math.Max(last.Hi, r.Hi));
                }
                else
                {
                    merged.Add(r);
                }
            }
            return merged;
        }

        /// <summary>The value a constant converts to on this field (seconds for a time), if any.</summary>
        private static long? Candidate(FilterField f, object? c)
        {
            try
            {
                if (f.Kind == FieldKind.Time)
                {
                    var t = (DateTime)LanguagePrimitives.ConvertTo(c, typeof(DateTime), CultureInfo.InvariantCulture);
                    long ticks = t.Ticks - new DateTime(1970, 1, 1).Ticks;
                    return (long)Math.Floor(ticks / (double)TimeSpan.TicksPerSecond);
                }
                return (long)LanguagePrimitives.ConvertTo(c, typeof(long), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is PSInvalidCastException || e is InvalidCastException || e is ArgumentException ||
                                      e is OverflowException || e is FormatException)
            {
                return null;
            }
        }

        private static IEnumerable<long> Probes(FilterField f, long? around)
        {
            var probes = new List<long> { f.Min, f.Min + 1, 0, 1, 2, 53, 80, 443, 65535, f.Max - 1, f.Max };
            if (f.Kind == FieldKind.Time) probes.AddRange(new[] { 0L, 1_700_000_000L, 946_684_800L });
            if (around is long a)
                foreach (long d in new[] { -1L, 0L, 1L })
                    if ((d < 0 && a > long.MinValue) || (d > 0 && a < long.MaxValue) || d == 0) probes.Add(a + d);
            return probes.Where(v => v >= f.Min && v <= f.Max).Distinct();
        }

        /// <summary>The values x for which p(x) holds, for an equality test: one value, or none.</summary>
        private static List<NumberRange> NumberPoints(FilterField f, Func<object?, bool> p, object? c, string op)
        {
            long? v = Candidate(f, c);
            if (v is long x && x >= f.Min && x <= f.Max && p(f.Box(x)))
            {
                if ((x > f.Min && p(f.Box(x - 1))) || (x < f.Max && p(f.Box(x + 1))))
                    throw new FilterException($"{op} {Shown(c)} on {f.Name} holds for more than one value (an inexact number such as a [double]); use -ge/-le");
                return new List<NumberRange> { new NumberRange(x, x) };
            }
            foreach (long probe in Probes(f, v))
                if (p(f.Box(probe)))
                    throw new FilterException($"{op} {Shown(c)} on {f.Name} holds for {probe} but not for the value {Shown(c)} converts to; it cannot be pushed down");
            return new List<NumberRange>();
        }

        /// <summary>The values for which a monotonic test holds: a range at the low or the high end.</summary>
        private static List<NumberRange> Monotone(FilterField f, Func<object?, bool> p, bool trueAtLow, string op, object? c)
        {
            bool P(long x) => p(f.Box(x));
            long lo = f.Min, hi = f.Max;
            bool pl = P(lo), ph = P(hi);
            NumberRange? range;
            if (trueAtLow)
            {
                if (!pl) range = ph ? throw NotMonotone() : (NumberRange?)null;
                else if (ph) range = new NumberRange(lo, hi);
                else
                {
                    long a = lo, b = hi; // P(a), !P(b)
                    while (b - a > 1)
                    {
                        long m = a + (b - a) / 2;
                        if (P(m)) a = m; else b = m;
                    }
                    range = new NumberRange(lo, a);
                }
            }
            else
            {
                if (!ph) range = pl ? throw NotMonotone() : (NumberRange?)null;
                else if (pl) range = new NumberRange(lo, hi);
                else
                {
                    long a = lo, b = hi; // !P(a), P(b)
                    while (b - a > 1)
                    {
                        long m = a + (b - a) / 2;
                        if (P(m)) b = m; else a = m;
                    }
                    range = new NumberRange(b, hi);
                }
            }
            // The probes must agree with the range (the operator is monotonic on this field).
            foreach (long probe in Probes(f, range?.Lo).Concat(Probes(f, range?.Hi)))
                if (P(probe) != (range.HasValue && probe >= range.Value.Lo && probe <= range.Value.Hi)) throw NotMonotone();
            return range.HasValue ? new List<NumberRange> { range.Value } : new List<NumberRange>();

            FilterException NotMonotone() =>
                new FilterException($"{op} {Shown(c)} on {f.Name} does not order the values of {f.Name}; it cannot be pushed down");
        }

        // ---- Addresses -----------------------------------------------------------------------------

        private FilterNode AddressLeaf(FilterField f, List<object?> candidates, Func<object?, Func<object?, bool>> test,
                                      bool list, bool absentPasses, string op, string where)
        {
            var leaf = new LeafNode(f, FwNative.ExprAddresses, absentPasses);
            foreach (var e in candidates)
            {
                if (list && e is string s && AddressSpec.Looks(s))
                {
                    // The extension: an address against a CIDR block, a mask or a range.
                    if (!AddressSpec.TryParse(s, out var lo, out var hi))
                        throw new FilterException($"{where}: '{s}' is not an address, a/len, a/mask or a-b range");
                    leaf.AddressRanges.Add(new AddressRange(lo, hi));
                    continue;
                }
                var p = test(e);
                IPAddress? v = null;
                try
                {
                    v = (IPAddress)LanguagePrimitives.ConvertTo(e, typeof(IPAddress), CultureInfo.InvariantCulture);
                }
                catch (Exception x) when (x is PSInvalidCastException || x is InvalidCastException || x is ArgumentException || x is FormatException)
                {
                }
                // As a record shows it: no scope id.
                var asLogged = v == null ? null : new IPAddress(v.GetAddressBytes());
                if (asLogged != null && p(asLogged))
                {
                    var b = asLogged.GetAddressBytes();
                    leaf.AddressRanges.Add(new AddressRange(b, b));
                    continue;
                }
                foreach (var probe in new[] { IPAddress.Parse("0.0.0.0"), IPAddress.Parse("10.0.0.1"), IPAddress.Parse("::1"), asLogged })
                    if (probe != null && p(probe))
                        throw new FilterException($"{where}: {op} {Shown(e)} holds for {probe} but not for the address it converts to; it cannot be pushed down");
            }
            if (leaf.AddressRanges.Count == 0) return absentPasses ? (FilterNode)new LeafNode(f, FwNative.ExprAddresses, true) : ConstNode.False;
            return leaf;
        }

        // ---- Text: -like, and -eq on string properties ----------------------------------------------

        private FilterNode Like(FilterField f, object? c, bool caseSensitive, bool absentPasses, Func<object?, bool> p, string where)
        {
            if (!(c is string) && !(c is int) && !(c is long))
                throw new FilterException($"{where}: the pattern of -like must be a string, not {Shown(c)}");
            string pattern = Convert.ToString(c, CultureInfo.InvariantCulture)!;
            var options = caseSensitive ? WildcardOptions.None : WildcardOptions.IgnoreCase;
            var leaf = new LeafNode(f, FwNative.ExprText, absentPasses);
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '*')
                {
                    leaf.Tokens.Add(new Token { AnyRun = true });
                    continue;
                }
                string one;
                if (ch == '?') one = "?";
                else if (ch == '`')
                {
                    if (i + 1 == pattern.Length) throw new FilterException($"{where}: the pattern '{pattern}' ends in an escape character (`)");
                    one = WildcardPattern.Escape(pattern[++i].ToString());
                }
                else if (ch == '[')
                {
                    int close = i + 1;
                    while (close < pattern.Length && pattern[close] != ']') close += pattern[close] == '`' ? 2 : 1;
                    if (close >= pattern.Length || close == i + 1)
                        throw new FilterException($"{where}: the pattern '{pattern}' has an unclosed or empty [ ] set");
                    one = pattern.Substring(i, close - i + 1);
                    i = close;
                }
                else one = WildcardPattern.Escape(ch.ToString());
                var matcher = new WildcardPattern(one, options);
                var token = new Token();
                for (int b = 0; b < 256; b++) token.Set[b] = matcher.IsMatch(((char)b).ToString());
                leaf.Tokens.Add(token);
            }
            Verify(f, leaf, p, pattern, where);
            return leaf;
        }

        private FilterNode TextEquals(FilterField f, List<object?> candidates, Func<object?, Func<object?, bool>> test, bool list,
                                      bool caseSensitive, bool absentPasses, string op, string where)
        {
            var parts = new List<FilterNode>();
            foreach (var e in candidates)
            {
                if (e == null) continue; // equals only an absent value: absentPasses says so
                if (list && f.IsAddressText && e is string spec && AddressSpec.Looks(spec))
                {
                    if (!AddressSpec.TryParse(spec, out var lo, out var hi))
                        throw new FilterException($"{where}: '{spec}' is not an address, a/len, a/mask or a-b range");
                    var range = new LeafNode(f, FwNative.ExprAddresses, absentPasses);
                    range.AddressRanges.Add(new AddressRange(lo, hi));
                    parts.Add(range);
                    continue;
                }
                if (!(e is string s))
                    throw new FilterException($"{where}: {f.Name} is text; compare it with a string, not {Shown(e)}");
                var leaf = new LeafNode(f, FwNative.ExprText, absentPasses);
                foreach (char ch in s)
                {
                    if (ch < 0x20 || ch > 0x7e)
                        throw new FilterException($"{where}: '{s}' has a character outside printable ASCII, where the culture's comparison rules apply");
                    var token = new Token();
                    token.Set[ch] = true;
                    if (!caseSensitive)
                    {
                        token.Set[char.ToUpperInvariant(ch)] = true;
                        token.Set[char.ToLowerInvariant(ch)] = true;
                    }
                    leaf.Tokens.Add(token);
                }
                Verify(f, leaf, test(e), s, where);
                parts.Add(leaf);
            }
            if (parts.Count == 0) return absentPasses ? (FilterNode)new LeafNode(f, FwNative.ExprText, true) { } : ConstNode.False;
            return FilterNodes.Logic(false, parts);
        }

        /// <summary>The leaf must give the operator's answer on sample values of the field.</summary>
        private void Verify(FilterField f, LeafNode leaf, Func<object?, bool> p, string constant, string where)
        {
            var samples = new List<string>();
            string plain = new string(constant.Where(ch => ch != '*' && ch != '?' && ch != '[' && ch != ']' && ch != '`').ToArray());
            if (f.Kind == FieldKind.Number)
            {
                samples.AddRange(new[] { "0", "1", "5", "53", "80", "135", "443", "3389", "49154", "65535", "123456789" });
                if (long.TryParse(plain, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n <= f.Max) samples.Add(n.ToString(CultureInfo.InvariantCulture));
            }
            else if (f.IsAddressText || f.Kind == FieldKind.Address)
            {
                samples.AddRange(new[] { "192.168.10.5", "10.0.0.1", "0.0.0.0", "255.255.255.255", "fe80::1", "::1", "::ffff:1.2.3.4", "2001:db8::5efe:1.2.3.4" });
                if (IPAddress.TryParse(plain, out var a) && (a.AddressFamily == AddressFamily.InterNetwork || (a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId == 0)))
                    samples.Add(new IPAddress(a.GetAddressBytes()).ToString());
            }
            else
            {
                samples.AddRange(new[] { "S", "A", "AP", "SA", "FA", "R", "RA", "PA", "U", "F", "AS", "FPU" });
                if (plain.Length > 0 && plain.All(ch => (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) samples.AddRange(new[] { plain, plain.ToUpperInvariant(), plain.ToLowerInvariant() });
            }
            foreach (var s in samples)
            {
                object? value = f.Kind == FieldKind.Number ? f.Box(long.Parse(s, CultureInfo.InvariantCulture))
                              : f.Kind == FieldKind.Address ? IPAddress.Parse(s) : (object)s;
                if (p(value) != Glob(leaf.Tokens, value is IPAddress ip ? ip.ToString() : s))
                    throw new FilterException($"{where}: cannot reproduce PowerShell's answer for '{s}'; it cannot be pushed down");
            }
        }

        /// <summary>The native matcher's rule (fw_expr TEXT), for the self-check.</summary>
        internal static bool Glob(List<Token> p, string s)
        {
            int pi = 0, si = 0, star = -1, starSi = 0;
            while (si < s.Length)
            {
                if (pi < p.Count && p[pi].AnyRun) { star = pi++; starSi = si; }
                else if (pi < p.Count && s[si] < 256 && p[pi].Set[s[si]]) { pi++; si++; }
                else if (star >= 0) { pi = star + 1; si = ++starSi; }
                else return false;
            }
            while (pi < p.Count && p[pi].AnyRun) pi++;
            return pi == p.Count;
        }
    }

    /// <summary>The -Filter extension: "a/len", "a/255.255.255.0" and "a-b" as address ranges.</summary>
    internal static class AddressSpec
    {
        internal static bool Looks(string s) => s.IndexOf('/') >= 0 || s.IndexOf('-') >= 0;

        internal static bool TryParse(string text, out byte[] lo, out byte[] hi)
        {
            lo = hi = Array.Empty<byte>();
            string s = text.Trim();
            int slash = s.IndexOf('/');
            if (slash >= 0)
            {
                if (!Strict(s.Substring(0, slash), out var a)) return false;
                string suffix = s.Substring(slash + 1);
                int bits = a.Length * 8, len;
                if (suffix.Length > 0 && suffix.Length <= 3 && suffix.All(ch => ch >= '0' && ch <= '9'))
                {
                    len = int.Parse(suffix, CultureInfo.InvariantCulture);
                }
                else if (a.Length == 4 && Strict(suffix, out var mask) && mask.Length == 4)
                {
                    uint m = unchecked((uint)(mask[0] << 24 | mask[1] << 16 | mask[2] << 8 | mask[3]));
                    len = 0;
                    while (len < 32 && (m & (0x80000000u >> len)) != 0) len++;
                    if (len < 32 && unchecked(m << len) != 0) return false; // not contiguous
                }
                else return false;
                if (len > bits) return false;
                lo = (byte[])a.Clone();
                hi = (byte[])a.Clone();
                for (int i = 0; i < bits; i++)
                {
                    if (i < len) continue;
                    lo[i / 8] &= unchecked((byte)~(0x80 >> (i % 8)));
                    hi[i / 8] |= (byte)(0x80 >> (i % 8));
                }
                return true;
            }
            int dash = s.IndexOf('-');
            if (dash < 0 || !Strict(s.Substring(0, dash).Trim(), out var first) || !Strict(s.Substring(dash + 1).Trim(), out var last)) return false;
            if (first.Length != last.Length) return false;
            for (int i = 0; i < first.Length; i++)
            {
                if (first[i] < last[i]) break;
                if (first[i] > last[i]) return false;
            }
            lo = first;
            hi = last;
            return true;
        }

        // Dotted quads with four parts, or IPv6 without a zone.
        private static bool Strict(string s, out byte[] bytes)
        {
            bytes = Array.Empty<byte>();
            if (s.IndexOf('%') >= 0 || s.Length == 0) return false;
            if (s.IndexOf(':') < 0 && (s.Count(ch => ch == '.') != 3 || !s.All(ch => ch == '.' || (ch >= '0' && ch <= '9')))) return false;
            if (!IPAddress.TryParse(s, out var a)) return false;
            bytes = a.GetAddressBytes();
            return true;
        }
    }
}
