# Fw - build, test, demo and benchmark. `make demo` and `make test` work on a
# fresh machine: they install what is missing first (see tools/setup.sh).
SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD      ?= build
CONFIG     ?= Release
JOBS       ?= $(shell nproc)
RID        := linux-x64
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export POWERSHELL_TELEMETRY_OPTOUT := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: all setup native native-asan module tests-build test test-native test-module demo bench clean windows

all: module

setup: $(BUILD)/.setup-done
$(BUILD)/.setup-done: tools/setup.sh
	@bash tools/setup.sh
	@mkdir -p $(BUILD) && touch $@

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
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

test-module: module
	dotnet test tests/Fw.Tests/Fw.Tests.csproj -c $(CONFIG) --nologo -v quiet --logger "console;verbosity=normal"

test: test-native test-module

demo: module
	tests/fwsh -File docs/demo.ps1

bench: module
	bash tools/bench.sh

clean:
	rm -rf $(BUILD) bin module/obj module/bin tests/Fw.Tests/bin tests/Fw.Tests/obj
