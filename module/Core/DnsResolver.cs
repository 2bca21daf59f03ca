using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Fw.Core
{
    /// <summary>
    /// Host names for Get-FwDrop -ResolveDns: reverse lookups (System.Net.Dns) with a per-call cache, at most
    /// <see cref="MaxConcurrent"/> at once and a timeout per lookup. The caller resolves a batch of records ahead
    /// (<see cref="Prefetch"/>) and then reads names from the cache, so output keeps its order. When a whole wave
    /// of lookups times out the DNS server is taken as unreachable: later lookups are skipped (and reported once),
    /// so an unreachable server delays a call by about one timeout, not one per address.
    /// </summary>
    internal sealed class DnsResolver
    {
        internal const int MaxConcurrent = 16;

        private readonly TimeSpan _timeout;
        private readonly Dictionary<IPAddress, string?> _cache = new Dictionary<IPAddress, string?>();
        private readonly Dictionary<string, string>? _hosts; // test hook: TestHooks.HostsFile
        private int _consecutiveTimeouts;

        internal DnsResolver(TimeSpan timeout)
        {
            _timeout = timeout;
            string? hostsFile = TestHooks.HostsFile;
            if (!string.IsNullOrEmpty(hostsFile)) _hosts = ReadHosts(hostsFile!);
        }

        /// <summary>Set once lookups were given up (a wave timed out); the message says so.</summary>
        internal string? GaveUp { get; private set; }

        /// <summary>Lookups started so far in this call (tests read it through <see cref="TestHooks"/>).</summary>
        internal int Started;

        /// <summary>The cached name of an address given as text (FwDrop's address properties).</summary>
        internal string? Name(string? address) => Name(Parse(address));

        /// <summary>Resolves every address (as text) not cached yet; see the IPAddress overload.</summary>
        internal void Prefetch(IEnumerable<string?> addresses, Func<bool> stopping)
        {
            var parsed = new List<IPAddress?>();
            foreach (var a in addresses) parsed.Add(Parse(a));
            Prefetch(parsed, stopping);
        }

        // FwDrop's address text is always IPAddress.ToString() of a log address, so this never guesses.
        private static IPAddress? Parse(string? text) => text != null && IPAddress.TryParse(text, out var a) ? a : null;

        /// <summary>The cached name of an address (null: no name, not resolvable, or not resolved).</summary>
        internal string? Name(IPAddress? address)
        {
            if (address == null) return null;
            if (!_cache.TryGetValue(address, out var name)) Prefetch(new[] { address }, () => false);
            return _cache.TryGetValue(address, out name) ? name : null;
        }

        /// <summary>Resolves every address not cached yet, <see cref="MaxConcurrent"/> at a time; returns when each has
        /// an answer or timed out, or when <paramref name="stopping"/> says so.</summary>
        internal void Prefetch(IEnumerable<IPAddress?> addresses, Func<bool> stopping)
        {
            var todo = new List<IPAddress>();
            foreach (var a in addresses)
            {
                if (a == null || _cache.ContainsKey(a)) continue;
                if (!Resolvable(a) || GaveUp != null)
                {
                    _cache[a] = null;
                    continue;
                }
                _cache[a] = null; // also dedupes within the batch
                todo.Add(a);
            }
            if (todo.Count == 0) return;
            using var gate = new SemaphoreSlim(MaxConcurrent);
            var results = new string?[todo.Count];
            var timedOut = new bool[todo.Count];
            var tasks = new Task[todo.Count];
            for (int i = 0; i < todo.Count; i++)
            {
                int k = i;
                tasks[k] = Task.Run(async () =>
                {
                    await gate.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        if (Volatile.Read(ref _consecutiveTimeouts) >= MaxConcurrent) return; // given up: DNS does not answer
                        Interlocked.Increment(ref Started);
                        var lookup = Lookup(todo[k]);
                        var done = await Task.WhenAny(lookup, Task.Delay(_timeout)).ConfigureAwait(false);
                        if (done != lookup)
                        {
                            timedOut[k] = true;
                            Interlocked.Increment(ref _consecutiveTimeouts);
                            Observe(lookup);
                            return;
                        }
                        Interlocked.Exchange(ref _consecutiveTimeouts, 0);
                        if (lookup.Status == TaskStatus.RanToCompletion) results[k] = lookup.Result;
                        else Observe(lookup);
                    }
                    finally
                    {
                        gate.Release();
                    }
                });
            }
            var all = Task.WhenAll(tasks);
            while (!all.Wait(100))
                if (stopping()) break;
            for (int i = 0; i < todo.Count; i++) _cache[todo[i]] = results[i];
            if (GaveUp == null && _consecutiveTimeouts >= MaxConcurrent)
                GaveUp = $"{MaxConcurrent} reverse DNS lookups in a row took longer than {_timeout.TotalSeconds:0.###} s: " +
                         "the DNS server does not answer; the remaining addresses are left without host names.";
        }

        // Broadcast, multicast and unspecified addresses have no useful PTR record.
        private static bool Resolvable(IPAddress a)
        {
            if (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast) || a.Equals(IPAddress.None)) return false;
            if (a.AddressFamily == AddressFamily.InterNetworkV6) return !a.IsIPv6Multicast;
            var b = a.GetAddressBytes();
            return b.Length == 4 && b[0] < 224;
        }

        private Task<string?> Lookup(IPAddress address)
        {
            if (_hosts != null)
            {
                if (!_hosts.TryGetValue(address.ToString(), out var name)) return Task.FromResult<string?>(null);
                if (name == "*hang*") return new TaskCompletionSource<string?>().Task; // never answers
                if (name == "*fail*") return Task.FromException<string?>(new SocketException((int)SocketError.HostNotFound));
                return Task.Run(() => (string?)name);
            }
            return Reverse(address);
        }

        private static async Task<string?> Reverse(IPAddress address)
        {
            var entry = await Dns.GetHostEntryAsync(address).ConfigureAwait(false);
            string? name = entry?.HostName;
            // Some resolvers answer "no PTR record" with the address itself.
            if (string.IsNullOrEmpty(name) || IPAddress.TryParse(name, out _)) return null;
            return name;
        }

        private static void Observe(Task t) => t.ContinueWith(x => { _ = x.Exception; }, TaskContinuationOptions.OnlyOnFaulted);

        private static Dictionary<string, string> ReadHosts(string file)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var raw in File.ReadAllLines(file))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var parts = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && IPAddress.TryParse(parts[0], out var ip)) map[ip.ToString()] = parts[1];
            }
            return map;
        }
    }

    /// <summary>Get-FwDrop -IncludeProcess: the process that has a logged pid on this computer now (cached per call).</summary>
    internal sealed class ProcessLookup
    {
        private readonly Dictionary<int, KeyValuePair<string?, string?>> _cache = new Dictionary<int, KeyValuePair<string?, string?>>();

        /// <summary>The name and executable path of the process with this pid now (nulls when none).</summary>
        internal void Get(int pid, out string? name, out string? path)
        {
            if (!_cache.TryGetValue(pid, out var known)) _cache[pid] = known = Find(pid);
            name = known.Key;
            path = known.Value;
        }

        private static KeyValuePair<string?, string?> Find(int pid)
        {
            var found = new KeyValuePair<string?, string?>(null, null);
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                string? name = p.ProcessName;
                string? path = null;
                try { path = p.MainModule?.FileName; }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException || e is NotSupportedException)
                {
                    // another user's or a protected process: the name only
                }
                found = new KeyValuePair<string?, string?>(name, path);
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException)
            {
                // no such process now
            }
            return found;
        }
    }
}
