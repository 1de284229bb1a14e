"""The Debian package: CPack builds newswatch_<version>_<arch>.deb from this build tree; its
files are where the systemd unit inside it looks for them, its config is a conffile, its
dependencies are declared, the unit is enabled the Debian way, and lintian finds no error."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BUILD_DIR = os.environ["NEWSWATCH_BUILD_DIR"]
NEWSWATCHD = os.environ["NEWSWATCHD"]


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=240, **kw)


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="newswatch-deb-")
        r = run("cpack", "-G", "DEB", "-B", cls.tmp, "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"))
        if r.returncode != 0:
            raise RuntimeError("cpack failed:\n" + r.stdout + r.stderr)
        version = run(NEWSWATCHD, "--version").stdout.split()[1]
        arch = run("dpkg", "--print-architecture").stdout.strip()
        cls.deb = os.path.join(cls.tmp, "newswatch_%s_%s.deb" % (version, arch))
        listing = run("dpkg-deb", "--contents", cls.deb)
        if listing.returncode != 0:
            raise RuntimeError("no %s: %s" % (cls.deb, os.listdir(cls.tmp)))
        # "./usr/sbin/newswatchd" -> "/usr/sbin/newswatchd"; directories end in "/".
        cls.files = {line.split()[5][1:] for line in listing.stdout.splitlines()}
        cls.unit_path = next(f for f in cls.files if f.endswith("/system/newswatch.service"))
        cls.unit = run("sh", "-c", "dpkg-deb --fsys-tarfile '%s' | tar -xOf - '.%s'" % (cls.deb, cls.unit_path)).stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def control(self, name):
        return run("sh", "-c", "dpkg-deb --ctrl-tarfile '%s' | tar -xOf - './%s'" % (self.deb, name)).stdout

    def test_unit_is_in_the_system_unit_dir(self):
        unit_dir = run("pkg-config", "systemd", "--variable=systemdsystemunitdir").stdout.strip() or "/lib/systemd/system"
        self.assertEqual(self.unit_path, unit_dir + "/newswatch.service")

    def test_every_path_the_unit_names_is_in_the_package(self):
        self.assertIn("ExecStart=", self.unit)
        paths = set()
        for key in ("ExecStart", "ExecStartPre"):
            for line in re.findall(r"^%s=(.*)$" % key, self.unit, re.M):
                words = line.split()
                paths.add(words[0])
                paths.update(w for i, w in enumerate(words) if i > 0 and words[i - 1] == "--config")
        self.assertEqual(paths, {"/usr/sbin/newswatchd", "/etc/newswatch/newswatch.toml"})
        for p in paths:
            self.assertIn(p, self.files)
        self.assertIn("ConfigurationDirectory=newswatch", self.unit)
        self.assertIn("/etc/newswatch/", self.files)
        for doc in re.findall(r"^Documentation=(.*)$", self.unit, re.M)[0].split():
            if doc.startswith("man:"):
                name, section = re.match(r"man:([\w.]+)\((\d)\)", doc).groups()
                self.assertIn("/usr/share/man/man%s/%s.%s.gz" % (section, name, section), self.files, doc)
            else:
                self.assertIn(doc[len("file://"):], self.files, doc)

    def test_fhs_places(self):
        for path in ("/usr/bin/newswatch", "/usr/sbin/newswatchd", "/usr/share/doc/newswatch/copyright",
                     "/usr/share/doc/newswatch/changelog.gz", "/usr/share/doc/newswatch/README.md",
                     "/usr/share/man/man1/newswatch.1.gz", "/usr/share/man/man8/newswatchd.8.gz",
                     "/usr/share/man/man5/newswatch.toml.5.gz", "/usr/share/newswatch/examples/demo.toml"):
            self.assertIn(path, self.files)
        self.assertFalse([f for f in self.files if f.startswith(("/usr/local", "/usr/etc", "/opt"))])

    def test_config_files_are_conffiles(self):
        etc = sorted(f for f in self.files if f.startswith("/etc/") and not f.endswith("/"))
        self.assertEqual(sorted(self.control("conffiles").split()), etc)

    def test_dependencies_are_declared(self):
        depends = run("dpkg-deb", "--field", self.deb, "Depends").stdout
        for lib in ("libc6", "libcurl4", "libzmq5", "libsqlite3-0", "libsystemd0", "libpugixml1v5"):
            self.assertIn(lib, depends)

    def test_unit_is_enabled_and_stopped_the_debian_way(self):
        postinst = self.control("postinst")
        self.assertIn("deb-systemd-helper enable newswatch.service", postinst)
        self.assertIn("deb-systemd-invoke", postinst)
        self.assertIn("deb-systemd-invoke stop newswatch.service", self.control("prerm"))
        self.assertIn("deb-systemd-helper purge newswatch.service", self.control("postrm"))

    def test_lintian_reports_no_errors(self):
        r = run("lintian", "--fail-on", "error", self.deb)
        errors = [l for l in r.stdout.splitlines() if l.startswith("E:")]
        self.assertEqual(errors, [])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
