"""examples/clients: the Python (pyzmq) and Node (zeromq 6) subscribers follow a real CURVE
daemon: started before it, they print every alert once in seq order as it goes live; started
again with a saved seq, they replay exactly what came after it."""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

import harness

CLIENTS = os.path.join(harness.SOURCE_DIR, "examples", "clients")
PYTHON_CLIENT = os.path.join(CLIENTS, "python", "newswatch_follow.py")
NODE_CLIENT = os.path.join(CLIENTS, "node", "newswatch_follow.js")
NODE_DIR = os.environ.get("NEWSWATCH_NODE_CLIENT_DIR", os.path.join(harness.BUILD_DIR, "node-client"))
EXPECTED_ALERTS = 8  # the demo feeds and filters give eight alerts, seq 1..8


def keygen(directory, name):
    r = subprocess.run([harness.NEWSWATCH, "keygen", "--out", directory, "--name", name],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return os.path.join(directory, name + ".key"), os.path.join(directory, name + ".pub")


def install_node_client():
    """npm install of the client's package.json (zeromq 6, whose npm tarball carries prebuilt
    binaries) into the build tree; returns its node_modules, or raises SkipTest saying why."""
    node, npm = shutil.which("node") or shutil.which("nodejs"), shutil.which("npm")
    if not node or not npm:
        raise unittest.SkipTest("node and npm are not installed (Debian: nodejs npm)")
    modules = os.path.join(NODE_DIR, "node_modules")
    probe = [node, "-e", "require('zeromq')"]
    env = dict(os.environ, NODE_PATH=modules)
    if subprocess.run(probe, env=env, capture_output=True, timeout=60).returncode != 0:
        os.makedirs(NODE_DIR, exist_ok=True)
        shutil.copy(os.path.join(CLIENTS, "node", "package.json"), NODE_DIR)
        r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0 or subprocess.run(probe, env=env, capture_output=True, timeout=60).returncode != 0:
            raise unittest.SkipTest("npm could not install zeromq@6 here: %s" % (r.stderr.strip()[-500:] or "?"))
    return node, modules


class Clients(unittest.TestCase):
    def follow(self, command, env=None):
        with harness.tempdir() as tmp:
            keys, allowed = os.path.join(tmp, "keys"), os.path.join(tmp, "allowed")
            os.makedirs(allowed)
            server_key, server_pub = keygen(keys, "server")
            client_key, client_pub = keygen(keys, "desk")
            os.link(client_pub, os.path.join(allowed, "desk.pub"))
            server = harness.FeedServer(os.path.join(harness.SOURCE_DIR, "examples", "feeds"))
            config, pub, replay = harness.fast_config(tmp, server.base, feeds_interval="1h")
            with open(config) as f:
                text = f.read()
            with open(config, "w") as f:
                f.write(text.replace("replay_endpoint = ", 'curve_secret_key_file = "%s"\ncurve_allowed_keys_dir = "%s"\n'
                                     "replay_endpoint = " % (server_key, allowed), 1))
            state = os.path.join(tmp, "seq")
            args = command + ["--endpoint", pub, "--replay", replay, "--curve-server-key", server_pub,
                              "--curve-secret-key", client_key, "--state-file", state]
            # Started before the daemon: the first replay waits for it, then alerts come live.
            live = subprocess.Popen(args + ["--timeout", "60", "--seconds", "20"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env)
            time.sleep(0.5)
            daemon = harness.Daemon(config)
            try:
                out, err = live.communicate(timeout=90)
                with open(state) as f:
                    saved = int(f.read())
                with open(state, "w") as f:
                    f.write("3\n")
                resumed = subprocess.run(args + ["--seconds", "3"], capture_output=True, text=True, timeout=60,
                                         env=env)
                again = subprocess.run(args + ["--seconds", "2"], capture_output=True, text=True, timeout=60, env=env)
                unauthorised = subprocess.run(command + ["--endpoint", pub, "--replay", replay, "--since", "0",
                                                         "--timeout", "2", "--seconds", "3"],
                                              capture_output=True, text=True, timeout=60, env=env)
            finally:
                if live.poll() is None:
                    live.kill()
                    live.communicate()
                code, _ = daemon.stop()
                server.stop()
            log = daemon.log_text()
        self.assertEqual(code, 0, log)
        self.assertEqual(live.returncode, 0, err)
        seqs = [json.loads(line)["seq"] for line in out.splitlines()]
        self.assertEqual(seqs, list(range(1, EXPECTED_ALERTS + 1)), err)
        self.assertGreaterEqual(saved, EXPECTED_ALERTS)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertEqual([json.loads(line)["seq"] for line in resumed.stdout.splitlines()],
                         list(range(4, EXPECTED_ALERTS + 1)), resumed.stderr)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, "", "nothing twice")
        # Without keys the CURVE daemon does not answer: a clear failure, not a hang.
        self.assertEqual(unauthorised.returncode, 1, unauthorised.stderr)
        self.assertIn("no answer from the replay endpoint", unauthorised.stderr)
        self.assertEqual(unauthorised.stdout, "")

    def test_python_client(self):
        self.follow([sys.executable, PYTHON_CLIENT])

    def test_node_client(self):
        node, modules = install_node_client()
        self.follow([node, NODE_CLIENT], env=dict(os.environ, NODE_PATH=modules))


if __name__ == "__main__":
    unittest.main(verbosity=2)
