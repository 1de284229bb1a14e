#!/bin/bash
# Runs every benchmark: builds the release preset, then each tests/bench/bench_*.sh in turn.
# Each prints its figures next to a baseline measured in the same run (a ratio).
set -euo pipefail
cd "$(dirname "$0")/../.."
./scripts/install-deps.sh --bench
cmake --preset release >/dev/null
cmake --build build/release
export NEWSWATCH_BUILD="$PWD/build/release"
for script in tests/bench/bench_*.sh; do
  [ -e "$script" ] || continue
  if [ -n "${1:-}" ] && [[ "$script" != *"$1"* ]]; then continue; fi
  echo "=== $script"
  bash "$script"
done
