#!/usr/bin/env bash
# Executions per CPU-second of each libFuzzer target (build/fuzz, `make fuzz` builds it): a fixed number of
# runs (-runs) from the checked-in corpus with a fixed seed, the dictionary and -max_len=16384, timed in
# user+sys CPU seconds (/usr/bin/time), since wall time lies on a shared machine. New inputs go to a scratch
# folder under build/ that starts empty every time, so two measurements run the same inputs.
# Usage: [FUZZ_FLAGS=...] tools/fuzz-speed.sh [runs] [target...]     (default: 20000 runs, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20000}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(ls tests/fuzz/*_fuzz.cpp | sed 's|tests/fuzz/\(.*\)_fuzz.cpp|\1|'))
build=${BUILD:-build}
# The Makefile's FUZZ_FLAGS by default (set FUZZ_FLAGS= for libFuzzer's own defaults).
flags=${FUZZ_FLAGS--entropic_feature_frequency_threshold=32}
for t in "${targets[@]}"; do
  bin=${FUZZ_BIN:-$build/fuzz/tests/fuzz}/${t}_fuzz # FUZZ_BIN: another build's binaries (a before/after comparison)
  [ -x "$bin" ] || { echo "$bin: not built (make fuzz FUZZ_SECONDS=1, or cmake --build $build/fuzz --target ${t}_fuzz)" >&2; exit 1; }
  scratch=$build/fuzz-speed/$t
  rm -rf "$scratch" && mkdir -p "$scratch"
  dict=; [ -f tests/fuzz/$t.dict ] && dict=-dict=tests/fuzz/$t.dict
  /usr/bin/time -f '%U %S' -o "$build/fuzz-speed/$t.time" \
    "$bin" "$scratch" "tests/fuzz/corpus/$t" $dict -runs="$runs" -seed=1 -max_len=16384 -print_final_stats=1 $flags \
    -artifact_prefix="$scratch/" >"$build/fuzz-speed/$t.log" 2>&1 || { echo "$t: failed, see $build/fuzz-speed/$t.log" >&2; exit 1; }
  read -r user sys <"$build/fuzz-speed/$t.time"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-speed/$t.log")
  cov=$(grep -E '^#[0-9]+' "$build/fuzz-speed/$t.log" | tail -n1 | sed -n 's/.* cov: \([0-9]*\).* ft: \([0-9]*\).*/cov \1 ft \2/p')
  awk -v t="$t" -v e="$execs" -v u="$user" -v s="$sys" -v c="$cov" \
    'BEGIN { printf "%-9s %8d execs  %6.2f s CPU (user %.2f sys %.2f)  %7.0f exec/CPU-s  %s\n", t, e, u + s, u, s, e / (u + s), c }'
done
