using System;
using System.IO;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>
    /// Paths longer than MAX_PATH for the files the module itself opens (bookmarks and their lock files; the native
    /// reader handles log paths). Windows PowerShell 5.1 (.NET Framework) passes paths to Win32 as they are, and
    /// Win32 refuses a path of 260 characters or more (248 for a folder) unless it has the \\?\ prefix; PowerShell 7
    /// adds the prefix itself. Elsewhere paths are returned unchanged.
    /// </summary>
    internal static class LongPath
    {
        // CreateDirectory's limit (MAX_PATH minus room for an 8.3 file name) is the lower one.
        private const int Limit = 248;

        /// <summary>The path to hand to System.IO: on Windows the \\?\ form of its full path when it is long.</summary>
        internal static string ForIO(string path) => Platform.IsWindows ? WindowsForm(Path.GetFullPath(path)) : path;

        /// <summary>
        /// A full Windows path in the form Win32 accepts at any length: C:\... becomes \\?\C:\..., \\server\share\...
        /// becomes \\?\UNC\server\share\...; short paths and paths that already have a prefix are unchanged.
        /// </summary>
        internal static string WindowsForm(string fullPath)
        {
            if (fullPath.Length < Limit || fullPath.StartsWith(@"\\?\", StringComparison.Ordinal) ||
                fullPath.StartsWith(@"\\.\", StringComparison.Ordinal))
                return fullPath;
            if (fullPath.StartsWith(@"\\", StringComparison.Ordinal)) return @"\\?\UNC\" + fullPath.Substring(2);
            return @"\\?\" + fullPath;
        }

        /// <summary>The path without a \\?\ or \\?\UNC\ prefix, for comparing and showing.</summary>
        internal static string WithoutPrefix(string path)
        {
            if (path.StartsWith(@"\\?\UNC\", StringComparison.OrdinalIgnoreCase)) return @"\\" + path.Substring(8);
            if (path.StartsWith(@"\\?\", StringComparison.Ordinal)) return path.Substring(4);
            return path;
        }
    }
}
