"""Polling under bad servers, end to end: newswatchd against scripted servers on 127.0.0.1.

A feed that answers 410 is dropped and announced on sys.feed.gone; a server that accepts and
never answers and one that drips a byte a second hold their transfers for the whole test while
a live feed on another server keeps producing alerts on time (its newest item changes every
second). Server-side request logs show what the daemon really did.
"""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

import harness

CONFIG = """
[daemon]
state_dir = "{state}"
log_level = "info"

[publish]
endpoint = "tcp://127.0.0.1:{pub}"
replay_endpoint = "tcp://127.0.0.1:{replay}"

[scheduler]
default_interval = "1s"
min_interval = "1s"
# The subscriber connects (and subscribes) only once the daemon has bound its socket: a
# one-off message such as sys.feed.gone sent before then is lost to it, as PUB/SUB does.
# The delay exists for exactly that (0 s here lost the 410's announcement once); half a
# second is five of the subscriber's reconnect intervals and keeps the first alert early.
startup_delay = "500ms"

[fetch]
timeout = "60s"

[[feed]]
id = "live"
url = "{fast}/feed/live?rotate=1&items=2&title=Mali"

[[feed]]
id = "retired"
url = "{fast}/status/410"

[[feed]]
id = "silent"
url = "{slow}/hang"

[[feed]]
id = "trickle"
url = "{slow}/drip?n=1000"

[[filter]]
id = "mali"
query = 'Mali'
"""


class ScriptedServer:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(__file__), "scripted_server.py"), "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("scripted server did not start: %r" % line)
        self.base = "http://127.0.0.1:%d" % int(line.split()[1])

    def log(self):
        with urllib.request.urlopen(self.base + "/__log", timeout=5) as r:
            return json.loads(r.read())

    def requests(self, prefix):
        return [r for r in self.log()["requests"] if r["path"].startswith(prefix)]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdin.close()
        self.proc.stdout.close()


class PollingUnderBadServers(unittest.TestCase):
    def setUp(self):
        self.tmp = harness.tempdir()
        self.fast = ScriptedServer()
        self.slow = ScriptedServer()
        self.pub = harness.free_port()
        self.config = os.path.join(self.tmp.name, "newswatch.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(state=os.path.join(self.tmp.name, "state"), pub=self.pub,
                                  replay=harness.free_port(), fast=self.fast.base, slow=self.slow.base))
        self.sub = harness.Subscriber("tcp://127.0.0.1:%d" % self.pub, topics=("alert.", "sys.feed."))

    def tearDown(self):
        self.sub.close()
        self.fast.stop()
        self.slow.stop()
        self.tmp.cleanup()

    def test_slow_servers_do_not_delay_alerts_and_gone_is_announced(self):
        daemon = harness.Daemon(self.config)
        started = time.monotonic()
        arrivals = []  # (monotonic time, topic, payload)
        try:
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:
                for topic, payload in self.sub.collect(lambda m: len(m) > 0, timeout=0.2):
                    arrivals.append((time.monotonic(), topic.decode(), json.loads(payload)))
            hang = self.slow.requests("/hang")
            drip = self.slow.requests("/drip")
            gone = self.fast.requests("/status/410")
        finally:
            code, _ = daemon.stop()
        log = daemon.log_text()

        # The slow transfers were in flight all along (60 s timeout), not retried or finished.
        self.assertEqual(len(hang), 1, hang)
        self.assertEqual(len(drip), 1, drip)
        self.assertNotIn("end", hang[0], "the hanging request was still open")
        self.assertNotIn("end", drip[0], "the dripping request was still open")

        # Meanwhile the live feed's alerts kept coming, about one a second.
        alerts = [(t, p) for t, topic, p in arrivals if topic == "alert.mali"]
        self.assertGreaterEqual(len(alerts), 4, "live alerts: %r" % [p["item"]["id"] for _, p in alerts])
        times = [t for t, _ in alerts]
        # A new item every second, a poll every second: gaps of about a second. A loop blocked
        # by the slow servers would stall for their whole 60 s timeout; 4 s leaves room for a
        # loaded CI machine without hiding that.
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertLess(max(gaps), 4.0, "alerts stalled: gaps %r" % gaps)
        self.assertLess(times[0] - started, 4.0, "the first alert came late")
        ids = [p["item"]["id"] for _, p in alerts]
        self.assertEqual(len(ids), len(set(ids)), "no alert twice")

        # 410: fetched once, announced once, logged with the feed id.
        self.assertEqual(len(gone), 1, "a gone feed is not polled again: %r" % gone)
        announced = [p for _, topic, p in arrivals if topic == "sys.feed.gone"]
        self.assertEqual(len(announced), 1, arrivals)
        self.assertEqual(announced[0]["feed"], "retired")
        self.assertEqual(announced[0]["status"], 410)
        self.assertIn("feed retired", log)
        self.assertEqual(code, 0, log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
