"""Cluster mode on NATS JetStream, end to end (docs/cluster.md).

Three newswatchd nodes share twelve growing feeds on six hosts (127.0.0.2 .. 127.0.0.7 are
distinct hosts to them) through a real nats-server with JetStream. Mid-run one node is
SIGKILLed; later the NATS server itself is restarted. The feed servers log the start and end
of every request and which node made it (each node sends its own User-Agent). At the end:
  - every item the servers ever served has exactly one alert in the stream;
  - every host of the dead node is polled by a live node within 2x the interval plus the TTL;
  - no host ever had more requests at once (from all nodes together) than its per-host limit;
  - `newswatch tail --nats` prints the stream as `tail` prints a daemon (readable and --json).
"""
import http.server
import json
import os
import shutil
import signal
import socketserver
import subprocess
import threading
import time
import unittest

import harness

INTERVAL = 3.0  # seconds, every feed
TTL = 3.0  # member_ttl
HOSTS = ["127.0.0.%d" % i for i in range(2, 8)]
FEEDS_PER_HOST = 2

CONFIG = """
[daemon]
state_dir = "{state}"
watch_config = false
shutdown_grace = "500ms"

[publish]
endpoint = "tcp://127.0.0.1:{pub}"
replay_endpoint = ""

[metrics]
listen = "127.0.0.1:{metrics}"

[scheduler]
default_interval = "3s"
min_interval = "1s"
startup_delay = "0s"

[fetch]
user_agent = "{node}"
per_host_connections = 1

[cluster]
nats = "{nats}"
node = "{node}"
member_ttl = "3s"
duplicate_window = "10m"

[[filter]]
id = "all"
query = "cluster"
collapse = "none"
{feeds}
"""


class QuietServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the SIGKILLed node's connections reset: expected, not worth a traceback


class Feeds:
    """Growing RSS feeds on several loopback hosts, with a log of every request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}  # (host, feed) -> number of items listed now
        self.served = set()  # item links ever served in a 200
        self.log = []  # (host, node, start, end)
        self.servers = []
        self.ports = {}
        for host in HOSTS:
            for f in range(FEEDS_PER_HOST):
                self.items[(host, "f%d" % f)] = 1
            server = QuietServer((host, 0), self.handler())
            server.daemon_threads = True
            self.ports[host] = server.server_address[1]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        self.growing = True
        threading.Thread(target=self.grow, daemon=True).start()

    def url(self, host, feed):
        return "http://%s:%d/%s.xml" % (host, self.ports[host], feed)

    def grow(self):
        while self.growing:
            time.sleep(1.0)
            with self.lock:
                for key in self.items:
                    self.items[key] += 1

    def body(self, host, feed):
        with self.lock:
            n = self.items[(host, feed)]
        parts = ['<?xml version="1.0"?><rss version="2.0"><channel><title>%s %s</title>' % (host, feed)]
        links = []
        for i in range(max(1, n - 15), n + 1):  # the newest 16, like a real feed's window
            link = "http://%s/%s/%d" % (host, feed, i)
            links.append(link)
            parts.append("<item><title>cluster dispatch %s %s number %d</title><link>%s</link><guid>%s</guid></item>"
                         % (host.replace(".", "-"), feed, i, link, link))
        parts.append("</channel></rss>")
        return "".join(parts).encode(), links

    def handler(feeds):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                start = time.monotonic()
                host = self.server.server_address[0]
                feed = self.path.strip("/").split(".")[0]
                body, links = feeds.body(host, feed)
                time.sleep(0.05)  # long enough for overlapping requests to show in the log
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with feeds.lock:
                    feeds.served.update(links)
                    feeds.log.append((host, self.headers.get("User-Agent", ""), start, time.monotonic()))

        return Handler

    def stop(self):
        self.growing = False
        for s in self.servers:
            s.shutdown()
            s.server_close()


class Nats:
    def __init__(self, store):
        self.port = harness.free_port()
        self.store = store
        self.proc = None
        self.start()

    @property
    def url(self):
        return "nats://127.0.0.1:%d" % self.port

    def start(self):
        self.proc = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", self.store],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import socket
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def stream_messages(nats_url, *extra, since=0):
    out = subprocess.run([harness.NEWSWATCH, "tail", "--nats", nats_url, "--since", str(since), "--seconds", "2", *extra],
                         capture_output=True, text=True, timeout=60)
    return out


def hosts_polled(feeds, node, since):
    with feeds.lock:
        return {h for h, n, start, _ in feeds.log if n == node and start > since}


def cluster_view(port):
    try:
        with urllib_open(port, "/cluster") as text:
            return json.loads(text)
    except OSError:
        return None  # not listening yet


def settled_owners(test, feeds, ports, timeout=40):
    """node -> hosts, once every node's GET /cluster lists every node as live with the same
    owners, and the feed servers have since seen each node poll exactly its own hosts. (At
    start-up, before the nodes have seen each other, one may poll everything for a moment, and
    on a loaded machine that moment can last a few seconds: a fixed sleep is not enough.)"""
    deadline = time.monotonic() + timeout
    agreed, agreed_at = None, None
    while time.monotonic() < deadline:
        views = [cluster_view(port) for port in ports.values()]
        same = all(v and sorted(v["members"]) == sorted(ports) and v["hosts"] == views[0]["hosts"] for v in views)
        if not same:
            agreed = None
        else:
            owners = {}
            for host, node in views[0]["hosts"].items():
                owners.setdefault(node, set()).add(host)
            if owners != agreed:
                agreed, agreed_at = owners, time.monotonic()
            since = agreed_at + 1.5  # a node that gained hosts waits a heartbeat before polling them
            polled = {node: hosts_polled(feeds, node, since) for node in ports}
            if time.monotonic() > since + INTERVAL and polled == {n: agreed.get(n, set()) for n in ports}:
                return agreed
        time.sleep(0.3)
    test.fail("the nodes never settled on their hosts: last view %s" % agreed)


def wait_until_published(nats_url, feeds, also=(), timeout=60):
    """Once the feeds stopped growing: waits until each feed's newest item (and the links in
    `also`) has been served, and every item served has a message in the stream (a node may
    still be polling or publishing when the test would stop it: on a loaded machine a fixed
    sleep is not enough). Returns quietly at the deadline: the caller's assertions say what is
    missing."""
    with feeds.lock:
        wanted = {"http://%s/%s/%d" % (host, feed, n) for (host, feed), n in feeds.items.items()} | set(also)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with feeds.lock:
            served = set(feeds.served)
        if wanted <= served:
            listed = stream_messages(nats_url, "--json")
            if listed.returncode == 0 and served <= {json.loads(line)["item"]["link"]
                                                     for line in listed.stdout.splitlines()}:
                return
        time.sleep(0.5)


@unittest.skipUnless(shutil.which("nats-server"), "nats-server is not installed")
class ThreeNodes(unittest.TestCase):
    def test_failover_and_nats_restart(self):
        with harness.tempdir() as tmp:
            feeds = Feeds()
            nats = Nats(os.path.join(tmp, "nats"))
            nodes = {}
            try:
                feed_toml = ""
                for host in HOSTS:
                    for f in range(FEEDS_PER_HOST):
                        feed_toml += '\n[[feed]]\nid = "%s-f%d"\nurl = "%s"\n' % (host.replace(".", "-"), f,
                                                                                    feeds.url(host, "f%d" % f))
                metrics = {}
                for name in ("node-a", "node-b", "node-c"):
                    metrics[name] = harness.free_port()
                    path = os.path.join(tmp, name + ".toml")
                    with open(path, "w") as fh:
                        fh.write(CONFIG.format(state=os.path.join(tmp, name), pub=harness.free_port(),
                                               metrics=metrics[name], node=name, nats=nats.url, feeds=feed_toml))
                    nodes[name] = harness.Daemon(path)

                # The victim: the node that owns the most hosts once everyone joined.
                by_node = settled_owners(self, feeds, metrics)
                victim = max(by_node, key=lambda n: len(by_node[n]))
                victim_hosts = by_node[victim]
                self.assertTrue(victim_hosts, by_node)
                nodes[victim].proc.send_signal(signal.SIGKILL)
                killed_at = time.monotonic()
                nodes[victim].proc.wait()
                time.sleep(2 * INTERVAL + TTL + 0.5)  # the takeover's whole budget

                nats.stop()  # the server goes away mid-run, alerts keep coming locally
                time.sleep(2)
                nats.start()
                time.sleep(5)  # reconnect, catch up, keep polling
                feeds.growing = False
                wait_until_published(nats.url, feeds)  # the last items are polled and published

                survivors = [n for n in nodes if n != victim]
                taken_over = 0.0
                for survivor in survivors:
                    with urllib_open(metrics[survivor], "/cluster") as status:
                        cluster = json.loads(status)
                    self.assertEqual(sorted(cluster["members"]), survivors)
                    scraped = harness.scrape_metrics(metrics[survivor])
                    self.assertEqual(scraped["newswatch_cluster_members"], 2.0)
                    self.assertGreaterEqual(scraped["newswatch_cluster_membership_changes_total"], 1.0)
                    self.assertLessEqual(scraped["newswatch_cluster_feeds_taken_over_with_stories_total"],
                                         scraped["newswatch_cluster_feeds_taken_over_total"])
                    taken_over += scraped["newswatch_cluster_feeds_taken_over_total"]
                # The victim's feeds went to one survivor or both (rendezvous hashing decides).
                self.assertGreaterEqual(taken_over, 1.0)
                shown = subprocess.run([harness.NEWSWATCH, "status", "--url",
                                        "http://127.0.0.1:%d/feeds" % metrics[survivor]],
                                       capture_output=True, text=True, timeout=30)
                self.assertEqual(shown.returncode, 0, shown.stderr)
                self.assertIn("cluster: node %s; live members: " % survivor, shown.stdout)
                self.assertIn("OWNER", shown.stdout)
            finally:
                for d in nodes.values():
                    d.stop()
                nats_url = nats.url

            try:
                listed = stream_messages(nats_url, "--json")
                self.assertEqual(listed.returncode, 0, listed.stderr)
                payloads = [json.loads(line) for line in listed.stdout.splitlines()]
                readable = stream_messages(nats_url)
                self.assertEqual(readable.returncode, 0, readable.stderr)
                lines = readable.stdout.splitlines()
                self.assertEqual(len(lines), len(payloads))
                self.assertTrue(all(line.startswith("#") and " alert.all [" in line for line in lines), lines[:3])
                # --state-file keeps the last stream sequence printed; --since counts in those.
                state = os.path.join(tmp, "tail.state")
                stream_messages(nats_url, "--json", "--state-file", state)
                with open(state) as fh:
                    last = int(fh.read())
                self.assertGreaterEqual(last, len(payloads))
                since = stream_messages(nats_url, "--json", since=last - 1)
                self.assertEqual(since.stdout.splitlines(), listed.stdout.splitlines()[-1:])
            finally:
                nats.stop()
                feeds.stop()

            # Exactly one alert per item served, none for items never served.
            counts = {}
            for p in payloads:
                counts[p["item"]["link"]] = counts.get(p["item"]["link"], 0) + 1
            twice = {k: v for k, v in counts.items() if v != 1}
            self.assertEqual(twice, {}, "alerts in the stream more than once")
            missing = feeds.served - set(counts)
            self.assertEqual(missing, set(), "served items without an alert in the stream")
            self.assertGreater(len(counts), 200)

            # The dead node's hosts were polled by a live node soon enough.
            budget = 2 * INTERVAL + TTL
            for host in victim_hosts:
                after = [start for h, node, start, _ in feeds.log if h == host and node != victim and start > killed_at]
                self.assertTrue(after, "host %s of %s never polled again" % (host, victim))
                self.assertLessEqual(min(after) - killed_at, budget, host)

            # Never more requests at once on one host than the per-host limit (1), all nodes together.
            for host in HOSTS:
                spans = sorted((s, e, n) for h, n, s, e in feeds.log if h == host)
                for (s1, e1, n1), (s2, e2, n2) in zip(spans, spans[1:]):
                    self.assertGreaterEqual(s2, e1 - 0.001, "%s: %s and %s at once" % (host, n1, n2))
            print("items %d, requests %d, victim %s with %d hosts" % (len(counts), len(feeds.log), victim,
                                                                       len(victim_hosts)))


def urllib_open(port, path):
    import contextlib
    import urllib.request

    @contextlib.contextmanager
    def opener():
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            yield r.read().decode()

    return opener()


if __name__ == "__main__":
    unittest.main(verbosity=2)
