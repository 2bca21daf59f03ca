#!/usr/bin/env bash
# `make fuzz`: each libFuzzer target (build/fuzz, built by the Makefile) from its corpus (tests/fuzz/corpus/<name>;
# new inputs kept in <build>/fuzz-corpus/<name>, out of git) with its dictionary, until FUZZ_RUNS executions
# (libFuzzer -runs; empty: no bound) or FUZZ_SECONDS, whichever comes first. A crash is written to
# tests/fuzz/crashes/<name>/ (replayed by ctest fuzz_replay_<name>). Every target runs, even after a crash in
# another; then one summary line per target (for the closing note), and the exit status says whether any crashed.
# Usage: [FUZZ_FLAGS='more libFuzzer flags'] tools/fuzz.sh <build dir> <seconds> <runs or empty> <target>...
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1 seconds=$2 runs=$3
shift 3
summary=$build/fuzz-summary.txt
: >"$summary"
failed=0
for t in "$@"; do
  mkdir -p "$build/fuzz-corpus/$t" "tests/fuzz/crashes/$t"
  dict=; [ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
  bound="${seconds} s"; [ -n "$runs" ] && bound="$runs executions or $bound"
  echo "fuzz: $t for $bound"
  crashes_before=$(ls "tests/fuzz/crashes/$t" | wc -l)
  /usr/bin/time -f '%U %S' -o "$build/fuzz-$t.time" \
    "$build/fuzz/tests/fuzz/${t}_fuzz" "$build/fuzz-corpus/$t" "tests/fuzz/corpus/$t" $dict \
    -max_total_time="$seconds" ${runs:+-runs=$runs} -max_len=16384 -print_final_stats=1 ${FUZZ_FLAGS:-} \
    -artifact_prefix="tests/fuzz/crashes/$t/" >"$build/fuzz-$t.log" 2>&1
  rc=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE|NEW .*cov)|^stat::|ERROR|fuzz oracle' "$build/fuzz-$t.log" | tail -n 25
  [ $rc -eq 0 ] || failed=1
  crashes=$(( $(ls "tests/fuzz/crashes/$t" | wc -l) - crashes_before ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$t.log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$build/fuzz-$t.log" | tail -n1)
  # The last status line: "#N DONE cov: C ft: F corp: U/SIZE ..." (cov/ft only once the corpus is loaded).
  last=$(grep -E '^#[0-9]+.* cov: ' "$build/fuzz-$t.log" | tail -n1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  read -r user sys <"$build/fuzz-$t.time" 2>/dev/null || { user=0 sys=0; }
  awk -v t="$t" -v e="${execs:-0}" -v r="${rate:-0}" -v u="$user" -v s="$sys" -v c="${cov:-?}" -v f="${ft:-?}" \
      -v p="${corp:-?}" -v k="$crashes" -v rc="$rc" \
    'BEGIN { cpu = u + s; printf "fuzz summary: %-9s executions %d  exec/s %d (%d per CPU-s)  cov %s  ft %s  corpus %s  crashes %d%s\n",
             t, e, r, (cpu > 0 ? e / cpu : 0), c, f, p, k, rc == 0 ? "" : "  (exit " rc ")" }' | tee -a "$summary"
done
echo "--- $summary"
cat "$summary"
exit $failed
