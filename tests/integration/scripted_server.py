#!/usr/bin/env python3
"""A feed server on 127.0.0.1 whose behaviour is chosen per request by its path and query,
for tests of the fetcher and the scheduler against real sockets.

Prints "PORT <n>" on its first line of stdout once listening. Paths:

  /feed/<name>         RSS 2.0, items "<name>-1".. Query: items=N, title=WORDS (item title
                       prefix), etag=1 / lm=1 (validators, 304 on a match), enc=gzip|deflate|br
                       (if the client accepts it), maxage=N (Cache-Control), delay=SECONDS,
                       rotate=SECONDS (the newest item changes every SECONDS: live news)
  /status/<code>       that status; retry_after=VALUE (literal) or retry_after_date=SECONDS
                       (an HTTP-date that many seconds from now)
  /redirect/<code>/<rest>   <code> to /<rest> (query kept)
  /loop/<a>/<b>        302 to /loop/<b>/<a>: a redirect loop
  /hang                reads the request, never answers (until the client goes away)
  /drip?n=N            200 with Content-Length N, then one byte a second
  /big?size=N&cl=0|1   N bytes of XML comment, with or without Content-Length
  /bomb?gib=N          gzip of N GiB of zeros (about 1 MB per GiB), streamed
  /__log               JSON: {"requests": [...], "max_connections": n, "active_connections": n}

Each logged request: path, t (seconds since the server started, at arrival), end, status,
sent (body bytes written), inm, ims, ae (Accept-Encoding), ua, ce (Content-Encoding sent).
Connections are counted from their first non-/__ request to their close.
"""
import argparse
import email.utils
import hashlib
import http.server
import json
import os
import select
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import zlib

try:
    import brotli  # Debian python3-brotli
except ImportError:  # br is then never offered
    brotli = None

START = time.monotonic()
LOCK = threading.Lock()
STATE = {"requests": [], "max_connections": 0, "active_connections": 0}
FIXED_DATE = "Thu, 20 Dec 2012 18:05:00 GMT"


def now():
    return round(time.monotonic() - START, 4)


def rss(name, q):
    items = int(q.get("items", "2"))
    title = q.get("title", "News")
    newest = items
    if "rotate" in q:
        newest = int(time.time() // float(q["rotate"]))
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
             "<title>%s</title><link>http://example.com/%s</link>" % (name, name)]
    for k in range(newest, max(newest - items, 0), -1):
        parts.append("<item><title>%s %s item %d</title><link>http://example.com/%s/%d</link>"
                     "<guid>%s-%d</guid><description></description></item>"
                     % (title, name, k, name, k, name, k))
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.counted = False

    def finish(self):
        try:
            super().finish()
        finally:
            if self.counted:
                with LOCK:
                    STATE["active_connections"] -= 1

    def reply(self, status, body=b"", headers=(), length=True):
        # Logged before the first byte goes out: a client that has its reply may read the log.
        self.entry["status"] = status
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.entry["sent"] = len(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/__log":
            with LOCK:
                body = json.dumps(STATE).encode()
            self.entry = {}
            return self.reply(200, body, [("Content-Type", "application/json")])
        if not self.counted:
            self.counted = True
            with LOCK:
                STATE["active_connections"] += 1
                STATE["max_connections"] = max(STATE["max_connections"], STATE["active_connections"])
        self.entry = {"path": self.path, "t": now(), "inm": self.headers.get("If-None-Match"),
                      "ims": self.headers.get("If-Modified-Since"), "ae": self.headers.get("Accept-Encoding"),
                      "ua": self.headers.get("User-Agent"), "ce": None, "status": None, "sent": 0}
        with LOCK:
            STATE["requests"].append(self.entry)
        try:
            self.route(url, q)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self.entry["end"] = now()

    def route(self, url, q):
        parts = url.path.strip("/").split("/")
        kind = parts[0]
        if kind == "feed" and len(parts) == 2:
            return self.feed(parts[1], q)
        if kind == "status" and len(parts) == 2:
            headers = [("Content-Type", "text/plain")]
            if "retry_after" in q:
                headers.append(("Retry-After", q["retry_after"]))
            if "retry_after_date" in q:
                when = time.time() + float(q["retry_after_date"])
                headers.append(("Retry-After", email.utils.formatdate(when, usegmt=True)))
            return self.reply(int(parts[1]), b"status\n", headers)
        if kind == "redirect" and len(parts) >= 3:
            target = "/" + "/".join(parts[2:]) + ("?" + url.query if url.query else "")
            return self.reply(int(parts[1]), b"", [("Location", target)])
        if kind == "loop" and len(parts) == 3:
            return self.reply(302, b"", [("Location", "/loop/%s/%s" % (parts[2], parts[1]))])
        if kind == "hang":
            return self.hang()
        if kind == "drip":
            return self.drip(int(q.get("n", "100")))
        if kind == "big":
            return self.big(int(q.get("size", "0")), q.get("cl", "1") == "1")
        if kind == "bomb":
            return self.bomb(int(q.get("gib", "1")))
        return self.reply(404, b"not found\n")

    def feed(self, name, q):
        if "delay" in q:
            time.sleep(float(q["delay"]))
        body = rss(name, q)
        headers = [("Content-Type", "application/rss+xml; charset=utf-8")]
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if q.get("etag") == "1":
            headers.append(("ETag", etag))
        if q.get("lm") == "1":
            headers.append(("Last-Modified", FIXED_DATE))
        if "maxage" in q:
            headers.append(("Cache-Control", "max-age=" + q["maxage"]))
        if (q.get("etag") == "1" and self.headers.get("If-None-Match") == etag) or (
                q.get("lm") == "1" and self.headers.get("If-Modified-Since") == FIXED_DATE):
            return self.reply(304, b"", [h for h in headers if h[0] != "Content-Type"])
        enc = q.get("enc")
        accepted = self.headers.get("Accept-Encoding") or ""
        if enc and enc in accepted:
            if enc == "gzip":
                c = zlib.compressobj(6, zlib.DEFLATED, 31)
                body = c.compress(body) + c.flush()
            elif enc == "deflate":
                body = zlib.compress(body)
            elif enc == "br" and brotli is not None:
                body = brotli.compress(body)
            else:
                enc = None
            if enc:
                headers.append(("Content-Encoding", enc))
                self.entry["ce"] = enc
        self.reply(200, body, headers)

    def hang(self):
        # Answer nothing; return once the client closes (EOF) or after a minute.
        self.close_connection = True
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.connection], [], [], 0.2)
            if r and not self.connection.recv(1, socket.MSG_PEEK):
                break
        self.entry["status"] = 0

    def drip(self, n):
        self.close_connection = True
        self.entry["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        for _ in range(n):
            self.wfile.write(b" ")
            self.wfile.flush()
            self.entry["sent"] += 1
            time.sleep(1)

    def big(self, size, with_length):
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title><!--'
        tail = b"--></channel></rss>\n"
        filler = max(size - len(head) - len(tail), 0)
        self.entry["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if with_length:
            self.send_header("Content-Length", str(len(head) + filler + len(tail)))
        else:
            self.close_connection = True  # body delimited by the close
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(head)
        chunk = b"x" * 65536
        left = filler
        while left > 0:
            piece = chunk[:min(left, len(chunk))]
            self.wfile.write(piece)
            self.entry["sent"] += len(piece)
            left -= len(piece)
        self.wfile.write(tail)

    def bomb(self, gib):
        # Deflate of zeros reaches a steady state: every further MiB compresses to the same
        # bytes, so gigabytes are streamed without being compressed (or held) here.
        zeros = b"\0" * (1 << 20)
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        first = c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH)
        steady = c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH)
        end = c.flush()[:-8]  # the last block; the CRC and size trailer is computed as we go
        total = len(first) + len(steady) * (gib * 1024 - 1) + len(end) + 8
        self.close_connection = True
        self.entry["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        self.entry["ce"] = "gzip"
        self.entry["total"] = total
        crc = zlib.crc32(zeros)
        self.wfile.write(first)
        self.entry["sent"] += len(first)
        for _ in range(gib * 1024 - 1):
            self.wfile.write(steady)
            self.entry["sent"] += len(steady)
            crc = zlib.crc32(zeros, crc)
        self.wfile.write(end + crc.to_bytes(4, "little") + ((gib << 30) & 0xFFFFFFFF).to_bytes(4, "little"))
        self.entry["sent"] += len(end) + 8


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        # A client refusing our certificate is what the TLS tests expect, not a server fault.
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            return
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes (the parent test died or let go)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (and --tls-key)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    args = parser.parse_args()
    if args.exit_on_stdin_eof:
        def watch():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    server = Server(("127.0.0.1", 0), Handler)  # a free port, printed below
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        # The handshake runs in the handler's thread: a client that gives up mid-handshake
        # must not hold up the accept loop.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
