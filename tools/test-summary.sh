#!/usr/bin/env bash
# Prints one closing line for `make test`: the native (ctest) and hosted-engine
# (xunit, from its trx file) counts added up, as "total: N passed, N failed".
set -euo pipefail
ctest_out=$1 trx=$2 win_status=${3:-} pester_status=${4:-}
n_total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$ctest_out" | tail -n1)
n_failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$ctest_out" | tail -n1)
counters=$(grep -o '<Counters [^>]*>' "$trx")
attr() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
m_passed=$(attr passed) m_failed=$(attr failed)
n_passed=$(( ${n_total:-0} - ${n_failed:-0} ))
echo "native: ${n_passed} passed, ${n_failed:-0} failed"
echo "module: ${m_passed:-0} passed, ${m_failed:-0} failed"
# The Windows run (native suite under wine): "windows: All tests passed (... in N test cases)",
# "windows: test cases: N | P passed | F failed", or "windows: NOT RUN - why".
w_passed=0 w_failed=0
if [ -n "$win_status" ] && [ -f "$win_status" ]; then
  line=$(cat "$win_status")
  if [[ $line =~ in\ ([0-9]+)\ test\ case ]]; then w_passed=${BASH_REMATCH[1]}
  elif [[ $line =~ \|\ ([0-9]+)\ passed\ \|\ ([0-9]+)\ failed ]]; then w_passed=${BASH_REMATCH[1]} w_failed=${BASH_REMATCH[2]}
  fi
  if [[ $line == *"NOT RUN"* ]]; then echo "$line"; else echo "windows (wine): ${w_passed} passed, ${w_failed} failed"; fi
fi
# The Pester run: "pester: P passed, F failed, S skipped" (tools/run-pester.ps1).
p_passed=0 p_failed=0
if [ -n "$pester_status" ] && [ -f "$pester_status" ]; then
  line=$(cat "$pester_status")
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then p_passed=${BASH_REMATCH[1]} p_failed=${BASH_REMATCH[2]}; fi
  echo "$line"
fi
echo "total: $(( n_passed + ${m_passed:-0} + w_passed + p_passed )) passed, $(( ${n_failed:-0} + ${m_failed:-0} + w_failed + p_failed )) failed"
