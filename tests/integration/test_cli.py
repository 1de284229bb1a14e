"""The command-line conventions of both binaries: --help/-h and `newswatch help SUB` exit 0
and list every option with its default; --version; `--opt=value` and `--opt value` alike;
usage errors exit 2 and name the bad word."""
import os
import re
import subprocess
import unittest

import harness

SUBCOMMANDS = ["tail", "parse", "match", "import-opml", "export-opml", "keygen"]


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30, **kw)


def cli(*args):
    return run(harness.NEWSWATCH, *args)


class Help(unittest.TestCase):
    def test_every_subcommand_has_help_listing_every_option_with_its_default(self):
        for sub in SUBCOMMANDS:
            for form in ([sub, "--help"], [sub, "-h"], ["help", sub]):
                r = cli(*form)
                self.assertEqual(r.returncode, 0, (form, r.stderr))
                self.assertIn("newswatch " + sub, r.stdout)
                self.assertIn("Exit codes:", r.stdout)
                for line in r.stdout.splitlines():
                    m = re.match(r"^\s+(--[a-z-]+)", line)
                    if m and m.group(1) not in ("--help",):
                        self.assertIn("(default: ", line, (sub, line))

    def test_daemon_help_and_version(self):
        r = run(harness.NEWSWATCHD, "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for opt in ("--config", "--check", "--once", "--log-level", "--version"):
            self.assertIn(opt, r.stdout)
        versions = [run(harness.NEWSWATCHD, "--version"), cli("--version")]
        for r in versions:
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout, r"^newswatchd? \d+\.\d+\.\d+\n$")

    def test_top_level_help_lists_every_subcommand(self):
        for form in (["--help"], ["help"], ["-h"]):
            r = cli(*form)
            self.assertEqual(r.returncode, 0)
            for sub in SUBCOMMANDS:
                self.assertIn("  " + sub + " ", r.stdout)


class UsageErrors(unittest.TestCase):
    def test_unknown_option_exits_2_naming_it(self):
        for sub in SUBCOMMANDS:
            r = cli(sub, "--no-such-option")
            self.assertEqual(r.returncode, 2, (sub, r.stderr))
            self.assertIn("--no-such-option", r.stderr)
            self.assertEqual(r.stdout, "")
        r = run(harness.NEWSWATCHD, "--no-such-option")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--no-such-option", r.stderr)

    def test_bad_values_exit_2_naming_the_option(self):
        for args, word in ((["tail", "--seconds", "x"], "--seconds"), (["tail", "--seconds=-1"], "--seconds"),
                           (["help", "nope"], "nope"), (["nope"], "nope"), (["match"], "FILE|URL"),
                           (["tail", "--since"], "--since")):
            r = cli(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(word, r.stderr, args)
        r = run(harness.NEWSWATCHD, "--log-level=loud")
        self.assertEqual(r.returncode, 2)
        self.assertIn("loud", r.stderr)
        self.assertEqual(cli().returncode, 2)


class OptionForms(unittest.TestCase):
    def test_equals_and_space_forms_agree_on_every_binary(self):
        with harness.tempdir() as d:
            config = os.path.join(d, "n.toml")
            with open(config, "w") as f:
                f.write('[daemon]\nstate_dir = "%s"\n[[feed]]\nid = "a"\nurl = "http://example.org/a.xml"\n' % d)
            for prog, args in ((harness.NEWSWATCH, ["export-opml"]), (harness.NEWSWATCHD, ["--check"])):
                a = run(prog, *args, "--config", config)
                b = run(prog, *args, "--config=" + config)
                self.assertEqual(a.returncode, 0, a.stderr)
                self.assertEqual((a.returncode, a.stdout), (b.returncode, b.stdout))
            a = cli("keygen", "--out", d, "--name", "k1")
            b = cli("keygen", "--out=" + d, "--name=k2")
            self.assertEqual((a.returncode, b.returncode), (0, 0), a.stderr + b.stderr)
            self.assertTrue(os.path.exists(os.path.join(d, "k2.key")))


class CheckCatchesWhatStartupWouldRefuse(unittest.TestCase):
    """newswatchd --check is the unit's ExecStartPre: what the daemon refuses, it refuses."""

    def check(self, d, text):
        config = os.path.join(d, "n.toml")
        with open(config, "w") as f:
            f.write(text)
        return run(harness.NEWSWATCHD, "--check", "--config", config)

    def test_each_problem_is_named(self):
        with harness.tempdir() as d:
            blocker = os.path.join(d, "file")
            open(blocker, "w").close()
            ok = '[daemon]\nstate_dir = "%s"\n' % os.path.join(d, "state", "deeper")
            self.assertEqual(self.check(d, ok).returncode, 0, self.check(d, ok).stderr)
            cases = [
                ('[daemon]\nstate_dir = "%s/sub"\n' % blocker, "state_dir"),
                ('[daemon]\nstate_dir = "%s"\n[publish]\nendpoint = "tcp://127.0.0.1:notaport"\n' % d, "notaport"),
                ('[daemon]\nstate_dir = "%s"\n[publish]\ncurve_secret_key_file = "%s/none.key"\n'
                 'curve_allowed_keys_dir = "%s"\n' % (d, d, d), "none.key"),
                ('[daemon]\nstate_dir = "%s"\n[publish]\ncurve_secret_key_file = "%s/none.key"\n' % (d, d),
                 "curve_allowed_keys_dir"),
                ('[daemon]\nstate_dir = "%s"\n[[filter]]\nid = "f"\nquery = "Mali"\ntopic = "sys.evil"\n' % d,
                 "sys.evil"),
            ]
            for text, word in cases:
                r = self.check(d, text)
                self.assertEqual(r.returncode, 1, (text, r.stdout, r.stderr))
                self.assertIn(word, r.stderr, text)


if __name__ == "__main__":
    unittest.main()
