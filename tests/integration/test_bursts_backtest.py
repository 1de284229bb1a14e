"""`newswatch bursts`, the backtest: over a JSONL file of alert payloads (and stdin), over
the journal of a state database opened read-only, and on the demo surge of
examples/feeds/surge through `newswatch match`. No daemon: the tool stands alone.
"""
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

import harness

SURGE = os.path.join(harness.SOURCE_DIR, "examples", "feeds", "surge")

CONFIG = """
[daemon]
state_dir = "{state}"

[[entity]]
id = "Mali"
type = "country"

[[filter]]
id = "sahel"
query = 'Sahel OR @Mali'
expected_per_day = 2
"""


def alert(seq, when, feed, story, entities=()):
    return {"seq": seq, "filter": "sahel", "topic": "alert.sahel", "feed": feed,
            "detected_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "item": {"id": "item-%d" % seq, "title": "Story %s" % story, "link": "https://x.example/%d" % seq},
            "matches": [], "entities": list(entities),
            "story": {"id": story, "copy_of": None, "size": 1, "sources": 1}}


def history():
    """A quiet day, then eight stories from three feeds within two hours, then a storm of
    forty copies of one story."""
    t0 = datetime.datetime(2013, 1, 10, tzinfo=datetime.timezone.utc)
    out = [alert(1, t0 + datetime.timedelta(hours=2), "a", "old1"),
           alert(2, t0 + datetime.timedelta(hours=14), "b", "old2")]
    burst = t0 + datetime.timedelta(days=1, hours=8)
    for i in range(8):
        out.append(alert(len(out) + 1, burst + datetime.timedelta(minutes=15 * i), "abc"[i % 3], "s%d" % i, ["Mali"]))
    storm = t0 + datetime.timedelta(days=2, hours=8)
    for i in range(40):
        out.append(alert(len(out) + 1, storm + datetime.timedelta(minutes=i), "wire%d" % (i % 2), "dispatch"))
    return out


class BurstsBacktest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nw-bursts-")
        self.state = os.path.join(self.dir, "state")
        os.makedirs(self.state)
        self.config = os.path.join(self.dir, "newswatch.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(state=self.state))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_tool(self, *args, stdin=None):
        return subprocess.run([harness.NEWSWATCH, "bursts", "--config", self.config, *args], input=stdin,
                              capture_output=True, text=True, timeout=60)

    def check_bursts(self, stdout):
        bursts = [json.loads(line) for line in stdout.splitlines()]
        self.assertEqual([b["level"] for b in bursts], ["watch", "alert"])
        self.assertEqual([b["seq"] for b in bursts], [1, 2])
        for b in bursts:
            self.assertEqual(b["topic"], "burst.sahel")
            self.assertIsNone(b["entity"])
            self.assertEqual(b["started_at"], "2013-01-11T08:00:00Z")
            self.assertLessEqual(len(b["stories"]), 5)
        # Half the daily budget is the filter's own (its place series share the other half),
        # spread over a scan of 1..24h spans (10.4 tests an hour): p <= 2.0e-5 for watch,
        # 2.0e-7 for alert. The current hour counts as far as it has gone, and the flat
        # expected_per_day is tested with room for an unknown rhythm (+70 % an hour): at
        # 08:45 four stories against 0.75/12 (p = 5.0e-6) in the 1h span; at 09:15 six
        # against 1/12 + 0.25/12 (p = 2.4e-8) in the 2h span.
        self.assertEqual([b["window"] for b in bursts], ["1h", "2h"])
        self.assertEqual([b["count"] for b in bursts], [4, 6])
        self.assertEqual([b["detected_at"] for b in bursts], ["2013-01-11T08:45:00Z", "2013-01-11T09:15:00Z"])
        self.assertAlmostEqual(bursts[0]["expected"], 0.0625, places=4)
        self.assertAlmostEqual(bursts[1]["expected"], 0.104, places=3)
        # Nothing during the storm: one story however many copies.
        self.assertTrue(all(b["detected_at"] < "2013-01-12" for b in bursts))

    def test_file_and_stdin(self):
        path = os.path.join(self.dir, "alerts.jsonl")
        lines = [json.dumps(a) for a in history()]
        # A burst message in the input (as `tail --json burst. alert.` prints it) is passed over.
        lines.insert(3, json.dumps({"seq": 99, "filter": "sahel", "topic": "burst.sahel", "level": "watch"}))
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = self.run_tool("--input", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_bursts(r.stdout)
        self.assertIn("50 alerts replayed, 2 bursts", r.stderr)
        r = self.run_tool("--input", "-", stdin="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_bursts(r.stdout)

    def test_bad_lines_are_named_and_fail(self):
        path = os.path.join(self.dir, "alerts.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps(history()[0]) + "\nnot json\n")
        r = self.run_tool("--input", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("alerts.jsonl:2: not a JSON object", r.stderr)

    def test_journal_read_only(self):
        db_path = os.path.join(self.state, "newswatch.db")
        db = sqlite3.connect(db_path)
        db.execute("CREATE TABLE journal (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload TEXT NOT NULL,"
                   " created_at INTEGER NOT NULL)")
        for a in history():
            db.execute("INSERT INTO journal VALUES (?, ?, ?, 0)", (a["seq"], a["topic"], json.dumps(a)))
        db.execute("INSERT INTO journal VALUES (1000, 'burst.sahel', '{\"seq\":1000}', 0)")
        db.commit()
        db.close()
        before = os.stat(db_path).st_mtime_ns
        r = self.run_tool()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_bursts(r.stdout)
        self.assertEqual(os.stat(db_path).st_mtime_ns, before)

    def test_no_journal_is_an_error(self):
        r = self.run_tool()
        self.assertEqual(r.returncode, 1)
        self.assertIn("no journal at", r.stderr)

    def test_usage(self):
        r = self.run_tool("--bogus")
        self.assertEqual(r.returncode, 2)

    def test_demo_surge(self):
        config = os.path.join(SURGE, "bursts-demo.toml")
        payloads = ""
        for feed in ("bamako-daily", "niamey-post", "sahel-radio"):
            m = subprocess.run([harness.NEWSWATCH, "match", "--config", config, "--feed", feed,
                                os.path.join(SURGE, feed + ".xml")], capture_output=True, text=True, timeout=60)
            self.assertEqual(m.returncode, 0, m.stderr)
            payloads += m.stdout
        r = subprocess.run([harness.NEWSWATCH, "bursts", "--config", config, "--input", "-"], input=payloads,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        levels = [json.loads(line)["level"] for line in r.stdout.splitlines()]
        self.assertIn("alert", levels)


if __name__ == "__main__":
    unittest.main(verbosity=2)
