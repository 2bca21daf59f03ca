using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Language;

namespace Fw.Core.Filter
{
    /// <summary>-Filter cannot push a construct down: the message names it and where it is.</summary>
    internal sealed class FilterException : Exception
    {
        internal FilterException(string message) : base(message) { }

        internal static FilterException At(Ast ast, string message)
        {
            var e = ast.Extent;
            string text = e.Text.Length > 60 ? e.Text.Substring(0, 57) + "..." : e.Text;
            return new FilterException($"'{text}' at line {e.StartLineNumber}, column {e.StartColumnNumber}: {message}");
        }
    }

    /// <summary>The compiled expression, before it becomes a native program.</summary>
    internal abstract class FilterNode
    {
        /// <summary>Rough cost of evaluating it on a line: cheap tests first in an AND or OR.</summary>
        internal abstract int Cost { get; }
    }

    internal sealed class ConstNode : FilterNode
    {
        internal static readonly ConstNode True = new ConstNode(true), False = new ConstNode(false);
        private ConstNode(bool value) => Value = value;
        internal bool Value { get; }
        internal override int Cost => 0;
    }

    internal sealed class NotNode : FilterNode
    {
        internal NotNode(FilterNode child) => Child = child;
        internal FilterNode Child { get; }
        internal override int Cost => Child.Cost;
    }

    internal sealed class LogicNode : FilterNode
    {
        internal LogicNode(bool isAnd, List<FilterNode> children)
        {
            IsAnd = isAnd;
            Children = children;
        }
        internal bool IsAnd { get; }
        internal List<FilterNode> Children { get; }
        internal override int Cost => Children.Sum(c => c.Cost);
    }

    /// <summary>One field against constants. A record without the field gives AbsentPasses.</summary>
    internal sealed class LeafNode : FilterNode
    {
        internal LeafNode(FilterField field, uint kind, bool absentPasses)
        {
            Field = field;
            Kind = kind;
            AbsentPasses = absentPasses;
        }
        internal FilterField Field { get; }
        internal uint Kind { get; }
        internal bool AbsentPasses { get; }
        internal List<NumberRange> Ranges { get; } = new List<NumberRange>();
        internal ulong[] Codes { get; set; } = Array.Empty<ulong>();
        internal List<AddressRange> AddressRanges { get; } = new List<AddressRange>();
        internal List<Token> Tokens { get; } = new List<Token>();

        internal override int Cost => Kind switch
        {
            Native.FwNative.ExprCodes => 1,
            Native.FwNative.ExprNumbers => Field.Kind == FieldKind.Time ? 3 : 2,
            Native.FwNative.ExprAddresses => 4,
            _ => 6,
        };
    }

    /// <summary>The numbers Lo to Hi, both included (seconds for a time).</summary>
    internal readonly struct NumberRange
    {
        internal readonly long Lo;
        internal readonly long Hi;
        internal NumberRange(long lo, long hi) { Lo = lo; Hi = hi; }
    }

    /// <summary>The addresses Lo to Hi, both included (address bytes in network order).</summary>
    internal readonly struct AddressRange
    {
        internal readonly byte[] Lo;
        internal readonly byte[] Hi;
        internal AddressRange(byte[] lo, byte[] hi) { Lo = lo; Hi = hi; }
    }

    /// <summary>A wildcard token: any run of characters, or one character out of a set of 256.</summary>
    internal sealed class Token
    {
        internal bool AnyRun { get; set; }
        internal bool[] Set { get; } = new bool[256];
    }

    internal static class FilterNodes
    {
        internal static FilterNode Not(FilterNode n) => n switch
        {
            ConstNode c => c.Value ? ConstNode.False : ConstNode.True,
            NotNode x => x.Child,
            _ => new NotNode(n),
        };

        /// <summary>AND or OR, flattened, constants folded, cheap children first.</summary>
        internal static FilterNode Logic(bool isAnd, IEnumerable<FilterNode> parts)
        {
            var list = new List<FilterNode>();
            foreach (var p in parts)
            {
                if (p is ConstNode c)
                {
                    if (c.Value == isAnd) continue;          // true in AND, false in OR: no effect
                    return isAnd ? ConstNode.False : ConstNode.True; // decides the whole node
                }
                if (p is LogicNode l && l.IsAnd == isAnd) list.AddRange(l.Children);
                else list.Add(p);
            }
            if (list.Count == 0) return isAnd ? ConstNode.True : ConstNode.False;
            if (list.Count == 1) return list[0];
            // OrderBy is a stable sort: equal costs keep the order written.
            var ordered = list.OrderBy(n => n.Cost).ToList();
            return new LogicNode(isAnd, ordered);
        }
    }
}
