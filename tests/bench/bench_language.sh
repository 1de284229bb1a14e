#!/bin/bash
# Language identification: items/s on one core over our labelled set (headline + ~200
# characters, HTML summary), next to the bare normaliser pass over the same text (a ratio).
# Target: >= 50,000 items/s. Needs $NEWSWATCH_BUILD.
set -euo pipefail
build="${NEWSWATCH_BUILD:?set NEWSWATCH_BUILD to a release build directory}"
cd "$(dirname "$0")/../.."
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
out="$("${pin[@]}" "$build/tests/bench/bench_language" tests/fixtures/languages 2)"
echo "language id: $out"
ips="$(sed -n 's/.*items_per_s=\([0-9]*\).*/\1/p' <<<"$out")"
echo "target >= 50000 items/s: $([ "$ips" -ge 50000 ] && echo met || echo MISSED)"
