"""What a new user met when trying newswatch (issue 19 items 5-14), each tried the same way
again: one test per finding, run against the real binaries."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import unittest
import xml.parsers.expat

import harness

FEEDS = os.path.join(harness.SOURCE_DIR, "examples", "feeds")
UN_AFRICA = os.path.join(FEEDS, "un-africa.xml")
NO_CONFIG = "/nonexistent/newswatch-test/newswatch.toml"


def run(*args, **kw):
    kw.setdefault("timeout", 60)
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def cli(*args, **kw):
    return run(harness.NEWSWATCH, *args, **kw)


def check(config):
    return run(harness.NEWSWATCHD, "--check", "--config", config)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


ONE_ITEM_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>One</title><link>http://example.org/</link>
<item><guid>one-1</guid><title>Mali talks resume</title><link>http://example.org/1</link>
<description>Negotiators met in Bamako.</description></item>
</channel></rss>
"""


class MatchQueryAndEffectiveConfig(unittest.TestCase):
    """Item 5: one query tried without a config; the merged config printed."""

    def test_match_query_needs_no_config(self):
        r = cli("match", "--query", "Mali OR Sahel", UN_AFRICA)
        self.assertEqual(r.returncode, 0, r.stderr)
        alerts = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertTrue(alerts, "the demo feed mentions Mali")
        for a in alerts:
            self.assertEqual(a["filter"], "query")
            self.assertEqual(a["topic"], "alert.query")
            for m in a["matches"]:
                text = a["item"][m["field"]][m["offset"]:m["offset"] + m["length"]]
                self.assertIn(text.lower(), ("mali", "sahel"))

    def test_match_query_error_points_into_the_query(self):
        r = cli("match", "--query", "Mali AND", UN_AFRICA)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^--query:1:\d+: filter 'query': expected a term after AND")

    def test_match_query_borrows_entities_from_an_explicit_config(self):
        demo = os.path.join(harness.SOURCE_DIR, "examples", "demo.toml")
        r = cli("match", "--config", demo, "--query", "@Mali", UN_AFRICA)
        self.assertEqual(r.returncode, 0, r.stderr)
        alerts = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertTrue(alerts)
        self.assertTrue(all(a["entities"] == ["Mali"] for a in alerts), alerts)
        r = cli("match", "--query", "@Mali", UN_AFRICA)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown entity '@Mali' (no [[entity]] is defined)", r.stderr)

    def test_config_prints_the_merged_effective_config(self):
        with harness.tempdir() as d:
            main = write(os.path.join(d, "newswatch.toml"),
                         '[daemon]\nstate_dir = "%s"\n[[feed]]\nid = "a"\nurl = "http://example.org/a.xml"\n' % d)
            write(os.path.join(d, "conf.d", "filters.toml"), "[[filter]]\nid = \"mali\"\nquery = 'Mali'\n")
            r = cli("config", "--config", main)
            self.assertEqual(r.returncode, 0, r.stderr)
            text = r.stdout
            for needle in ("[daemon]", "[publish]", 'endpoint = "tcp://127.0.0.1:7600"', "[scheduler]",
                           'default_interval = "5m"', "[[feed]]", "[[filter]]", 'topic = "alert.mali"',
                           os.path.join(d, "conf.d", "filters.toml")):
                self.assertIn(needle, text)
            again = write(os.path.join(d, "again", "newswatch.toml"), text)
            self.assertEqual(check(again).returncode, 0, check(again).stderr)
            r2 = cli("config", "--config=" + again)
            self.assertEqual(r2.stdout.split("\n\n", 1)[1], text.split("\n\n", 1)[1], "idempotent")
            bad = write(os.path.join(d, "bad", "newswatch.toml"), '[scheduler]\ndefault_interval = "soon"\n')
            r3 = cli("config", "--config", bad)
            self.assertEqual(r3.returncode, 1)
            self.assertIn(bad + ":2:", r3.stderr)
            self.assertEqual(r3.stdout, "")


class ConfigIsAFile(unittest.TestCase):
    """Item 6: a directory as --config, an empty config file."""

    def test_directory_is_refused_by_check_and_daemon(self):
        with harness.tempdir() as d:
            for args in (["--check"], ["--once"]):
                r = run(harness.NEWSWATCHD, "--config", d, *args)
                self.assertEqual(r.returncode, 1, (args, r.stdout, r.stderr))
                self.assertIn("is a directory", r.stderr)

    def test_empty_file_passes_with_a_warning(self):
        with harness.tempdir() as d:
            path = write(os.path.join(d, "newswatch.toml"), "")
            r = check(path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("ok: 0 feeds", r.stdout)
            self.assertIn(path + ":1:1: warning: nothing is configured", r.stderr)


class ExportOpml(unittest.TestCase):
    """Item 7: the export is well-formed XML for strict readers."""

    def test_strict_readers_accept_the_export(self):
        demo = os.path.join(harness.SOURCE_DIR, "examples", "demo.toml")
        r = cli("export-opml", "--config", demo)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("<?xml"), 1, r.stdout)
        parser = xml.parsers.expat.ParserCreate()
        parser.Parse(r.stdout.encode(), True)  # raises on a second declaration
        if shutil.which("xmllint"):
            x = run("xmllint", "--noout", "-", input=r.stdout)
            self.assertEqual(x.returncode, 0, x.stderr)


class FeedSources(unittest.TestCase):
    """Item 8: file:// URLs, '-' for stdin, unsupported schemes, the reason a file cannot be read."""

    def test_file_url_and_stdin_read_like_a_path(self):
        by_path = cli("parse", UN_AFRICA)
        self.assertEqual(by_path.returncode, 0, by_path.stderr)
        by_url = cli("parse", "file://" + UN_AFRICA)
        self.assertEqual(by_url.returncode, 0, by_url.stderr)
        self.assertEqual(by_url.stdout, by_path.stdout)
        with open(UN_AFRICA) as f:
            by_stdin = cli("parse", "-", stdin=f)
        self.assertEqual(by_stdin.returncode, 0, by_stdin.stderr)
        self.assertEqual(by_stdin.stdout, by_path.stdout)
        m_url = cli("match", "--query", "Mali", "file://" + UN_AFRICA)
        m_path = cli("match", "--query", "Mali", UN_AFRICA)
        self.assertEqual(m_url.returncode, 0, m_url.stderr)
        self.assertEqual(len(m_url.stdout.splitlines()), len(m_path.stdout.splitlines()))

    def test_unsupported_scheme_and_missing_file_say_why(self):
        r = cli("parse", "ftp://example.org/feed.xml")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unsupported scheme 'ftp'", r.stderr)
        r = cli("match", "--query", "Mali", "gopher://example.org/feed")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unsupported scheme 'gopher'", r.stderr)
        r = cli("parse", "/nonexistent/feed.xml")
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/feed.xml: No such file or directory", r.stderr)
        r = cli("parse", "file:///nonexistent/feed.xml")
        self.assertIn("No such file or directory", r.stderr)
        r = cli("parse", FEEDS)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Is a directory", r.stderr)


class CheckReportsEverything(unittest.TestCase):
    """Items 10 and 11: every problem at once in line order; warnings for what is valid but
    probably not meant."""

    def test_errors_in_line_order_and_a_bad_interval_hides_nothing(self):
        with harness.tempdir() as d:
            path = write(os.path.join(d, "newswatch.toml"),
                         '[daemon]\nstate_dir = "%s"\n'
                         '[[filter]]\nid = "f"\nquery = "Mali AND"\n'
                         '[[feed]]\nid = "a"\nurl = "http://example.org/a.xml"\ninterval = "soon"\n'
                         '[publish]\nendpoint = "tcp://127.0.0.1:notaport"\n' % d)
            r = check(path)
            self.assertEqual(r.returncode, 1)
            lines = r.stderr.splitlines()
            self.assertEqual([int(l.split(":")[1]) for l in lines], [5, 9, 11], lines)

    def test_warnings_and_suggestions(self):
        with harness.tempdir() as d:
            path = write(os.path.join(d, "newswatch.toml"),
                         '[daemon]\nstate_dir = "%s"\n[[entity]]\nid = "Mali"\n'
                         "[[filter]]\nid = \"f\"\nquery = 'Mali and Niger'\ntopic = \"news.sahel\"\n" % d)
            r = check(path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(path + ":7:15: warning: filter 'f': 'and' is searched as a word", r.stderr)
            self.assertIn(path + ":8:9: warning: filter 'f': topic 'news.sahel' does not start with 'alert.'", r.stderr)
            with open(path, "a") as f:
                f.write("[[filter]]\nid = \"g\"\nquery = '@Malii'\n")
            r = check(path)
            self.assertEqual(r.returncode, 1)
            self.assertIn("unknown entity '@Malii'; did you mean '@Mali'?", r.stderr)


class TailSaysWhatItWaitsFor(unittest.TestCase):
    """Item 12: no daemon is not a silent wait; a bad endpoint is named."""

    def test_no_daemon(self):
        pub, replay = harness.free_port(), harness.free_port()
        args = ["tail", "--config", NO_CONFIG, "--endpoint", "tcp://127.0.0.1:%d" % pub,
                "--replay", "tcp://127.0.0.1:%d" % replay]
        r = cli(*args, "--seconds", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("waiting for tcp://127.0.0.1:%d" % pub, r.stderr)
        started = time.monotonic()
        r = cli(*args, "--since", "0", "--wait", "2", "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertLess(time.monotonic() - started, 15)
        self.assertIn("replay endpoint tcp://127.0.0.1:%d did not answer within 2s" % replay, r.stderr)
        self.assertEqual(r.stdout, "")

    def test_bad_endpoint_is_named(self):
        r = cli("tail", "--endpoint", "foo", "--replay", "", "--seconds", "1")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--endpoint 'foo' is not a ZeroMQ endpoint", r.stderr)
        r = cli("tail", "--endpoint", "tcp://127.0.0.1:%d" % harness.free_port(), "--replay", "tcp://nowhere",
                "--since", "0", "--seconds", "1")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--replay 'tcp://nowhere'", r.stderr)
        r = cli("tail", "--seconds", "x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--seconds", r.stderr)


class ControlCharactersAreEscaped(unittest.TestCase):
    """Item 13: bytes from input never reach the terminal raw."""

    def assert_clean(self, text):
        for ch in text:
            code = ord(ch)
            self.assertFalse(code < 0x20 and ch not in "\n\t", repr(text))
            self.assertFalse(0x7F <= code <= 0x9F, repr(text))

    def test_feed_and_config_errors(self):
        with harness.tempdir() as d:
            feed = os.path.join(d, "evil.xml")
            with open(feed, "wb") as f:
                f.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><x\u009b31mred\u0085/>".encode())
            r = run(harness.NEWSWATCH, "parse", feed)
            self.assertEqual(r.returncode, 1)
            self.assert_clean(r.stderr)
            self.assertIn("\\u009b", r.stderr)
            config = write(os.path.join(d, "n.toml"),
                           # TOML escapes: the file itself is valid text, the url it gives is not.
                           '[[feed]]\nid = "a"\nurl = "gopher://x/\\u001b[2J\\u009b"\n')
            r = check(config)
            self.assertEqual(r.returncode, 1)
            self.assert_clean(r.stderr)
            self.assertIn("\\x1b[2J\\u009b", r.stderr)
            # The daemon's log escapes the same message when its fetch of the feed fails to parse.
            daemon_config = write(os.path.join(d, "d.toml"),
                                  '[daemon]\nstate_dir = "%s/state"\n[publish]\nendpoint = "tcp://127.0.0.1:%d"\n'
                                  'replay_endpoint = ""\n[metrics]\nlisten = ""\n[fetch]\nallow_file_urls = true\n'
                                  '[[feed]]\nid = "evil"\nurl = "file://%s"\n' % (d, harness.free_port(), feed))
            r = run(harness.NEWSWATCHD, "--config", daemon_config, "--once")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assert_clean(r.stderr)
            self.assertIn("\\u009b", r.stderr)
            r = cli("parse", "ftp://\u001b]0;title\u0007")
            self.assertEqual(r.returncode, 1)
            self.assert_clean(r.stderr)
            r = cli("no\u001bsuch")
            self.assertEqual(r.returncode, 2)
            self.assert_clean(r.stderr)


class DaemonLogs(unittest.TestCase):
    """Item 14: timestamps with a zone, reloads named as such, singular counts, a private
    state database."""

    def test_once_logs_and_state_database_mode(self):
        with harness.tempdir() as d:
            feed = write(os.path.join(d, "one.xml"), ONE_ITEM_FEED)
            config = write(os.path.join(d, "newswatch.toml"),
                           '[daemon]\nstate_dir = "%s/state"\n[publish]\nendpoint = "tcp://127.0.0.1:%d"\n'
                           'replay_endpoint = ""\n[metrics]\nlisten = ""\n[fetch]\nallow_file_urls = true\n'
                           '[[feed]]\nid = "one"\nurl = "file://%s"\n[[filter]]\nid = "mali"\nquery = "Mali"\n'
                           % (d, harness.free_port(), feed))
            env = dict(os.environ)
            env.pop("JOURNAL_STREAM", None)
            r = subprocess.run([harness.NEWSWATCHD, "--config", config, "--once"], capture_output=True, text=True,
                               timeout=60, env=env, preexec_fn=lambda: os.umask(0o022))
            self.assertEqual(r.returncode, 0, r.stderr)
            first = r.stderr.splitlines()[0]
            self.assertRegex(first, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d info ")
            self.assertIn("feed one: 1 new item, 1 alert", r.stderr)
            self.assertIn("poll cycle done: 1 alert published", r.stderr)
            mode = stat.S_IMODE(os.stat(os.path.join(d, "state", "newswatch.db")).st_mode)
            self.assertIn(mode, (0o600, 0o640), oct(mode))
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, "state")).st_mode) & 0o007, 0)

    def test_sighup_reload_is_logged_as_such(self):
        with harness.tempdir() as d:
            config = write(os.path.join(d, "newswatch.toml"),
                           '[daemon]\nstate_dir = "%s/state"\nwatch_config = false\n[publish]\n'
                           'endpoint = "tcp://127.0.0.1:%d"\nreplay_endpoint = ""\n[metrics]\nlisten = ""\n'
                           % (d, harness.free_port()))
            daemon = harness.Daemon(config)
            try:
                self.assertTrue(harness.wait_for_log(daemon, "newswatchd started"), daemon.log_text())
                daemon.proc.send_signal(signal.SIGHUP)
                self.assertTrue(harness.wait_for_log(daemon, "reload: generation 2 live"), daemon.log_text())
            finally:
                code, _ = daemon.stop()
            log = daemon.log_text()
            self.assertEqual(code, 0, log)
            self.assertIn("SIGHUP: reloading", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
