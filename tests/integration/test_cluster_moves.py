"""Cluster mode: feeds moving between nodes and back (docs/cluster.md).

Rejoin: two nodes share growing feeds on six hosts. One node that owns hosts is SIGKILLed,
its hosts move to the other; it comes back on the same state folder and takes its share
again; then it is stopped with SIGTERM and comes back once more. Throughout, the feed
servers log each request's start and end and which node made it. At the end: the node
polled its hosts again after each return, no host ever had more requests at once (from both
nodes together) than its per-host limit (1), and every item served has exactly one alert in
the stream.

"""
import json
import os
import shutil
import signal
import time
import unittest

import harness
from test_cluster_nats import CONFIG, HOSTS, INTERVAL, TTL, Feeds, Nats, stream_messages


def feed_toml(feeds):
    text = ""
    for host, feed in sorted(feeds.items):
        text += '\n[[feed]]\nid = "%s-%s"\nurl = "%s"\n' % (host.replace(".", "-"), feed, feeds.url(host, feed))
    return text


def write_config(tmp, name, nats, feeds_text, collapse="none"):
    path = os.path.join(tmp, name + ".toml")
    text = CONFIG.format(state=os.path.join(tmp, name), pub=harness.free_port(), metrics=harness.free_port(),
                         node=name, nats=nats.url, feeds=feeds_text)
    text = text.replace('collapse = "none"', 'collapse = "%s"' % collapse)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def hosts_polled(feeds, node, since):
    with feeds.lock:
        return {h for h, n, start, _ in feeds.log if n == node and start > since}


def assert_polite(test, feeds):
    """Never more requests at once on one host than the per-host limit (1), all nodes together."""
    with feeds.lock:
        log = list(feeds.log)
    for host in HOSTS:
        spans = sorted((s, e, n) for h, n, s, e in log if h == host)
        for (s1, e1, n1), (s2, e2, n2) in zip(spans, spans[1:]):
            test.assertGreaterEqual(s2, e1 - 0.001, "%s: %s and %s at once" % (host, n1, n2))


@unittest.skipUnless(shutil.which("nats-server"), "nats-server is not installed")
class Rejoin(unittest.TestCase):
    def test_node_comes_back_and_takes_its_share(self):
        with harness.tempdir() as tmp:
            feeds = Feeds()
            nats = Nats(os.path.join(tmp, "nats"))
            nodes = {}
            try:
                text = feed_toml(feeds)
                paths = {name: write_config(tmp, name, nats, text) for name in ("node-a", "node-b")}
                for name, path in paths.items():
                    nodes[name] = harness.Daemon(path)
                time.sleep(5)  # both joined, every feed polled
                with feeds.lock:
                    by_node = {}
                    for host, node, _, _ in feeds.log:
                        by_node.setdefault(node, set()).add(host)
                self.assertEqual(len(by_node), 2, "both nodes should own hosts: %s" % by_node)
                victim = max(by_node, key=lambda n: len(by_node[n]))
                other = [n for n in nodes if n != victim][0]
                share = by_node[victim]

                for how in (signal.SIGKILL, signal.SIGTERM):
                    nodes[victim].stop(how)
                    gone_at = time.monotonic()
                    time.sleep(2 * INTERVAL + TTL)  # the other node takes the hosts over
                    self.assertTrue(share <= hosts_polled(feeds, other, gone_at),
                                    "%s did not take over %s after %s" % (other, share, how.name))
                    nodes[victim] = harness.Daemon(paths[victim])  # same state folder
                    back_at = time.monotonic()
                    time.sleep(2 * INTERVAL + 2)
                    self.assertEqual(hosts_polled(feeds, victim, back_at), share,
                                     "%s back after %s should poll exactly its share" % (victim, how.name))
                    # The other node let go: its requests to those hosts stopped soon after the return.
                    settled = back_at + TTL
                    late = {h for h in hosts_polled(feeds, other, settled) if h in share}
                    self.assertEqual(late, set(), "%s still polls %s" % (other, late))
                feeds.growing = False
                time.sleep(INTERVAL + 2)  # the last items are polled and published
            finally:
                for d in nodes.values():
                    d.stop()
            try:
                listed = stream_messages(nats.url, "--json")
                self.assertEqual(listed.returncode, 0, listed.stderr)
                payloads = [json.loads(line) for line in listed.stdout.splitlines()]
            finally:
                nats.stop()
                feeds.stop()

            assert_polite(self, feeds)
            counts = {}
            for p in payloads:
                counts[p["item"]["link"]] = counts.get(p["item"]["link"], 0) + 1
            self.assertEqual({k: v for k, v in counts.items() if v != 1}, {}, "alerts in the stream more than once")
            self.assertEqual(feeds.served - set(counts), set(), "served items without an alert in the stream")
            print("items %d, requests %d, %s left and came back twice with hosts %s" % (
                len(counts), len(feeds.log), victim, sorted(share)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
