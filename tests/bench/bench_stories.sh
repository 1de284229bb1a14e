#!/bin/bash
# Story assignment: items/s with 300,000 items in a 72-hour window, one core, next to the
# normaliser alone over the same items (same run), and peak RSS. Needs $NEWSWATCH_BUILD.
set -euo pipefail
build="${NEWSWATCH_BUILD:?set NEWSWATCH_BUILD to a release build directory}"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$build/tests/bench/bench_stories" "${1:-300000}" "${2:-100000}"
