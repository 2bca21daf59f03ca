#!/usr/bin/env bash
# Builds fwcore for one shipped runtime and copies it, stripped, to <out>/<rid>/fwcore.<ext>:
#   linux-x64  the host build of `make native` (bin/linux-x64/fwcore.so): needs glibc 2.33 and the libstdc++ of
#              GCC 11 or later (GLIBCXX_3.4.29). Linking libstdc++ statically was tried: it raised the glibc
#              requirement to 2.36 (arc4random), which shuts out Ubuntu 22.04.
#   win-x64    mingw-w64 x86_64 (posix threads), C/C++ runtime and winpthread linked statically
#   win-x86    mingw-w64 i686 (posix threads), likewise, SSE2 (cmake/mingw-w64-x86.cmake)
# Installs the mingw-w64 compiler when missing (Debian packages). Usage: tools/build-native.sh <rid> <build dir> <out>  (the build dir is unused for linux-x64)
set -euo pipefail
rid=$1 build=$2 out=$3
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs=${JOBS:-$(nproc)}
common=(-DCMAKE_BUILD_TYPE=Release -DFW_BUILD_TESTS=OFF -DFW_BUILD_BENCH=OFF -DFW_WERROR=ON)

need_pkg() {  # <command> <debian package>
  command -v "$1" >/dev/null && return 0
  echo "build-native: installing $2" >&2
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}
win_headers() {  # the cross build takes the header-only dependencies from the host's /usr/include
  mkdir -p "$root/build/win-headers"
  for h in gsl fmt catch2; do ln -sfn "/usr/include/$h" "$root/build/win-headers/$h"; done
  echo "-DFW_HEADERS_DIR=$root/build/win-headers"
}

case "$rid" in
  linux-x64)
    [ -f "$root/bin/linux-x64/fwcore.so" ] || { echo "build-native: run 'make native' first" >&2; exit 1; }
    mkdir -p "$out/$rid"
    strip --strip-unneeded -o "$out/$rid/fwcore.so" "$root/bin/linux-x64/fwcore.so"
    echo "build-native: $out/$rid/fwcore.so"
    exit 0 ;;
  win-x64)
    need_pkg x86_64-w64-mingw32-g++-posix g++-mingw-w64-x86-64-posix
    cmake -S "$root" -B "$build" "${common[@]}" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" "$(win_headers)" >/dev/null
    lib=fwcore.dll strip=x86_64-w64-mingw32-strip ;;
  win-x86)
    need_pkg i686-w64-mingw32-g++-posix g++-mingw-w64-i686-posix
    cmake -S "$root" -B "$build" "${common[@]}" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86.cmake" "$(win_headers)" >/dev/null
    lib=fwcore.dll strip=i686-w64-mingw32-strip ;;
  *) echo "build-native: unknown runtime '$rid' (linux-x64, win-x64, win-x86)" >&2; exit 2 ;;
esac
cmake --build "$build" -j"$jobs" --target fwcore
mkdir -p "$out/$rid"
"$strip" --strip-unneeded -o "$out/$rid/$lib" "$build/native/$lib"
echo "build-native: $out/$rid/$lib"
