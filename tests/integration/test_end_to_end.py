"""End to end: sample feeds over HTTP -> newswatchd -> ZeroMQ SUB (pyzmq).

Asserts the exact set of (topic, item id) pairs, the near misses absent, the payload
shape of docs/protocol.md, that later poll cycles publish nothing new, that an unreachable feed
is logged with its id without disturbing the others, and a clean SIGTERM stop.
"""
import json
import os
import time
import unittest

import harness

EXPECTED = {
    ("alert.mali", "demo-un-0001"),
    ("alert.sahel", "demo-un-0001"),
    ("alert.sahel", "demo-un-0003"),
    ("alert.sahel", "urn:demo:wire:0001"),
    ("alert.mali", "urn:demo:wire:0003"),
    ("alert.sahel", "urn:demo:wire:0003"),
    ("alert.algeria", "urn:demo:wire:0003"),
    ("alert.sahel", "http://culture.example.com/music/benefit-tour"),
}
NEAR_MISSES = {"demo-un-0002", "demo-un-0004", "urn:demo:wire:0002", "http://culture.example.com/reviews/brooding-thriller"}

DEAD_FEED = """
[[feed]]
id = "dead"
url = "http://127.0.0.1:{port}/nothing-listens-here.xml"
"""


class EndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = harness.tempdir()
        # --no-validators: every poll is a full 200, so dedup (not 304) must stop repeats.
        self.server = harness.FeedServer(os.path.join(harness.SOURCE_DIR, "examples", "feeds"), "--no-validators")
        self.pub_port = harness.free_port()
        self.config = os.path.join(self.tmp.name, "newswatch.toml")
        text = harness.demo_config(self.server.base, self.pub_port, harness.free_port(),
                                   os.path.join(self.tmp.name, "state"),
                                   DEAD_FEED.format(port=harness.free_port()))
        text = text.replace('default_interval = "30s"', 'default_interval = "2s"').replace(
            'min_interval = "5s"', 'min_interval = "1s"').replace('interval = "1m"', 'interval = "2s"')
        with open(self.config, "w") as f:
            f.write(text)
        self.sub = harness.Subscriber("tcp://127.0.0.1:%d" % self.pub_port)

    def tearDown(self):
        self.sub.close()
        self.server.stop()
        self.tmp.cleanup()

    def test_alerts_once_each_then_nothing_new(self):
        daemon = harness.Daemon(self.config)
        try:
            msgs = self.sub.collect(lambda m: len(m) >= len(EXPECTED), timeout=30)
            # Let at least two more poll cycles run: they must publish nothing.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                counts = self.server.requests()
                if all(counts.get(n, 0) >= 3 for n in ("west-africa-wire.xml", "culture-desk.xml")):
                    break
                msgs += self.sub.collect(lambda m: False, timeout=0.5)
            msgs += self.sub.collect(lambda m: False, timeout=1.0)
            counts = self.server.requests()
        finally:
            code, took = daemon.stop()
        log = daemon.log_text()

        self.assertTrue(all(len(m) == 2 for m in msgs), "every alert is exactly two frames")
        payloads = [json.loads(m[1]) for m in msgs]
        got = [(m[0].decode(), p["item"]["id"]) for m, p in zip(msgs, payloads)]
        self.assertEqual(len(got), len(set(got)), "no alert twice: %r" % got)
        self.assertEqual(set(got), EXPECTED)
        self.assertFalse({p["item"]["id"] for p in payloads} & NEAR_MISSES)
        self.assertGreaterEqual(min(counts.get(n, 0) for n in ("culture-desk.xml", "west-africa-wire.xml")), 3,
                                "the feeds were polled again: %r" % counts)
        # un-africa.xml says <ttl>5</ttl>: five minutes, longer than our 2 s interval.
        self.assertEqual(counts.get("un-africa.xml"), 1, "RSS ttl stretches the interval: %r" % counts)

        seqs = [p["seq"] for p in payloads]
        self.assertEqual(seqs, list(range(1, len(EXPECTED) + 1)))
        for (topic, _), p in zip(got, payloads):
            self.assertEqual(p["topic"], topic)
            self.assertEqual(topic, "alert." + p["filter"])
            self.assertRegex(p["detected_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            for key in ("id", "title", "link", "published", "updated", "author", "summary", "content", "categories",
                        "language"):
                self.assertIn(key, p["item"])
            self.assertIsInstance(p["entities"], list)
            self.assertTrue(p["matches"])
            for m in p["matches"]:
                text = p["item"][m["field"]][m["offset"]:m["offset"] + m["length"]]
                self.assertTrue(text, m)
        council = next(p for p in payloads if p["item"]["id"] == "demo-un-0001")
        self.assertEqual(council["item"]["published"], "2012-12-20T18:05:00Z")
        self.assertIn("Mali", council["entities"])
        border = next(p for p in payloads if p["item"]["id"] == "urn:demo:wire:0003")
        self.assertEqual(border["item"]["published"], "2012-12-20T14:00:00Z")

        self.assertIn("feed dead:", log, "the unreachable feed is logged with its id")
        self.assertEqual(code, 0, log)
        self.assertLess(took, 2.0, "SIGTERM stops within a second or so")

    def test_restart_publishes_nothing_twice(self):
        first = harness.Daemon(self.config)
        try:
            msgs = self.sub.collect(lambda m: len(m) >= len(EXPECTED), timeout=30)
        finally:
            first.stop()
        self.assertEqual(len(msgs), len(EXPECTED))
        second = harness.Daemon(self.config)
        try:
            deadline = time.monotonic() + 20
            before = self.server.requests().get("west-africa-wire.xml", 0)
            while time.monotonic() < deadline and self.server.requests().get("west-africa-wire.xml", 0) < before + 2:
                msgs += self.sub.collect(lambda m: False, timeout=0.5)
            msgs += self.sub.collect(lambda m: False, timeout=1.0)
        finally:
            code, _ = second.stop()
        self.assertEqual(len(msgs), len(EXPECTED), "a restart must not repeat alerts")
        self.assertEqual(code, 0)


class BadConfig(unittest.TestCase):
    def run_daemon(self, *args):
        import subprocess
        return subprocess.run([harness.NEWSWATCHD, *args], capture_output=True, text=True, timeout=30)

    def test_missing_config_file(self):
        r = self.run_daemon("--config", "/nonexistent/newswatch.toml")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^/nonexistent/newswatch.toml:1:1: cannot read config file")

    def test_invalid_toml_names_line_and_column(self):
        with harness.tempdir() as d:
            path = os.path.join(d, "bad.toml")
            with open(path, "w") as f:
                f.write('[daemon]\nlog_level = "info"\n\n[[feed]]\nid = "x"\nurl = "http://a/b.xml\n')
            r = self.run_daemon("--config", path)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^%s:6:\d+: TOML syntax error" % path)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, "one line")

    def test_unknown_key_suggests(self):
        with harness.tempdir() as d:
            path = os.path.join(d, "bad.toml")
            with open(path, "w") as f:
                f.write('[scheduler]\ndefault_intervall = "5m"\n')
            r = self.run_daemon("--config", path, "--check")
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:2:1: unknown key 'default_intervall' in [scheduler]; did you mean 'default_interval'?" % path,
                      r.stderr)

    def test_check_ok_summary(self):
        r = self.run_daemon("--config", os.path.join(harness.SOURCE_DIR, "examples", "demo.toml"), "--check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"ok: 3 feeds, 3 filters, 2 entities, \d+ terms")


if __name__ == "__main__":
    unittest.main(verbosity=2)
