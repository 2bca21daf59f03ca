// The one error funnel: a negative fw_status plus fw_error_last() becomes a typed exception.
using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>A failure reported by fwcore, with the details of fw_error_last().</summary>
    public class FwNativeException : Exception
    {
        internal FwNativeException(string message, int status, int errorClass, int osError, long line, long column)
            : base(message)
        {
            Status = status;
            ErrorClass = errorClass;
            OsError = osError;
            Line = line;
            Column = column;
        }

        /// <summary>The fw_status the call returned.</summary>
        public int Status { get; }
        /// <summary>fw_error_class of the failure.</summary>
        public int ErrorClass { get; }
        /// <summary>errno or GetLastError() for an OS failure, else 0.</summary>
        public int OsError { get; }
        /// <summary>1-based line where relevant, else 0.</summary>
        public long Line { get; }
        /// <summary>1-based column where relevant, else 0.</summary>
        public long Column { get; }

        internal bool IsNotFound => Status == (int)FwStatus.NotFound;
        internal bool IsAccessDenied => Status == (int)FwStatus.Access;
        internal bool IsInvalid => Status == (int)FwStatus.Invalid || Status == (int)FwStatus.Format;
    }

    internal static class Ensure
    {
        /// <summary>Returns <paramref name="rc"/> if it is FW_OK or FW_ITEROVER, else throws.</summary>
        internal static int Success(int rc)
        {
            if (rc == (int)FwStatus.Ok || rc == (int)FwStatus.IterOver) return rc;
            throw LastError(rc);
        }

        /// <summary>The calling thread's fw_error_last() as an exception for status <paramref name="rc"/>.</summary>
        internal static FwNativeException LastError(int rc)
        {
            IntPtr p = FwNative.fw_error_last();
            string? message = null;
            int klass = 0, os = 0;
            long line = 0, column = 0;
            if (p != IntPtr.Zero)
            {
                var e = Marshal.PtrToStructure<FwErrorNative>(p);
                message = Utf8.FromNative(e.Message);
                klass = e.Klass;
                os = e.OsError;
                line = e.Line;
                column = e.Column;
            }
            if (string.IsNullOrEmpty(message))
                message = Utf8.FromNative(FwNative.fw_errstr(rc)) ?? $"fwcore status {rc}";
            return new FwNativeException(message!, rc, klass, os, line, column);
        }
    }
}
