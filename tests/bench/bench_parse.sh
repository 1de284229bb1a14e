#!/bin/bash
# Parse throughput: our parser vs Python feedparser (python3-feedparser) on the same
# generated corpus of RSS and Atom files (dates, entities, legacy charsets), same run.
set -euo pipefail
BUILD="${NEWSWATCH_BUILD:?set NEWSWATCH_BUILD to the build directory}"
BENCH="$BUILD/tests/bench/bench_parse"
PY=/usr/bin/python3  # Debian's python, where python3-feedparser lives
CORPUS="$(mktemp -d)"
trap 'rm -rf "$CORPUS"' EXIT

"$PY" - "$CORPUS" <<'PYEOF'
import os, random, sys
out = sys.argv[1]
rnd = random.Random(2012)
places = ["Bamako", "Gao", "Timbuktu", "Kidal", "Mopti", "Niamey", "Nouakchott", "Ouagadougou", "Dakar", "Ségou"]
topics = ["ECOWAS summit", "AFISMA deployment", "Harmattan winds", "rainy season", "Security Council vote",
          "refugee arrivals", "football final", "grain prices", "border talks", "river levels"]
days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
zones = ["GMT", "+0000", "-0500", "EST", "PDT", "+0100", "Z"]
def text(n):
    words = "the mission said on Monday that convoys &amp; aid reached the north caf&eacute; &#8217; &quot;quoted&quot;".split()
    return " ".join(rnd.choice(words) for _ in range(n))
def rss_item(i):
    p, t = rnd.choice(places), rnd.choice(topics)
    date = f"{rnd.choice(days)}, {rnd.randint(1, 28)} {rnd.choice(months)} 2012 {rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00 {rnd.choice(zones)}"
    return (f"<item><title>{p}: {t} &amp;amp; more &#8211; part {i}</title><link>https://news.example.org/{i}</link>"
            f"<guid isPermaLink=\"false\">item-{i}</guid><pubDate>{date}</pubDate><dc:creator>Desk {p}</dc:creator>"
            f"<category>{t}</category><description>&lt;p&gt;{text(40)}&lt;/p&gt;</description></item>\n")
def atom_entry(i):
    p, t = rnd.choice(places), rnd.choice(topics)
    date = f"2012-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}T{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00+01:00"
    return (f"<entry><title type=\"html\">{p} &amp;mdash; {t} {i}</title><link rel=\"alternate\" href=\"/e/{i}\"/>"
            f"<id>tag:atom.example.org,2012:{i}</id><updated>{date}</updated><published>{date}</published>"
            f"<author><name>{p} bureau</name></author><category term=\"{t}\"/>"
            f"<summary type=\"html\">&lt;p&gt;{text(40)}&lt;/p&gt;</summary></entry>\n")
n = 0
for f in range(300):
    items = 40
    if f % 2 == 0:
        enc = "windows-1252" if f % 20 == 0 else ("iso-8859-1" if f % 20 == 10 else "utf-8")
        body = (f'<?xml version="1.0" encoding="{enc}"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<channel><title>Feed {f}</title><link>https://news.example.org/</link>\n"
                + "".join(rss_item(n + i) for i in range(items)) + "</channel></rss>\n")
        data = body.encode("cp1252" if enc != "utf-8" else "utf-8", errors="replace")
        name = f"rss-{f:03d}.xml"
    else:
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.org/">'
                f"<title>Atom {f}</title><link href=\"https://atom.example.org/\"/>\n"
                + "".join(atom_entry(n + i) for i in range(items)) + "</feed>\n")
        data = body.encode("utf-8")
        name = f"atom-{f:03d}.xml"
    n += items
    open(os.path.join(out, name), "wb").write(data)
PYEOF

echo "corpus: $(ls "$CORPUS" | wc -l) files, $(du -sh "$CORPUS" | cut -f1)"
# One core when taskset is there; the run happens once either way (a non-zero exit means
# feeds failed to parse, which must show, not trigger a second run).
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
ours="$("${pin[@]}" "$BENCH" "$CORPUS" 3 2>&1)"
echo "newswatch: $ours"

theirs="$("$PY" - "$CORPUS" <<'PYEOF'
import os, sys, time, warnings
warnings.simplefilter("ignore")
import feedparser
d = sys.argv[1]
bodies = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
start = time.perf_counter()
items = sum(len(feedparser.parse(b).entries) for b in bodies)
secs = time.perf_counter() - start
size = sum(len(b) for b in bodies)
print(f"items={items} seconds={secs:.2f} items_per_s={items / secs:.0f} mb_per_s={size / secs / 1e6:.2f}")
PYEOF
)"
echo "feedparser: $theirs"

ours_ips="$(sed -n 's/.*items_per_s=\([0-9]*\).*/\1/p' <<<"$ours")"
theirs_ips="$(sed -n 's/.*items_per_s=\([0-9]*\).*/\1/p' <<<"$theirs")"
echo "ratio: $(awk -v a="$ours_ips" -v b="$theirs_ips" 'BEGIN { printf "%.0fx feedparser", a / b }')" \
  "(target >= 150000 items/s: $([ "$ours_ips" -ge 150000 ] && echo met || echo MISSED))"

# The hostile shapes of the parser's unit tests, each against a plain feed of its size parsed
# in the same run: ratio_to_plain stays small and growth_4x near 4 while the work is linear.
"${pin[@]}" "$BENCH" --hostile
