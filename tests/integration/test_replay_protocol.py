"""A third-party client, written from docs/protocol.md alone (pyzmq, no newswatch code):

- a SUB socket on `alert.` checks the frames and JSON fields of the wire contract;
- a REQ socket uses the replay protocol: everything after seq N, paging with a small
  `limit`, the `topics` prefix filter, replies byte-identical to what was published,
  malformed requests answered with ok:false (and the daemon still serving);
- a DEALER socket, with and without the empty delimiter, gets the same replies.
"""
import json
import os
import time
import unittest

import zmq

import harness

EXPECTED = {
    ("alert.mali", "demo-un-0001"), ("alert.sahel", "demo-un-0001"), ("alert.sahel", "demo-un-0003"),
    ("alert.sahel", "urn:demo:wire:0001"), ("alert.mali", "urn:demo:wire:0003"),
    ("alert.sahel", "urn:demo:wire:0003"), ("alert.algeria", "urn:demo:wire:0003"),
    ("alert.sahel", "http://culture.example.com/music/benefit-tour"),
}
ITEM_KEYS = {"id", "title", "link", "published", "updated", "author", "summary", "content", "categories",
             "language"}


class ReplayProtocol(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempdir()
        cls.server = harness.FeedServer(os.path.join(harness.SOURCE_DIR, "examples", "feeds"))
        cls.config, cls.pub, cls.replay = harness.fast_config(cls.tmp.name, cls.server.base)
        cls.sub = harness.Subscriber(cls.pub, topics=("alert.", "sys.heartbeat"))
        cls.daemon = harness.Daemon(cls.config)
        msgs = cls.sub.collect(lambda m: sum(1 for f in m if f[0].startswith(b"alert.")) >= len(EXPECTED)
                               and any(f[0] == b"sys.heartbeat" and json.loads(f[1])["last_seq"] == len(EXPECTED)
                                       for f in m), timeout=40)
        cls.live = [m for m in msgs if m[0].startswith(b"alert.")]
        cls.heartbeats = [m for m in msgs if m[0] == b"sys.heartbeat"]
        cls.client = harness.ReplayClient(cls.replay)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.sub.close()
        code, _ = cls.daemon.stop()
        cls.server.stop()
        cls.tmp.cleanup()
        assert code == 0, "daemon exit code %r" % code

    def test_live_frames_follow_the_wire_contract(self):
        self.assertEqual(len(self.live), len(EXPECTED), self.daemon.log_text())
        for frames in self.live:
            self.assertEqual(len(frames), 2, "exactly [topic, payload]")
            topic = frames[0].decode("utf-8")
            p = json.loads(frames[1].decode("utf-8"))
            self.assertIsInstance(p["seq"], int)
            self.assertEqual(p["topic"], topic)
            self.assertEqual(topic, "alert." + p["filter"])
            self.assertIsInstance(p["feed"], str)
            self.assertRegex(p["detected_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertEqual(set(p["item"]), ITEM_KEYS)
            self.assertIsInstance(p["item"]["categories"], list)
            self.assertIsInstance(p["entities"], list)
            self.assertTrue(p["matches"])
            for m in p["matches"]:
                self.assertEqual(set(m), {"term", "entity", "field", "offset", "length"})
                text = p["item"][m["field"]][m["offset"]:m["offset"] + m["length"]]
                self.assertEqual(len(text), m["length"])
        got = {(m[0].decode(), json.loads(m[1])["item"]["id"]) for m in self.live}
        self.assertEqual(got, EXPECTED)
        self.assertEqual([json.loads(m[1])["seq"] for m in self.live], list(range(1, len(EXPECTED) + 1)))

    def test_heartbeat_carries_last_seq(self):
        self.assertTrue(self.heartbeats, "a heartbeat within the wait")
        hb = json.loads(self.heartbeats[-1][1])
        self.assertEqual(set(hb), {"last_seq", "time"})
        self.assertEqual(hb["last_seq"], len(EXPECTED))

    def test_replay_everything_is_byte_identical(self):
        header, pairs = self.client.request(0)
        self.assertEqual(header, {"ok": True, "count": len(EXPECTED), "last_seq": len(EXPECTED), "more": False})
        self.assertEqual([(t.encode(), p) for t, p in pairs], [tuple(m) for m in self.live])

    def test_replay_after_n(self):
        header, pairs = self.client.request(5)
        self.assertTrue(header["ok"])
        self.assertEqual([json.loads(p)["seq"] for _, p in pairs], [6, 7, 8])
        header, pairs = self.client.request(len(EXPECTED))
        self.assertEqual(header, {"ok": True, "count": 0, "last_seq": len(EXPECTED), "more": False})
        header, pairs = self.client.request(1000)  # beyond the newest: nothing, and the newest seq
        self.assertEqual(header, {"ok": True, "count": 0, "last_seq": len(EXPECTED), "more": False})

    def test_paging_with_small_limit(self):
        got, pages, last = self.client.replay_all(0, limit=3)
        self.assertEqual(pages, 3, "3 + 3 + 2")
        self.assertEqual([p for _, p in got], [m[1] for m in self.live])
        self.assertEqual(last["last_seq"], len(EXPECTED))
        header, pairs = self.client.request(0, limit=3)
        self.assertEqual((header["count"], header["last_seq"], header["more"]), (3, 3, True))

    def test_topics_filter(self):
        got, _, _ = self.client.replay_all(0, limit=1, topics=["alert.mali"])
        self.assertEqual({t for t, _ in got}, {"alert.mali"})
        self.assertEqual(len(got), 2)
        seqs = [json.loads(p)["seq"] for _, p in got]
        self.assertEqual(seqs, sorted(seqs))
        got, _, _ = self.client.replay_all(0, topics=["alert.algeria", "alert.mali"])
        self.assertEqual(len(got), 3)
        got, _, last = self.client.replay_all(0, topics=["nothing."])
        self.assertEqual((got, last["last_seq"], last["more"]), ([], len(EXPECTED), False))

    def test_malformed_requests_get_errors(self):
        bad = [b"not json", b"[1,2]", b"{}", b'{"since": -1}', b'{"since": 1.5}', b'{"since": "3"}',
               b'{"since": 0, "limit": 0}', b'{"since": 0, "topics": "alert."}', b'{"since": 0, "topics": [1]}',
               b"\xff\xfe", b""]
        for body in bad:
            frames = self.client.raw([body])
            self.assertEqual(len(frames), 1, body)
            reply = json.loads(frames[0])
            self.assertIs(reply["ok"], False, body)
            self.assertIsInstance(reply["error"], str)
            self.assertIn("oldest_seq", reply)
        dealer = harness.ReplayClient(self.replay, zmq.DEALER)
        try:
            reply = json.loads(dealer.raw([b'{"since": 0}', b"second frame"])[0])
            self.assertIs(reply["ok"], False)
        finally:
            dealer.close()
        header, pairs = self.client.request(0)
        self.assertTrue(header["ok"], "still serving after bad requests")
        self.assertEqual(len(pairs), len(EXPECTED))

    def test_dealer_clients(self):
        dealer = harness.ReplayClient(self.replay, zmq.DEALER)
        try:
            frames = dealer.raw([b'{"since": 6}'])  # no delimiter
            self.assertEqual(json.loads(frames[0])["count"], 2)
            self.assertEqual(len(frames), 5)
            frames = dealer.raw([b"", b'{"since": 7, "limit": 5}'])  # REQ-style delimiter comes back
            self.assertEqual(frames[0], b"")
            self.assertEqual(json.loads(frames[1]), {"ok": True, "count": 1, "last_seq": 8, "more": False})
        finally:
            dealer.close()

    def test_many_clients_at_once(self):
        clients = [harness.ReplayClient(self.replay, zmq.DEALER) for _ in range(20)]
        try:
            for c in clients:
                c.sock.send(b'{"since": 0, "limit": 2}')
            deadline = time.monotonic() + 10
            for c in clients:
                self.assertTrue(c.sock.poll(max(1, int((deadline - time.monotonic()) * 1000))))
                header = json.loads(c.sock.recv_multipart()[0])
                self.assertEqual((header["count"], header["more"]), (2, True))
        finally:
            for c in clients:
                c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
