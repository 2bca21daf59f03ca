using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Fw.Native;

namespace Fw.Core
{
    /// <summary>A bookmark file that cannot be used: corrupt, another format or version, or for another log.</summary>
    public sealed class BookmarkException : Exception
    {
        internal BookmarkException(string message, Exception? inner = null) : base(message, inner) { }
    }

    /// <summary>Another run holds the bookmark's lock.</summary>
    public sealed class BookmarkBusyException : Exception
    {
        internal BookmarkBusyException(string message, Exception? inner = null) : base(message, inner) { }
    }

    /// <summary>
    /// How far a log was read: the log's path, the position (file identity + offset just past the last complete
    /// line delivered, and the older generation then at .old), when it was written and how many records the run
    /// delivered. Stored as human-readable JSON, written atomically (a temporary file in the same folder, flushed
    /// to disk, then renamed over the old one), so a crash leaves either the old or the new bookmark, never half.
    /// </summary>
    internal sealed class Bookmark
    {
        internal const string FormatName = "Fw.Bookmark";
        internal const int CurrentVersion = 1;

        internal Bookmark(string logPath, FwPosition position, DateTime writtenUtc, ulong recordsRead)
        {
            LogPath = logPath;
            Position = position;
            WrittenUtc = writtenUtc;
            RecordsRead = recordsRead;
        }

        internal string LogPath { get; }
        internal FwPosition Position { get; }
        internal DateTime WrittenUtc { get; }
        internal ulong RecordsRead { get; }

        /// <summary>File names compare like the file system does: case-insensitively on Windows.</summary>
        internal static bool SameLogPath(string a, string b) =>
            string.Equals(Normalize(a), Normalize(b),
                Platform.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

        private static string Normalize(string p)
        {
            try { return Path.GetFullPath(LongPath.WithoutPrefix(p)).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar); }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException) { return p; }
        }

        // ---- Text ----------------------------------------------------------------------------------

        internal string ToJson()
        {
            var sb = new StringBuilder();
            sb.Append("{\n");
            sb.Append("  \"format\": ").Append(BookmarkJson.Quote(FormatName)).Append(",\n");
            sb.Append("  \"version\": ").Append(CurrentVersion.ToString(CultureInfo.InvariantCulture)).Append(",\n");
            sb.Append("  \"logPath\": ").Append(BookmarkJson.Quote(LogPath)).Append(",\n");
            sb.Append("  \"offset\": ").Append(Position.Offset.ToString(CultureInfo.InvariantCulture)).Append(",\n");
            sb.Append("  \"file\": ");
            AppendId(sb, Position.File);
            sb.Append(",\n");
            sb.Append("  \"before\": ");
            if (IsNone(Position.Before)) sb.Append("null");
            else AppendId(sb, Position.Before);
            sb.Append(",\n");
            sb.Append("  \"written\": ").Append(BookmarkJson.Quote(WrittenUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture))).Append(",\n");
            sb.Append("  \"recordsRead\": ").Append(RecordsRead.ToString(CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("}\n");
            return sb.ToString();
        }

        private static bool IsNone(FwFileId id) => id.HasOsId == 0 && id.PrefixLen == 0 && id.Size == 0;

        private static void AppendId(StringBuilder sb, FwFileId id)
        {
            sb.Append("{\n");
            sb.Append("    \"volume\": ").Append(Hex(id.Volume)).Append(",\n");
            sb.Append("    \"indexLow\": ").Append(Hex(id.IndexLo)).Append(",\n");
            sb.Append("    \"indexHigh\": ").Append(Hex(id.IndexHi)).Append(",\n");
            sb.Append("    \"hasOsId\": ").Append(id.HasOsId != 0 ? "true" : "false").Append(",\n");
            sb.Append("    \"size\": ").Append(id.Size.ToString(CultureInfo.InvariantCulture)).Append(",\n");
            sb.Append("    \"prefixLength\": ").Append(id.PrefixLen.ToString(CultureInfo.InvariantCulture)).Append(",\n");
            sb.Append("    \"prefixHash\": ").Append(Hex(id.PrefixHash)).Append('\n');
            sb.Append("  }");
        }

        private static string Hex(ulong v) => "\"0x" + v.ToString("x16", CultureInfo.InvariantCulture) + "\"";

        /// <summary>Reads a bookmark's text; <paramref name="file"/> names it in errors.</summary>
        internal static Bookmark FromJson(string text, string file)
        {
            object? root;
            try
            {
                root = BookmarkJson.Parse(text);
            }
            catch (FormatException e)
            {
                throw Corrupt(file, $"it is not valid JSON: {e.Message}", e);
            }
            if (!(root is Dictionary<string, object?> map)) throw Corrupt(file, "it is not a JSON object");
            if (!map.TryGetValue("format", out var format) || !(format is string f) || f != FormatName)
                throw new BookmarkException($"'{file}' is not an Fw bookmark (no \"format\": \"{FormatName}\"). " +
                                            "Give -Bookmark a file that only Get-FwDrop writes.");
            var version = ULong(map, "version", file, "");
            if (version != CurrentVersion)
                throw new BookmarkException($"Bookmark '{file}' has version {version}; this version of Fw reads version {CurrentVersion}. " +
                                            "Delete it to start over (the next run reads the whole log), or use the Fw version that wrote it.");
            Expect(map, file, "", "format", "version", "logPath", "offset", "file", "before", "written", "recordsRead");
            if (!(map["logPath"] is string logPath) || logPath.Length == 0) throw Corrupt(file, "\"logPath\" must be a non-empty string");
            var position = new FwPosition
            {
                Offset = ULong(map, "offset", file, ""),
                File = Id(map["file"], file, "file"),
                Before = map["before"] == null ? default : Id(map["before"], file, "before"),
            };
            if (position.File.PrefixLen > position.Offset) throw Corrupt(file, "\"file.prefixLength\" is larger than \"offset\"");
            if (!(map["written"] is string w) ||
                !DateTime.TryParseExact(w, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var written))
                throw Corrupt(file, "\"written\" must be a UTC time such as \"2024-05-01T10:00:00.0000000Z\"");
            return new Bookmark(logPath, position, written, ULong(map, "recordsRead", file, ""));
        }

        private static FwFileId Id(object? value, string file, string name)
        {
            if (!(value is Dictionary<string, object?> m)) throw Corrupt(file, $"\"{name}\" must be an object");
            string at = name + ".";
            Expect(m, file, at, "volume", "indexLow", "indexHigh", "hasOsId", "size", "prefixLength", "prefixHash");
            if (!(m["hasOsId"] is bool hasOs)) throw Corrupt(file, $"\"{at}hasOsId\" must be true or false");
            ulong prefix = ULong(m, "prefixLength", file, at);
            if (prefix > FwNative.PrefixMax) throw Corrupt(file, $"\"{at}prefixLength\" is larger than {FwNative.PrefixMax}");
            return new FwFileId
            {
                Volume = HexValue(m, "volume", file, at),
                IndexLo = HexValue(m, "indexLow", file, at),
                IndexHi = HexValue(m, "indexHigh", file, at),
                HasOsId = hasOs ? 1u : 0u,
                Size = ULong(m, "size", file, at),
                PrefixLen = (uint)prefix,
                PrefixHash = HexValue(m, "prefixHash", file, at),
            };
        }

        private static void Expect(Dictionary<string, object?> map, string file, string at, params string[] names)
        {
            foreach (var n in names)
                if (!map.ContainsKey(n)) throw Corrupt(file, $"\"{at}{n}\" is missing");
            foreach (var k in map.Keys)
                if (Array.IndexOf(names, k) < 0) throw Corrupt(file, $"unknown property \"{at}{k}\"");
        }

        private static ulong ULong(Dictionary<string, object?> map, string name, string file, string at)
        {
            if (map.TryGetValue(name, out var v) && v is BookmarkJson.Number n &&
                ulong.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var u))
                return u;
            throw Corrupt(file, $"\"{at}{name}\" must be a whole number from 0 to {ulong.MaxValue}");
        }

        private static ulong HexValue(Dictionary<string, object?> map, string name, string file, string at)
        {
            if (map.TryGetValue(name, out var v) && v is string s && s.Length > 2 && s.Length <= 18 &&
                s.StartsWith("0x", StringComparison.Ordinal) &&
                ulong.TryParse(s.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u))
                return u;
            throw Corrupt(file, $"\"{at}{name}\" must be a hexadecimal string such as \"0x00000000000000ff\"");
        }

        private static BookmarkException Corrupt(string file, string why, Exception? inner = null) =>
            new BookmarkException($"Bookmark '{file}' is corrupt: {why}. It is never replaced silently: " +
                                  "fix or delete it (deleting it makes the next run read the whole log).", inner);

        // ---- Files ---------------------------------------------------------------------------------

        /// <summary>The bookmark in <paramref name="file"/>, or null when the file does not exist (the first run).</summary>
        internal static Bookmark? Load(string file)
        {
            string text;
            try
            {
                string io = LongPath.ForIO(file);
                if (!File.Exists(io)) return null;
                var bytes = File.ReadAllBytes(io);
                if (bytes.Length > 64 * 1024) throw Corrupt(file, $"it is {bytes.Length} bytes, far larger than a bookmark");
                text = new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw Corrupt(file, "it is not UTF-8 text", e);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new BookmarkException($"Cannot read bookmark '{file}': {e.Message}", e);
            }
            return FromJson(text, file);
        }

        /// <summary>
        /// Creates the bookmark's folder when it is missing and returns it (null when it existed), so the run can say
        /// so: a mistyped path must not silently start a new bookmark somewhere else.
        /// </summary>
        internal static string? CreateMissingFolder(string bookmarkFile)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(bookmarkFile)) ?? ".";
            if (Directory.Exists(folder)) return null;
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                throw new BookmarkException($"Cannot create the folder '{folder}' of bookmark '{bookmarkFile}': {e.Message}", e);
            }
            return folder;
        }

        /// <summary>
        /// Writes the bookmark to <paramref name="file"/> atomically: a temporary file in the same folder, flushed to
        /// disk, then renamed over the old one (File.Replace where one exists).
        /// </summary>
        internal void Save(string file)
        {
            string target = LongPath.ForIO(file);
            string dir = Path.GetDirectoryName(target) ?? ".";
            string temp = Path.Combine(dir, "." + Path.GetFileName(file) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                Directory.CreateDirectory(dir);
                var bytes = new UTF8Encoding(false).GetBytes(ToJson());
                using (var s = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
                {
                    s.Write(bytes, 0, bytes.Length);
                    s.Flush(true);
                }
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        if (File.Exists(target)) File.Replace(temp, target, null, true);
                        else File.Move(temp, target);
                        return;
                    }
                    catch (IOException) when (attempt < 5)
                    {
                        // A virus scanner or indexer may hold the old file for a moment (Windows).
                        Thread.Sleep(50 * (attempt + 1));
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                try { File.Delete(temp); } catch (Exception) { }
                throw new BookmarkException($"Cannot write bookmark '{file}': {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The exclusive lock of a bookmark: <c>&lt;bookmark&gt;.lock</c> opened with FileShare.None for the whole
    /// run, so two runs with the same bookmark never read the same records. On Windows the lock file is opened
    /// with DeleteOnClose and disappears with the run. Elsewhere it is left in place: deleting a lock file that
    /// another process has opened but not yet locked would let a third process lock a new file of the same
    /// name, and both would run.
    /// </summary>
    internal sealed class BookmarkLock : IDisposable
    {
        private FileStream? _stream;

        private BookmarkLock(FileStream stream) => _stream = stream;

        /// <summary>
        /// Takes the lock, retrying for up to <paramref name="wait"/>; throws <see cref="BookmarkBusyException"/>
        /// when another run still holds it, <see cref="BookmarkException"/> when it cannot be created.
        /// <paramref name="stopping"/> ends the wait early (Ctrl+C).
        /// </summary>
        internal static BookmarkLock Acquire(string bookmarkFile, TimeSpan wait, Func<bool> stopping)
        {
            string path = bookmarkFile + ".lock";
            string io = LongPath.ForIO(path);
            string dir = Path.GetDirectoryName(io) ?? ".";
            var options = Platform.IsWindows ? FileOptions.DeleteOnClose : FileOptions.None;
            var deadline = DateTime.UtcNow + wait;
            while (true)
            {
                try
                {
                    Directory.CreateDirectory(dir);
                    var stream = new FileStream(io, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, options);
                    try
                    {
                        var text = Encoding.UTF8.GetBytes(
                            $"Get-FwDrop -Bookmark run: process {System.Diagnostics.Process.GetCurrentProcess().Id} on " +
                            $"{Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}\n");
                        stream.SetLength(0);
                        stream.Write(text, 0, text.Length);
                        stream.Flush();
                    }
                    catch (IOException)
                    {
                        // The note is for people; the lock is the open handle.
                    }
                    return new BookmarkLock(stream);
                }
                catch (Exception e) when ((e is IOException || e is UnauthorizedAccessException) &&
                                          !(e is DirectoryNotFoundException) && !(e is PathTooLongException))
                {
                    // Held by another run (a sharing violation; on Windows also a lock file being deleted).
                    if (!Busy(io, e)) throw new BookmarkException($"Cannot create the lock file '{path}': {e.Message}", e);
                    if (DateTime.UtcNow >= deadline || stopping())
                        throw new BookmarkBusyException(
                            $"Another Get-FwDrop -Bookmark run holds '{bookmarkFile}' (lock file '{path}'); " +
                            $"waited {wait.TotalSeconds:0.#} s. Run again when it has finished.", e);
                    Thread.Sleep(100);
                }
                catch (Exception e) when (e is DirectoryNotFoundException || e is PathTooLongException || e is NotSupportedException)
                {
                    throw new BookmarkException($"Cannot create the lock file '{path}': {e.Message}", e);
                }
            }
        }

        // An existing lock file we may not open is someone else's lock; a folder we may not write to is not.
        private static bool Busy(string path, Exception e) => e is IOException || File.Exists(path);

        public void Dispose()
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}
