"""Seen-item state under conditions that used to lose or repeat alerts: a feed answering 304
for longer than [dedup] seen_max_age (its items must stay seen), and another process holding
the state database's write lock for longer than the daemon's busy timeout (the batch must be
retried, and nothing after it lost).
"""
import json
import os
import shutil
import sqlite3
import time
import unittest

import harness


def insert_first(path, element, before):
    """Puts `element` in front of the feed's first `before` ("<item>", "<entry"), atomically,
    like a publisher rewriting its feed."""
    with open(path) as f:
        text = f.read()
    at = text.index(before)
    with open(path + ".tmp", "w") as f:
        f.write(text[:at] + element + "\n    " + text[at:])
    os.replace(path + ".tmp", path)


def wire_entry(urn, title):
    return ("<entry><title>%s</title><id>%s</id><updated>2012-12-20T18:00:00Z</updated>"
            "<summary>Added by the test.</summary></entry>" % (title, urn))


def stop_all(daemon, sub, server):
    """Stops what a test started; returns the daemon's exit code and log."""
    try:
        code, _ = daemon.stop()
    finally:
        sub.close()
        server.stop()
    return code, daemon.log_text()


def seen(db, feed):
    with sqlite3.connect(db, timeout=5) as conn:
        return {row[0] for row in conn.execute("SELECT item_id FROM seen_items WHERE feed_id = ?", (feed,))}


class DedupState(unittest.TestCase):
    def test_items_behind_304s_outlive_seen_max_age(self):
        with harness.tempdir() as tmp:
            feeds = os.path.join(tmp, "feeds")
            shutil.copytree(os.path.join(harness.SOURCE_DIR, "examples", "feeds"), feeds)
            server = harness.FeedServer(feeds)  # ETag / Last-Modified: 304 while a file is unchanged
            config, pub, _ = harness.fast_config(
                tmp, server.base, '\n[journal]\nprune_interval = "300ms"\n\n[dedup]\nseen_max_age = "2s"\n')
            sub = harness.Subscriber(pub)
            daemon = harness.Daemon(config)
            db = os.path.join(tmp, "state", "newswatch.db")
            try:
                live = sub.collect(lambda m: len(m) >= 8, timeout=40)
                before = seen(db, "culture-desk")
                # Three seen_max_ages of 304s, with the pruner running every 300 ms.
                live += sub.collect(lambda m: False, timeout=6)
                kept = seen(db, "culture-desk")
                # A new item that matches no filter: the next fetch is a 200 listing the old items too.
                insert_first(os.path.join(feeds, "culture-desk.xml"),
                             "<item><title>A quiet review of a quiet film</title>"
                             "<guid>http://example.com/new-review</guid></item>", "<item>")
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline and "http://example.com/new-review" not in seen(db, "culture-desk"):
                    live += sub.collect(lambda m: False, timeout=0.3)
                live += sub.collect(lambda m: False, timeout=2)
                after = seen(db, "culture-desk")
            finally:
                code, log = stop_all(daemon, sub, server)
            self.assertEqual(code, 0, log)
            self.assertEqual(len(before), 3, log)
            self.assertEqual(kept, before, "items still listed (behind 304s) stay seen past seen_max_age")
            self.assertIn("http://example.com/new-review", after, log)
            self.assertEqual(len(live), 8, "nothing alerted twice: %s" % [m[0] for m in live[8:]])

    def test_a_document_cut_short_keeps_no_validators(self):
        with harness.tempdir() as tmp:
            feeds = os.path.join(tmp, "feeds")
            shutil.copytree(os.path.join(harness.SOURCE_DIR, "examples", "feeds"), feeds)
            desk = os.path.join(feeds, "culture-desk.xml")
            with open(desk) as f:
                whole = f.read()
            # As a server closing the connection mid-document sends it: with its ETag.
            with open(desk, "w") as f:
                f.write(whole[:whole.index("<title>Malian musicians")])
            server = harness.FeedServer(feeds)
            config, pub, _ = harness.fast_config(tmp, server.base)
            sub = harness.Subscriber(pub)
            daemon = harness.Daemon(config)
            db = os.path.join(tmp, "state", "newswatch.db")
            try:
                live = sub.collect(lambda m: len(m) >= 7, timeout=40)  # all but the cut-off item's
                live += sub.collect(lambda m: False, timeout=2.5)  # a few more polls of the cut document
                cut_seen = seen(db, "culture-desk")
                with sqlite3.connect(db, timeout=5) as conn:
                    etag = conn.execute("SELECT etag FROM feed_state WHERE feed_id = 'culture-desk'").fetchone()
                    listing = conn.execute("SELECT listed_at FROM feed_listing WHERE feed_id = 'culture-desk'").fetchone()
                with open(desk + ".tmp", "w") as f:
                    f.write(whole)
                os.replace(desk + ".tmp", desk)
                live += sub.collect(lambda m: len(live) + len(m) >= 8, timeout=20)
            finally:
                code, log = stop_all(daemon, sub, server)
            self.assertEqual(code, 0, log)
            self.assertEqual(len(cut_seen), 2, log)
            self.assertIn(etag, (None, ("",)), "no validators kept for a document recovered from broken XML")
            self.assertIsNone(listing, "nor is it taken for the feed's whole listing")
            self.assertIn("feed culture-desk: XML error", log)
            self.assertIn(b"Malian musicians", live[-1][1])
            self.assertEqual(len(live), 8)

    def test_write_lock_held_elsewhere_delays_alerts_and_loses_none(self):
        with harness.tempdir() as tmp:
            feeds = os.path.join(tmp, "feeds")
            shutil.copytree(os.path.join(harness.SOURCE_DIR, "examples", "feeds"), feeds)
            server = harness.FeedServer(feeds)
            metrics_port = harness.free_port()
            config, pub, _ = harness.fast_config(tmp, server.base, metrics_port=metrics_port)
            sub = harness.Subscriber(pub)
            daemon = harness.Daemon(config)
            db = os.path.join(tmp, "state", "newswatch.db")
            wire = os.path.join(feeds, "west-africa-wire.xml")
            try:
                live = sub.collect(lambda m: len(m) >= 8, timeout=40)  # the demo's 8 alerts
                # An operator's sqlite3 shell holds the write lock for several of the daemon's
                # 1 s busy timeouts while a matching item arrives.
                holder = sqlite3.connect(db, timeout=5, isolation_level=None)
                holder.execute("BEGIN IMMEDIATE")
                insert_first(wire, wire_entry("urn:test:held-1", "Mali: talks resume in Ouagadougou"), "<entry")
                live += sub.collect(lambda m: False, timeout=4)
                holder.execute("ROLLBACK")
                holder.close()
                live += sub.collect(lambda m: len(live) + len(m) >= 10, timeout=20)  # filters mali and sahel
                # Then business as usual: the next matching item gets the next seq, live.
                insert_first(wire, wire_entry("urn:test:after-1", "Mali: the talks go on"), "<entry")
                live += sub.collect(lambda m: len(live) + len(m) >= 12, timeout=20)
                scraped = harness.scrape_metrics(metrics_port)
                unrecorded = scraped["newswatch_batches_unrecorded_total"]
                unsaved = scraped["newswatch_feed_states_unsaved_total"]
            finally:
                code, log = stop_all(daemon, sub, server)
            self.assertEqual(code, 0, log)
            payloads = [json.loads(m[1]) for m in live]
            self.assertEqual([(p["item"]["id"], p["filter"]) for p in payloads[8:]],
                             [("urn:test:held-1", "mali"), ("urn:test:held-1", "sahel"),
                              ("urn:test:after-1", "mali"), ("urn:test:after-1", "sahel")], log)
            self.assertEqual([p["seq"] for p in payloads], list(range(1, 13)), "no seq lost, skipped or reused")
            self.assertIn("cannot begin a transaction", log)
            # Each poll that met the lock is counted: at 1 s polls and 1 s busy timeouts, at least one.
            self.assertGreaterEqual(unrecorded, 1, log)
            # Two kinds of write meet the lock: a fetch's items and a feed's state. Each failure is
            # logged once with its feed id and counted under its own name.
            self.assertEqual(unrecorded, log.count(": state database: cannot begin a transaction"),
                             "one count per unrecorded batch logged")
            self.assertEqual(unsaved, log.count(": cannot save state: cannot begin a transaction"),
                             "one count per unsaved feed state logged")
            self.assertEqual(unrecorded + unsaved, log.count("cannot begin a transaction"), "no other failure")


if __name__ == "__main__":
    unittest.main(verbosity=2)
