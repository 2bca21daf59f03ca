using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Fw.Native
{
    /// <summary>
    /// The operating system and process architecture, with what .NET Framework 4.7.2 and netstandard2.0 have in every
    /// edition: no RuntimeInformation type is referenced, so Fw.dll needs no facade in Windows PowerShell 5.1.
    /// </summary>
    internal static class Platform
    {
        /// <summary>The runtime folders a Fw package ships fwcore for (module folder/&lt;rid&gt;/fwcore.&lt;ext&gt;).</summary>
        internal static readonly string[] SupportedRuntimes = { "win-x64", "win-x86", "linux-x64" };

        internal static bool IsWindows { get; } = Environment.OSVersion.Platform == PlatformID.Win32NT;

        // .NET Core reports macOS as Unix; this file is part of every macOS installation.
        internal static bool IsMacOS { get; } = !IsWindows && File.Exists("/System/Library/CoreServices/SystemVersion.plist");

        internal static string OSName => IsWindows ? "win" : IsMacOS ? "osx" : "linux";

        /// <summary>fwcore's file extension here: .dll, .dylib or .so.</summary>
        internal static string LibraryExtension => IsWindows ? ".dll" : IsMacOS ? ".dylib" : ".so";

        /// <summary>
        /// The architecture of this process (not of the OS: a 32-bit Windows PowerShell on 64-bit Windows needs the
        /// x86 library, an emulated x64 pwsh on Windows on Arm the x64 one): x64, x86, arm64, arm, ...
        /// </summary>
        internal static string ProcessArchitecture { get; } = DetectArchitecture();

        /// <summary>win-x64, linux-x64, ...: the folder name PowerShell 7 also probes for native libraries.</summary>
        internal static string RuntimeId => OSName + "-" + ProcessArchitecture;

        internal static bool IsSupported(string runtimeId) => Array.IndexOf(SupportedRuntimes, runtimeId) >= 0;

        /// <summary>The sentence for a platform Fw ships no native library for.</summary>
        internal static string UnsupportedMessage(string runtimeId, string expectedPath) =>
            $"Fw does not support this platform: the process runs as {runtimeId} (architecture {runtimeId.Substring(runtimeId.IndexOf('-') + 1)}), " +
            $"and Fw ships its native library only for {string.Join(", ", SupportedRuntimes)} (no '{expectedPath}'). " +
            (runtimeId == "win-arm64" || runtimeId == "win-arm"
                ? "On Windows on Arm, run Fw in the x64 PowerShell 7 or the 32-bit (x86) Windows PowerShell, which Windows emulates. "
                : string.Empty) +
            $"A fwcore library built for this platform can be named with the {NativeLoader.PathVariable} environment variable.";

        private static string DetectArchitecture()
        {
            if (IsWindows)
            {
                // GetSystemInfo answers for the calling process (x86 under WOW64, x64 under emulation on Arm).
                GetSystemInfo(out var info);
                switch (info.ProcessorArchitecture)
                {
                    case 9: return "x64";     // PROCESSOR_ARCHITECTURE_AMD64
                    case 0: return "x86";     // PROCESSOR_ARCHITECTURE_INTEL
                    case 12: return "arm64";  // PROCESSOR_ARCHITECTURE_ARM64
                    case 5: return "arm";     // PROCESSOR_ARCHITECTURE_ARM
                    case 6: return "ia64";
                    default: return "unknown" + info.ProcessorArchitecture.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            // Outside Windows this is always .NET Core (PowerShell 7), which has ProcessArchitecture; it is looked up
            // by name so that Fw.dll does not reference it.
            var type = Type.GetType("System.Runtime.InteropServices.RuntimeInformation, System.Runtime.InteropServices.RuntimeInformation", throwOnError: false)
                       ?? Type.GetType("System.Runtime.InteropServices.RuntimeInformation", throwOnError: false);
            object? value = type?.GetProperty("ProcessArchitecture", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
            if (value != null) return value.ToString()!.ToLowerInvariant();
            return IntPtr.Size == 8 ? "x64" : "x86";
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct SystemInfo
        {
            internal ushort ProcessorArchitecture;
            internal ushort Reserved;
            internal uint PageSize;
            internal IntPtr MinimumApplicationAddress;
            internal IntPtr MaximumApplicationAddress;
            internal UIntPtr ActiveProcessorMask;
            internal uint NumberOfProcessors;
            internal uint ProcessorType;
            internal uint AllocationGranularity;
            internal ushort ProcessorLevel;
            internal ushort ProcessorRevision;
        }

        [DllImport("kernel32.dll", ExactSpelling = true)]
        private static extern void GetSystemInfo(out SystemInfo info);
    }
}
