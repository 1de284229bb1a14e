#!/bin/bash
# The whole test suite: installs what is missing, checks formatting, builds the
# Debug + ASan/UBSan preset with warnings as errors, smoke-runs the fuzzers, and runs
# every unit and integration test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

# --monitoring: promtool, so the example alerting rules are checked and unit-tested too.
./scripts/install-deps.sh --monitoring
./scripts/check-format.sh
cmake --preset asan
cmake --build build/asan
# A short libFuzzer smoke run of every fuzz target (clang build of its own).
tests/fuzz/run.sh "${NEWSWATCH_FUZZ_SECONDS:-20}"
# ASan: fail on leaks too; UBSan: stop at the first finding with a stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --preset asan "$@"
