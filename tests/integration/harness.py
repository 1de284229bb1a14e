"""Shared helpers for the integration tests: real processes on 127.0.0.1.

Each test starts its own feed server (scripts/serve_feeds.py), its own newswatchd with a
config written into a temporary directory, and real ZeroMQ sockets (pyzmq), and stops
them all when done.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import zmq

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.path.join(SOURCE_DIR, "build", "asan")
NEWSWATCHD = os.environ.get("NEWSWATCHD", os.path.join(BUILD_DIR, "daemon", "newswatchd"))
NEWSWATCH = os.environ.get("NEWSWATCH", os.path.join(BUILD_DIR, "cli", "newswatch"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FeedServer:
    """scripts/serve_feeds.py on a free port."""

    def __init__(self, directory, *extra_args):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SOURCE_DIR, "scripts", "serve_feeds.py"), directory, *extra_args],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError("feed server did not start: %r" % line)
        self.port = int(line.split()[1])
        self.base = "http://127.0.0.1:%d" % self.port

    def requests(self):
        with urllib.request.urlopen(self.base + "/__requests", timeout=5) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def demo_config(feed_base, pub_port, replay_port, state_dir, extra="", metrics_port=None):
    """examples/demo.toml with its ports and state dir rewritten, plus `extra` TOML.
    Metrics are off unless a port is given: a fixed port would collide between tests."""
    with open(os.path.join(SOURCE_DIR, "examples", "demo.toml")) as f:
        text = f.read()
    text = text.replace("http://127.0.0.1:18080", feed_base)
    text = text.replace("127.0.0.1:17600", "127.0.0.1:%d" % pub_port)
    text = text.replace("127.0.0.1:17601", "127.0.0.1:%d" % replay_port)
    text = text.replace('"127.0.0.1:19464"', '"127.0.0.1:%d"' % metrics_port if metrics_port else '""')
    text = re.sub(r'(?m)^state_dir = .*$', 'state_dir = "%s"' % state_dir, text)
    return text + "\n" + extra


class Daemon:
    """newswatchd as a child process; stderr goes to a log file we can read."""

    def __init__(self, config_path, *args):
        self.log_path = config_path + ".log"
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([NEWSWATCHD, "--config", config_path, *args], stderr=self.log)

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        started = time.monotonic()
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
        return code, time.monotonic() - started


class Subscriber:
    """A pyzmq SUB socket collecting [topic, payload] messages."""

    def __init__(self, endpoint, topics=("alert.",)):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        for t in topics:
            self.sock.setsockopt_string(zmq.SUBSCRIBE, t)
        self.sock.connect(endpoint)

    def collect(self, until, timeout):
        """Receives until until(messages) is true or `timeout` seconds pass."""
        messages = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not until(messages):
            if self.sock.poll(100):
                frames = self.sock.recv_multipart()
                messages.append(frames)
        return messages

    def close(self):
        self.sock.close()
        self.ctx.term()


def tempdir():
    return tempfile.TemporaryDirectory(prefix="newswatch-test-")


def fast_config(tmpdir, feed_base, extra="", feeds_interval="1s", metrics_port=None):
    """demo.toml on free ports with short poll intervals; returns (path, pub, replay endpoints)."""
    pub_port, replay_port = free_port(), free_port()
    text = demo_config(feed_base, pub_port, replay_port, os.path.join(tmpdir, "state"), metrics_port=metrics_port)
    text = text.replace('default_interval = "30s"', 'default_interval = "%s"' % feeds_interval).replace(
        'min_interval = "5s"', 'min_interval = "1s"').replace('interval = "1m"', 'interval = "%s"' % feeds_interval)
    # 1s (the demo's value) gives the test's SUB socket time to connect before the first alert.
    path = os.path.join(tmpdir, "newswatch.toml")
    with open(path, "w") as f:
        f.write(text + "\n" + extra)
    return path, "tcp://127.0.0.1:%d" % pub_port, "tcp://127.0.0.1:%d" % replay_port


def metric_samples(text):
    """Prometheus text exposition -> {sample name with its labels: value}."""
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def scrape_metrics(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        return metric_samples(r.read().decode())


def wait_until(condition, deadline, step=0.2):
    """Polls `condition` until it holds or time.monotonic() passes `deadline`; returns whether
    it held. For budgets the contract names: the caller asserts on the result."""
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)
    return True


def wait_for_log(daemon, needle, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in daemon.log_text():
            return True
        time.sleep(0.05)
    return False


class ReplayClient:
    """A third-party replay client written from docs/protocol.md alone: a REQ socket, one JSON
    frame out, one multipart reply back (header, then [topic, payload] pairs)."""

    def __init__(self, endpoint, socket_type=zmq.REQ, curve=None):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(socket_type)
        self.sock.setsockopt(zmq.LINGER, 0)
        if curve:
            server_public, client_public, client_secret = curve
            self.sock.curve_serverkey = server_public
            self.sock.curve_publickey = client_public
            self.sock.curve_secretkey = client_secret
        self.sock.connect(endpoint)

    def raw(self, frames, timeout=10):
        self.sock.send_multipart(frames)
        if not self.sock.poll(int(timeout * 1000)):
            raise TimeoutError("no replay reply")
        return self.sock.recv_multipart()

    def request(self, since, limit=None, topics=None, timeout=10):
        req = {"since": since}
        if limit is not None:
            req["limit"] = limit
        if topics is not None:
            req["topics"] = topics
        frames = self.raw([json.dumps(req).encode()], timeout)
        header = json.loads(frames[0])
        pairs = [(frames[i].decode(), frames[i + 1]) for i in range(1, len(frames), 2)]
        return header, pairs

    def replay_all(self, since=0, limit=None, topics=None):
        """Pages while `more`; returns ([(topic, payload_bytes)], pages, last header)."""
        out, pages = [], 0
        while True:
            header, pairs = self.request(since, limit, topics)
            pages += 1
            if not header["ok"]:
                return out, pages, header
            out += pairs
            since = header["last_seq"]
            if not header["more"]:
                return out, pages, header

    def close(self):
        self.sock.close()
        self.ctx.term()
