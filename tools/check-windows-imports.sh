#!/usr/bin/env bash
# Checks that Windows builds of fwcore import only DLLs every Windows has (the C runtime, libstdc++, libgcc and
# winpthread are linked in statically), so copying the module folder is the whole installation.
# Usage: tools/check-windows-imports.sh <fwcore.dll>...   Prints each DLL's imports; exit 1 naming any other import.
set -euo pipefail
objdump=x86_64-w64-mingw32-objdump   # reads pei-i386 (win-x86) as well as pei-x86-64
command -v "$objdump" >/dev/null || { echo "check-windows-imports: $objdump is missing (apt-get install binutils-mingw-w64-x86-64)" >&2; exit 2; }
# System DLLs: Win32 API sets and the in-box C runtimes (msvcrt.dll ships with every Windows; ucrtbase since 10).
system='^(kernel32|advapi32|ntdll|user32|ws2_32|bcrypt|shell32|ole32|oleaut32|shlwapi|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+)\.dll$'
status=0
for dll in "$@"; do
  [ -f "$dll" ] || { echo "check-windows-imports: $dll does not exist" >&2; status=1; continue; }
  format=$("$objdump" -f "$dll" | sed -n 's/.*file format \(.*\)/\1/p')
  imports=$("$objdump" -p "$dll" | sed -n 's/^\s*DLL Name: \(.*\)/\1/p')
  echo "$dll ($format): imports $(echo $imports | tr ' ' ',')"
  while read -r name; do
    [ -n "$name" ] || continue
    if ! [[ "${name,,}" =~ $system ]]; then
      echo "  FAIL: $dll imports $name, which is not a Windows system DLL (link it statically)" >&2
      status=1
    fi
  done <<< "$imports"
done
[ $status -eq 0 ] && echo "check-windows-imports: OK, system DLLs only"
exit $status
