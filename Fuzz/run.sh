#!/usr/bin/env bash
# Builds the request-parser fuzz target with libFuzzer and AddressSanitizer and runs it.
#
#   Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#
# SECONDS defaults to 600. The seed corpus in Fuzz/corpus is copied to .build/fuzz-corpus,
# where libFuzzer adds the inputs it finds; crashes are written to .build/fuzz-artifacts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-600}"
shift || true
export OPENBLAS_NUM_THREADS=1
swift build --package-path "$here" --scratch-path "$root/.build/fuzz" --product FuzzRequestParser \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
binary="$root/.build/fuzz/debug/FuzzRequestParser"
mkdir -p "$root/.build/fuzz-corpus" "$root/.build/fuzz-artifacts"
cp -n "$here"/corpus/* "$root/.build/fuzz-corpus/" 2>/dev/null || true
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" exec "$binary" "$root/.build/fuzz-corpus" \
  -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=3072 \
  -artifact_prefix="$root/.build/fuzz-artifacts/" -print_final_stats=1 "$@"
