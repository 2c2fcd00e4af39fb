# certkeeper front door. `make run` and `make test` install what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
LISTEN     ?= 127.0.0.1:8080
DB         ?= sqlite:certkeeper.db

.PHONY: all build deps run test test-unit test-api fuzz bench clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null

build: $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j$(JOBS) --target certkeeper

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCK_SANITIZE=ON $(CMAKE_ARGS) >/dev/null

run: deps build
	@scripts/run-server $(BUILD)/certkeeper "$(LISTEN)" "$(DB)"

test: deps $(ASAN_BUILD)/CMakeCache.txt
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@scripts/run-tests $(ASAN_BUILD)

test-unit: $(ASAN_BUILD)/CMakeCache.txt
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure

$(FUZZ_BUILD)/CMakeCache.txt:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCK_FUZZ=ON -DCK_TESTS=OFF >/dev/null

fuzz: deps $(FUZZ_BUILD)/CMakeCache.txt
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)
	@echo "fuzz targets: $$(ls $(FUZZ_BUILD)/fuzz/fuzz_* 2>/dev/null | tr '\n' ' ')"

bench: deps build
	@cmake --build $(BUILD) -j$(JOBS)
	@scripts/run-bench $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
