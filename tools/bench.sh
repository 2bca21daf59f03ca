#!/usr/bin/env bash
# make bench: one run that measures Fw against the floor (wc -l) and the usual tools on the same synthetic
# 1 GiB log (generated once under build/bench), in the real pwsh (.tools/pwsh/pwsh). Not a test: it prints a
# table (markdown) with wall time, CPU time (user+sys: on a shared machine that says what the work costs) and
# the ratio to wc -l. Filter used everywhere: the Director scenario - DROP, TCP, destination port 49154.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SIZE_MIB=${FW_BENCH_MIB:-1024}
RUNS=${FW_BENCH_RUNS:-3}
PWSH=${PWSH:-.tools/pwsh/pwsh}
bindir=$BUILD/release/native
log=$BUILD/bench/pfirewall-${SIZE_MIB}m.log
mkdir -p "$BUILD/bench"

[ -x "$bindir/fwgen" ] || { echo "bench: $bindir/fwgen missing (run make native)" >&2; exit 1; }
[ -x "$PWSH" ] || bash tools/install-pwsh.sh >/dev/null
if [ ! -s "$log" ]; then
  echo "bench: generating $log (${SIZE_MIB} MiB, once)" >&2
  "$bindir/fwgen" "$log" "$SIZE_MIB" >&2
fi
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null # warm the page cache: every tool below reads from memory
cores=$(nproc)

calc() { awk "BEGIN { printf \"%.9f\", $1 }"; }
less() { awk "BEGIN { exit !($1 < $2) }"; } # less A B: A < B
PS=("$PWSH" -NoProfile -NonInteractive -Command)
pwsh_fw() { "${PS[@]}" "Import-Module ./Fw.psd1; $1"; }

# best-of-N wall time of a command; sets wall, cpu (user+sys of that run); stdout goes to $BUILD/bench/last.out
best() {
  wall="" cpu=""
  local tf="$BUILD/bench/time.out" w c
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S' -o "$tf" "$@" >"$BUILD/bench/last.out"
    read -r w u s <"$tf"
    c=$(calc "$u + $s")
    if [ -z "$wall" ] || less "$w" "$wall"; then wall=$w cpu=$c; fi
  done
}
last() { tail -n1 "$BUILD/bench/last.out" | tr -d '\r'; }

rows=()
floor=""
row() { # name result [bytes read; default the whole file] [seconds to subtract (start-up)]
  local n=${3:-$bytes} net gbs ratio
  net=$(calc "$wall - ${4:-0}"); if less "$net" 0.001; then net=0.001; fi
  gbs=$(calc "$n / $net / 1000000000")
  if [ -z "$floor" ]; then floor=$(calc "$wall / $bytes * 1000000000"); fi # ns per byte
  ratio=$(calc "$net / ($floor * $n / 1000000000)")
  rows+=("$(printf '| %-62s | %7.3f s | %7.3f s | %7.3f s | %6.2f GB/s | %6.1fx | %s |' "$1" "$wall" "$net" "$cpu" "$gbs" "$ratio" "$2")")
}

best wc -l "$log";                                                  row "wc -l (read and count newlines: the floor)" "$(awk '{print $1}' "$BUILD/bench/last.out") lines"
best mawk '$3=="DROP" && $4=="TCP" && $8=="49154" {n++} END {print n+0}' "$log"
row "mawk: DROP TCP dst-port 49154" "$(last) matched"
best "$bindir/fwcount" "$log" --threads 1 --action DROP --protocol TCP --dst-port 49154
row "fwcount (C ABI), 1 thread: DROP TCP dst-port 49154" "$(grep -o 'matched=[0-9]*' "$BUILD/bench/last.out")"
best "$bindir/fwcount" "$log" --action DROP --protocol TCP --dst-port 49154
row "fwcount, $cores threads: DROP TCP dst-port 49154" "$(grep -o 'matched=[0-9]*' "$BUILD/bench/last.out")"
best "$bindir/fwcount" "$log" --threads 1
row "fwcount, 1 thread: every record typed, no filter" "$(grep -o 'matched=[0-9]*' "$BUILD/bench/last.out")"
best "$bindir/fwcount" "$log"
row "fwcount, $cores threads: every record typed, no filter" "$(grep -o 'matched=[0-9]*' "$BUILD/bench/last.out")"
best "$bindir/fwcount" "$log" --threads 1 --action DROP --summary
row "fwcount --summary, 1 thread: DROP counted by direction/protocol/local port" "$(grep -o 'groups=[0-9]*' "$BUILD/bench/last.out")"
best "$bindir/fwcount" "$log" --action DROP --summary
row "fwcount --summary, $cores threads: DROP counted by direction/protocol/local port" "$(grep -o 'groups=[0-9]*' "$BUILD/bench/last.out")"

best "${PS[@]}" "Import-Module ./Fw.psd1; 0"; startup=$wall
row "pwsh start-up + Import-Module Fw (subtracted below: net column)" "-"
# Get-FwDrop's own cost from a new process: the objects are made, written to the pipeline and collected in a
# variable (\$d = ...), so no consumer's cost is charged to it; the ForEach-Object row adds a script block per object.
best "${PS[@]}" "Import-Module ./Fw.psd1; \$d = Get-FwDrop -Path '$log' -Protocol TCP -DestinationPort 49154; \$d.Count"
row "Get-FwDrop -Protocol TCP -DestinationPort 49154 (into a variable)" "$(last) objects" "$bytes" "$startup"
best "${PS[@]}" "Import-Module ./Fw.psd1; \$d = Get-FwDrop -Path '$log' -Protocol TCP -DestinationPort 49154 -ThrottleLimit 1; \$d.Count"
row "Get-FwDrop, the same, -ThrottleLimit 1" "$(last) objects" "$bytes" "$startup"
best "${PS[@]}" "Import-Module ./Fw.psd1; \$n = 0; Get-FwDrop -Path '$log' -Protocol TCP -DestinationPort 49154 | ForEach-Object { \$n++ }; \$n"
row "Get-FwDrop, the same, \\| ForEach-Object { \$n++ }" "$(last) objects" "$bytes" "$startup"
if pwsh_fw "if ((Get-Command Get-FwDrop).Parameters.ContainsKey('Filter')) { 'yes' } else { 'no' }" | grep -q yes; then
  best "${PS[@]}" "Import-Module ./Fw.psd1; \$d = Get-FwDrop -Path '$log' -Filter { \$_.Protocol -eq 'TCP' -and \$_.DestinationPort -eq 49154 }; \$d.Count"
  row "Get-FwDrop -Filter { Protocol -eq TCP -and DestinationPort -eq 49154 } (into a variable)" "$(last) objects" "$bytes" "$startup"
else
  rows+=("| Get-FwDrop -Filter { ... } | not available: this build's Get-FwDrop has no -Filter parameter | | | | | |")
fi
best "${PS[@]}" "Import-Module ./Fw.psd1; @(Measure-FwDrop -Path '$log').Count"
row "Measure-FwDrop (default -GroupBy Direction, Protocol, LocalPort)" "$(last) groups" "$bytes" "$startup"

# Slices: what needs an object per line is too slow for the whole file.
slice_lines() { # lines -> path of a slice of the log (its first lines, header included)
  local f="$BUILD/bench/slice-$1.log"
  [ -s "$f" ] || head -n "$1" "$log" >"$f"
  echo "$f"
}
s32=$(slice_lines 330000); s32_bytes=$(stat -c %s "$s32")
s4=$(slice_lines 40000); s4_bytes=$(stat -c %s "$s4")

# The same reads in a warm session: the command ran once on the 4 MB slice first (JIT, first-call set-up), then
# the 1 GiB read is timed inside pwsh - what a second call costs in an admin's open console or a script's loop.
warm_row() { # command with @LOG@ for the path; label
  local out w c n bw="" bc="" bn=""
  for _ in $(seq "$RUNS"); do
    out=$("${PS[@]}" "Import-Module ./Fw.psd1; \$null = ${1//@LOG@/$s4}; \$p = [Diagnostics.Process]::GetCurrentProcess(); \$c0 = \$p.TotalProcessorTime; \$w = [Diagnostics.Stopwatch]::StartNew(); \$n = ${1//@LOG@/$log}; \$w.Stop(); \$p.Refresh(); '{0} {1} {2}' -f \$n, \$w.Elapsed.TotalSeconds, (\$p.TotalProcessorTime - \$c0).TotalSeconds" | tail -n1 | tr -d '\r')
    read -r n w c <<<"$out"
    if [ -z "$bw" ] || less "$w" "$bw"; then bw=$w bc=$c bn=$n; fi
  done
  wall=$bw cpu=$bc
  row "$2" "$bn" "$bytes"
}
warm_row "@(Get-FwDrop -Path '@LOG@' -Protocol TCP -DestinationPort 49154).Count" "Get-FwDrop -Protocol TCP -DestinationPort 49154, warm session (timed in pwsh)"
warm_row "@(Measure-FwDrop -Path '@LOG@').Count" "Measure-FwDrop (default grouping), warm session (timed in pwsh)"
best "${PS[@]}" "Import-Module ./Fw.psd1; \$n = 0; Get-FwDrop -Path '$s32' -Action * | Where-Object { \$_.Action -eq 'Drop' -and \$_.Protocol -eq 'TCP' -and \$_.DestinationPort -eq 49154 } | ForEach-Object { \$n++ }; \$n"
row "Get-FwDrop -Action * \\| Where-Object, $((s32_bytes / 1000000)) MB slice" "$(last) matched" "$s32_bytes" "$startup"
best "${PS[@]}" "Import-Module ./Fw.psd1; \$n = 0; Get-FwDrop -Path '$s32' -Action * | ForEach-Object { \$n++ }; \$n"
row "Get-FwDrop -Action * (every record an object), $((s32_bytes / 1000000)) MB slice" "$(last) objects" "$s32_bytes" "$startup"
every_net=$(calc "$wall - $startup")
best "${PS[@]}" "Import-Module ./Fw.psd1; (Get-FwDrop -Path '$s32' -Action * | Measure-Object).Count"
row "Get-FwDrop -Action * \\| Measure-Object, $((s32_bytes / 1000000)) MB slice" "$(last) objects" "$s32_bytes" "$startup"
get_net=$(calc "$wall - $startup")
# The pipeline floor: the same objects, already in memory, piped to the same consumers. This is what the engine
# charges per object (parameter binding of the next command), whoever makes the objects: Get-FwDrop cannot go
# below it. Timed inside pwsh (the read that fills $d excluded), best of $RUNS.
floor_row() { # consumer (script text after '|') label
  local out w c bw="" bc=""
  for _ in $(seq "$RUNS"); do
    out=$("${PS[@]}" "Import-Module ./Fw.psd1; \$d = Get-FwDrop -Path '$s32' -Action *; \$n = 0; \$p = [Diagnostics.Process]::GetCurrentProcess(); [GC]::Collect(); \$c0 = \$p.TotalProcessorTime; \$w = [Diagnostics.Stopwatch]::StartNew(); \$null = \$d | $1; \$w.Stop(); \$p.Refresh(); '{0} {1} {2}' -f \$d.Count, \$w.Elapsed.TotalSeconds, (\$p.TotalProcessorTime - \$c0).TotalSeconds" | tail -n1 | tr -d '\r')
    read -r floor_n w c <<<"$out"
    if [ -z "$bw" ] || less "$w" "$bw"; then bw=$w bc=$c; fi
  done
  wall=$bw cpu=$bc
  row "$2, $((s32_bytes / 1000000)) MB slice" "$floor_n objects; Get-FwDrop net / floor = $(awk "BEGIN { printf \"%.2f\", $3 / $bw }")x" "$s32_bytes"
}
floor_row "Measure-Object" "pipeline floor: the same objects in memory \\| Measure-Object" "$get_net"
floor_row "ForEach-Object { \$n++ }" "pipeline floor: the same objects in memory \\| ForEach-Object" "$every_net"
best "$PWSH" -NoProfile -NonInteractive -File tools/bench-peer-csv.ps1 "$s4"
row "PS parsers' Get-Content \\| ConvertFrom-Csv \\| Where-Object, $((s4_bytes / 1000000)) MB slice" "$(last) matched" "$s4_bytes" "$startup"

echo "File: $log ($bytes bytes, $(wc -l <"$log") lines)"
echo "Machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Best of $RUNS runs (by wall time), page cache warm; PowerShell rows in $("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()')."
echo "net = wall minus pwsh start-up and import for PowerShell rows (warm-session rows: the time inside pwsh of a second call);"
echo "x wc = net time / (wc -l time for the same bytes)."
echo
echo "| what | wall | net | CPU (user+sys) | net throughput | x wc -l | result |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
for b in fwrulebench fwsynthbench; do
  if [ -x "$bindir/$b" ] && [ -z "${FW_BENCH_SKIP_RULES:-}" ]; then echo; echo "== $b"; "$bindir/$b"; fi
done
