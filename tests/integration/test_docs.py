"""The docs are the contract: every key of the shipped configs, and every key the config
reader accepts, is documented in docs/configuration.md; no file points to a document
outside the repository."""
import glob
import os
import re
import subprocess
import tomllib
import unittest

import harness

SRC = harness.SOURCE_DIR


def read(path):
    with open(os.path.join(SRC, path), encoding="utf-8") as f:
        return f.read()


def keys_of(table, prefix=""):
    """Every (section, key) in a parsed TOML document, arrays of tables included."""
    out = set()
    for k, v in table.items():
        if isinstance(v, dict):
            out |= keys_of(v, k)
        elif isinstance(v, list) and v and all(isinstance(e, dict) for e in v):
            for e in v:
                out |= keys_of(e, k)
        else:
            out.add((prefix, k))
    return out


# Names of documents users do not have, built from parts so this file is no such pointer itself.
OUTSIDE_POINTER = re.compile("|".join(re.escape(a + b) for a, b in
                                      (("DESIGN", ".md"), ("design ", "brief"), ("/work/", "shared"))))

class ConfigurationDoc(unittest.TestCase):
    def setUp(self):
        self.doc = read("docs/configuration.md")
        # The doc's sections: "## [fetch]" and "## [[feed]]" headings, each with its table.
        self.sections = {}
        for m in re.finditer(r"^## \[+([a-z_]+)\]+\n(.*?)(?=^## |\Z)", self.doc, re.M | re.S):
            self.sections[m.group(1)] = set(re.findall(r"^\| `([a-z_]+)` \|", m.group(2), re.M))

    def documented(self, section, key):
        return key in self.sections.get(section, set())

    def test_every_key_of_the_shipped_configs_is_documented(self):
        files = ["systemd/newswatch.toml"] + sorted(
            os.path.relpath(p, SRC) for p in glob.glob(os.path.join(SRC, "examples", "**", "*.toml"), recursive=True))
        self.assertGreater(len(files), 2)
        for path in files:
            text = read(path)
            keys = keys_of(tomllib.loads(text))
            # Keys shown commented out ("# curve_secret_key_file = ...") are shipped too.
            section = ""
            for line in text.splitlines():
                m = re.match(r"^(?:#\s*)?\[+([a-z_]+)\]+", line)
                if m:
                    section = m.group(1)
                m = re.match(r"^#\s*([a-z_]+)\s*=", line)
                if m:
                    keys.add((section, m.group(1)))
            for section, key in sorted(keys):
                self.assertTrue(self.documented(section, key),
                                "%s: [%s] %s is not in docs/configuration.md" % (path, section, key))

    def test_every_key_the_reader_accepts_is_documented(self):
        source = read("daemon/config.cpp")
        lists = re.findall(r'check_keys\(\s*t,\s*\{([^}]*)\},\s*"([a-z]+)"\)', source)
        self.assertGreaterEqual(len(lists), 9)
        for names, section in lists:
            for key in re.findall(r'"([a-z_]+)"', names):
                self.assertTrue(self.documented(section, key),
                                "[%s] %s is accepted by daemon/config.cpp but not in docs/configuration.md"
                                % (section, key))


class NoOutsidePointers(unittest.TestCase):
    def test_no_file_refers_to_the_design_brief(self):
        files = subprocess.run(["git", "ls-files"], cwd=SRC, capture_output=True, text=True).stdout.split()
        bad = []
        for f in files:
            if f.endswith((".png", ".xml", ".gz")) or f == "tests/integration/test_docs.py":
                continue
            try:
                text = read(f)
            except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
                continue
            if OUTSIDE_POINTER.search(text):
                bad.append(f)
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
