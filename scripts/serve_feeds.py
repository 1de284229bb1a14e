#!/usr/bin/env python3
"""Serves a directory of sample feeds over HTTP on 127.0.0.1 for the demo and the tests.

Prints "PORT <n>" on its first line of stdout once listening (port 0 picks a free one).
Answers conditional GETs (ETag / Last-Modified -> 304) like a well-behaved feed server.
"""
import argparse
import email.utils
import hashlib
import json
import http.server
import os
import posixpath
import sys


class FeedHandler(http.server.BaseHTTPRequestHandler):
    root = "."
    validators = True
    counts = {}
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the demo output to alerts
        if os.environ.get("SERVE_FEEDS_VERBOSE"):
            sys.stderr.write("serve_feeds: " + (fmt % args) + "\n")

    def do_GET(self):
        # A path below the root ("surge/bamako-daily.xml"); nothing outside it is served.
        name = posixpath.normpath(self.path.split("?", 1)[0].lstrip("/"))
        if name in (".", "") or name.startswith("..") or os.path.isabs(name):
            name = ""
        if name == "__requests":  # for tests: how often each feed was fetched
            body = json.dumps(FeedHandler.counts).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        FeedHandler.counts[name] = FeedHandler.counts.get(name, 0) + 1
        path = os.path.join(self.root, name)
        if not name or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        mtime = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if self.validators and self.headers.get("If-None-Match") == etag or (
            self.validators and self.headers.get("If-None-Match") is None
            and self.headers.get("If-Modified-Since") == mtime
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype = "application/atom+xml" if b"<feed" in body[:400] else "application/rss+xml"
        self.send_response(200)
        self.send_header("Content-Type", ctype + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.validators:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", mtime)
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-validators", action="store_true", help="never send ETag/Last-Modified or 304")
    args = parser.parse_args()
    FeedHandler.root = os.path.abspath(args.directory)
    FeedHandler.validators = not args.no_validators
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), FeedHandler)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
