"""GET /feeds and `newswatch status`: each feed's state as the running daemon sees it, a
feed that has never succeeded included."""
import json
import os
import subprocess
import time
import unittest
import urllib.request

import harness


class Status(unittest.TestCase):
    def test_feeds_report_and_status_table(self):
        with harness.tempdir() as tmp:
            server = harness.FeedServer(os.path.join(harness.SOURCE_DIR, "examples", "feeds"))
            metrics_port = harness.free_port()
            dead = '[[feed]]\nid = "dead"\nurl = "http://127.0.0.1:%d/none.xml"\n' % harness.free_port()
            config, _, _ = harness.fast_config(tmp, server.base, extra=dead, feeds_interval="1h",
                                               metrics_port=metrics_port)
            daemon = harness.Daemon(config)
            try:
                deadline = time.monotonic() + 30
                report = []
                while time.monotonic() < deadline:
                    try:
                        with urllib.request.urlopen("http://127.0.0.1:%d/feeds" % metrics_port, timeout=5) as r:
                            self.assertEqual(r.headers["Content-Type"], "application/json")
                            report = json.loads(r.read())
                    except OSError:
                        report = []
                    by_id = {f["id"]: f for f in report}
                    if by_id.get("dead", {}).get("consecutive_failures") and by_id.get("un-africa", {}).get(
                            "last_success"):
                        break
                    time.sleep(0.2)
                by_id = {f["id"]: f for f in report}
                self.assertIn("dead", by_id, report)
                self.assertIn("un-africa", by_id, report)
                ok, bad = by_id["un-africa"], by_id["dead"]
                self.assertEqual(ok["state"], "ok", report)
                self.assertEqual(ok["last_status"], "ok")
                self.assertEqual(ok["consecutive_failures"], 0)
                self.assertRegex(ok["last_success"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
                self.assertRegex(ok["next_due"] or "", r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
                self.assertTrue(ok["url"].startswith(server.base))
                self.assertEqual(bad["state"], "failing", report)
                self.assertEqual(bad["last_status"], "connect_error")
                self.assertIsNone(bad["last_success"])
                # /metrics shows the feed that has never succeeded too, not only the ones that did.
                samples = harness.scrape_metrics(metrics_port)
                self.assertGreaterEqual(samples['newswatch_feed_consecutive_failures{feed="dead"}'], 1)
                self.assertEqual(samples['newswatch_feed_consecutive_failures{feed="un-africa"}'], 0)
                self.assertEqual(samples['newswatch_feed_last_success_timestamp_seconds{feed="dead"}'], 0)
                self.assertEqual(samples['newswatch_feed_gone{feed="dead"}'], 0)

                table = subprocess.run([harness.NEWSWATCH, "status", "--config", config], capture_output=True,
                                       text=True, timeout=30)
                self.assertEqual(table.returncode, 0, table.stderr)
                lines = table.stdout.splitlines()
                self.assertTrue(lines[0].startswith("FEED"), lines)
                dead_line = next(l for l in lines if l.startswith("dead "))
                self.assertIn("failing", dead_line)
                self.assertIn("connect_error", dead_line)
                as_json = subprocess.run([harness.NEWSWATCH, "status", "--config=" + config, "--json"],
                                         capture_output=True, text=True, timeout=30)
                self.assertEqual(as_json.returncode, 0, as_json.stderr)
                self.assertEqual(sorted(f["id"] for f in json.loads(as_json.stdout)), sorted(by_id))
            finally:
                code, _ = daemon.stop()
                server.stop()
            self.assertEqual(code, 0, daemon.log_text())

    def test_no_daemon_is_a_clear_error(self):
        r = subprocess.run([harness.NEWSWATCH, "status", "--url", "http://127.0.0.1:%d/feeds" % harness.free_port()],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is newswatchd running?", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
