"""CURVE: keys from `newswatch keygen`; a client whose public key is in the allow-list
directory receives alerts and replays; an unlisted key and a plain (non-CURVE) client get
nothing, and the daemon logs the refused key once however often it retries.
"""
import json
import os
import stat
import subprocess
import time
import unittest

import zmq

import harness


def keygen(directory, name):
    r = subprocess.run([harness.NEWSWATCH, "keygen", "--out", directory, "--name", name],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return os.path.join(directory, name + ".key"), os.path.join(directory, name + ".pub")


def key_value(path, which):
    with open(path) as f:
        for line in f:
            if line.startswith(which):
                return line.split("=", 1)[1].strip().strip('"').encode()
    raise ValueError(path)


class CurveSubscriber(harness.Subscriber):
    def __init__(self, endpoint, server_public=None, client_pub_file=None, client_key_file=None):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        if server_public:
            self.sock.curve_serverkey = server_public
            self.sock.curve_publickey = key_value(client_pub_file, "public-key")
            self.sock.curve_secretkey = key_value(client_key_file, "secret-key")
        self.sock.setsockopt_string(zmq.SUBSCRIBE, "")
        self.sock.connect(endpoint)


class Curve(unittest.TestCase):
    def test_keygen_files(self):
        with harness.tempdir() as d:
            key, pub = keygen(d, "client")
            self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
            self.assertEqual(key_value(key, "public-key"), key_value(pub, "public-key"))
            self.assertEqual(len(key_value(key, "secret-key")), 40)
            r = subprocess.run([harness.NEWSWATCH, "keygen", "--out", d, "--name", "client"],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1, "never overwrites a key without --force")

    def test_allow_list(self):
        with harness.tempdir() as tmp:
            keys = os.path.join(tmp, "keys")
            allowed = os.path.join(tmp, "allowed")
            os.makedirs(allowed)
            server_key, server_pub = keygen(keys, "server")
            good_key, good_pub = keygen(keys, "good")
            bad_key, bad_pub = keygen(keys, "bad")
            os.link(good_pub, os.path.join(allowed, "good.pub"))
            server = harness.FeedServer(os.path.join(harness.SOURCE_DIR, "examples", "feeds"))
            extra = ""
            config, pub, replay = harness.fast_config(tmp, server.base)
            with open(config) as f:
                text = f.read()
            text = text.replace('replay_endpoint = ', 'curve_secret_key_file = "%s"\ncurve_allowed_keys_dir = "%s"\n'
                                'replay_endpoint = ' % (server_key, allowed), 1)
            with open(config, "w") as f:
                f.write(text + extra)
            spub = key_value(server_pub, "public-key")
            good = CurveSubscriber(pub, spub, good_pub, good_key)
            bad = CurveSubscriber(pub, spub, bad_pub, bad_key)
            plain = harness.Subscriber(pub, topics=("",))
            daemon = harness.Daemon(config)
            try:
                got = good.collect(lambda m: sum(1 for x in m if x[0].startswith(b"alert.")) >= 8, timeout=40)
                # Keep the others listening through a heartbeat and several reconnect attempts.
                others = bad.collect(lambda m: False, timeout=6) + plain.collect(lambda m: False, timeout=1)
                ok_client = harness.ReplayClient(replay, curve=(spub, key_value(good_pub, "public-key"),
                                                                key_value(good_key, "secret-key")))
                header, pairs = ok_client.request(0)
                ok_client.close()
                bad_client = harness.ReplayClient(replay, curve=(spub, key_value(bad_pub, "public-key"),
                                                                 key_value(bad_key, "secret-key")))
                with self.assertRaises(TimeoutError):
                    bad_client.request(0, timeout=2)
                bad_client.close()
                tail = subprocess.run([harness.NEWSWATCH, "tail", "--since", "0", "--json", "--seconds", "3",
                                       "--config", config, "--curve-server-key", server_pub,
                                       "--curve-secret-key", good_key], capture_output=True, text=True, timeout=60)
            finally:
                code, _ = daemon.stop()
                for s in (good, bad, plain):
                    s.close()
                server.stop()
            log = daemon.log_text()
            self.assertEqual(code, 0, log)
            self.assertEqual(len([m for m in got if m[0].startswith(b"alert.")]), 8, log)
            self.assertEqual(others, [], "unlisted and plain clients receive nothing")
            self.assertTrue(header["ok"])
            self.assertEqual(header["count"], 8)
            self.assertEqual(len(tail.stdout.splitlines()), 8, tail.stderr)
            self.assertEqual([json.loads(x)["seq"] for x in tail.stdout.splitlines()], list(range(1, 9)))
            bad_public = key_value(bad_pub, "public-key").decode()
            self.assertEqual(log.count("refused client key " + bad_public), 1, "logged once:\n" + log)
            self.assertIn(key_value(server_pub, "public-key").decode(), log, "the server key is logged for operators")


if __name__ == "__main__":
    unittest.main(verbosity=2)
