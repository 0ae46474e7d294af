# make demo   install what is missing, build, run the example pipeline
# make test   install what is missing, build, run every test
# make bench  install what is missing, build, run the benchmarks against their peers
# make clang-check  compile every file with clang++ 14 too (syntax only), as DESIGN.md asks
# make image  the tollgate container image, localhost/tollgate:latest (needs podman or docker)
# make test-sanitize  the whole test suite on a clang build with AddressSanitizer + UBSan
# make fuzz   every libFuzzer target for FUZZ_SECONDS (300) each, from the same build
BUILD ?= build
# The sanitizer build: clang 14, ASan + UBSan, libFuzzer's coverage instrumentation, the fuzz
# targets; -O1 with line tables: fast enough to test and fuzz, and quicker to compile than -O2 -g.
SAN_BUILD ?= build-sanitize
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 300

.PHONY: all deps build test demo bench clang-check image format clean build-sanitize test-sanitize fuzz

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	./scripts/run-tests.sh $(BUILD)

demo: build
	./scripts/demo.sh $(BUILD)

bench: build
	./bench/run.sh $(BUILD)

image: build
	./scripts/build-image.sh $(BUILD)

$(SAN_BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(SAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
	  -DTOLLGATE_TEST_COMPILE_OPTIONS="-O0;-g1" -DTOLLGATE_FUZZ=ON

build-sanitize: deps $(SAN_BUILD)/build.ninja
	cmake --build $(SAN_BUILD) -j $(JOBS)

test-sanitize: build-sanitize
	./scripts/run-tests-sanitize.sh $(SAN_BUILD)

fuzz: build-sanitize
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh $(SAN_BUILD)

clang-check: build
	./scripts/clang-check.sh $(BUILD)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
