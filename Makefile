# certkeeper front door. `make run` and `make test` install what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
LISTEN     ?= 127.0.0.1:8080
DB         ?= sqlite:certkeeper.db

.PHONY: all build web deps run test test-unit test-api test-security check-layers check-format fuzz fuzz-run bench clean

all: build

deps:
	@scripts/install-deps

# Configure steps go through scripts/configure: a failed configure (e.g. `make` before
# `make deps`) says "run make deps" and leaves no half-configured directory behind. The stamp
# is cmake_install.cmake, which CMake writes only when configure and generate succeeded (it
# writes CMakeCache.txt even on failure), so a directory half-made by an older Makefile is
# configured again instead of being taken as ready.
$(BUILD)/cmake_install.cmake:
	@scripts/configure $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)

# Web UI (web/): rebuilt with Vite only when its sources changed; skipped without npm.
WEB_SRC := $(wildcard web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json) \
	$(shell find web/src web/public -type f 2>/dev/null)

web: $(if $(wildcard web/package.json),web/dist/index.html)

web/dist/index.html: $(WEB_SRC)
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null); \
	  out=$$(cd web && npm run --silent build 2>&1) || { echo "$$out"; exit 1; }; echo "web: built web/dist"; \
	else echo "web: npm not found, UI not built (make deps installs it)"; fi

build: $(BUILD)/cmake_install.cmake web
	@cmake --build $(BUILD) -j$(JOBS) --target certkeeper

$(ASAN_BUILD)/cmake_install.cmake:
	@scripts/configure $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCK_SANITIZE=ON $(CMAKE_ARGS)

run: deps build
	@scripts/run-server $(BUILD)/certkeeper "$(LISTEN)" "$(DB)"

# The Release tree is built too: -O2 finds warnings (-Werror) that the sanitizer build does
# not, and `make run` / `make bench` must never be the first to discover them.
test: deps $(ASAN_BUILD)/cmake_install.cmake $(BUILD)/cmake_install.cmake
	@cmake --build $(BUILD) -j$(JOBS)
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@scripts/run-tests $(ASAN_BUILD)

# The slow HTTP security tests (docs/security.md): slowloris from 127.0.0.2 and 10,000
# oversized-query requests with RSS flat; Release build (ASan's quarantine grows RSS itself).
test-security: deps $(BUILD)/cmake_install.cmake
	@cmake --build $(BUILD) -j$(JOBS) --target certkeeper
	@scripts/run-security-tests $(BUILD)

test-unit: $(ASAN_BUILD)/cmake_install.cmake
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure

# DESIGN.md §2's layer rules (also run by `make test` through ctest).
check-layers:
	@scripts/check-layers --quiet

# clang-format on the files listed in scripts/format-files (also run by `make test`).
check-format:
	@scripts/check-format

$(FUZZ_BUILD)/cmake_install.cmake:
	@CC=clang scripts/configure $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCK_FUZZ=ON -DCK_TESTS=OFF

fuzz: deps $(FUZZ_BUILD)/cmake_install.cmake
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)
	@echo "fuzz targets: $$(ls $(FUZZ_BUILD)/fuzz/fuzz_* 2>/dev/null | tr '\n' ' ')"

# Runs every fuzz target FUZZ_SECONDS seconds (one at a time, nice 19); FUZZ_TARGETS limits
# the set (e.g. FUZZ_TARGETS="csv core_parse"). See docs/security.md, "Fuzzing".
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz-run: fuzz
	@scripts/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: deps build
	@cmake --build $(BUILD) -j$(JOBS)
	@scripts/run-bench $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
