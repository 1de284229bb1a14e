"""newswatchd as a service: reload (SIGHUP and file changes), metrics and health,
shutdown timing, and the systemd unit's checks. Real processes and sockets on 127.0.0.1.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import harness

NEW_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Late desk</title><link>http://late.example.org/</link>
{items}
</channel></rss>
"""
ITEM = """<item><title>{title}</title><link>http://late.example.org/{guid}</link><guid>{guid}</guid>
<description>{text}</description></item>"""


def late_feed(path, items):
    body = "".join(ITEM.format(title=t, guid=g, text=x) for g, t, x in items)
    with open(path + ".tmp", "w") as f:
        f.write(NEW_ITEM.format(items=body))
    os.replace(path + ".tmp", path)


class ServiceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = harness.tempdir()
        self.feeds = os.path.join(self.tmp.name, "feeds")
        shutil.copytree(os.path.join(harness.SOURCE_DIR, "examples", "feeds"), self.feeds)
        late_feed(os.path.join(self.feeds, "late.xml"), [])
        self.server = harness.FeedServer(self.feeds, "--no-validators")
        self.pub_port = harness.free_port()
        self.replay_port = harness.free_port()
        self.metrics_port = harness.free_port()
        self.config = os.path.join(self.tmp.name, "newswatch.toml")
        self.write_config()
        self.sub = harness.Subscriber("tcp://127.0.0.1:%d" % self.pub_port, topics=("alert.", "sys.reload"))

    def write_config(self, extra="", drop=None, watch=False):
        text = harness.demo_config(self.server.base, self.pub_port, self.replay_port,
                                   os.path.join(self.tmp.name, "state"), metrics_port=self.metrics_port)
        text = text.replace('default_interval = "30s"', 'default_interval = "1s"').replace(
            'min_interval = "5s"', 'min_interval = "1s"').replace('interval = "1m"', 'interval = "1s"')
        text = text.replace('log_level = "info"', 'log_level = "info"\nwatch_config = %s' % ("true" if watch else "false"))
        text += '\n[[feed]]\nid = "late"\nurl = "%s/late.xml"\n' % self.server.base
        if drop:
            text = re.sub(r'\[\[feed\]\]\nid = "%s"\nurl = "[^"]*"\n(interval = "[^"]*"\n)?' % drop, "", text)
        text += extra
        with open(self.config + ".tmp", "w") as f:
            f.write(text)
        os.replace(self.config + ".tmp", self.config)

    def tearDown(self):
        self.sub.close()
        self.server.stop()
        self.tmp.cleanup()

    def collect_alerts(self, n, timeout=20):
        msgs = self.sub.collect(lambda m: sum(1 for x in m if x[0].startswith(b"alert.")) >= n, timeout)
        return msgs

    def wait_reload(self, timeout=20):
        msgs = self.sub.collect(lambda m: any(x[0] == b"sys.reload" for x in m), timeout)
        reloads = [json.loads(x[1]) for x in msgs if x[0] == b"sys.reload"]
        alerts = [x for x in msgs if x[0].startswith(b"alert.")]
        self.assertTrue(reloads, "a sys.reload message arrives")
        return reloads[0], alerts

    def scrape(self, path="/metrics"):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.metrics_port, path), timeout=5) as r:
                return r.status, r.headers.get("Content-Type"), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read().decode()

    def test_reload_valid_invalid_and_removed_feed(self):
        daemon = harness.Daemon(self.config)
        try:
            first = self.collect_alerts(8)
            self.assertEqual(len([m for m in first if m[0].startswith(b"alert.")]), 8)

            # A valid change: a new filter. It alerts on new items, without a restart. Another
            # new filter with a lower-case `and` is valid too, and the reload logs its warning.
            self.write_config('\n[[filter]]\nid = "niger"\nquery = \'Niger OR Niamey\'\n'
                              '\n[[filter]]\nid = "north"\nquery = \'Timbuktu and Gao\'\n')
            self.assertNotIn("reload: " + self.config, daemon.log_text())
            daemon.proc.send_signal(signal.SIGHUP)
            reload, stray = self.wait_reload()
            self.assertEqual(reload, {"ok": True, "errors": [], "generation": 2})
            self.assertRegex(daemon.log_text(), r"reload: %s:\d+:\d+: warning: .*\band\b" % re.escape(self.config))
            late_feed(os.path.join(self.feeds, "late.xml"),
                      [("late-1", "Niger and Mali agree joint patrols", "Officials met in Niamey.")])
            msgs = stray + self.collect_alerts(3 - len(stray))
            msgs += self.sub.collect(lambda m: False, 1.0)
            got = sorted((m[0].decode(), json.loads(m[1])["item"]["id"]) for m in msgs if m[0].startswith(b"alert."))
            self.assertEqual(got, [("alert.mali", "late-1"), ("alert.niger", "late-1"), ("alert.sahel", "late-1")])

            # An invalid change: the old snapshot keeps working, sys.reload says why.
            with open(self.config, "a") as f:
                f.write('\n[[filter]]\nid = "broken"\nquery = \'@Nowhere\'\n\n[scheduler]\nmax_backof = "1h"\n')
            daemon.proc.send_signal(signal.SIGHUP)
            reload, _ = self.wait_reload()
            self.assertFalse(reload["ok"])
            self.assertEqual(reload["generation"], 2)
            self.assertTrue(any(re.match(r"^%s:\d+:\d+: " % re.escape(self.config), e) for e in reload["errors"]),
                            reload["errors"])
            late_feed(os.path.join(self.feeds, "late.xml"),
                      [("late-1", "Niger and Mali agree joint patrols", "Officials met in Niamey."),
                       ("late-2", "Niamey hosts donor meeting", "Pledges for the Sahel.")])
            msgs = self.collect_alerts(2)
            msgs += self.sub.collect(lambda m: False, 1.0)
            got = sorted((m[0].decode(), json.loads(m[1])["item"]["id"]) for m in msgs if m[0].startswith(b"alert."))
            self.assertEqual(got, [("alert.niger", "late-2"), ("alert.sahel", "late-2")])

            # A removed feed stops being polled.
            self.write_config('\n[[filter]]\nid = "niger"\nquery = \'Niger OR Niamey\'\n', drop="culture-desk")
            daemon.proc.send_signal(signal.SIGHUP)
            reload, _ = self.wait_reload()
            self.assertTrue(reload["ok"], reload)
            # The reload is live once sys.reload is out; a fetch already in flight may still land.
            time.sleep(0.5)
            before = self.server.requests().get("culture-desk.xml", 0)
            late_before = self.server.requests().get("late.xml", 0)
            # Two more polls of another feed: the removed one had every chance to be polled too.
            deadline = time.monotonic() + 20
            while self.server.requests().get("late.xml", 0) < late_before + 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            counts = self.server.requests()
            self.assertEqual(counts.get("culture-desk.xml", 0), before, counts)
            self.assertGreater(counts.get("late.xml", 0), late_before, "other feeds keep polling")
        finally:
            code, _ = daemon.stop()
        self.assertEqual(code, 0, daemon.log_text())

    def test_reload_applies_fetch_settings_and_names_what_needs_a_restart(self):
        daemon = harness.Daemon(self.config)
        try:
            self.collect_alerts(8)
            # Fetch settings apply at the reload: with a 100-byte limit every feed is too large.
            # A new metrics address cannot (the socket is bound): the daemon says so and keeps
            # serving on the old one.
            self.write_config('\n[fetch]\nmax_body_size = "100"\n')
            with open(self.config) as f:
                text = f.read()
            with open(self.config, "w") as f:
                f.write(text.replace("127.0.0.1:%d" % self.metrics_port, "127.0.0.1:%d" % harness.free_port()))
            daemon.proc.send_signal(signal.SIGHUP)
            reload, _ = self.wait_reload()
            self.assertTrue(reload["ok"], reload)

            def too_large():
                _, _, body = self.scrape()
                return harness.metric_samples(body).get('newswatch_fetches_total{outcome="too_large"}', 0)

            deadline = time.monotonic() + 10
            while too_large() == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertGreater(too_large(), 0, "the new max_body_size governs the next fetches")
            waiting = re.findall(r"reload: (\S+) changed; it takes effect at the next restart", daemon.log_text())
            self.assertEqual(waiting, ["metrics.listen"], "only the bound socket waits for a restart")
        finally:
            code, _ = daemon.stop()
        self.assertEqual(code, 0, daemon.log_text())

    def test_config_file_change_reloads_without_signal(self):
        self.write_config(watch=True)
        daemon = harness.Daemon(self.config)
        try:
            self.collect_alerts(8)
            self.write_config('\n[[filter]]\nid = "chad"\nquery = \'Chad\'\n', watch=True)
            reload, _ = self.wait_reload()
            self.assertTrue(reload["ok"], reload)
            self.assertEqual(reload["generation"], 2)
        finally:
            daemon.stop()

    def test_metrics_and_health(self):
        daemon = harness.Daemon(self.config)
        try:
            self.collect_alerts(8)

            def settled():  # every feed fetched and every item counted (the alerts come first)
                got = harness.metric_samples(self.scrape()[2])
                return (got.get('newswatch_fetches_total{outcome="ok"}', 0) >= 4 and
                        got.get("newswatch_items_new_total", 0) >= 10)

            harness.wait_until(settled, time.monotonic() + 20)
            status, ctype, body = self.scrape()
            hstatus, _, hbody = self.scrape("/healthz")
            nstatus, _, _ = self.scrape("/nope")
        finally:
            daemon.stop()
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        self.assertEqual((hstatus, hbody), (200, "ok\n"))
        self.assertEqual(nstatus, 404)
        samples = harness.metric_samples(body)
        for name in ('newswatch_fetches_total{outcome="ok"}', 'newswatch_fetches_total{outcome="timeout"}',
                     "newswatch_items_new_total", 'newswatch_alerts_total{filter="sahel"}',
                     'newswatch_alerts_total{filter="algeria"}', "newswatch_publish_dropped_total",
                     "newswatch_feeds_failing", 'newswatch_reloads_total{result="ok"}',
                     'newswatch_reloads_total{result="error"}', "newswatch_match_duration_seconds_count",
                     "newswatch_parse_duration_seconds_count", "newswatch_fetched_bytes_total",
                     "newswatch_items_parsed_total", "newswatch_snapshot_generation",
                     "newswatch_batches_unrecorded_total",
                     'newswatch_feed_last_success_timestamp_seconds{feed="un-africa"}'):
            self.assertIn(name, samples, name)
        self.assertGreaterEqual(samples['newswatch_fetches_total{outcome="ok"}'], 4)
        self.assertEqual(samples['newswatch_alerts_total{filter="sahel"}'], 5)
        self.assertEqual(samples['newswatch_alerts_total{filter="mali"}'], 2)
        self.assertEqual(samples["newswatch_items_new_total"], 10)
        self.assertEqual(samples["newswatch_batches_unrecorded_total"], 0)
        self.assertGreater(samples["newswatch_match_duration_seconds_count"], 0)
        self.assertEqual(samples['newswatch_match_duration_seconds_bucket{le="+Inf"}'],
                         samples["newswatch_match_duration_seconds_count"])
        self.assertAlmostEqual(samples['newswatch_feed_last_success_timestamp_seconds{feed="un-africa"}'],
                               time.time(), delta=60)

    def test_sigterm_with_a_hanging_fetch_exits_within_five_seconds(self):
        hang = socket.socket()
        hang.bind(("127.0.0.1", 0))
        hang.listen(16)  # completes handshakes, never answers
        conn = None
        try:
            self.write_config('\n[[feed]]\nid = "hangs"\nurl = "http://127.0.0.1:%d/feed.xml"\n' % hang.getsockname()[1])
            daemon = harness.Daemon(self.config)
            self.collect_alerts(8)
            hang.settimeout(10)
            conn, _ = hang.accept()  # the hanging fetch is really in flight
            code, took = daemon.stop(signal.SIGTERM)
        finally:
            if conn is not None:
                conn.close()
            hang.close()
        self.assertEqual(code, 0, daemon.log_text())
        self.assertLess(took, 5.0)
        self.assertGreaterEqual(took, 1.5)  # it did wait out shutdown_grace (2 s) for that fetch


class Logging(unittest.TestCase):
    def test_journald_form_has_priorities_and_no_timestamps(self):
        with harness.tempdir() as d:
            config = os.path.join(d, "n.toml")
            with open(config, "w") as f:
                f.write('[daemon]\nstate_dir = "%s"\n[publish]\nendpoint = "tcp://127.0.0.1:%d"\n'
                        '[metrics]\nlisten = ""\n[[feed]]\nid = "dead"\nurl = "http://127.0.0.1:%d/x.xml"\n'
                        % (os.path.join(d, "state"), harness.free_port(), harness.free_port()))
            env = dict(os.environ, JOURNAL_STREAM="8:12345")
            r = subprocess.run([harness.NEWSWATCHD, "--config", config, "--once"], env=env,
                               capture_output=True, text=True, timeout=60)
        lines = r.stderr.splitlines()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[0-7]>[^0-9<]", "syslog priority prefix, no timestamp: %r" % line)
        self.assertTrue(any(l.startswith("<4>feed dead: ") for l in lines), lines)


class Install(unittest.TestCase):
    def test_cmake_install_puts_files_in_fhs_places(self):
        build_dir = os.path.dirname(os.path.dirname(harness.NEWSWATCHD))
        with harness.tempdir() as d:
            r = subprocess.run(["cmake", "--install", build_dir, "--prefix", "/usr"], env=dict(os.environ, DESTDIR=d),
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            # The places the unit (systemd/newswatch.service) and the Debian package use.
            for path in ("usr/sbin/newswatchd", "usr/bin/newswatch", "lib/systemd/system/newswatch.service",
                         "etc/newswatch/newswatch.toml", "usr/share/newswatch/examples/demo.toml",
                         "usr/share/man/man8/newswatchd.8.gz", "usr/share/man/man1/newswatch.1.gz",
                         "usr/share/man/man5/newswatch.toml.5.gz", "usr/share/doc/newswatch/README.md",
                         "usr/share/doc/newswatch/configuration.md", "usr/share/doc/newswatch/copyright"):
                self.assertTrue(os.path.exists(os.path.join(d, path)), path)
            with open(os.path.join(d, "lib/systemd/system/newswatch.service")) as f:
                unit = f.read()
            self.assertIn("ExecStart=/usr/sbin/newswatchd --config /etc/newswatch/newswatch.toml", unit)
            self.assertTrue(os.access(os.path.join(d, "usr/sbin/newswatchd"), os.X_OK))


class SystemdUnit(unittest.TestCase):
    UNIT = os.path.join(harness.SOURCE_DIR, "systemd", "newswatch.service")

    def test_security_exposure_at_most_2(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=true", self.UNIT],
                           capture_output=True, text=True, timeout=60)
        m = re.search(r"Overall exposure level for newswatch.service: (\d+\.\d+)", r.stdout)
        self.assertTrue(m, r.stdout + r.stderr)
        self.assertLessEqual(float(m.group(1)), 2.0, r.stdout)

    def test_verify_is_clean(self):
        with harness.tempdir() as d:
            with open(self.UNIT) as f:
                unit = f.read().replace("/usr/sbin/newswatchd", harness.NEWSWATCHD)
            path = os.path.join(d, "newswatch.service")
            with open(path, "w") as f:
                f.write(unit)
            # The unit's Documentation= names man pages: verify runs `man` on them, so point it
            # at the ones this build made.
            build_dir = os.path.dirname(os.path.dirname(harness.NEWSWATCHD))
            env = dict(os.environ, MANPATH=os.path.join(build_dir, "packaging", "man"))
            r = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True, timeout=60,
                               env=env)
        noise = [l for l in (r.stdout + r.stderr).splitlines() if l.strip() and "newswatch" in l]
        self.assertEqual(noise, [])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_unit_declares_the_service_contract(self):
        with open(self.UNIT) as f:
            unit = f.read()
        for line in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "StateDirectory=newswatch",
                     "ConfigurationDirectory=newswatch", "RuntimeDirectory=newswatch", "DynamicUser=yes",
                     "ProtectSystem=strict", "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service",
                     "WatchdogSec="):
            self.assertIn(line, unit)


if __name__ == "__main__":
    unittest.main(verbosity=2)
