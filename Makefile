# MantisDB: `make run` serves on the embedded defaults, `make test` runs every suite.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

# Each local package's own suite runs alone, then the root (assembly) package's.
PACKAGES := Packages/MantisCore Packages/SystemLibraries Packages/IntegrityKit Packages/WALKit \
            Packages/TxnKit Packages/RecoveryKit Plugins/ZlibCodec Plugins/LZ4Codec
# Suites with wall-clock bounds (deadlock detection within 100 ms) run their tests one at a time.
SERIAL_PACKAGES := Packages/TxnKit
SYSTEM_PACKAGES := zlib1g-dev liblz4-dev pkg-config

.PHONY: deps build release test test-packages test-root smoke run bench clean

## Install the system libraries the build needs, if missing (Debian/Ubuntu, as root).
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	swift build

release: deps
	swift build -c release

## Every test suite: each package alone, then the assembly, then the command-line smoke tests.
test: deps test-packages test-root smoke

test-packages:
	@set -e; for p in $(PACKAGES); do \
	  flags=""; case " $(SERIAL_PACKAGES) " in *" $$p "*) flags="--no-parallel";; esac; \
	  echo "=== swift test --package-path $$p $$flags"; swift test --package-path $$p $$flags; done

test-root:
	@echo "=== swift test (root)"
	swift test

smoke: build
	@echo "=== command-line smoke tests"
	bash Integration/scripts/wal-cli-smoke.sh .build/debug/mantisdb

## Benchmarks (release build); see Docs/performance.md.
bench: release
	bash Integration/scripts/bench.sh

clean:
	rm -rf .build $(addsuffix /.build,$(PACKAGES))
