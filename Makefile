# Fw - build, test, demo and benchmark. `make demo` and `make test` work on a
# fresh machine: they install what is missing first (see tools/setup.sh).
SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD      ?= build
CONFIG     ?= Release
JOBS       ?= $(shell nproc)
RID        := linux-x64
PWSH       := .tools/pwsh/pwsh
PESTER     := .tools/nuget/pester/5.7.1/tools/Pester.psd1
VERSION    := $(shell sed -n "s/^ *ModuleVersion *= *'\([^']*\)'.*/\1/p" Fw.psd1)
OUT        ?= out
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export POWERSHELL_TELEMETRY_OPTOUT := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: windows all setup pwsh native native-asan module tests-build test test-native test-module test-pester demo bench clean package package-native

all: module

setup: $(BUILD)/.setup-done
$(BUILD)/.setup-done: tools/setup.sh
	@bash tools/setup.sh
	@mkdir -p $(BUILD) && touch $@

# The real shell and Pester, project-local (.tools/, ignored by git).
pwsh: $(PWSH) $(PESTER)
$(PWSH) $(PESTER): tools/install-pwsh.sh
	@bash tools/install-pwsh.sh >/dev/null

# The shared library, copied where the module loads it from: bin/<rid>/fwcore.so
native: setup
	cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=$(CONFIG) -DFW_BUILD_TESTS=OFF >/dev/null
	cmake --build $(BUILD)/release -j$(JOBS)
	@mkdir -p bin/$(RID)
	cp $(BUILD)/release/native/fwcore.so bin/$(RID)/fwcore.so

# The native suite under AddressSanitizer and UndefinedBehaviorSanitizer.
native-asan: setup
	cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DFW_SANITIZE=ON -DFW_BUILD_BENCH=OFF -DFW_WERROR=ON >/dev/null
	cmake --build $(BUILD)/asan -j$(JOBS)

module: native
	dotnet build module/Fw.csproj -c $(CONFIG) -o bin --nologo -v quiet

test-native: native-asan
	set -o pipefail; cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) | tee ctest.out

# The hosted-engine suite imports the built module (./Fw.psd1 -> bin/Fw.dll + bin/linux-x64/fwcore.so); its
# FwShellTests run tests/fwsh, the project-local pwsh.
test-module: module pwsh
	rm -rf $(BUILD)/test-results
	dotnet test tests/Fw.Tests/Fw.Tests.csproj -c $(CONFIG) --nologo -v quiet --logger "console;verbosity=normal" \
	  --logger "trx;LogFileName=fw.trx" --results-directory $(BUILD)/test-results

# The Pester suite (tests/pester) in the real pwsh 7.6.9, as users run Fw. It installs the package
# (tests/pester/Package.Tests.ps1), so it needs `make package` first.
test-pester: package
	$(PWSH) -NoProfile -NonInteractive -File tools/run-pester.ps1 $(PESTER) $(BUILD)/pester-results

test: test-native test-module test-pester test-windows
	@bash tools/test-summary.sh $(BUILD)/asan/ctest.out $(BUILD)/test-results/fw.trx $(BUILD)/win-tests/status $(BUILD)/pester-results/pester.status

# The Director scenario on docs/samples/director.log, in the project-local pwsh (tests/fwsh).
demo: module pwsh
	tests/fwsh -File docs/demo.ps1

bench: module pwsh
	bash tools/bench.sh

clean:
	rm -rf $(BUILD) $(OUT) bin en-US .tools module/obj module/bin tests/Fw.Tests/bin tests/Fw.Tests/obj

# Cross-compile the Win32 code paths (file mapping, wide paths, registry) into
# bin/win-x64/fwcore.dll and the native suite into fw_tests.exe; run the suite
# under wine when it is installed (FW_WINE=1 installs it).
windows:
	@command -v x86_64-w64-mingw32-g++-posix >/dev/null || (apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq g++-mingw-w64-x86-64-posix >/dev/null)
	@mkdir -p $(BUILD)/win-headers && ln -sfn /usr/include/gsl $(BUILD)/win-headers/gsl && ln -sfn /usr/include/fmt $(BUILD)/win-headers/fmt && ln -sfn /usr/include/catch2 $(BUILD)/win-headers/catch2
	cmake -S . -B $(BUILD)/win -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/mingw-w64.cmake -DCMAKE_BUILD_TYPE=Release \
	  -DFW_HEADERS_DIR=$(CURDIR)/$(BUILD)/win-headers -DFW_BUILD_TESTS=OFF -DFW_BUILD_BENCH=OFF -DFW_WERROR=ON >/dev/null
	cmake --build $(BUILD)/win -j$(JOBS)
	@mkdir -p bin/win-x64 && cp $(BUILD)/win/native/fwcore.dll bin/win-x64/fwcore.dll
	@echo "windows: bin/win-x64/fwcore.dll"

# The native Catch2 suite cross-built with mingw-w64 into $(BUILD)/win-tests and
# run under wine: the Win32 code paths (file sharing during rotation, wide and
# long paths, registry readers). Installs what is missing first; a machine where
# wine cannot run at all reports NOT RUN instead of failing (tools/test-windows.sh).
.PHONY: test-windows
test-windows: setup
	bash tools/test-windows.sh $(BUILD)/win-tests $(JOBS)

# The installable package: $(OUT)/Fw/<ModuleVersion>/ (manifest, Fw.dll, views, en-US help, LICENSE, samples,
# fwcore for win-x64, win-x86 and linux-x64) and $(OUT)/repo/Fw.<ModuleVersion>.nupkg (Publish-PSResource to a
# local FileSystem repository). Checks on the way: Windows DLLs import system DLLs only; Fw.dll references only
# netstandard and System.Management.Automation (no ValueTuple/RuntimeInformation: Windows PowerShell 5.1).
# PSResourceGet keeps its repository list under XDG_DATA_HOME: a scratch folder here, not the user's settings.
package-native: module
	JOBS=$(JOBS) bash tools/build-native.sh linux-x64 - $(BUILD)/package
	JOBS=$(JOBS) bash tools/build-native.sh win-x64 $(BUILD)/win $(BUILD)/package
	JOBS=$(JOBS) bash tools/build-native.sh win-x86 $(BUILD)/win-x86 $(BUILD)/package
	bash tools/check-windows-imports.sh $(BUILD)/package/win-x64/fwcore.dll $(BUILD)/package/win-x86/fwcore.dll

package: package-native pwsh
	$(PWSH) -NoProfile -NonInteractive -File tools/check-assembly-refs.ps1 bin/Fw.dll
	@rm -rf $(BUILD)/psresourceget && mkdir -p $(BUILD)/psresourceget/data $(BUILD)/psresourceget/config $(BUILD)/psresourceget/cache
	XDG_DATA_HOME=$(CURDIR)/$(BUILD)/psresourceget/data XDG_CONFIG_HOME=$(CURDIR)/$(BUILD)/psresourceget/config \
	  XDG_CACHE_HOME=$(CURDIR)/$(BUILD)/psresourceget/cache \
	  $(PWSH) -NoProfile -NonInteractive -File tools/package.ps1 -Out $(OUT)

# libFuzzer targets (tests/fuzz/*_fuzz.cpp, clang with ASan/UBSan), each until FUZZ_RUNS executions (empty: no
# bound) or FUZZ_SECONDS, with its corpus (tests/fuzz/corpus/<name>, new inputs kept in $(BUILD)/fuzz-corpus/<name>)
# and dictionary; a crash is written to tests/fuzz/crashes/<name>/, which `make test` replays (ctest
# fuzz_replay_<name>). tools/fuzz.sh prints one summary line per target ($(BUILD)/fuzz-summary.txt).
FUZZ_SECONDS ?= 300
FUZZ_RUNS ?=
# More libFuzzer flags. Entropic scheduling counts a feature as rare until it was hit 255 times by default; the
# rules target has ~14,000 features and spent ~40% of its CPU looking them up in that list. 32 makes rules ~1.6x
# and reader/bookmark ~1.15x faster per CPU-second at the same coverage (tools/fuzz-speed.sh, 20,000 runs).
FUZZ_FLAGS ?= -entropic_feature_frequency_threshold=32
FUZZ_TARGETS ?= $(patsubst tests/fuzz/%_fuzz.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp))
.PHONY: fuzz
fuzz: setup
	@command -v clang++ >/dev/null && [ -n "$$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer*' 2>/dev/null | head -n1)" ] || \
	  (apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq clang libclang-rt-14-dev >/dev/null)
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFW_FUZZ=ON -DFW_SANITIZE=ON \
	  -DFW_BUILD_BENCH=OFF >/dev/null
	cmake --build $(BUILD)/fuzz -j$(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	FUZZ_FLAGS='$(FUZZ_FLAGS)' bash tools/fuzz.sh $(BUILD) $(FUZZ_SECONDS) '$(FUZZ_RUNS)' $(FUZZ_TARGETS)
