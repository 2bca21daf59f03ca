#!/usr/bin/env bash
# make bench: one run that measures Fw against the usual tools on the same
# synthetic log (generated once under build/bench). Not a test: it prints figures.
#
# Filter used everywhere: the Director scenario - DROP, TCP, destination port 49154.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SIZE_MIB=${FW_BENCH_MIB:-1024}
RUNS=${FW_BENCH_RUNS:-3}
bindir=$BUILD/release/native
log=$BUILD/bench/pfirewall-${SIZE_MIB}m.log
mkdir -p "$BUILD/bench"

[ -x "$bindir/fwgen" ] || { echo "bench: $bindir/fwgen missing (run make native)" >&2; exit 1; }
if [ ! -s "$log" ]; then
  echo "bench: generating $log (${SIZE_MIB} MiB, once)"
  "$bindir/fwgen" "$log" "$SIZE_MIB"
fi
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null # warm the page cache: every tool below reads from memory

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# best-of-N wall time of a command, in seconds; the command's stdout goes to $BUILD/bench/last.out
best() {
  local best_s="" t0 t1 s
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s.%N)
    "$@" >"$BUILD/bench/last.out"
    t1=$(date +%s.%N)
    s=$(calc "$t1 - $t0")
    if [ -z "$best_s" ] || [ "$(calc "($s < $best_s) ? 1 : 0")" = 1 ]; then best_s=$s; fi
  done
  printf '%.3f' "$best_s"
}

results=()
row() { # name seconds result [bytes read, default the whole file]
  local n=${4:-$bytes} gbs; gbs=$(calc "$n / $2 / 1000000000")
  results+=("$(printf '| %-58s | %8s s | %9.4f GB/s | %s |' "$1" "$2" "$gbs" "$3")")
}

t=$(best wc -l "$log");                              row "wc -l (count lines only)" "$t" "$(awk '{print $1}' "$BUILD/bench/last.out") lines"
t=$(best mawk '$3=="DROP" && $4=="TCP" && $8=="49154" {n++} END {print n+0}' "$log")
row "mawk: DROP TCP dst-port 49154" "$t" "$(cat "$BUILD/bench/last.out") matched"
mawk_s=$t
t=$(best "$bindir/fwcount" "$log" --action DROP --protocol TCP --dst-port 49154)
row "fwcore (C ABI): DROP TCP dst-port 49154" "$t" "$(grep -o 'matched=[0-9]*' "$BUILD/bench/last.out")"
native_s=$t
t=$(best "$bindir/fwcount" "$log")
row "fwcore (C ABI): every record typed, no filter" "$t" "$(grep -o 'matched=[0-9]*' "$BUILD/bench/last.out")"

startup_s=$(best tests/fwsh -Command '0')
t=$(best tests/fwsh -Command "\$n = 0; Get-FwDrop -Path '$log' -Protocol TCP -DestinationPort 49154 | ForEach-Object { \$n++ }; \$n")
row "Get-FwDrop -Protocol TCP -DestinationPort 49154" "$t" "$(tail -n1 "$BUILD/bench/last.out" | tr -d '\r') objects"
ps_s=$t

# Counting by key (the Group-Object question "which ports are dropped"): mawk's associative array against
# Measure-FwDrop's native summary, both over the whole file, default key Direction, Protocol, LocalPort.
t=$(best mawk '$3=="DROP" { if ($17=="RECEIVE") k="in " $4 " " $8; else if ($17=="SEND") k="out " $4 " " $7; else k="- " $4; c[k]++ } END { for (k in c) n++; print n }' "$log")
row "mawk: DROP lines counted per direction/protocol/port" "$t" "$(cat "$BUILD/bench/last.out") groups"
mawk_group_s=$t
t=$(best tests/fwsh -Command "@(Measure-FwDrop -Path '$log').Count")
row "Measure-FwDrop (default -GroupBy Direction,Protocol,LocalPort)" "$t" "$(tail -n1 "$BUILD/bench/last.out" | tr -d '\r') groups"
measure_s=$t

# The PowerShell peers (Get-WindowsDefenderFirewallLog, Show-WindowsFirewallLog, small published ConvertFrom-Csv
# scripts) read lines, split on spaces and build one object per line, then filter. They are
# too slow for the whole file, so they run on slices of it (the first N lines); same engine, same filter.
slice_lines() { # lines -> path of a slice of the log
  local f="$BUILD/bench/slice-$1.log"
  [ -s "$f" ] || head -n "$1" "$log" >"$f"
  echo "$f"
}
s64=$(slice_lines 650000); s64_bytes=$(stat -c %s "$s64")
s16=$(slice_lines 160000); s16_bytes=$(stat -c %s "$s16")
t=$(best tests/fwsh -File tools/bench-peer-split.ps1 "$s64")
row "PS script, split lines only ($((s64_bytes / 1000000)) MB slice)" "$t" "$(tail -n1 "$BUILD/bench/last.out" | tr -d '\r') matched" "$s64_bytes"
peer_split_s=$t
t=$(best tests/fwsh -Command "\$n = 0; Get-FwDrop -Path '$s64' -Protocol TCP -DestinationPort 49154 | ForEach-Object { \$n++ }; \$n")
row "Get-FwDrop, same filter, same slice" "$t" "$(tail -n1 "$BUILD/bench/last.out" | tr -d '\r') objects" "$s64_bytes"
t=$(best tests/fwsh -File tools/bench-peer-objects.ps1 "$s16")
row "PS script, object per line + Where-Object ($((s16_bytes / 1000000)) MB slice)" "$t" "$(tail -n1 "$BUILD/bench/last.out" | tr -d '\r') matched" "$s16_bytes"
peer_objects_s=$t
t=$(best tests/fwsh -Command "\$n = 0; Get-FwDrop -Path '$s16' -Action Drop,Allow | Where-Object { \$_.Action -eq 'Drop' -and \$_.Protocol -eq 'TCP' -and \$_.DestinationPort -eq 49154 } | ForEach-Object { \$n++ }; \$n")
row "Get-FwDrop, every record + Where-Object, same slice" "$t" "$(tail -n1 "$BUILD/bench/last.out" | tr -d '\r') matched" "$s16_bytes"
fw_objects_s=$t

echo
echo "File: $log ($bytes bytes, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo "Best of $RUNS runs, page cache warm."
echo
echo "| tool | time | throughput | result |"
echo "|---|---|---|---|"
printf '%s\n' "${results[@]}"
echo
printf 'fwcore vs mawk: %.1fx faster\n' "$(calc "$mawk_s / $native_s")"
printf 'engine start-up (fwsh -Command 0): %s s\n' "$startup_s"
printf 'Get-FwDrop vs (native + start-up): %.2fx\n' "$(calc "$ps_s / ($native_s + $startup_s)")"
printf 'Measure-FwDrop vs mawk counting the same groups: %.1fx faster\n' "$(calc "$mawk_group_s / $measure_s")"
printf 'PS object-per-line peer on the whole file (extrapolated): %.0f s; Get-FwDrop with the filter pushed down: %s s\n' \
  "$(calc "($peer_objects_s - $startup_s) * $bytes / $s16_bytes + $startup_s")" "$ps_s"
printf 'On the same %s MB slice, every record as an object then Where-Object: Get-FwDrop %.1fx faster than the peer pattern\n' \
  "$((s16_bytes / 1000000))" "$(calc "($peer_objects_s - $startup_s) / ($fw_objects_s - $startup_s)")"

for b in fwrulebench fwsynthbench; do
  if [ -x "$bindir/$b" ]; then echo; echo "== $b"; "$bindir/$b"; fi
done
