#!/bin/bash
# Cluster mode against single-node mode (docs/cluster.md), in the same run:
#   pipeline: bench_pipeline.sh's corpus (250 feeds x 50 items from a local nginx, the high
#             watchlist: about one alert per item), one cold cycle of a long-running daemon,
#             timed from its start until every item is recorded (tests/bench/cluster_run.py):
#             single node, then ONE node with [cluster] on a local nats-server -js, whose
#             clock stops only once the stream acknowledged every journalled message.
#             Target: cluster / single <= 1.5 (wall).
#   stream:   tests/bench/bench_stream_publish: acknowledged messages/s through our
#             StreamPublisher and through the node's outbox, next to a raw libnats loop.
#
# Environment: NEWSWATCH_BUILD (build dir, set by tests/bench/run.sh), BENCH_REPEAT (runs per
# figure, median by wall time; 3), BENCH_STREAM_MESSAGES (50000), BENCH_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD="${NEWSWATCH_BUILD:-$PWD/build/release}"
NEWSWATCHD="$BUILD/daemon/newswatchd"
STREAM_BENCH="$BUILD/tests/bench/bench_stream_publish"
PY=/usr/bin/python3
FEEDS=250
PER_FEED=50
CONC=32
for bin in "$NEWSWATCHD" "$STREAM_BENCH" /usr/sbin/nginx /usr/sbin/nats-server "$PY"; do
  [ -x "$bin" ] || { echo "bench_cluster: missing $bin" >&2; exit 1; }
done

# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh
bench_init bench_cluster

read -r ITEMS HIGH_ALERTS _ _ < <("$PY" tests/bench/pipeline_corpus.py "$WORK" "$FEEDS" "$PER_FEED" |
  awk '{ print $2, $4, $6, $8 }')
start_nginx "$WORK/feeds" f000.xml

NATS_PORT="$(free_port)"
NATS_PID=""
# A fresh JetStream store for every run: a stream kept from the run before would take the
# same messages as duplicates.
fresh_nats() {
  if [ -n "$NATS_PID" ]; then
    kill "$NATS_PID" 2>/dev/null || true
    wait "$NATS_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK/nats"
  /usr/sbin/nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$WORK/nats" >"$WORK/nats.log" 2>&1 &
  NATS_PID=$!
  bench_track_pid "$NATS_PID"
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null; then return; fi
    sleep 0.05
  done
  bench_fail "nats-server did not start: $(tail -3 "$WORK/nats.log")"
}

# config NAME: $WORK/newswatch.NAME.toml, state in $WORK/state.NAME, metrics on $METRICS_NAME.
config() {
  local name="$1" metrics="$2"
  {
    cat <<EOF
[daemon]
state_dir = "$WORK/state.$name"
log_level = "info"
watch_config = false

[publish]
endpoint = "tcp://127.0.0.1:$(free_port)"
replay_endpoint = ""

[metrics]
listen = "127.0.0.1:$metrics"

[scheduler]
startup_delay = "0s"

[fetch]
per_host_connections = $CONC
max_in_flight = $CONC
EOF
    for f in $(seq 0 $((FEEDS - 1))); do
      printf '\n[[feed]]\nid = "feed%05d"\nurl = "http://127.0.0.1:%s/f%03d.xml"\n' "$f" "$PORT" "$f"
    done
    cat "$WORK/high.toml"
  } >"$WORK/newswatch.$name.toml"
}
SINGLE_METRICS="$(free_port)"
CLUSTER_METRICS="$(free_port)"
config single "$SINGLE_METRICS"
config cluster "$CLUSTER_METRICS"
printf '\n[cluster]\nnats = "nats://127.0.0.1:%s"\nnode = "bench-1"\n' "$NATS_PORT" >>"$WORK/newswatch.cluster.toml"

# timed NAME PORT [--cluster]: REPEAT cold cycles, the median by wall time in WALL CPU RSS MSGS.
timed() {
  local name="$1" port="$2" runs=() line
  shift 2
  for _ in $(seq "$REPEAT"); do
    rm -rf "$WORK/state.$name"
    [ "${1:-}" = "--cluster" ] && fresh_nats
    line="$("$PY" tests/bench/cluster_run.py "$NEWSWATCHD" "$WORK/newswatch.$name.toml" "$port" "$ITEMS" "$@")" ||
      bench_fail "$name: $line"
    runs+=("$line")
  done
  read -r WALL CPU RSS MSGS <<<"$(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((REPEAT + 1) / 2))p")"
  printf '  %-34s wall %7.2f s   cpu %7.2f s   peak rss %5d MiB   %d messages journalled\n' "$name" "$WALL" "$CPU" \
    "$RSS" "$MSGS"
}

echo "bench_cluster: $FEEDS feeds x $PER_FEED items = $ITEMS items (high watchlist, $HIGH_ALERTS alerts predicted)," \
  "cold cycle of a running daemon until every item is recorded; median of $REPEAT runs"
timed single "$SINGLE_METRICS"
SINGLE_WALL="$WALL" SINGLE_CPU="$CPU" SINGLE_MSGS="$MSGS"
timed cluster "$CLUSTER_METRICS" --cluster
CLUSTER_WALL="$WALL" CLUSTER_CPU="$CPU"
[ "$MSGS" = "$SINGLE_MSGS" ] || bench_fail "cluster journalled $MSGS messages, single $SINGLE_MSGS"
echo "cluster (1 node, stream acknowledged) / single: wall $(ratio "$CLUSTER_WALL" "$SINGLE_WALL")x" \
  "  cpu $(ratio "$CLUSTER_CPU" "$SINGLE_CPU")x   (target wall <= 1.5x)"

fresh_nats
"$STREAM_BENCH" "nats://127.0.0.1:$NATS_PORT" "${BENCH_STREAM_MESSAGES:-50000}"
