#!/usr/bin/python3
"""One timed cold cycle of a long-running newswatchd, for tests/bench/bench_cluster.sh.

    cluster_run.py NEWSWATCHD CONFIG METRICS_PORT ITEMS [--cluster]

Starts the daemon (not --once, which ignores [cluster]), scrapes its /metrics every 20 ms and
stops the clock when every one of ITEMS items was recorded (newswatch_items_new_total) and,
with --cluster, the stream has acknowledged every journalled message
(newswatch_cluster_stream_lag 0 with newswatch_cluster_stream_published_total equal to
newswatch_last_seq). Then SIGTERM. Prints "WALL CPU RSS_MIB MESSAGES": seconds to done, the
daemon's CPU seconds (user + system, to its exit: shutdown included), its peak RSS, and the
journalled messages.
"""
import os
import signal
import subprocess
import sys
import time
import urllib.request


def scrape(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        name, _, value = line.rpartition(" ")
        if "{" in name:
            continue
        try:
            out[name] = float(value)
        except ValueError:
            pass
    return out


def main():
    daemon, config, port, items = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    cluster = "--cluster" in sys.argv[5:]
    log = open(config + ".log", "ab")
    start = time.monotonic()
    proc = subprocess.Popen([daemon, "--config", config], stdout=log, stderr=log)
    done_at = None
    seen = {}
    while time.monotonic() - start < 300:
        if proc.poll() is not None:
            sys.exit("newswatchd exited with %s; see %s.log" % (proc.returncode, config))
        m = scrape(port)
        if m:
            seen = m
            ready = m.get("newswatch_items_new_total", 0) >= items
            if ready and cluster:
                ready = (m.get("newswatch_cluster_stream_lag", 1) == 0 and
                         m.get("newswatch_cluster_stream_published_total", 0) >= m.get("newswatch_last_seq", 0))
            if ready:
                done_at = time.monotonic()
                break
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(proc.pid, 0)
    if done_at is None:
        sys.exit("not done within 300 s: %s" % {k: v for k, v in seen.items() if "items_new" in k or "cluster" in k})
    print("%.3f %.2f %d %d" % (done_at - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024,
                               int(seen.get("newswatch_last_seq", 0))))


if __name__ == "__main__":
    main()
