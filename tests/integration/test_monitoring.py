"""examples/monitoring: the Prometheus alerting rules pass `promtool check rules` and their
own `promtool test rules`, and the rules and the Grafana dashboard name only metrics a real
daemon exports."""
import json
import os
import re
import shutil
import subprocess
import time
import unittest
import urllib.request

import harness

MONITORING = os.path.join(harness.SOURCE_DIR, "examples", "monitoring")
RULES = os.path.join(MONITORING, "newswatch-alerts.yml")
RULE_TESTS = os.path.join(MONITORING, "newswatch-alerts.test.yml")
DASHBOARD = os.path.join(MONITORING, "grafana-dashboard.json")


def exported_families():
    """The metric families of a running daemon with one feed that never succeeds."""
    with harness.tempdir() as tmp:
        port = harness.free_port()
        dead = '[[feed]]\nid = "dead"\nurl = "http://127.0.0.1:%d/none.xml"\n' % harness.free_port()
        config, _, _ = harness.fast_config(tmp, "http://127.0.0.1:%d" % harness.free_port(), extra=dead,
                                           metrics_port=port)
        daemon = harness.Daemon(config)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
                        text = r.read().decode()
                    if 'newswatch_feed_consecutive_failures{feed="dead"} 0' not in text:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("no failing feed in /metrics:\n" + daemon.log_text())
                time.sleep(0.2)
        finally:
            daemon.stop()
    return set(re.findall(r"(?m)^# TYPE (\S+) ", text))


def metric_names(expr):
    names = set()
    for name in re.findall(r"\bnewswatch_[a-z_]+", expr):
        names.add(re.sub(r"_(bucket|sum|count)$", "", name))
    return names


class Monitoring(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.families = exported_families()

    @unittest.skipUnless(shutil.which("promtool"), "promtool not installed (Debian package prometheus)")
    def test_promtool_checks_and_tests_the_rules(self):
        r = subprocess.run(["promtool", "check", "rules", RULES], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS: 6 rules found", r.stdout)
        r = subprocess.run(["promtool", "test", "rules", os.path.basename(RULE_TESTS)], cwd=MONITORING,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_rules_cover_what_operators_need_and_name_real_metrics(self):
        with open(RULES) as f:
            text = f.read()
        alerts = re.findall(r"(?m)^\s+- alert: (\S+)$", text)
        for needed in ("NewswatchFeedFailing", "NewswatchNoPoll", "NewswatchPublishDrops", "NewswatchReloadFailed"):
            self.assertIn(needed, alerts)
        for expr in re.findall(r"(?m)^\s+expr: (.+)$", text):
            for name in metric_names(expr):
                self.assertIn(name, self.families, expr)

    def test_dashboard_names_real_metrics(self):
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
        self.assertGreaterEqual(len(exprs), 10)
        used = set()
        for expr in exprs:
            used |= metric_names(expr)
        self.assertTrue(used)
        self.assertFalse(used - self.families, "not exported: %s" % sorted(used - self.families))
        for needed in ("newswatch_feed_consecutive_failures", "newswatch_alerts_total", "newswatch_fetches_total",
                       "newswatch_publish_dropped_total"):
            self.assertIn(needed, used)


if __name__ == "__main__":
    unittest.main(verbosity=2)
