"""`newswatch cluster` on fixture feeds (tests/fixtures/stories/feeds): copies across feeds,
a story joined by another article, the window, and the exit codes."""
import json
import os
import subprocess
import tempfile
import unittest

import harness

FIXTURES = os.path.join(harness.SOURCE_DIR, "tests", "fixtures", "stories")
WIRE = os.path.join(FIXTURES, "feeds", "wire.xml")
OUTLET = os.path.join(FIXTURES, "feeds", "outlet.xml")
CONFIG = os.path.join(FIXTURES, "cluster.toml")


def cluster(*args):
    p = subprocess.run([harness.NEWSWATCH, "cluster", *args], capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    return p.returncode, lines, p.stderr


class ClusterCli(unittest.TestCase):
    def test_copies_and_stories_across_feeds(self):
        code, lines, err = cluster("--config", CONFIG, WIRE, OUTLET)
        self.assertEqual(code, 0, err)
        by_id = {line["id"]: line for line in lines}
        self.assertEqual([line["id"] for line in lines],
                         ["wire-konna", "wire-serval", "wire-oil", "tag:outlet.example.org,2013:1",
                          "tag:outlet.example.org,2013:2", "tag:outlet.example.org,2013:3"])
        for line in lines:
            self.assertEqual(set(line), {"source", "id", "title", "language", "story"})
            self.assertEqual(set(line["story"]), {"id", "copy_of", "size", "sources", "first_seen", "first_feed"})
            self.assertEqual(len(line["story"]["id"]), 16)
        konna = by_id["wire-konna"]["story"]
        self.assertIsNone(konna["copy_of"])
        self.assertEqual(konna["size"], 1)
        self.assertEqual(konna["first_seen"], "2013-01-10T09:00:00Z")
        self.assertEqual(konna["first_feed"], WIRE)
        self.assertEqual(by_id["wire-konna"]["source"], WIRE)
        copy = by_id["tag:outlet.example.org,2013:1"]["story"]
        self.assertEqual(copy["copy_of"], "wire-konna")
        self.assertEqual(copy["id"], konna["id"])
        self.assertEqual((copy["size"], copy["sources"]), (2, 2))
        self.assertEqual(copy["first_feed"], WIRE)
        # Another article about the strikes joins their story without being a copy.
        joined = by_id["tag:outlet.example.org,2013:2"]["story"]
        self.assertIsNone(joined["copy_of"])
        self.assertEqual(joined["id"], by_id["wire-serval"]["story"]["id"])
        # The undated item arrives at the previous item's time; unrelated, its own story.
        self.assertNotIn(by_id["wire-oil"]["story"]["id"], (konna["id"], joined["id"]))
        # Nine days later the Konna dispatch is beyond the 72 h window: a story of its own.
        late = by_id["tag:outlet.example.org,2013:3"]["story"]
        self.assertIsNone(late["copy_of"])
        self.assertNotEqual(late["id"], konna["id"])

    def test_window_option(self):
        code, lines, err = cluster("--config", CONFIG, "--window", "30d", WIRE, OUTLET)
        self.assertEqual(code, 0, err)
        late = [line for line in lines if line["id"] == "tag:outlet.example.org,2013:3"][0]["story"]
        self.assertEqual(late["copy_of"], "wire-konna")
        self.assertEqual(late["size"], 3)
        code, lines, err = cluster("--config", CONFIG, "--window=1h", WIRE, OUTLET)
        self.assertEqual(code, 0, err)
        copy = [line for line in lines if line["id"] == "tag:outlet.example.org,2013:1"][0]["story"]
        # The strikes dispatch (a day later) pushed the Konna dispatch out of a one-hour window.
        self.assertIsNone(copy["copy_of"])

    def test_without_a_config_there_are_no_entities_but_copies_still_count(self):
        code, lines, err = cluster(WIRE, OUTLET)
        self.assertEqual(code, 0, err)
        copy = [line for line in lines if line["id"] == "tag:outlet.example.org,2013:1"][0]["story"]
        self.assertEqual(copy["copy_of"], "wire-konna")

    def test_exit_codes(self):
        self.assertEqual(cluster()[0], 2)
        self.assertEqual(cluster("--window", "soon", WIRE)[0], 2)
        self.assertEqual(cluster("--bogus", WIRE)[0], 2)
        code, lines, err = cluster(WIRE, "/nonexistent/feed.xml")
        self.assertEqual(code, 1)
        self.assertEqual(len(lines), 3)  # the readable feed is still clustered
        self.assertIn("/nonexistent/feed.xml", err)
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.toml")
            with open(bad, "w") as f:
                f.write("[stories]\nwindow = \"soon\"\n")
            code, _, err = cluster("--config", bad, WIRE)
            self.assertEqual(code, 1)
            self.assertIn("bad.toml:2:10:", err)
        p = subprocess.run([harness.NEWSWATCH, "cluster", "--help"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn("newswatch cluster", p.stdout)


if __name__ == "__main__":
    unittest.main()
