#!/bin/bash
# Burst detector cost per alert, next to parsing the same alert payloads in the same run.
# $NEWSWATCH_BUILD: a build dir (release).
set -euo pipefail
build="${NEWSWATCH_BUILD:-$(dirname "$0")/../../build/release}"
"$build/tests/bench/bench_bursts" "${BENCH_BURSTS_FILTERS:-50}"
