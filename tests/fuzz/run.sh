#!/bin/bash
# Builds the libFuzzer targets with clang (ASan + UBSan + fuzzer coverage on all our
# code) and runs each for N seconds (default 30) from a seed corpus of our fixtures.
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET-SUBSTRING]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-30}"
only="${2:-}"

CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DNEWSWATCH_FUZZ=ON -DNEWSWATCH_SANITIZE=ON -DNEWSWATCH_WERROR=ON -DNEWSWATCH_BENCH=OFF -DNEWSWATCH_TESTS=ON \
  -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
targets=()
for src in tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp)
  if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then continue; fi
  targets+=("$name")
done
cmake --build build/fuzz --target "${targets[@]}"

for name in "${targets[@]}"; do
  corpus="build/fuzz/corpus/$name"
  seed="build/fuzz/seed/$name"
  mkdir -p "$corpus" "$seed"
  case "$name" in
    fuzz_feed_parser) cp tests/fixtures/feeds/*.xml tests/fixtures/feeds/*.json "$seed"/ 2>/dev/null || true ;;
    fuzz_query_parser) cp tests/fixtures/filters/queries/* "$seed"/ ;;
    fuzz_matcher) cp examples/feeds/*.xml tests/fixtures/feeds/*.xml "$seed"/ 2>/dev/null || true ;;
  esac
  echo "fuzz: $name for ${seconds}s"
  log="build/fuzz/$name.log"
  status=0
  dict=()
  [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
  "build/fuzz/tests/fuzz/$name" "${dict[@]}" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build/fuzz/" "$corpus" "$seed" > "$log" 2>&1 || status=$?
  grep -E "stat::number_of_executed_units|ERROR|SUMMARY" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: $name found a problem (log: $log)" >&2
    exit 1
  fi
done
