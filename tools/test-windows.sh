#!/usr/bin/env bash
# The native Catch2 suite cross-built with mingw-w64 and run under wine: the Win32 code paths (file sharing
# while the service rotates, wide and long paths, the registry readers) on every `make test`.
# Usage: tools/test-windows.sh <build dir> <jobs>
#
# Installs mingw-w64 and wine when missing. If they cannot be installed, or wine cannot start a program at all
# on this machine, the suite is reported as NOT RUN (exit 0, loudly): that is the machine, not the code.
# A compile error or a failing test is a failure (exit 1).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/win-tests}
jobs=${2:-2}
mkdir -p "$out"
status_file="$out/status"

not_run() {
  echo "windows: NOT RUN - $1" | tee "$status_file"
  exit 0
}

need=()
command -v x86_64-w64-mingw32-g++-posix >/dev/null || need+=(g++-mingw-w64-x86-64-posix)
command -v wine >/dev/null || need+=(wine wine64)
if [ ${#need[@]} -gt 0 ]; then
  echo "windows: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  { $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null; } ||
    not_run "could not install ${need[*]}"
fi

mkdir -p "$out/headers"
ln -sfn /usr/include/gsl "$out/headers/gsl"
ln -sfn /usr/include/fmt "$out/headers/fmt"
ln -sfn /usr/include/catch2 "$out/headers/catch2"
cmake -S . -B "$out" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/mingw-w64.cmake" -DCMAKE_BUILD_TYPE=Release \
  -DFW_HEADERS_DIR="$PWD/$out/headers" -DFW_BUILD_TESTS=ON -DFW_BUILD_BENCH=OFF -DFW_WERROR=ON >/dev/null || exit 1
cmake --build "$out" --target fw_tests -j"$jobs" || exit 1

# A private prefix: the registry tests never see ~/.wine.
export WINEPREFIX="$PWD/$out/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if ! timeout 300 wine cmd /c exit 0 >/dev/null 2>&1; then
  not_run "wine cannot start a Windows program on this machine"
fi

timeout 900 wine "$out/tests/native/fw_tests.exe" 2>&1 | grep -v '^wine: ' | tee "$out/fw_tests.out"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^(All tests passed|test cases:)' "$out/fw_tests.out" | tail -n1)
if [ -z "$summary" ]; then
  [ "$rc" -eq 124 ] && { echo "windows: the suite did not finish in 15 minutes" | tee "$status_file"; exit 1; }
  echo "windows: the suite ended without a Catch2 summary (exit $rc)" | tee "$status_file"
  exit 1
fi
echo "windows: $summary" | tee "$status_file"
exit "$rc"
