#!/bin/bash
# One poll cycle of many feeds from a local nginx: first all 200s, then all 304s.
#   ours:      newswatchd --once (two processes: fresh state, then the state it left)
#   baseline:  Debian's newsboat -x reload over the same URLs (a peer's fetcher)
#   limit:     bench_curl_multi, a bare libcurl multi loop (no scheduler, parsing or database)
# Prints wall time, CPU time and peak RSS of each, and the ratios.
#
# Environment: NEWSWATCH_BUILD (build dir, set by tests/bench/run.sh), BENCH_FEEDS (10000),
# BENCH_REPEAT (runs per figure, median reported; 3; newsboat runs once),
# BENCH_CONCURRENCY (transfers in flight for every contender, 32), BENCH_SKIP_NEWSBOAT=1,
# BENCH_KEEP=1 (keep the temporary directory: feeds, configs, state, for profiling).
# nginx runs as this user from its own config in a temporary directory, on a free port.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD="${NEWSWATCH_BUILD:-$PWD/build/release}"
FEEDS="${BENCH_FEEDS:-10000}"
CONC="${BENCH_CONCURRENCY:-32}"
REPEAT="${BENCH_REPEAT:-3}"
NEWSWATCHD="$BUILD/daemon/newswatchd"
BARE="$BUILD/tests/bench/bench_curl_multi"
for bin in "$NEWSWATCHD" "$BARE" /usr/sbin/nginx /usr/bin/time; do
  [ -x "$bin" ] || { echo "bench_poll: missing $bin" >&2; exit 1; }
done

# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh
bench_init bench_poll

# Feeds: small RSS 2.0 documents, three items each; every tenth mentions Mali (alerts).
/usr/bin/python3 - "$WORK/feeds" "$FEEDS" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root)
for i in range(n):
    items = []
    for k in range(3):
        topic = "Mali: ECOWAS ministers meet in Bamako" if (i % 10 == 0 and k == 0) else "Harvest report %d" % k
        items.append("<item><title>%s (%d)</title><link>http://example.com/%d/%d</link>"
                     "<guid>feed-%d-item-%d</guid><pubDate>Thu, 20 Dec 2012 18:0%d:00 GMT</pubDate>"
                     "<description>Item %d of feed %d, a paragraph of ordinary news text.</description></item>"
                     % (topic, i, i, k, i, k, k, k, i))
    with open(os.path.join(root, "f%05d.xml" % i), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Feed %d</title>'
                "<link>http://example.com/%d</link>%s</channel></rss>\n" % (i, i, "".join(items)))
EOF
start_nginx "$WORK/feeds" f00000.xml
for i in $(seq 0 $((FEEDS - 1))); do printf 'http://127.0.0.1:%s/f%05d.xml\n' "$PORT" "$i"; done >"$WORK/urls"

# newswatchd: the per-host limit and the global limit both at BENCH_CONCURRENCY, since
# every feed is on one host; startup_delay 0 (--once spreads nothing anyway).
{
  cat <<EOF
[daemon]
state_dir = "$WORK/state"
log_level = "warn"

[publish]
endpoint = "tcp://127.0.0.1:$(free_port)"
replay_endpoint = "tcp://127.0.0.1:$(free_port)"

[scheduler]
startup_delay = "0s"

[fetch]
per_host_connections = $CONC
max_in_flight = $CONC

[[filter]]
id = "mali"
query = 'Mali OR ECOWAS'
EOF
  for i in $(seq 0 $((FEEDS - 1))); do
    printf '\n[[feed]]\nid = "f%05d"\nurl = "http://127.0.0.1:%s/f%05d.xml"\n' "$i" "$PORT" "$i"
  done
} >"$WORK/newswatch.toml"

echo "bench_poll: $FEEDS feeds from nginx on 127.0.0.1:$PORT, $CONC transfers in flight"
EXPECT="200 $FEEDS"
measure "bare curl multi (200)" true "$BARE" "$WORK/urls" "$CONC" --save "$WORK/validators"
BARE200="$WALL"
BARE200_CPU="$CPU"
EXPECT="304 $FEEDS"
measure "bare curl multi (304)" true "$BARE" "$WORK/urls" "$CONC" --load "$WORK/validators"
BARE304="$WALL"
BARE304_CPU="$CPU"
grep -q "not_modified $FEEDS " "$WORK/out.bare curl multi (304)" || { echo "bench_poll: bare loop saw no 304s" >&2; exit 1; }
fresh_state() { rm -rf "$WORK/state"; }
seed_state() { [ -d "$WORK/state" ] || run_timed seed "$NEWSWATCHD" --config "$WORK/newswatch.toml" --once; }

EXPECT="200 $FEEDS"
measure "newswatchd --once (200)" fresh_state "$NEWSWATCHD" --config "$WORK/newswatch.toml" --once
OURS200="$WALL"
OURS200_CPU="$CPU"
EXPECT="304 $FEEDS"
measure "newswatchd --once (304)" seed_state "$NEWSWATCHD" --config "$WORK/newswatch.toml" --once
OURS304="$WALL"
OURS304_CPU="$CPU"
OURS304_RSS="$RSS"

echo "ours / bare curl (200):  wall $(ratio "$OURS200" "$BARE200")x   cpu $(ratio "$OURS200_CPU" "$BARE200_CPU")x"
echo "ours / bare curl (304):  wall $(ratio "$OURS304" "$BARE304")x   cpu $(ratio "$OURS304_CPU" "$BARE304_CPU")x   (target: within 2x; rss ${OURS304_RSS} MiB, target < 100)"

if [ "${BENCH_SKIP_NEWSBOAT:-0}" != "1" ] && [ -x /usr/bin/newsboat ]; then
  mkdir -p "$WORK/newsboat"
  printf 'reload-threads %s\n' "$CONC" >"$WORK/newsboat/config"
  NB=(/usr/bin/newsboat -u "$WORK/urls" -C "$WORK/newsboat/config" -c "$WORK/newsboat/cache.db" -x reload)
  REPEAT=1
  EXPECT=""  # newsboat's second cycle may or may not be conditional: its figures are shown as they come
  measure "newsboat -x reload (200)" true env HOME="$WORK/newsboat" "${NB[@]}"
  NB200="$WALL"
  measure "newsboat -x reload (2nd)" true env HOME="$WORK/newsboat" "${NB[@]}"
  NB304="$WALL"
  echo "newsboat / ours (200):   $(ratio "$NB200" "$OURS200")x slower   (2nd cycle): $(ratio "$NB304" "$OURS304")x slower"
fi
