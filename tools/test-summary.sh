#!/usr/bin/env bash
# Prints one closing line for `make test`: the native (ctest) and hosted-engine
# (xunit, from its trx file) counts added up, as "total: N passed, N failed".
set -euo pipefail
ctest_out=$1 trx=$2
n_total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$ctest_out" | tail -n1)
n_failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$ctest_out" | tail -n1)
counters=$(grep -o '<Counters [^>]*>' "$trx")
attr() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
m_passed=$(attr passed) m_failed=$(attr failed)
n_passed=$(( ${n_total:-0} - ${n_failed:-0} ))
echo "native: ${n_passed} passed, ${n_failed:-0} failed"
echo "module: ${m_passed:-0} passed, ${m_failed:-0} failed"
echo "total: $(( n_passed + ${m_passed:-0} )) passed, $(( ${n_failed:-0} + ${m_failed:-0} )) failed"
