#!/usr/bin/python3
"""Item -> wire latency for tests/bench/bench_pipeline.sh, in three parts:

    latency.py serve PORT FEEDS SECONDS RATE READY_FILE SENT_LOG
        An HTTP/1.1 server of FEEDS RSS feeds (/f0.xml ...), with ETag and 304s. Once
        READY_FILE exists (the subscriber is connected), it adds a new item every 1/RATE
        seconds, to the feeds in turn, for SECONDS; then, after a last few polls, it writes
        SENT_LOG: "<item id> <ns>" for each new item, the CLOCK_MONOTONIC time at which the
        first response body carrying it was handed to the kernel (read just before the send).
    latency.py subscribe ENDPOINT READY_FILE SENT_LOG RECV_LOG
        A pyzmq SUB on "alert." (and "sys.heartbeat": the first heartbeat proves the
        subscription is live, so it creates READY_FILE). Writes RECV_LOG, "<item id> <ns>"
        per alert received, once SENT_LOG exists and a second has passed without a message.
    latency.py report SENT_LOG RECV_LOG
        Matches the two by item id and prints p50, p99 and max.
    latency.py floor ENDPOINT COUNT RATE
        The same figures for the part of the path that is not newswatchd's: a pyzmq PUB in a
        child process sends COUNT messages (RATE a second), each stamped just before its send,
        to a SUB like the one above. Its p99 is a floor the item -> wire p99 cannot beat on
        this machine at this moment (the same socket threads wake for every alert).

Both clocks are CLOCK_MONOTONIC on one machine, so the times compare directly.
"""

import http.server
import json
import os
import socket
import sys
import threading
import time

OLD_ITEMS = 5  # per feed at the start: none of them matches a watchlist
KEEP = 20  # items a feed lists (newest first)


class Feeds:
    def __init__(self, count):
        self.lock = threading.Lock()
        self.items = [[("old-%d-%d" % (f, k), "Harvest report %d of desk %d" % (k, f)) for k in range(OLD_ITEMS)]
                      for f in range(count)]
        self.version = [1] * count
        self.fresh = set()  # new items not yet sent in any body
        self.sent = {}  # item id -> ns the first body with it was sent

    def add(self, feed, item_id, title):
        with self.lock:
            self.items[feed].insert(0, (item_id, title))
            del self.items[feed][KEEP:]
            self.version[feed] += 1
            self.fresh.add(item_id)

    def body(self, feed):
        with self.lock:
            items = list(self.items[feed])
            version = self.version[feed]
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Desk %d</title>'
                 "<link>http://desk%d.example.org/</link>" % (feed, feed)]
        for item_id, title in items:
            parts.append("<item><title>%s</title><link>http://desk%d.example.org/%s</link>"
                         '<guid isPermaLink="false">%s</guid><description>%s, reported by the desk in a short '
                         "paragraph of ordinary news text.</description></item>" %
                         (title, feed, item_id, item_id, title))
        parts.append("</channel></rss>\n")
        return version, [i for i, _ in items], "".join(parts).encode()

    def mark_sent(self, ids, ns):
        with self.lock:
            for i in ids:
                if i in self.fresh:
                    self.fresh.discard(i)
                    self.sent[i] = ns


def serve(port, count, seconds, rate, ready_file, sent_log):
    feeds = Feeds(count)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            try:
                feed = int(path[2:-4]) if path.startswith("/f") and path.endswith(".xml") else -1
            except ValueError:
                feed = -1
            if not 0 <= feed < count:
                self.send_error(404)
                return
            version, ids, body = feeds.body(feed)
            etag = '"v%d"' % version
            if self.headers.get("If-None-Match") == etag:
                self.wfile.write(("HTTP/1.1 304 Not Modified\r\nETag: %s\r\nContent-Length: 0\r\n\r\n" % etag).encode())
                return
            response = ("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: %s\r\n"
                        "Content-Length: %d\r\n\r\n" % (etag, len(body))).encode() + body
            # The clock is read just before the one sendall (unbuffered), not after it: on
            # loopback the kernel delivers the bytes and wakes newswatchd inside that call, and
            # newswatchd, woken on this core, often runs its whole item path before this
            # thread is scheduled again (a time read after the call then lands up to a
            # millisecond late, hiding the daemon's work). Read before, the figure includes the
            # copy into the kernel, a few microseconds: it can only overstate the latency.
            ns = time.monotonic_ns()
            self.wfile.write(response)
            feeds.mark_sent(ids, ns)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while not os.path.exists(ready_file):
        time.sleep(0.05)
    start = time.monotonic()
    total = int(seconds * rate)
    for n in range(total):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        feeds.add(n % count, "lat-%d" % n, "Bamako: new item %d for the latency run" % n)
    time.sleep(3)  # every feed polled a few more times
    server.shutdown()
    with feeds.lock, open(sent_log + ".tmp", "w") as out:
        for i, ns in feeds.sent.items():
            out.write("%s %d\n" % (i, ns))
    os.rename(sent_log + ".tmp", sent_log)  # the subscriber takes its appearance as the end
    print("latency server: %d items added, %d sent" % (total, len(feeds.sent)))


def sub_socket(endpoint, *topics):
    """A pyzmq SUB with no receive limit, subscribed to `topics`, connected: (context, socket)."""
    import zmq
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 0)
    for topic in topics:
        sub.setsockopt(zmq.SUBSCRIBE, topic)
    sub.connect(endpoint)
    return ctx, sub


def subscribe(endpoint, ready_file, sent_log, recv_log):
    ctx, sub = sub_socket(endpoint, b"alert.", b"sys.heartbeat")
    received = []
    quiet = 0
    # Until the server has written its log (its schedule is over) and a second has passed
    # with nothing more; a time limit only against a daemon that never speaks.
    limit = time.monotonic() + 1800
    while time.monotonic() < limit:
        if sub.poll(200) == 0:
            quiet += 1
            if quiet >= 5 and os.path.exists(sent_log):
                break
            continue
        quiet = 0
        topic, payload = sub.recv_multipart()
        ns = time.monotonic_ns()
        if topic.startswith(b"sys."):
            if not os.path.exists(ready_file):
                open(ready_file, "w").close()
            continue
        received.append((json.loads(payload)["item"]["id"], ns))
    with open(recv_log, "w") as out:
        for i, ns in received:
            out.write("%s %d\n" % (i, ns))
    sub.close(0)
    ctx.term()


def floor(endpoint, count, rate):
    import subprocess
    ctx, sub = sub_socket(endpoint, b"alert.", b"sys.")
    publisher = subprocess.Popen([sys.executable, __file__, "floor-publish", endpoint, str(count), str(rate)])
    lat = []
    while True:
        if sub.poll(10000) == 0:
            break  # the publisher is gone
        topic, payload = sub.recv_multipart()
        ns = time.monotonic_ns()
        if topic == b"sys.end":
            break
        if topic.startswith(b"alert."):
            lat.append((ns - int(payload)) / 1e6)
    publisher.wait()
    sub.close(0)
    ctx.term()
    if not lat:
        print("zmq floor: nothing received")
        return 1
    lat.sort()

    def pct(p):
        return lat[max(0, min(len(lat) - 1, int(-(-p * len(lat) // 100)) - 1))]
    print("zmq floor, pyzmq PUB -> SUB:  %d messages: p50 %.3f ms  p99 %.3f ms  max %.3f ms"
          % (len(lat), pct(50), pct(99), lat[-1]))
    return 0


def floor_publish(endpoint, count, rate):
    import zmq
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.SNDHWM, 0)
    pub.bind(endpoint)
    # The subscription travels to the publisher after the connect: send a probe until the
    # subscriber's first one arrives (it answers nothing; a second of probes is plenty).
    for _ in range(20):
        pub.send_multipart([b"sys.probe", b""])
        time.sleep(0.05)
    start = time.monotonic()
    for n in range(count):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        pub.send_multipart([b"alert.floor", str(time.monotonic_ns()).encode()])
    time.sleep(0.2)
    pub.send_multipart([b"sys.end", b""])
    time.sleep(0.2)
    pub.close(0)
    ctx.term()


def report(sent_log, recv_log):
    def read(path):
        with open(path) as f:
            return [line.split() for line in f if line.strip()]
    sent = {i: int(ns) for i, ns in read(sent_log)}
    recv = read(recv_log)
    lat = sorted((int(ns) - sent[i]) / 1e6 for i, ns in recv if i in sent)
    if not lat:
        print("latency: no alert matched a sent item (sent %d, received %d)" % (len(sent), len(recv)))
        return 1

    def pct(p):  # nearest rank
        return lat[max(0, min(len(lat) - 1, int(-(-p * len(lat) // 100)) - 1))]
    print("latency item -> wire: %d alerts (items sent %d, alerts received %d): p50 %.3f ms  p99 %.3f ms  max %.3f ms"
          % (len(lat), len(sent), len(recv), pct(50), pct(99), lat[-1]))
    return 0


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "serve":
        serve(int(args[0]), int(args[1]), float(args[2]), float(args[3]), args[4], args[5])
    elif mode == "subscribe":
        subscribe(args[0], args[1], args[2], args[3])
    elif mode == "report":
        sys.exit(report(args[0], args[1]))
    elif mode == "floor":
        sys.exit(floor(args[0], int(args[1]), float(args[2])))
    elif mode == "floor-publish":
        floor_publish(args[0], int(args[1]), float(args[2]))
    else:
        sys.exit("usage: latency.py serve|subscribe|report|floor ...")
