"""`newswatch parse` against Python feedparser (Debian's python3-feedparser) on every feed
in tests/fixtures/feeds: items compared field by field after the normalisation below, one
verdict per file; at least 98% of the files must agree on every field.

Normalisation (what is compared, and why), also in docs/parsing.md:
- number of items: equal; a file we reject must give feedparser no entries either;
- id: compared when feedparser has one (without a guid/id we make a stable hash, feedparser
  leaves it out); a relative id of ours is resolved against the feed URL first, as
  feedparser does (we keep ids as written so that they survive the feed moving);
- link: equal strings, unless feedparser's is no web address (it copies a guid or Atom id
  such as "tag:..." into the link where there is none);
- title, author, categories: the text a reader sees: HTML titles reduced to their text,
  character references decoded once more (feedparser leaves double-escaped ones in authors
  and categories), whitespace runs collapsed;
- summary, content: the text of the HTML (tags dropped, with the contents of script and
  style; character references decoded once; whitespace collapsed), because feedparser
  sanitises markup and we keep it as found; content is feedparser's first content value;
- published, updated: the same UTC second (feedparser's *_parsed); where feedparser has no
  updated date ours must be empty or the published one (we say "never updated" that way);
- categories: the distinct non-empty terms, in document order;
- language: not compared (feedparser has no per-item language).
JSON Feed files are left out: feedparser 6.0 does not read JSON Feed.

DIVERGENCES lists the files where we differ from feedparser on purpose, and in which fields
(docs/parsing.md says why). Such a file counts as agreeing when every difference is in those
fields. Both figures are printed: the share of files that agree outright, and with the
documented divergences; the second must reach 98%.

Run directly with --goldens to compare the committed .expected.jsonl files instead of the
binary's output (no build needed), and -v to print every difference.
"""
import calendar
import glob
import html
import html.parser
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import warnings

warnings.simplefilter("ignore")
import feedparser  # noqa: E402  (python3-feedparser)

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures", "feeds")
NEWSWATCH = os.environ.get("NEWSWATCH", os.path.join(SOURCE_DIR, "build", "asan", "cli", "newswatch"))
TARGET = 0.98
# file -> (fields, why): where we differ from feedparser on purpose.
DIVERGENCES = {
    "015-rss20-unescaped-ampersand.xml": ({"title"}, "a bare & stays as written; feedparser writes 'AT&T;'"),
    "055-dates-rfc822-variants.xml": ({"published", "updated"}, "RFC 822 variants feedparser cannot read"),
    "056-dates-iso8601-variants.xml": ({"published", "updated"}, "feedparser drops the time of basic ISO 8601"),
    "057-dates-invalid.xml": ({"published", "updated"}, "feedparser reads dates into junk"),
    "067-charset-bom-beats-declaration.xml": ({"title", "summary", "content", "author", "categories"},
                                              "a byte-order mark beats the declaration"),
}
FIELDS = ("id", "title", "link", "published", "updated", "author", "summary", "content", "categories")


class _TextOf(html.parser.HTMLParser):
    """The text of an HTML fragment, as a reader would see it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def collapse(s):
    return " ".join((s or "").split())


def plain(s):
    return collapse(html.unescape(s or ""))


def is_web_address(url):
    return url.lower().startswith(("http://", "https://"))


def text_of_html(s):
    p = _TextOf()
    p.feed(s or "")
    p.close()
    return collapse("".join(p.parts))


HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def fp_plain(value, detail):
    if detail is not None and detail.get("type") in HTML_TYPES:
        return text_of_html(value)
    return plain(value)


def fp_date(entry, key):
    t = entry.get(key + "_parsed")
    if not t:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(t)))
    except (ValueError, OverflowError):
        return "invalid %r" % (tuple(t),)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(t)))


def distinct(terms):
    out = []
    for t in terms:
        t = plain(t)
        if t and t not in out:
            out.append(t)
    return out


def theirs(entry):
    content = entry.get("content") or []
    return {
        "id": entry.get("id"),
        "title": fp_plain(entry.get("title", ""), entry.get("title_detail")),
        "link": (entry.get("link") or "").strip(),
        "published": fp_date(entry, "published"),
        "updated": fp_date(entry, "updated"),
        "author": plain(entry.get("author", "")),
        "summary": text_of_html(entry.get("summary", "")),
        "content": text_of_html(content[0].get("value", "") if content else ""),
        "categories": distinct(t.get("term") or "" for t in entry.get("tags", [])),
    }


def ours(item, base):
    ident = item["id"]
    if base and ident and not ident.startswith("hash:") and ":" not in ident.split("/")[0]:
        ident = urllib.parse.urljoin(base, ident)
    return {
        "id": ident,
        "title": plain(item["title"]),
        "link": item["link"],
        "published": item["published"],
        "updated": item["updated"],
        "author": plain(item["author"]),
        "summary": text_of_html(item["summary"]),
        "content": text_of_html(item["content"]),
        "categories": distinct(item["categories"]),
    }


def differences(our_item, their_entry, base):
    a, b = ours(our_item, base), theirs(their_entry)
    out = []
    for f in FIELDS:
        if f == "id" and b["id"] is None:
            continue
        if f == "link" and not is_web_address(b["link"]) and (not a["link"] or b["link"] != a["link"]):
            continue
        if f == "updated" and b["updated"] is None:
            if a["updated"] not in (None, a["published"]):
                out.append((f, a[f], None))
            continue
        if a[f] != b[f]:
            out.append((f, a[f], b[f]))
    return out


class _OneFile(http.server.BaseHTTPRequestHandler):
    """Serves the fixture with the Content-Type and Content-Language its options name."""

    body = b""
    headers_out = {}

    def do_GET(self):
        self.send_response(200)
        for k, v in self.headers_out.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def options_of(path):
    stem = path.rsplit(".", 1)[0]
    if os.path.exists(stem + ".options.json"):
        with open(stem + ".options.json") as f:
            return json.load(f)
    return None


def run_ours(path, server):
    """Our items for the file (None when parse fails), and what feedparser must be told."""
    with open(path, "rb") as f:
        body = f.read()
    opts = options_of(path)
    headers = {}
    source = path
    if opts is not None:
        # Served over HTTP, so both readers get the same base URL and headers.
        headers = {"Content-Type": opts.get("content_type") or "application/xml"}
        if opts.get("content_language"):
            headers["Content-Language"] = opts["content_language"]
        _OneFile.body = body
        _OneFile.headers_out = headers
        source = "http://127.0.0.1:%d/%s" % (server.server_address[1], os.path.basename(path))
    r = subprocess.run([NEWSWATCH, "parse", source], capture_output=True, timeout=60)
    if r.returncode >= 2 or r.returncode < 0:
        raise AssertionError("newswatch parse %s crashed or misbehaved (exit %d): %s"
                             % (path, r.returncode, r.stderr.decode(errors="replace")))
    items = None if r.returncode == 1 else [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
    fp_headers = {k.lower(): v for k, v in headers.items()}
    if opts is not None:
        fp_headers["content-location"] = source
    return body, items, fp_headers, (source if opts is not None else "")


def goldens(path):
    stem = path.rsplit(".", 1)[0]
    if os.path.exists(stem + ".expected.error"):
        return None
    with open(stem + ".expected.jsonl") as f:
        return [json.loads(l) for l in f if l.strip()]


def main():
    verbose = "-v" in sys.argv
    use_goldens = "--goldens" in sys.argv
    files = sorted(p for p in glob.glob(os.path.join(FIXTURES, "*"))
                   if ".expected." not in p and ".options." not in p and not p.endswith(".json"))
    assert len(files) >= 80, "fixture corpus missing: %s" % FIXTURES
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OneFile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    agree = 0
    agree_documented = 0
    try:
        for path in files:
            name = os.path.basename(path)
            if use_goldens:
                with open(path, "rb") as f:
                    body = f.read()
                items = goldens(path)
                opts = options_of(path) or {}
                headers = {}
                if opts.get("content_type"):
                    headers["content-type"] = opts["content_type"]
                if opts.get("content_language"):
                    headers["content-language"] = opts["content_language"]
                if opts.get("base_url"):
                    headers["content-location"] = opts["base_url"]
                base = opts.get("base_url", "")
            else:
                body, items, headers, base = run_ours(path, server)
            fp = feedparser.parse(body, response_headers=headers)
            problems = []  # (field or None, text)
            if items is None:
                if fp.entries:
                    problems.append((None, "we reject it, feedparser reads %d entries" % len(fp.entries)))
            elif len(items) != len(fp.entries):
                problems.append((None, "%d items, feedparser %d" % (len(items), len(fp.entries))))
            else:
                for i, (a, b) in enumerate(zip(items, fp.entries)):
                    for field, x, y in differences(a, b, base):
                        problems.append((field, "item %d %s: ours %r, feedparser %r" % (i, field, x, y)))
            fields, why = DIVERGENCES.get(name, (set(), ""))
            if not problems:
                agree += 1
                agree_documented += 1
            elif all(f in fields for f, _ in problems):
                agree_documented += 1
                print("DIVERGES %s (documented: %s)" % (name, why))
            else:
                print("DIFFER %s" % name)
            for _, p in problems if verbose else problems[:3]:
                print("    " + p[:300])
    finally:
        server.shutdown()
    share = agree / len(files)
    share_documented = agree_documented / len(files)
    print("parser agreement with feedparser %s: %d of %d files agree on every field (%.1f%%); "
          "%d (%.1f%%) with the %d documented divergences"
          % (feedparser.__version__, agree, len(files), 100 * share, agree_documented, 100 * share_documented,
             len(DIVERGENCES)))
    if share_documented < TARGET:
        print("FAIL: below %.0f%%" % (100 * TARGET))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
