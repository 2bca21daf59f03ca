using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Fw.Native;

namespace Fw.Core.Filter
{
    /// <summary>A compiled filter as the flat fw_expr program that fw_filter_set_expr takes.</summary>
    internal sealed class FilterProgram
    {
        private readonly List<FwExprNode> _nodes = new List<FwExprNode>();
        private readonly List<uint> _children = new List<uint>();
        private readonly List<long> _numbers = new List<long>();
        private readonly List<byte> _addresses = new List<byte>(); // fw_addr structs, 20 bytes each
        private readonly List<byte> _text = new List<byte>();
        private int _depth;

        private FilterProgram() { }

        /// <summary>Compiles <paramref name="filter"/> (a ScriptBlock or a string) and sets it on <paramref name="target"/>.</summary>
        internal static void Apply(object filter, SessionState state, DropFilter target)
        {
            var root = FilterCompiler.Compile(filter, state);
            var program = new FilterProgram();
            program.Emit(root, 1);
            program.SetOn(target);
        }

        internal int NodeCount => _nodes.Count;

        private uint Emit(FilterNode n, int depth)
        {
            if (depth > FwNative.ExprMaxDepth) throw new FilterException($"-Filter is nested more than {FwNative.ExprMaxDepth} levels deep");
            if (_nodes.Count >= FwNative.ExprMaxNodes) throw new FilterException($"-Filter has more than {FwNative.ExprMaxNodes} conditions");
            _depth = Math.Max(_depth, depth);
            uint at = (uint)_nodes.Count;
            _nodes.Add(default);
            switch (n)
            {
                case ConstNode c: // true: an AND of nothing; false: an OR of nothing
                    _nodes[(int)at] = new FwExprNode { Kind = c.Value ? FwNative.ExprAnd : FwNative.ExprOr, First = (uint)_children.Count };
                    break;
                case NotNode not:
                {
                    uint child = Emit(not.Child, depth + 1);
                    _nodes[(int)at] = new FwExprNode { Kind = FwNative.ExprNot, First = (uint)_children.Count, Count = 1 };
                    _children.Add(child);
                    break;
                }
                case LogicNode logic:
                {
                    var kids = new List<uint>();
                    foreach (var child in logic.Children) kids.Add(Emit(child, depth + 1));
                    _nodes[(int)at] = new FwExprNode
                    {
                        Kind = logic.IsAnd ? FwNative.ExprAnd : FwNative.ExprOr,
                        First = (uint)_children.Count,
                        Count = (uint)kids.Count,
                    };
                    _children.AddRange(kids);
                    break;
                }
                case LeafNode leaf:
                    _nodes[(int)at] = Leaf(leaf);
                    break;
                default:
                    throw new InvalidOperationException("unknown filter node");
            }
            return at;
        }

        private FwExprNode Leaf(LeafNode leaf)
        {
            var node = new FwExprNode { Kind = leaf.Kind, Field = leaf.Field.Id, Flags = leaf.AbsentPasses ? FwNative.ExprAbsentPasses : 0 };
            switch (leaf.Kind)
            {
                case FwNative.ExprNumbers:
                    node.First = (uint)_numbers.Count;
                    node.Count = (uint)leaf.Ranges.Count;
                    foreach (var range in leaf.Ranges)
                    {
                        _numbers.Add(range.Lo);
                        _numbers.Add(range.Hi);
                    }
                    break;
                case FwNative.ExprCodes:
                    node.Flags = 0;
                    node.First = (uint)_numbers.Count;
                    node.Count = (uint)leaf.Codes.Length;
                    foreach (var w in leaf.Codes) _numbers.Add(unchecked((long)w));
                    break;
                case FwNative.ExprAddresses:
                    node.First = (uint)(_addresses.Count / AddrSize);
                    node.Count = (uint)leaf.AddressRanges.Count;
                    foreach (var range in leaf.AddressRanges)
                    {
                        AddAddress(range.Lo);
                        AddAddress(range.Hi);
                    }
                    break;
                default:
                    node.First = (uint)_text.Count;
                    node.Count = (uint)leaf.Tokens.Count;
                    foreach (var t in leaf.Tokens)
                    {
                        _text.Add(t.AnyRun ? FwNative.ExprTokenAnyRun : FwNative.ExprTokenOne);
                        var set = new byte[32];
                        for (int b = 0; b < 256; b++)
                            if (t.Set[b]) set[b / 8] |= (byte)(1 << (b % 8));
                        _text.AddRange(set);
                    }
                    break;
            }
            return node;
        }

        private const int AddrSize = 20; // fw_addr: family, 3 reserved, 16 bytes

        private void AddAddress(byte[] bytes)
        {
            var a = new byte[AddrSize];
            a[0] = (byte)(bytes.Length == 4 ? FwNative.FamilyInet : FwNative.FamilyInet6);
            Array.Copy(bytes, 0, a, 4, bytes.Length);
            _addresses.AddRange(a);
        }

        private void SetOn(DropFilter target)
        {
            var nodes = _nodes.ToArray();
            var children = _children.ToArray();
            var numbers = _numbers.ToArray();
            var addresses = _addresses.ToArray();
            var text = _text.ToArray();
            var pins = new[]
            {
                GCHandle.Alloc(nodes, GCHandleType.Pinned), GCHandle.Alloc(children, GCHandleType.Pinned),
                GCHandle.Alloc(numbers, GCHandleType.Pinned), GCHandle.Alloc(addresses, GCHandleType.Pinned),
                GCHandle.Alloc(text, GCHandleType.Pinned),
            };
            try
            {
                var expr = new FwExpr
                {
                    Version = FwNative.ExprVersion,
                    Nodes = pins[0].AddrOfPinnedObject(),
                    NodeCount = (UIntPtr)(uint)nodes.Length,
                    Children = pins[1].AddrOfPinnedObject(),
                    ChildCount = (UIntPtr)(uint)children.Length,
                    Numbers = pins[2].AddrOfPinnedObject(),
                    NumberCount = (UIntPtr)(uint)numbers.Length,
                    Addresses = pins[3].AddrOfPinnedObject(),
                    AddressCount = (UIntPtr)(uint)(addresses.Length / AddrSize),
                    Text = pins[4].AddrOfPinnedObject(),
                    TextSize = (UIntPtr)(uint)text.Length,
                };
                Ensure.Success(FwNative.fw_filter_set_expr(target.Handle, ref expr));
            }
            finally
            {
                foreach (var pin in pins) pin.Free();
            }
        }
    }
}

namespace Fw.Core.Filter
{
    /// <summary>-Filter on the log cmdlets: compile, or stop the command with an error that names the construct.</summary>
    internal static class FilterParameter
    {
        internal static void Apply(PSCmdlet cmdlet, object? filter, DropFilter target)
        {
            if (filter == null) return;
            try
            {
                FilterProgram.Apply(filter, cmdlet.SessionState, target);
            }
            catch (FilterException e)
            {
                string message = $"Cannot push -Filter down: {e.Message}";
                var error = new ErrorRecord(new ArgumentException(message), ErrorIds.FilterNotSupported, ErrorCategory.InvalidArgument, filter)
                {
                    ErrorDetails = new ErrorDetails(message),
                };
                cmdlet.ThrowTerminatingError(error);
            }
        }
    }
}
