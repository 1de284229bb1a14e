#!/bin/bash
# Publish rate of the daemon's path (journal append + commit + PUB send) to 10 subscribers,
# next to a bare PUB socket in the same run. $NEWSWATCH_BUILD: a build dir (release).
set -euo pipefail
build="${NEWSWATCH_BUILD:-$(dirname "$0")/../../build/release}"
"$build/tests/bench/bench_publish" "${BENCH_PUBLISH_ALERTS:-20000}"
