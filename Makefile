# mixprec: the two commands.
#   make run    install what is missing, build, run the main job
#   make check  install what is missing, build, run every test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build check run clean sanitize fuzz difftest

all: build

setup:
	bash scripts/setup.sh

$(BUILD)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
	  $(CMAKE_FLAGS)

configure: setup $(BUILD)/build.ninja

build: configure
	ninja -C $(BUILD) -j $(JOBS)

check: build
	ninja -C $(BUILD) check-mixprec

run: build
	bash scripts/main-job.sh $(BUILD)

clean:
	rm -rf $(BUILD)

# ASan + UBSan build of mixprec's code in build-asan/, then the lit suite
# (the Python and CMake-package tests are skipped there; see test/lit.cfg.py).
sanitize:
	$(MAKE) check BUILD=build-asan CMAKE_FLAGS=-DMIXPREC_SANITIZE=ON

# libFuzzer targets (fuzz/) in build-fuzz/, FUZZ_SECONDS per target; see
# docs/robustness.md.
FUZZ_SECONDS ?= 60
fuzz: setup
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# Differential testing on DIFFTEST_GRAPHS random training graphs (mixed vs
# fp32 within the dtype's tolerance, gradients vs finite differences).
DIFFTEST_GRAPHS ?= 500
difftest: build
	PYTHONPATH=$(BUILD)/python /usr/bin/python3 scripts/difftest.py $(DIFFTEST_GRAPHS) \
	  --mp-opt $(BUILD)/bin/mp-opt
