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
        Code,    // a small finite set of values (action, protocol, path, direction), of whatever type FwDrop shows
        Address, // IPAddress
        Text,    // a string the native reader has as text (TcpFlags, an address as FwDrop shows it)
    }

    /// <summary>A code field's native code and the value a record with it shows.</summary>
    internal readonly struct CodeValue
    {
        internal readonly int Code;
        internal readonly object? Value;
        internal CodeValue(int code, object? value) { Code = code; Value = value; }
    }

    /// <summary>A property of <see cref="FwDrop"/> that -Filter can push down, and its native field.</summary>
    internal sealed class FilterField
    {
        private FilterField(PropertyInfo property, uint id, FieldKind kind, Type clrType, long min, long max, long nullAbove = long.MaxValue)
        {
            Property = property;
            Name = property.Name;
            Id = id;
            Kind = kind;
            ClrType = clrType;
            Min = min;
            Max = max;
            NullAbove = nullAbove;
        }

        internal string Name { get; }
        /// <summary>The FwDrop property itself: finite fields take their candidate values from it.</summary>
        internal PropertyInfo Property { get; }
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
            var n = property;
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

        /// <summary>
        /// Code fields: every code and the value a record with it shows, read from the property of an FwDrop that
        /// the reader's own converter made from a record with that code: the operators are asked on exactly what
        /// Where-Object sees (a name, a number, an enum or $null, whatever the property's type is).
        /// </summary>
        internal IEnumerable<CodeValue> Codes()
        {
            var converter = new RecordConverter(string.Empty);
            switch (Id)
            {
                case Action:
                    for (int c = 0; c <= 6; c++) yield return new CodeValue(c, ValueOf(converter, action: (byte)c));
                    break;
                case Protocol:
                    // Native codes: 0-255 the IP protocol, 256 another protocol by name, 257 absent.
                    for (int p = 0; p <= 255; p++) yield return new CodeValue(p, ValueOf(converter, protocol: (short)p));
                    yield return new CodeValue(256, ValueOf(converter, protocol: (short)FwNative.ProtocolOther));
                    yield return new CodeValue(257, ValueOf(converter));
                    break;
                default: // path, or the direction derived from it
                    for (int c = 0; c <= 5; c++) yield return new CodeValue(c, ValueOf(converter, path: (byte)c));
                    break;
            }
        }

        /// <summary>This property of the FwDrop converted from a record with these codes and nothing else.</summary>
        private unsafe object? ValueOf(RecordConverter converter, byte action = 0, short protocol = (short)FwNative.Absent, byte path = 0)
        {
            var record = new FwRecord
            {
                Action = action, Protocol = protocol, Path = path, Size = FwNative.Absent, TcpSyn = FwNative.Absent,
                TcpAck = FwNative.Absent, Info = FwNative.Absent, Pid = FwNative.Absent, SrcPort = -1, DstPort = -1,
                TcpWin = -1, IcmpType = -1, IcmpCode = -1,
            };
            return Property.GetValue(converter.Convert(&record));
        }

        internal int CodeWords => Id == Protocol ? 5 : 1;

        /// <summary>Address text of a record as the property shows it, for string-typed addresses.</summary>
        internal bool IsAddressText => Id == SrcAddress || Id == DstAddress || Id == LocalAddress || Id == RemoteAddress;
    }
}
