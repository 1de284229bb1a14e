#!/usr/bin/env python3
"""Stories and bursts in the running daemon: the demo's feeds plus its drop-in
(examples/demo.d: an outlet re-running two wire dispatches, and three outlets reporting a
surge on a filter that expects two stories a day), watched by pyzmq on every topic that
takes a seq. Then a SIGKILL and a restart, then a reload that changes a filter's collapse."""
import json
import os
import shutil
import signal
import unittest

import harness

SEQ_TOPICS = ("alert.", "story.", "burst.")


def demo_dropin(feed_base):
    with open(os.path.join(harness.SOURCE_DIR, "examples", "demo.d", "stories-and-bursts.toml")) as f:
        return f.read().replace("http://127.0.0.1:18080", feed_base)


def add_echo_item(path, guid, title):
    """Puts one more item at the top of the echo feed, atomically."""
    with open(path) as f:
        text = f.read()
    item = ("<item><title>%s</title><guid isPermaLink=\"false\">%s</guid>"
            "<description>Army chiefs from the regional bloc agreed how many soldiers each member state "
            "would send, and in what order they would deploy.</description></item>\n    " % (title, guid))
    at = text.index("<item>")
    with open(path + ".tmp", "w") as f:
        f.write(text[:at] + item + text[at:])
    os.replace(path + ".tmp", path)


def payloads(messages):
    return [(m[0].decode(), json.loads(m[1])) for m in messages]


class StoriesInTheDaemon(unittest.TestCase):
    def test_copies_collapse_bursts_announce_and_both_survive_a_sigkill_and_a_reload(self):
        with harness.tempdir() as tmp:
            feeds = os.path.join(tmp, "feeds")
            shutil.copytree(os.path.join(harness.SOURCE_DIR, "examples", "feeds"), feeds)
            echo = os.path.join(feeds, "sahel-echo.xml")
            server = harness.FeedServer(feeds)
            metrics_port = harness.free_port()
            config, pub, _ = harness.fast_config(tmp, server.base, metrics_port=metrics_port)
            with open(config, "a") as f:
                f.write("\n" + demo_dropin(server.base))
            sub = harness.Subscriber(pub, topics=SEQ_TOPICS)
            daemon = harness.Daemon(config)
            restarted = None
            try:
                # 4 story updates (2 copies x the filters that alerted on their originals) and a burst.
                first = payloads(sub.collect(
                    lambda m: sum(1 for x in m if x[0].startswith(b"story.")) >= 4 and
                    any(x[0].startswith(b"burst.") for x in m), timeout=60))
                first += payloads(sub.collect(lambda m: False, timeout=3))  # the rest of the first polls
                scraped = harness.scrape_metrics(metrics_port)
                daemon.proc.send_signal(signal.SIGKILL)
                daemon.stop()  # reaps it and closes its log

                # A third outlet's copy of the troop-plan dispatch, while the daemon is down.
                add_echo_item(echo, "echo-4480", "ECOWAS defence chiefs settle the troop plan for AFISMA | Echo Digest")
                restarted = harness.Daemon(config)
                second = payloads(sub.collect(lambda m: len(m) >= 1, timeout=30))
                second += payloads(sub.collect(lambda m: False, timeout=3))  # nothing else may follow

                # Reload: sahel stops collapsing; the next copy alerts, with its story.
                with open(config) as f:
                    text = f.read()
                text = text.replace("query = '@Mali OR @ECOWAS OR Sahel OR AFISMA'\n",
                                    "query = '@Mali OR @ECOWAS OR Sahel OR AFISMA'\ncollapse = \"none\"\n")
                with open(config + ".tmp", "w") as f:
                    f.write(text)
                os.replace(config + ".tmp", config)
                restarted.proc.send_signal(signal.SIGHUP)
                self.assertTrue(harness.wait_for_log(restarted, "reload: generation 2 live"), restarted.log_text())
                add_echo_item(echo, "echo-4481", "ECOWAS defence chiefs settle the troop plan for AFISMA :: Echo Plus")
                third = payloads(sub.collect(lambda m: len(m) >= 1, timeout=30))
            finally:
                code = 0
                if restarted is not None:
                    code, _ = restarted.stop()
                sub.close()
                server.stop()
                log = daemon.log_text() + (restarted.log_text() if restarted else "")

            self.assertEqual(code, 0, log)
            everything = first + second + third
            self.assertEqual([p["seq"] for _, p in everything], list(range(1, len(everything) + 1)),
                             "alerts, story updates and bursts share one seq line, none lost or repeated")

            # One alert per copy family and filter; the copies went out as story updates.
            alerts = [(t, p) for t, p in first if t.startswith("alert.")]
            updates = [(t, p) for t, p in first if t.startswith("story.")]
            self.assertEqual(len(updates), 4, updates)
            for topic, p in updates:
                filter_id = topic[len("story."):]
                story = p["story"]
                self.assertIsNotNone(story["copy_of"])
                self.assertGreaterEqual(story["sources"], 2)  # other outlets' articles may have joined
                family = [a for t, a in alerts if a["filter"] == filter_id and story["copy_of"] in
                          (a["item"]["id"], a["story"]["copy_of"])]
                self.assertEqual(len(family), 1, "exactly one alert of the copy family for %s" % filter_id)
                originals = family
                self.assertEqual(originals[0]["story"]["id"], story["id"])
                self.assertEqual(sorted([originals[0]["feed"], p["feed"]]), ["sahel-echo", "west-africa-wire"])
            for _, a in alerts:
                self.assertIn("story", a)
                self.assertRegex(a["item"]["language"], "^(en|und)$")
            self.assertEqual(scraped["newswatch_copies_total"], 2.0)
            self.assertEqual(scraped['newswatch_story_updates_total{filter="sahel"}'], 2.0)

            # The surge: a burst on the filter that expects two stories a day, and on no other.
            bursts = [p for t, p in first if t.startswith("burst.")]
            self.assertTrue(bursts)
            self.assertEqual({p["filter"] for p in bursts}, {"mali-surge"})
            self.assertGreaterEqual(bursts[-1]["count"], 3)
            self.assertGreaterEqual(bursts[-1]["sources"], 2)
            self.assertEqual(scraped['newswatch_bursts_total{level="watch"}'] +
                             scraped['newswatch_bursts_total{level="alert"}'], float(len(bursts)))

            # After the SIGKILL: the new copy collapses into the story alerted before it, and no
            # burst is announced again (the detector's state was committed with the alerts).
            self.assertEqual([t for t, _ in second], ["story.sahel"], second)
            troop = [a for _, a in alerts if a["filter"] == "sahel" and "troop plan" in a["item"]["title"]]
            self.assertEqual(second[0][1]["story"]["id"], troop[0]["story"]["id"])
            self.assertGreater(second[0][1]["story"]["size"], troop[0]["story"]["size"])

            # After the reload: collapse = "none" alerts the copy, story attached.
            self.assertEqual([t for t, _ in third], ["alert.sahel"], third)
            self.assertEqual(third[0][1]["story"]["id"], troop[0]["story"]["id"])
            self.assertIsNotNone(third[0][1]["story"]["copy_of"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
