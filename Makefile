# make demo   install what is missing, build, run the example pipeline
# make test   install what is missing, build, run every test
# make bench  install what is missing, build, run the benchmarks against their peers
# make clang-check  compile every file with clang++ 14 too (syntax only), as DESIGN.md asks
# make image  the tollgate container image, localhost/tollgate:latest (needs podman or docker)
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build test demo bench clang-check image format clean

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

clang-check: build
	./scripts/clang-check.sh $(BUILD)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
