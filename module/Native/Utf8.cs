// UTF-8 marshalling by hand: netstandard2.0 has no reliable UTF-8 string marshalling.
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Fw.Native
{
    internal static class Utf8
    {
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>A NUL-terminated UTF-8 copy of <paramref name="s"/> to pass as const char*.</summary>
        internal static byte[] ToNative(string s)
        {
            if (s.IndexOf('\0') >= 0)
                throw new ArgumentException($"The value '{s.Replace("\0", "\\0")}' contains a NUL character.");
            int n = Strict.GetByteCount(s);
            var bytes = new byte[n + 1];
            Strict.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>Copies a borrowed NUL-terminated UTF-8 string; null for a NULL pointer.</summary>
        internal static string? FromNative(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            int len = 0;
            while (Marshal.ReadByte(p, len) != 0) len++;
            if (len == 0) return string.Empty;
            var buffer = new byte[len];
            Marshal.Copy(p, buffer, 0, len);
            return Encoding.UTF8.GetString(buffer);
        }
    }
}
