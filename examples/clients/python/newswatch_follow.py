#!/usr/bin/env python3
"""Follow newswatch alerts over ZeroMQ and never miss one: a complete subscriber in Python
(pyzmq), written from docs/protocol.md alone.

It subscribes first, then replays from the last seq it handled (saved in --state-file),
then goes live; a jump in seq or a heartbeat naming a seq it has not seen sends it back to
the replay endpoint to fill the gap. Each alert is printed once, as its JSON payload on one
line, in seq order. With the daemon's public key and a key pair from `newswatch keygen` it
speaks CURVE.

    python3 newswatch_follow.py --state-file ~/.newswatch-seq
    python3 newswatch_follow.py --curve-server-key server.pub --curve-secret-key desk1.key

Debian: apt install python3-zmq.
"""
import argparse
import json
import os
import sys
import time

import zmq


def read_key(path, which):
    """A Z85 key from a `newswatch keygen` file: the `which = "..."` line, or a bare key line."""
    bare = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if len(line) == 40 and bare is None and not line.startswith("#"):
                bare = line
            elif "=" in line and line.split("=", 1)[0].strip() == which:
                return line.split("=", 1)[1].strip().strip('"').encode()
    if bare:
        return bare.encode()
    raise ValueError("%s: no %s" % (path, which))


class Follower:
    def __init__(self, args):
        self.args = args
        self.topics = args.topic or ["alert."]
        self.ctx = zmq.Context()
        self.curve = None
        if args.curve_server_key:
            self.curve = (read_key(args.curve_server_key, "public-key"),
                          read_key(args.curve_secret_key, "public-key"),
                          read_key(args.curve_secret_key, "secret-key"))
        self.last = self.start_seq()

    def start_seq(self):
        if self.args.since is not None:
            return self.args.since
        if self.args.state_file and os.path.exists(self.args.state_file):
            with open(self.args.state_file) as f:
                return int(f.read().strip() or 0)
        return 0  # everything the journal still holds

    def secure(self, sock):
        if self.curve:
            sock.curve_serverkey, sock.curve_publickey, sock.curve_secretkey = self.curve

    def save(self):
        if not self.args.state_file:
            return
        tmp = self.args.state_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % self.last)
        os.replace(tmp, self.args.state_file)  # never a torn number

    def handle(self, seq, payload):
        sys.stdout.write(payload.decode() + "\n")
        sys.stdout.flush()
        self.last = seq
        self.save()

    def catch_up(self):
        """Replays everything after self.last, page by page; raises TimeoutError when the
        replay endpoint does not answer."""
        req = self.ctx.socket(zmq.REQ)
        req.setsockopt(zmq.LINGER, 0)
        self.secure(req)
        req.connect(self.args.replay)
        try:
            while True:
                req.send_string(json.dumps({"since": self.last, "topics": self.topics}))
                if not req.poll(int(self.args.timeout * 1000)):
                    raise TimeoutError("no answer from the replay endpoint " + self.args.replay)
                frames = req.recv_multipart()
                head = json.loads(frames[0])
                if not head["ok"]:
                    if not head.get("oldest_seq"):
                        raise RuntimeError("replay refused: " + head.get("error", "?"))
                    print("LOST: alerts %d..%d are no longer journalled" % (self.last + 1, head["oldest_seq"] - 1),
                          file=sys.stderr)
                    self.last = head["oldest_seq"] - 1
                    continue
                for topic, payload in zip(frames[1::2], frames[2::2]):
                    seq = json.loads(payload)["seq"]
                    if seq > self.last:
                        self.handle(seq, payload)
                # Past what our topics hold too: seqs of other topics are not gaps of ours.
                if head["last_seq"] > self.last:
                    self.last = head["last_seq"]
                    self.save()
                if not head["more"]:
                    return
        finally:
            req.close()

    def run(self):
        sub = self.ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.LINGER, 0)
        self.secure(sub)
        for t in self.topics:
            sub.subscribe(t)
        sub.subscribe("sys.heartbeat")
        sub.connect(self.args.endpoint)  # first, so nothing falls between replay and live
        print("following %s on %s (replay %s) from seq %d" % (", ".join(self.topics), self.args.endpoint,
                                                               self.args.replay, self.last), file=sys.stderr)
        deadline = time.monotonic() + self.args.seconds if self.args.seconds else None
        self.catch_up()
        try:
            while deadline is None or time.monotonic() < deadline:
                if not sub.poll(200):
                    continue
                topic, payload = sub.recv_multipart()[:2]
                body = json.loads(payload)
                if topic == b"sys.heartbeat":
                    if body["last_seq"] > self.last:
                        self.catch_up()  # something went by that we did not see
                    continue
                seq = body.get("seq", 0)
                if seq <= self.last:
                    continue  # replay gave it already
                if seq != self.last + 1:
                    self.catch_up()  # a gap: replay fills it, this alert included
                    continue
                self.handle(seq, payload)
        finally:
            sub.close()
            self.ctx.term()


def main():
    p = argparse.ArgumentParser(description="Follow newswatch alerts with replay from a saved seq.")
    p.add_argument("--endpoint", default="tcp://127.0.0.1:7600", help="the daemon's PUB endpoint")
    p.add_argument("--replay", default="tcp://127.0.0.1:7601", help="the daemon's replay endpoint")
    p.add_argument("--topic", action="append", help="topic prefix to follow (repeatable; default alert.)")
    p.add_argument("--state-file", help="where the last handled seq is kept between runs")
    p.add_argument("--since", type=int, help="start after this seq instead of the state file's")
    p.add_argument("--curve-server-key", help="the daemon's public key file (server.pub)")
    p.add_argument("--curve-secret-key", help="our key file from `newswatch keygen` (NAME.key)")
    p.add_argument("--timeout", type=float, default=5, help="seconds to wait for a replay answer")
    p.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (0: run until killed)")
    args = p.parse_args()
    if bool(args.curve_server_key) != bool(args.curve_secret_key):
        p.error("--curve-server-key and --curve-secret-key go together")
    try:
        Follower(args).run()
    except (TimeoutError, RuntimeError, OSError, ValueError) as e:
        print("newswatch_follow: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
