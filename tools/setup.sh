#!/usr/bin/env bash
# Installs what the build needs on a fresh Debian machine of the dotnet kind.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v mawk >/dev/null || need+=(mawk)
[ -f /usr/include/gsl/gsl ] || need+=(libmsgsl-dev)
[ -d /usr/lib/x86_64-linux-gnu/cmake/fmt ] || need+=(libfmt-dev)
[ -f /usr/include/catch2/catch.hpp ] || need+=(catch2)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "setup: the .NET SDK (dotnet) is required and is not on PATH" >&2
  exit 1
fi
