"""Journal retention and the replay horizon: with [journal] max_count = 3 the daemon keeps
seq 6..8 of the demo's 8 alerts; a replay from before the horizon gets the error reply
naming the oldest seq kept, since = 0 still means "everything kept", and `newswatch tail`
says loudly what was lost, then prints the rest. Seen items expire after
[dedup] seen_max_age once their feed stops listing them, while items still listed are
refreshed on every fetch and never alert again.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import time
import unittest

import harness

EXTRA = """
[journal]
max_count = 3
prune_interval = "300ms"

[dedup]
seen_max_age = "2s"
"""


class JournalPruning(unittest.TestCase):
    def test_horizon_after_pruning(self):
        with harness.tempdir() as tmp:
            feeds = os.path.join(tmp, "feeds")
            shutil.copytree(os.path.join(harness.SOURCE_DIR, "examples", "feeds"), feeds)
            # Every poll a full 200: listed items are seen again each second.
            server = harness.FeedServer(feeds, "--no-validators")
            config, pub, replay = harness.fast_config(tmp, server.base, EXTRA)
            sub = harness.Subscriber(pub)
            daemon = harness.Daemon(config)
            try:
                live = sub.collect(lambda m: len(m) >= 8, timeout=40)
                client = harness.ReplayClient(replay)
                deadline = time.monotonic() + 15
                header, pairs = client.request(0)
                while time.monotonic() < deadline and header.get("count") != 3:
                    time.sleep(0.2)
                    header, pairs = client.request(0)
                behind = client.request(2)[0]
                edge = client.request(5)
                tail = subprocess.run([harness.NEWSWATCH, "tail", "--since", "1", "--json", "--seconds", "3",
                                       "--config", config], capture_output=True, text=True, timeout=60)
                # The wire feed drops all its items: their identities expire (2 s); the
                # culture desk still lists its items, which must stay seen and not alert again.
                with open(os.path.join(feeds, "west-africa-wire.xml")) as f:
                    wire = f.read()
                with open(os.path.join(feeds, "west-africa-wire.xml.tmp"), "w") as f:
                    f.write(wire[:wire.index("<entry")] + "</feed>\n")
                os.replace(os.path.join(feeds, "west-africa-wire.xml.tmp"), os.path.join(feeds, "west-africa-wire.xml"))
                db = os.path.join(tmp, "state", "newswatch.db")
                deadline = time.monotonic() + 15
                seen = {}
                while time.monotonic() < deadline:
                    with sqlite3.connect(db, timeout=5) as conn:
                        seen = dict(conn.execute("SELECT feed_id, count(*) FROM seen_items GROUP BY feed_id"))
                    if "west-africa-wire" not in seen:
                        break
                    time.sleep(0.3)
                live += sub.collect(lambda m: False, timeout=4)  # several more polls of culture-desk
                after = client.request(8)[0]
                client.close()
            finally:
                code, _ = daemon.stop()
                sub.close()
                server.stop()
            log = daemon.log_text()
            self.assertEqual(code, 0, log)
            self.assertEqual(len(live), 8, "nothing alerted twice after seen items expired")
            self.assertEqual(after["last_seq"], 8)
            self.assertEqual(header, {"ok": True, "count": 3, "last_seq": 8, "more": False}, log)
            self.assertEqual([p for _, p in pairs], [m[1] for m in live[5:]], "the newest three, byte-identical")
            self.assertIs(behind["ok"], False)
            self.assertEqual(behind["oldest_seq"], 6)
            self.assertIn("no longer journalled", behind["error"])
            self.assertTrue(edge[0]["ok"], "since = oldest - 1 is not behind the horizon")
            self.assertEqual([json.loads(p)["seq"] for _, p in edge[1]], [6, 7, 8])
            self.assertEqual([json.loads(x)["seq"] for x in tail.stdout.splitlines()], [6, 7, 8], tail.stderr)
            self.assertIn("LOST: alerts from seq 2 to 5", tail.stderr)
            self.assertIn("pruned", log)
            self.assertNotIn("west-africa-wire", seen, "identities no longer listed expire")
            self.assertGreater(seen.get("culture-desk", 0), 0, "identities still listed are kept")

    def test_seq_continues_after_journal_emptied(self):
        with harness.tempdir() as tmp:
            server = harness.FeedServer(os.path.join(harness.SOURCE_DIR, "examples", "feeds"))
            config, pub, replay = harness.fast_config(tmp, server.base, EXTRA.replace("max_count = 3",
                                                                                      "max_age = \"1s\""))
            daemon = harness.Daemon(config)
            try:
                client = harness.ReplayClient(replay)
                deadline = time.monotonic() + 30
                header = {}
                while time.monotonic() < deadline:
                    header = client.request(0)[0]
                    if header.get("last_seq") == 8 and header.get("count") == 0:
                        break
                    time.sleep(0.3)
                behind = client.request(3)[0]
                client.close()
            finally:
                code, _ = daemon.stop()
                server.stop()
            self.assertEqual(code, 0)
            self.assertEqual(header, {"ok": True, "count": 0, "last_seq": 8, "more": False})
            self.assertEqual((behind["ok"], behind["oldest_seq"]), (False, 0))


if __name__ == "__main__":
    unittest.main(verbosity=2)
