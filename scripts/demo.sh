#!/bin/bash
# The demo: installs what is missing, builds, serves the bundled sample feeds on
# 127.0.0.1, starts newswatchd on examples/demo.toml and shows the alerts as
# `newswatch tail` prints them. Stops on Ctrl-C, or after --seconds N.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=0
tail_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --json) tail_args+=(--json); shift ;;
    *) echo "usage: scripts/demo.sh [--seconds N] [--json]" >&2; exit 2 ;;
  esac
done

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build/release --target newswatchd newswatch

work=$(mktemp -d /tmp/newswatch-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

python3 scripts/serve_feeds.py examples/feeds > "$work/server.out" &
pids+=($!)
for _ in $(seq 50); do grep -q '^PORT' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
http_port=$(awk '/^PORT/{print $2}' "$work/server.out")
pub_port=$(free_port)
replay_port=$(free_port)
metrics_port=$(free_port)
sed -e "s/127.0.0.1:18080/127.0.0.1:$http_port/; s/127.0.0.1:17600/127.0.0.1:$pub_port/; s/127.0.0.1:17601/127.0.0.1:$replay_port/" \
    -e "s/127.0.0.1:19464/127.0.0.1:$metrics_port/" \
    -e "s|^state_dir = .*|state_dir = \"$work/state\"|" examples/demo.toml > "$work/newswatch.toml"
# The drop-ins add the feeds that show copies collapsing and a burst (examples/demo.d/).
mkdir -p "$work/conf.d"
for f in examples/demo.d/*.toml; do
  sed -e "s/127.0.0.1:18080/127.0.0.1:$http_port/" "$f" > "$work/conf.d/$(basename "$f")"
done

echo "demo: feeds on http://127.0.0.1:$http_port/, alerts on tcp://127.0.0.1:$pub_port, metrics on http://127.0.0.1:$metrics_port/metrics" >&2
build/release/daemon/newswatchd --config "$work/newswatch.toml" 2> "$work/daemon.log" &
pids+=($!)
echo "demo: newswatchd running (log: $work/daemon.log); Ctrl-C stops" >&2
build/release/cli/newswatch tail --since 0 --config "$work/newswatch.toml" --seconds "$seconds" "${tail_args[@]}"
