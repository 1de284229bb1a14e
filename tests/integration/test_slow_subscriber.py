"""A subscriber that never reads (tiny receive HWM and kernel buffer) must not delay the
others: 1500 large alerts reach two reading subscribers in full and promptly, heartbeats
keep coming and the replay endpoint keeps answering while the stuck one's buffers are full.
A publisher that blocked (or waited for the slowest peer) would stall after a few hundred
kilobytes.
"""
import json
import os
import time
import unittest

import zmq

import harness

ITEMS = 1500
CONFIG_FEED = """
[[feed]]
id = "bulk"
url = "{base}/bulk.xml"
interval = "1h"
"""


def bulk_feed():
    filler = "The Sahel region faces a long dry season. " * 70  # ~3 KB of text per item
    items = "".join("<item><guid>urn:bulk:%d</guid><title>Sahel bulletin %d</title><description>%s</description>"
                    "</item>" % (n, n, filler) for n in range(ITEMS))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bulk</title>'
            "<link>http://bulk.example.org/</link><description>d</description>%s</channel></rss>" % items)


class SlowSubscriber(unittest.TestCase):
    def test_stuck_subscriber_does_not_delay_others(self):
        with harness.tempdir() as tmp:
            feeds = os.path.join(tmp, "feeds")
            os.mkdir(feeds)
            with open(os.path.join(feeds, "bulk.xml"), "w") as f:
                f.write(bulk_feed())
            server = harness.FeedServer(feeds)
            config, pub, replay = harness.fast_config(tmp, server.base)
            with open(config) as f:
                text = f.read()
            head, _, rest = text.partition("[[feed]]")
            with open(config, "w") as f:
                f.write(head + CONFIG_FEED.format(base=server.base) + rest[rest.index("[[entity]]"):])

            ctx = zmq.Context()
            stuck = ctx.socket(zmq.SUB)
            stuck.setsockopt(zmq.LINGER, 0)
            stuck.setsockopt(zmq.RCVHWM, 1)
            stuck.setsockopt(zmq.RCVBUF, 4096)
            stuck.setsockopt_string(zmq.SUBSCRIBE, "")
            stuck.connect(pub)
            readers = [harness.Subscriber(pub, topics=("alert.", "sys.heartbeat")) for _ in range(2)]
            daemon = harness.Daemon(config)
            try:
                started = time.monotonic()
                got = [[] for _ in readers]
                beats = []
                deadline = started + 60
                while time.monotonic() < deadline and not all(len(g) >= ITEMS for g in got):
                    for r, g in zip(readers, got):
                        while r.sock.poll(0):
                            frames = r.sock.recv_multipart()
                            if frames[0] == b"sys.heartbeat":
                                beats.append(time.monotonic())
                            else:
                                g.append(frames)
                    time.sleep(0.005)
                all_in = time.monotonic() - started
                # The stuck subscriber still holds its queue; the daemon must stay responsive.
                client = harness.ReplayClient(replay)
                t0 = time.monotonic()
                header, _ = client.request(ITEMS - 1)
                replay_took = time.monotonic() - t0
                client.close()
                more_beats = readers[0].collect(lambda m: any(f[0] == b"sys.heartbeat" for f in m), timeout=8)
            finally:
                code, took = daemon.stop()
                for r in readers:
                    r.close()
                stuck.close()
                ctx.term()
                server.stop()
            log = daemon.log_text()
            self.assertEqual(code, 0, log[-2000:])
            for g in got:
                self.assertEqual(len(g), ITEMS, "every alert reached every reading subscriber")
                self.assertEqual([json.loads(m[1])["seq"] for m in g], list(range(1, ITEMS + 1)))
            self.assertLess(all_in, 45, "alerts arrived promptly (%.1fs)" % all_in)
            self.assertTrue(header["ok"])
            self.assertLess(replay_took, 2.0, "replay answers while a subscriber is stuck")
            self.assertTrue(any(f[0] == b"sys.heartbeat" for f in more_beats), "heartbeats continue")
            self.assertLess(took, 3.0, "SIGTERM is not held up by the stuck subscriber's queue")


if __name__ == "__main__":
    unittest.main(verbosity=2)
