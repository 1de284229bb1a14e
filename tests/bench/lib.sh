# shellcheck shell=bash
# Shell functions shared by the benchmarks that time whole processes (bench_poll.sh,
# bench_pipeline.sh); sourced, not run. Figures come from GNU time, medians of BENCH_REPEAT.
#
#   bench_init NAME          temporary directory $WORK (BENCH_KEEP=1 keeps it), cleanup on exit
#   bench_track_pid PID      a background process of ours that cleanup ends
#   bench_track_dir DIR      another directory of ours that cleanup removes (or keeps)
#   free_port                a free TCP port on 127.0.0.1
#   start_nginx ROOT PROBE   nginx as this user on a free port ($PORT) serving ROOT, from its
#                            own config in $WORK/nginx; waits until PROBE (a path) answers
#   run_timed NAME CMD...    one timed run: WALL CPU RSS (s, s, MiB) and SEEN (what nginx logged)
#   measure NAME PREPARE CMD...  REPEAT runs, the median by wall time; EXPECT checks nginx's log
#   ratio A B                A / B with two decimals

BENCH_NAME="bench"
WORK=""
NGINX_PID=""
BENCH_PIDS=()
BENCH_DIRS=()
LOG_LINES=0
EXPECT=""     # "STATUS COUNT": what nginx must have logged for every run of `measure`
AFTER_RUN=""  # a command run after every run of `measure`, with its NAME (checks the output)
REPEAT="${BENCH_REPEAT:-3}"

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}" $NGINX_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  local dir
  for dir in "${BENCH_DIRS[@]}" $WORK; do
    if [ "${BENCH_KEEP:-0}" = "1" ]; then echo "$BENCH_NAME: kept $dir"; else rm -rf "$dir"; fi
  done
}

bench_init() {
  BENCH_NAME="$1"
  WORK="$(mktemp -d "/tmp/newswatch-$BENCH_NAME.XXXXXX")"
  trap bench_cleanup EXIT
}

bench_track_pid() { BENCH_PIDS+=("$1"); }
bench_track_dir() { BENCH_DIRS+=("$1"); }

bench_fail() {
  echo "$BENCH_NAME: $*" >&2
  exit 1
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nginx() {
  local root="$1" probe="$2"
  PORT="$(free_port)"
  # nginx started by root serves as "nobody": let it read the files (mktemp -d makes 0700).
  chmod 755 "$WORK" "$root"
  mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  log_format status_only '\$status';
  access_log $WORK/nginx/logs/access.log status_only;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  keepalive_requests 1000000;
  types { application/rss+xml xml; }
  server {
    listen 127.0.0.1:$PORT;
    root $root;
    etag on;
  }
}
EOF
  /usr/sbin/nginx -e "$WORK/nginx/logs/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
  NGINX_PID=$!
  local up=0
  for _ in $(seq 100); do
    if curl -sf -o /dev/null "http://127.0.0.1:$PORT/$probe"; then up=1; break; fi
    sleep 0.1
  done
  [ "$up" = 1 ] || bench_fail "nginx did not serve /$probe: $(tail -3 "$WORK/nginx/logs/error.log")"
  LOG_LINES="$(wc -l <"$WORK/nginx/logs/access.log")"
}

# run_timed NAME CMD...: runs CMD under GNU time, output in $WORK/out.NAME; sets WALL CPU
# RSS (s, s, MiB) and SEEN (the statuses nginx logged meanwhile, "200 250": proof that
# every feed was really fetched).
run_timed() {
  local name="$1"
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/out.$name" 2>&1 || {
    echo "$BENCH_NAME: $name failed:" >&2
    tail -5 "$WORK/out.$name" >&2
    exit 1
  }
  local usr sys rss_kb
  read -r WALL usr sys rss_kb <"$WORK/time"
  CPU="$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
  RSS="$((rss_kb / 1024))"
  SEEN="$(tail -n +$((LOG_LINES + 1)) "$WORK/nginx/logs/access.log" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $2, $1; sep = "  " }')"
  LOG_LINES="$(wc -l <"$WORK/nginx/logs/access.log")"
}

# measure NAME PREPARE CMD...: REPEAT runs (PREPARE before each, e.g. to reset state), the
# median by wall time reported (the machine is shared and noisy). With EXPECT set, every
# run must have made nginx log exactly that, or the figure would time something else (a run
# that gave up early, a cycle of 200s where 304s were meant). AFTER_RUN, if set, is called
# with NAME after each run.
measure() {
  local name="$1" prepare="$2"
  shift 2
  local runs=()
  for _ in $(seq "$REPEAT"); do
    $prepare
    run_timed "$name" "$@"
    if [ -n "$EXPECT" ] && [ "$SEEN" != "$EXPECT" ]; then
      bench_fail "$name: nginx should have logged $EXPECT (status, requests), logged: $SEEN"
    fi
    if [ -n "$AFTER_RUN" ]; then $AFTER_RUN "$name"; fi
    runs+=("$WALL $CPU $RSS $SEEN")
  done
  local median
  median="$(printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((REPEAT + 1) / 2))p")"
  read -r WALL CPU RSS SEEN <<<"$median"
  printf '%-34s wall %7.2f s   cpu %7.2f s   peak rss %5d MiB   nginx: %s\n' "$name" "$WALL" "$CPU" "$RSS" "$SEEN"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
