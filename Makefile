# Two entry points for a new user: `make run` and `make test` (see README.md).
# Both install missing Debian packages, then configure and build with CMake presets.
JOBS ?= 2
PRESET ?= release
BUILD_DIR := build/$(PRESET)
PROTEUS := $(BUILD_DIR)/src/app/proteus

export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1

.PHONY: deps configure build run test test-slurm tidy bench update-goldens clean

deps:
	./scripts/install-deps.sh

configure: deps
	cmake --preset $(PRESET)

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	mpirun --oversubscribe -np 2 $(PROTEUS) sweep configs/quickstart-sweep.toml \
		--out build/quickstart.h5 --overwrite
	$(PROTEUS) report build/quickstart.h5

test: build
	ctest --preset $(PRESET) -j $(JOBS)

# Starts a throwaway one-node SLURM cluster (needs root or sudo; skips otherwise) and runs
# jobs/slurm/ against it: scripts/test-slurm.sh, docs/runbook.md.
test-slurm: build
	./scripts/test-slurm.sh $(PROTEUS)

# clang-tidy (.clang-tidy) over every source of src/ tests/ bench/ through the tidy preset, whose
# findings are errors: fails on any, after listing all of them (--keep-going). Incremental: a
# file is checked again when it or a header it includes changes.
tidy: deps
	cmake --preset tidy
	cmake --build --preset tidy -j $(JOBS) -- --keep-going

# Rewrites tests/engine/golden/ from the current engine after an intended change (commit the
# files with the reason); the golden tests themselves only compare.
update-goldens: build
	$(BUILD_DIR)/tests/engine/update_goldens

bench: build
	$(BUILD_DIR)/bench/proteus_bench

clean:
	rm -rf build
