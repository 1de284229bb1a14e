"""Cluster mode: feeds moving between nodes and back (docs/cluster.md).

Rejoin: two nodes share growing feeds on six hosts. One node that owns hosts is SIGKILLed,
its hosts move to the other; it comes back on the same state folder and takes its share
again; then it is stopped with SIGTERM and comes back once more. Throughout, the feed
servers log each request's start and end and which node made it. At the end: the node
polled its hosts again after each return, no host ever had more requests at once (from both
nodes together) than its per-host limit (1), and every item served has exactly one alert in
the stream.

Stories move: two nodes; a feed's owner is SIGKILLed after the feed's items alerted; once
the other node has taken the feed over, the feed lists a copy of one of its earlier items
under a new guid. The stream must get a `story.` update for it with the original item's
story id, not a second alert (the filter collapses stories).
"""
import json
import os
import shutil
import signal
import time
import unittest

import harness
from test_cluster_nats import (CONFIG, HOSTS, INTERVAL, TTL, Feeds, Nats, hosts_polled, settled_owners,
                               stream_messages, wait_until_published)


def feed_toml(feeds):
    text = ""
    for host, feed in sorted(feeds.items):
        text += '\n[[feed]]\nid = "%s-%s"\nurl = "%s"\n' % (host.replace(".", "-"), feed, feeds.url(host, feed))
    return text


def write_config(tmp, name, nats, feeds_text, collapse="none"):
    """The node's config file and its metrics port (GET /cluster)."""
    path = os.path.join(tmp, name + ".toml")
    metrics = harness.free_port()
    text = CONFIG.format(state=os.path.join(tmp, name), pub=harness.free_port(), metrics=metrics,
                         node=name, nats=nats.url, feeds=feeds_text)
    text = text.replace('collapse = "none"', 'collapse = "%s"' % collapse)
    with open(path, "w") as fh:
        fh.write(text)
    return path, metrics


def assert_polite(test, feeds):
    """Never more requests at once on one host than the per-host limit (1), all nodes together."""
    with feeds.lock:
        log = list(feeds.log)
    for host in HOSTS:
        spans = sorted((s, e, n) for h, n, s, e in log if h == host)
        for (s1, e1, n1), (s2, e2, n2) in zip(spans, spans[1:]):
            test.assertGreaterEqual(s2, e1 - 0.001, "%s: %s and %s at once" % (host, n1, n2))


def stream_payloads(test, nats, feeds):
    """Every message the stream holds, as parsed payloads; then NATS and the feeds stop."""
    try:
        listed = stream_messages(nats.url, "--json")
        test.assertEqual(listed.returncode, 0, listed.stderr)
        return [json.loads(line) for line in listed.stdout.splitlines()]
    finally:
        nats.stop()
        feeds.stop()


@unittest.skipUnless(shutil.which("nats-server"), "nats-server is not installed")
class Rejoin(unittest.TestCase):
    def test_node_comes_back_and_takes_its_share(self):
        with harness.tempdir() as tmp:
            feeds = Feeds()
            nats = Nats(os.path.join(tmp, "nats"))
            nodes = {}
            try:
                text = feed_toml(feeds)
                configs = {name: write_config(tmp, name, nats, text) for name in ("node-a", "node-b")}
                paths = {name: path for name, (path, _) in configs.items()}
                for name, path in paths.items():
                    nodes[name] = harness.Daemon(path)
                by_node = settled_owners(self, feeds, {name: port for name, (_, port) in configs.items()})
                self.assertEqual(len(by_node), 2, "both nodes should own hosts: %s" % by_node)
                victim = max(by_node, key=lambda n: len(by_node[n]))
                other = [n for n in nodes if n != victim][0]
                share = by_node[victim]

                for how in (signal.SIGKILL, signal.SIGTERM):
                    nodes[victim].stop(how)
                    gone_at = time.monotonic()
                    # The other node takes the hosts over within the budget (docs/cluster.md).
                    took_over = harness.wait_until(lambda: share <= hosts_polled(feeds, other, gone_at),
                                                   gone_at + 2 * INTERVAL + TTL)
                    self.assertTrue(took_over, "%s did not take over %s after %s" % (other, share, how.name))
                    nodes[victim] = harness.Daemon(paths[victim])  # same state folder
                    back_at = time.monotonic()
                    # Start-up, a heartbeat to settle, the state load, a poll of each host: wait
                    # for them (a loaded machine is slow), then for one more interval.
                    harness.wait_until(lambda: share <= hosts_polled(feeds, victim, back_at), back_at + 30)
                    time.sleep(INTERVAL + TTL)
                    self.assertEqual(hosts_polled(feeds, victim, back_at), share,
                                     "%s back after %s should poll exactly its share" % (victim, how.name))
                    # The other node let go: it stopped polling each host before the returning node
                    # began (by design: that one waits a heartbeat first), with a TTL's room for a
                    # loaded machine.
                    with feeds.lock:
                        log = list(feeds.log)
                    first = {h: min(s for h2, n, s, _ in log if h2 == h and n == victim and s > back_at)
                             for h in share}
                    late = {h for h, n, s, _ in log if n == other and h in share and s > first[h] + TTL}
                    self.assertEqual(late, set(), "%s still polls %s" % (other, late))
                feeds.growing = False
                wait_until_published(nats.url, feeds)  # the last items are polled and published
            finally:
                for d in nodes.values():
                    d.stop()
            payloads = stream_payloads(self, nats, feeds)

            assert_polite(self, feeds)
            counts = {}
            for p in payloads:
                counts[p["item"]["link"]] = counts.get(p["item"]["link"], 0) + 1
            self.assertEqual({k: v for k, v in counts.items() if v != 1}, {}, "alerts in the stream more than once")
            self.assertEqual(feeds.served - set(counts), set(), "served items without an alert in the stream")
            print("items %d, requests %d, %s left and came back twice with hosts %s" % (
                len(counts), len(feeds.log), victim, sorted(share)))


def word(n):
    """A made-up word of letters only, distinct for every n (no number masking, no stemming clash)."""
    letters = "bcdfghjklmnpqrstvwxz"
    out = ""
    n += 20 * 20
    while n:
        n, r = divmod(n, 20)
        out += letters[r] + "aeiou"[r % 5]
    return out


class StoryFeeds(Feeds):
    """Fixed feeds whose items share no content word (each its own story); `copies` makes a
    feed also list a copy of one of its items under a new guid and link."""

    def __init__(self):
        super().__init__()
        self.growing = False
        self.copies = {}  # (host, feed) -> index of the item copied

    def text(self, host, feed, i):
        base = (HOSTS.index(host) * 10 + int(feed[1:])) * 1000 + i * 20
        title = "cluster " + " ".join(word(base + k) for k in range(6))
        summary = " ".join(word(base + 6 + k) for k in range(12)) + "."
        return title, summary

    def body(self, host, feed):
        with self.lock:
            n = self.items[(host, feed)]
            copied = self.copies.get((host, feed))
        parts = ['<?xml version="1.0"?><rss version="2.0"><channel><title>%s %s</title>' % (host, feed)]
        links = []
        entries = [(i, "http://%s/%s/%d" % (host, feed, i)) for i in range(1, n + 1)]
        if copied is not None:
            entries.append((copied, "http://%s/%s/copy-of-%d" % (host, feed, copied)))
        for i, link in entries:
            title, summary = self.text(host, feed, i)
            links.append(link)
            parts.append("<item><title>%s</title><description>%s</description><link>%s</link><guid>%s</guid></item>"
                         % (title, summary, link, link))
        parts.append("</channel></rss>")
        return "".join(parts).encode(), links


@unittest.skipUnless(shutil.which("nats-server"), "nats-server is not installed")
class StoriesMove(unittest.TestCase):
    def test_a_copy_after_the_move_is_a_story_update(self):
        with harness.tempdir() as tmp:
            feeds = StoryFeeds()
            with feeds.lock:
                for key in feeds.items:
                    feeds.items[key] = 3
            nats = Nats(os.path.join(tmp, "nats"))
            nodes = {}
            try:
                text = feed_toml(feeds)
                configs = {name: write_config(tmp, name, nats, text, collapse="stories")
                           for name in ("node-a", "node-b")}
                for name, (path, _) in configs.items():
                    nodes[name] = harness.Daemon(path)
                # Every feed polled, alerted, its state shared.
                by_node = settled_owners(self, feeds, {name: port for name, (_, port) in configs.items()})
                victim = max(by_node, key=lambda n: len(by_node[n]))
                other = [n for n in nodes if n != victim][0]
                host = sorted(by_node[victim])[0]
                nodes[victim].stop(signal.SIGKILL)
                gone_at = time.monotonic()
                self.assertTrue(harness.wait_until(lambda: host in hosts_polled(feeds, other, gone_at),
                                                   gone_at + 2 * INTERVAL + TTL), "%s never took %s over" % (other, host))
                with feeds.lock:
                    feeds.copies[(host, "f0")] = 2  # a copy of item 2, new guid
                    feeds.items[(host, "f1")] += 1  # and a new item elsewhere on the host
                wait_until_published(nats.url, feeds, also=["http://%s/f0/copy-of-2" % host])
                other_log = nodes[other].log_text()
            finally:
                for d in nodes.values():
                    d.stop()
            payloads = stream_payloads(self, nats, feeds)

            by_link = {}
            for p in payloads:
                by_link.setdefault(p["item"]["link"], []).append(p)
            copy_link = "http://%s/f0/copy-of-2" % host
            original_link = "http://%s/f0/2" % host
            self.assertEqual(feeds.served - set(by_link), set(), "served items without a message in the stream")
            self.assertIn(copy_link, by_link, "the copy never reached the stream")
            self.assertEqual([p["topic"] for p in by_link[copy_link]], ["story.all"], by_link[copy_link])
            self.assertEqual([p["topic"] for p in by_link[original_link]], ["alert.all"])
            self.assertEqual(by_link[copy_link][0]["story"]["id"], by_link[original_link][0]["story"]["id"],
                             "the copy joined another story")
            for link, messages in by_link.items():
                if link != copy_link:
                    self.assertEqual([p["topic"] for p in messages], ["alert.all"], link)
            self.assertIn("adopted", other_log)
            print("%d messages; %s took %s over from %s with its stories" % (len(payloads), other, host, victim))


if __name__ == "__main__":
    unittest.main(verbosity=2)
