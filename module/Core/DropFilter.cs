using System;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>
    /// A native fw_filter being built from cmdlet parameters. Values for one column are OR'ed,
    /// columns are AND'ed; the reader evaluates it before a record becomes an object.
    /// </summary>
    internal sealed class DropFilter : IDisposable
    {
        private readonly SafeFilterHandle _handle;

        private DropFilter(SafeFilterHandle handle) => _handle = handle;

        internal SafeFilterHandle Handle => _handle;

        internal static DropFilter Create()
        {
            Ensure.Success(FwNative.fw_filter_new(out var handle));
            return new DropFilter(handle);
        }

        /// <summary>Adds one accepted value; an unparsable value throws <see cref="FwNativeException"/> naming it.</summary>
        internal void Add(FwFilterField field, string value)
        {
            Ensure.Success(FwNative.fw_filter_add(_handle, (int)field, Utf8.ToNative(value)));
        }

        /// <summary>Time window on the logged wall-clock time: after inclusive, before exclusive; null = open.</summary>
        internal void SetTime(DateTime? after, DateTime? before)
        {
            long a = after.HasValue ? WallClock.ToSecondsCeiling(after.Value) : FwNative.NoTime;
            long b = before.HasValue ? WallClock.ToSecondsCeiling(before.Value) : FwNative.NoTime;
            Ensure.Success(FwNative.fw_filter_set_time(_handle, a, b));
        }

        public void Dispose() => _handle.Dispose();
    }

    /// <summary>The log's clock: local wall-clock seconds since 1970-01-01 00:00:00, no time zone.</summary>
    internal static class WallClock
    {
        private static readonly long EpochTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).Ticks;
        private static readonly long MinSeconds = (DateTime.MinValue.Ticks - EpochTicks) / TimeSpan.TicksPerSecond;
        private static readonly long MaxSeconds = (DateTime.MaxValue.Ticks - EpochTicks) / TimeSpan.TicksPerSecond;

        /// <summary>Seconds for a user-given time, rounded up (the log has whole seconds). UTC is converted to local first.</summary>
        internal static long ToSecondsCeiling(DateTime t)
        {
            if (t.Kind == DateTimeKind.Utc) t = t.ToLocalTime();
            long ticks = t.Ticks - EpochTicks;
            long s = ticks / TimeSpan.TicksPerSecond;
            if (ticks % TimeSpan.TicksPerSecond > 0) s++;
            return s;
        }

        /// <summary>A logged time: the logging computer's wall clock, Kind Unspecified (the log records no offset; see FwDrop.Time). DateTime.MinValue when absent or out of range.</summary>
        internal static DateTime FromSeconds(long seconds)
        {
            if (seconds == FwNative.NoTime || seconds < MinSeconds || seconds > MaxSeconds) return DateTime.MinValue;
            return new DateTime(EpochTicks + seconds * TimeSpan.TicksPerSecond, DateTimeKind.Unspecified);
        }
    }
}
