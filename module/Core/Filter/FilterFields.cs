using System;
using System.Collections.Generic;
using System.Reflection;
using Fw.Native;

namespace Fw.Core.Filter
{
    internal enum FieldKind
    {
        Number,  // an integer property: int? or long?
        Time,    // DateTime, never null (an absent time is DateTime.MinValue)
        Code,    // a small finite set of values (action, protocol, path, direction)
        Address, // IPAddress
        Text,    // a string the native reader has as text (TcpFlags, or an address given as a string)
    }

    /// <summary>A property of <see cref="FwDrop"/> that -Filter can push down, and its native field.</summary>
    internal sealed class FilterField
    {
        private FilterField(string name, uint id, FieldKind kind, Type clrType, long min, long max, long nullAbove = long.MaxValue)
        {
            Name = name;
            Id = id;
            Kind = kind;
            ClrType = clrType;
            Min = min;
            Max = max;
            NullAbove = nullAbove;
        }

        internal string Name { get; }
        internal uint Id { get; }
        internal FieldKind Kind { get; }
        /// <summary>The property's type without Nullable (what Where-Object sees).</summary>
        internal Type ClrType { get; }
        /// <summary>Number and Time fields: the values a record can have (Time: seconds).</summary>
        internal long Min { get; }
        internal long Max { get; }
        /// <summary>Numbers over this are shown as $null (ProcessId over Int32.MaxValue).</summary>
        internal long NullAbove { get; }

        /// <summary>The value a record without this field shows.</summary>
        internal object? NullValue => Kind == FieldKind.Time ? (object)DateTime.MinValue : null;

        // Seconds of DateTime.MinValue and DateTime.MaxValue on the log's clock (see WallClock).
        internal static readonly long MinSeconds = (DateTime.MinValue.Ticks - new DateTime(1970, 1, 1).Ticks) / TimeSpan.TicksPerSecond;
        internal static readonly long MaxSeconds = (DateTime.MaxValue.Ticks - new DateTime(1970, 1, 1).Ticks) / TimeSpan.TicksPerSecond;

        // fw_expr_field
        private const uint Time = 1, Action = 2, Protocol = 3, SrcAddress = 4, DstAddress = 5, SrcPort = 6, DstPort = 7,
            Size = 8, TcpFlags = 9, TcpSyn = 10, TcpAck = 11, TcpWindow = 12, IcmpType = 13, IcmpCode = 14, Info = 15,
            Path = 16, Pid = 17, LocalAddress = 18, RemoteAddress = 19, LocalPort = 20, RemotePort = 21;

        private static readonly Dictionary<string, uint> Ids = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase)
        {
            ["Time"] = Time, ["Action"] = Action, ["Protocol"] = Protocol, ["SourceAddress"] = SrcAddress,
            ["DestinationAddress"] = DstAddress, ["SourcePort"] = SrcPort, ["DestinationPort"] = DstPort, ["Size"] = Size,
            ["TcpFlags"] = TcpFlags, ["TcpSyn"] = TcpSyn, ["TcpAck"] = TcpAck, ["TcpWindow"] = TcpWindow,
            ["IcmpType"] = IcmpType, ["IcmpCode"] = IcmpCode, ["Info"] = Info, ["Path"] = Path, ["Direction"] = Path,
            ["ProcessId"] = Pid, ["LocalAddress"] = LocalAddress, ["RemoteAddress"] = RemoteAddress,
            ["LocalPort"] = LocalPort, ["RemotePort"] = RemotePort,
        };

        /// <summary>The field for a property name (any case); null with a reason when -Filter cannot use it.</summary>
        internal static FilterField? Find(string name, out string? reason)
        {
            reason = null;
            var property = typeof(FwDrop).GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property == null)
            {
                reason = $"Fw.FwDrop has no property '{name}'";
                return null;
            }
            if (!Ids.TryGetValue(property.Name, out uint id))
            {
                reason = $"the property '{property.Name}' does not come from the log line";
                return null;
            }
            Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            string n = property.Name;
            switch (id)
            {
                case Time when type == typeof(DateTime):
                    return new FilterField(n, id, FieldKind.Time, type, MinSeconds, MaxSeconds);
                case Action:
                case Protocol:
                case Path:
                    return new FilterField(n, id, FieldKind.Code, type, 0, 0);
                case SrcAddress:
                case DstAddress:
                case LocalAddress:
                case RemoteAddress:
                    if (type == typeof(System.Net.IPAddress)) return new FilterField(n, id, FieldKind.Address, type, 0, 0);
                    if (type == typeof(string)) return new FilterField(n, id, FieldKind.Text, type, 0, 0);
                    break;
                case TcpFlags when type == typeof(string):
                    return new FilterField(n, id, FieldKind.Text, type, 0, 0);
                case SrcPort:
                case DstPort:
                case LocalPort:
                case RemotePort:
                    if (IsInteger(type)) return new FilterField(n, id, FieldKind.Number, type, 0, 65535);
                    break;
                case IcmpType:
                case IcmpCode:
                    if (IsInteger(type)) return new FilterField(n, id, FieldKind.Number, type, 0, short.MaxValue);
                    break;
                case TcpWindow:
                    if (IsInteger(type)) return new FilterField(n, id, FieldKind.Number, type, 0, int.MaxValue);
                    break;
                case Pid:
                    // The converter shows a pid over Int32.MaxValue as $null.
                    if (IsInteger(type)) return new FilterField(n, id, FieldKind.Number, type, 0, int.MaxValue, int.MaxValue);
                    break;
                case Size:
                case TcpSyn:
                case TcpAck:
                case Info:
                    if (IsInteger(type))
                        return new FilterField(n, id, FieldKind.Number, type, 0, type == typeof(int) ? int.MaxValue : long.MaxValue);
                    break;
            }
            reason = $"the property '{property.Name}' has the type {type.Name}, which -Filter does not know";
            return null;
        }

        private static bool IsInteger(Type t) => t == typeof(int) || t == typeof(long);

        /// <summary>A number of this field as the property shows it (boxed int, long or DateTime).</summary>
        internal object Box(long v)
        {
            if (Kind == FieldKind.Time) return WallClock.FromSeconds(v);
            if (ClrType == typeof(int)) return (int)v;
            return v;
        }

        /// <summary>Code fields: every code and the value a record with it shows.</summary>
        internal IEnumerable<(int Code, object? Value)> Codes()
        {
            switch (Id)
            {
                case Action:
                    for (int c = 0; c <= 6; c++) yield return (c, RecordConverter.ActionName((byte)c));
                    break;
                case Protocol:
                    for (int p = 0; p <= 255; p++) yield return (p, RecordConverter.ProtocolName(p));
                    yield return (256, RecordConverter.ProtocolName(FwNative.ProtocolOther));
                    yield return (257, null);
                    break;
                default: // path, or the direction derived from it
                    bool direction = Name == "Direction";
                    for (int c = 0; c <= 5; c++)
                    {
                        object? v = direction
                            ? (c == FwNative.PathReceive ? FwDirection.Inbound : c == FwNative.PathSend ? FwDirection.Outbound : (object?)null)
                            : RecordConverter.PathName((byte)c);
                        yield return (c, v);
                    }
                    break;
            }
        }

        internal int CodeWords => Id == Protocol ? 5 : 1;

        /// <summary>Address text of a record as the property shows it, for string-typed addresses.</summary>
        internal bool IsAddressText => Id == SrcAddress || Id == DstAddress || Id == LocalAddress || Id == RemoteAddress;
    }
}
