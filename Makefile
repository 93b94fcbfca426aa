# Attune: set-up, build, test, serve and benchmark on a Debian 12 machine (as root).
#
#   make serve   installs what is missing, builds in release mode and starts the decision server
#   make test    installs what is missing, builds and runs the whole test suite
#   make bench   runs every benchmark suite against its peers (JSON Lines on stdout)
#   make test-asan  the test suite under AddressSanitizer (its own build directory)
#   make fuzz    the request-parser fuzz target (libFuzzer + ASan) for FUZZ_SECONDS (default 600)

SHELL := /bin/bash
# The Swift toolchain lives in /opt/swift on the project's machines.
export PATH := $(PATH):/opt/swift/usr/bin
# Online learning makes many small BLAS calls: threads only add synchronisation to them.
export OPENBLAS_NUM_THREADS ?= 1

APT_PACKAGES := libopenblas-dev liblapacke-dev pkg-config libsqlite3-dev libmicrohttpd-dev libmimalloc-dev
SWIFT ?= swift
RELEASE := .build/release

.PHONY: deps build test test-asan fuzz serve bench clean

## deps: install the Debian packages the build needs (quiet and idempotent when present)
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

## build: release build of attune and attune-bench
build: deps
	$(SWIFT) build -c release --product attune
	$(SWIFT) build -c release --product attune-bench

## test: the whole test suite (debug build), ending with the runner's summary line
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## test-asan: the whole test suite under AddressSanitizer, in .build/asan so the normal build
## stays valid; leak detection is off (the runtime's own caches would be reported)
test-asan: deps
	$(SWIFT) build --build-tests --scratch-path .build/asan -Xswiftc -sanitize=address
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --scratch-path .build/asan -Xswiftc -sanitize=address

## fuzz: build Fuzz/ (a separate package) with -sanitize=fuzzer,address and run it
FUZZ_SECONDS ?= 600
fuzz: deps
	Fuzz/run.sh $(FUZZ_SECONDS)

## serve: the decision server on its embedded default store
serve: build
	@if $(RELEASE)/attune serve --help >/dev/null 2>&1; then \
	  exec $(RELEASE)/attune serve; \
	else \
	  echo "This build has no decision server yet; here is what it has:"; $(RELEASE)/attune --help; \
	fi

## bench: every benchmark suite, each against its peers in the same run
bench: build
	$(RELEASE)/attune-bench all

clean:
	rm -rf .build
