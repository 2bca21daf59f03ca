#!/usr/bin/env bash
# Installs the real shell and the test framework into project-local folders (ignored by git), once:
#   .tools/pwsh/pwsh                              PowerShell 7.6.9 (the NuGet global tool, no root needed)
#   .tools/nuget/pester/5.7.1/tools/Pester.psd1   Pester 5.7.1 (restored as a NuGet package)
# Prints the pwsh path on its last line. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
pwsh_version=7.6.9
pester_version=5.7.1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pwsh="$root/.tools/pwsh/pwsh"
if [ ! -x "$pwsh" ] || ! "$pwsh" -NoProfile -NonInteractive -Command "exit ([int](\$PSVersionTable.PSVersion.ToString() -ne '$pwsh_version'))" >/dev/null 2>&1; then
  echo "install-pwsh: installing PowerShell $pwsh_version into .tools/pwsh" >&2
  rm -rf "$root/.tools/pwsh"
  dotnet tool install PowerShell --version "$pwsh_version" --tool-path "$root/.tools/pwsh" >/dev/null
fi

pester="$root/.tools/nuget/pester/$pester_version/tools/Pester.psd1"
if [ ! -f "$pester" ]; then
  echo "install-pwsh: restoring Pester $pester_version into .tools/nuget" >&2
  dotnet restore tools/pwsh-deps/pwsh-deps.csproj --packages "$root/.tools/nuget" -p:PesterVersion="$pester_version" >/dev/null
fi
echo "$pwsh"
