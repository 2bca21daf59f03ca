using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using Fw.Native;
using Fw.Core;

namespace Fw
{
    /// <summary>
    /// Runs on every Import-Module of Fw (PowerShell calls it again for each runspace that imports the
    /// module); the native set-up itself happens once per process. It finds fwcore, loads it and checks
    /// its ABI version. A failure does not fail the import: it is recorded and every Fw cmdlet reports it
    /// as the terminating error FwNativeLoadFailed (ErrorIds.NativeLoadFailed; so Get-Help and Get-Command still work).
    /// </summary>
    public sealed class OnImportAndRemove : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <inheritdoc/>
        public void OnImport() => NativeLoader.Initialize();

        /// <inheritdoc/>
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            // The native library stays mapped: DllImport stubs are bound to it for the life of the
            // process. Only a failed load is forgotten, so a later import (e.g. after FW_NATIVE_PATH
            // was fixed) tries again.
            NativeLoader.ForgetFailure();
        }
    }

    /// <summary>Locates, loads and checks the fwcore native library.</summary>
    internal static class NativeLoader
    {
        private static readonly object Gate = new object();
        private static bool _loaded;
        private static bool _resolverInstalled;
        private static string? _failure;
        private static string _expectedPath = string.Empty;
        private static IntPtr _handle;

        /// <summary>The environment variable that overrides where fwcore is loaded from (a file or a folder).</summary>
        internal const string PathVariable = "FW_NATIVE_PATH";

        /// <summary>Where fwcore was (or was expected to be) loaded from.</summary>
        internal static string ExpectedPath => _expectedPath;

        /// <summary>Library version string of the loaded fwcore, or null.</summary>
        internal static string? Version { get; private set; }

        internal static void Initialize()
        {
            lock (Gate)
            {
                if (_loaded) return;
                _failure = null;
                try
                {
                    _expectedPath = LocateLibrary();
                    Load(_expectedPath);
                    int abi = FwNative.fw_abi_version();
                    if (abi != FwNative.AbiVersion)
                    {
                        _failure = $"The native library '{_expectedPath}' has ABI version {abi}, but this Fw.dll " +
                                   $"needs ABI version {FwNative.AbiVersion}. Install matching Fw.dll and fwcore binaries.";
                        return;
                    }
                    Version = Utf8.FromNative(FwNative.fw_version());
                    _loaded = true;
                }
                catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException ||
                                          e is BadImageFormatException || e is FileNotFoundException ||
                                          e is IOException || e is InvalidOperationException ||
                                          e is TargetInvocationException || e is PlatformNotSupportedException)
                {
                    var inner = e is TargetInvocationException t && t.InnerException != null ? t.InnerException : e;
                    _failure = inner is PlatformNotSupportedException
                        ? inner.Message
                        : $"Cannot load the Fw native library '{_expectedPath}' (ABI version {FwNative.AbiVersion} expected): {inner.Message}";
                }
            }
        }

        internal static void ForgetFailure()
        {
            lock (Gate)
            {
                if (!_loaded) _failure = null;
            }
        }

        /// <summary>Throws the terminating error FwNativeLoadFailed from <paramref name="cmdlet"/> if fwcore is unusable.</summary>
        internal static void EnsureLoaded(Cmdlet cmdlet)
        {
            if (_loaded) return;
            Initialize();
            if (_loaded) return;
            var message = _failure ?? $"The Fw native library '{_expectedPath}' is not loaded.";
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException(message), ErrorIds.NativeLoadFailed, ErrorCategory.ResourceUnavailable, _expectedPath));
        }

        /// <summary>
        /// FW_NATIVE_PATH (a file, or a folder holding fwcore.&lt;ext&gt;), else &lt;folder of Fw.dll&gt;/&lt;rid&gt;/fwcore.&lt;ext&gt;:
        /// the module folder in an installed package (Fw/&lt;version&gt;/win-x64/fwcore.dll), bin/ in a source checkout
        /// (bin/linux-x64/fwcore.so).
        /// </summary>
        private static string LocateLibrary()
        {
            string file = FwNative.Library + Platform.LibraryExtension;
            string? overridePath = Environment.GetEnvironmentVariable(PathVariable);
            if (!string.IsNullOrWhiteSpace(overridePath))
            {
                string full = Path.GetFullPath(overridePath!.Trim());
                return Directory.Exists(full) ? Path.Combine(full, file) : full;
            }
            string asmDir = Path.GetDirectoryName(typeof(NativeLoader).Assembly.Location) ?? ".";
            return Path.Combine(asmDir, RuntimeFolder(), file);
        }

        /// <summary>win-x64, win-x86, linux-x64, ...: by the process architecture, as PowerShell 7 probes.</summary>
        internal static string RuntimeFolder() => Platform.RuntimeId;

        private static void Load(string path)
        {
            if (!File.Exists(path))
            {
                // A platform Fw has no library for gets that answer, not a missing-file puzzle; a library someone
                // built and placed there for such a platform is still tried.
                if (!Platform.IsSupported(Platform.RuntimeId) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PathVariable)))
                    throw new PlatformNotSupportedException(Platform.UnsupportedMessage(Platform.RuntimeId, path));
                throw new FileNotFoundException("The file does not exist: the Fw installation is incomplete (reinstall the module, " +
                                                $"or run 'make module' in a source checkout), or {PathVariable} names a wrong path.", path);
            }

            Type? nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", throwOnError: false);
            if (nativeLibrary != null)
            {
                // .NET Core / PowerShell 7: load by full path and answer DllImport("fwcore") with that handle.
                var load = nativeLibrary.GetMethod("Load", new[] { typeof(string) })!;
                _handle = (IntPtr)load.Invoke(null, new object[] { path })!;
                InstallResolver(nativeLibrary);
            }
            else if (Platform.IsWindows)
            {
                // Windows PowerShell 5.1 (.NET Framework): preload by full path; DllImport("fwcore") then
                // binds to the module already loaded under that name.
                _handle = Kernel32.LoadLibraryExW(path, IntPtr.Zero, Kernel32.LOAD_WITH_ALTERED_SEARCH_PATH);
                if (_handle == IntPtr.Zero)
                {
                    int err = Marshal.GetLastWin32Error();
                    string why = err == 193 // ERROR_BAD_EXE_FORMAT: another architecture, or not a library at all
                        ? $"it is not a Windows library for this {Platform.ProcessArchitecture} process (Windows error 193)"
                        : $"LoadLibraryEx failed with Windows error {err} ({new System.ComponentModel.Win32Exception(err).Message})";
                    throw new DllNotFoundException(why + ".");
                }
            }
        }

        private static void InstallResolver(Type nativeLibrary)
        {
            if (_resolverInstalled) return;
            var resolverType = nativeLibrary.Assembly.GetType("System.Runtime.InteropServices.DllImportResolver", throwOnError: true)!;
            var method = typeof(NativeLoader).GetMethod(nameof(Resolve), BindingFlags.Static | BindingFlags.NonPublic)!;
            var resolver = Delegate.CreateDelegate(resolverType, method);
            var set = nativeLibrary.GetMethod("SetDllImportResolver", new[] { typeof(Assembly), resolverType })!;
            set.Invoke(null, new object[] { typeof(NativeLoader).Assembly, resolver });
            _resolverInstalled = true;
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
            => libraryName == FwNative.Library ? _handle : IntPtr.Zero;

        private static class Kernel32
        {
            internal const uint LOAD_WITH_ALTERED_SEARCH_PATH = 0x00000008;

            [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
            internal static extern IntPtr LoadLibraryExW(string lpLibFileName, IntPtr hFile, uint dwFlags);
        }
    }
}
