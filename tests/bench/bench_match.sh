#!/bin/bash
# Normalise + match: items/s, MB/s and compile time at 20 / 1,000 / 10,000 / 100,000 terms,
# a bare Vectorscan scan of the same terms (ratio), and Python `re` (one case-insensitive
# alternation) over the same texts at 20 and 1,000 terms (ratio). Two sets of terms: real
# English words (wamerican-large, which `install-deps.sh --bench` installs; the Python
# baseline uses this set) and syllable words that occur inside no other word; at 10,000 of the
# latter, one more line over plain ASCII text, and one where the 10,000 real words are ten
# times as frequent (several alerts per item). Needs $NEWSWATCH_BUILD.
set -euo pipefail
build="${NEWSWATCH_BUILD:?set NEWSWATCH_BUILD to a release build directory}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$build/tests/bench/bench_match" "$work"

python3 - "$work" <<'PY'
import re, sys, time
work = sys.argv[1]
items = [line.rstrip("\n").split("\t") for line in open(f"{work}/corpus.tsv", encoding="utf-8")]
ours = dict(line.split() for line in open(f"{work}/ours.txt"))
total = sum(len(f.encode()) for it in items for f in it)
for n in (20, 1000):
    terms = [t.strip() for t in open(f"{work}/terms_{n}.txt", encoding="utf-8") if t.strip()]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)
    subset = items if n <= 20 else items[:2000]   # re is slow; time a slice and scale
    nbytes = sum(len(f.encode()) for it in subset for f in it)
    start = time.perf_counter()
    hits = 0
    for it in subset:
        for field in it:
            hits += len(pattern.findall(field))
    secs = time.perf_counter() - start
    rate = len(subset) / secs
    print(f"python re  terms={n:<6} {rate:10.0f} items/s {nbytes / secs / 1e6:6.2f} MB/s | "
          f"newswatch {float(ours[str(n)]):10.0f} items/s | ratio {float(ours[str(n)]) / rate:.1f}x")
PY
