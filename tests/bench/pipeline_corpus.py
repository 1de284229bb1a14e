#!/usr/bin/python3
"""The corpus of tests/bench/bench_pipeline.sh: FEEDS feed files of ITEMS items each (RSS 2.0
and Atom alternating) with news-like titles, summaries and HTML content, and two watchlists.

    pipeline_corpus.py OUT_DIR FEEDS ITEMS

Writes OUT_DIR/feeds/f000.xml ..., OUT_DIR/high.toml and OUT_DIR/low.toml (twenty
[[filter]] tables each, one word per filter), and prints one line
"items N high_alerts H low_alerts L bytes B": the alerts each watchlist must raise.

Every item names exactly one place, in its title and its content. The high watchlist's
twenty places are named by all items but one in thirty (those name a place on no list),
so it alerts about once per item. One item in ten carries exactly one of the low
watchlist's twenty words in its summary, so that one alerts on about 10%. The filler
vocabulary holds none of the forty terms, so the counts printed are exact.
"""

import os
import random
import sys

HIGH = ["Bamako", "Timbuktu", "Kidal", "Mopti", "Niamey", "Dakar", "Abuja", "Accra", "Lagos", "Nairobi",
        "Kampala", "Khartoum", "Tripoli", "Tunis", "Rabat", "Algiers", "Nouakchott", "Ouagadougou", "Conakry",
        "Freetown"]
OTHER_PLACES = ["Lisbon", "Oslo", "Lima", "Hanoi", "Quito", "Riga"]
LOW = ["AFISMA", "MINUSMA", "ECOWAS", "junta", "ceasefire", "Tuareg", "Harmattan", "cholera", "locusts",
       "drought", "hostages", "kidnapping", "smuggling", "mutiny", "curfew", "insurgents", "airlift",
       "peacekeepers", "sanctions", "evacuation"]
TOPICS = ["council approves new budget", "ministers meet over grain prices", "river levels rise after storms",
          "football final draws record crowd", "teachers strike enters second week", "central bank holds rates",
          "new bridge opens to traffic", "health workers extend vaccination campaign",
          "court adjourns trial of former mayor", "farmers report early harvest", "port traffic reaches new high",
          "power cuts hit several districts", "university reopens after repairs", "fuel prices fall again",
          "election commission publishes timetable", "market fire destroys dozens of stalls"]
WORDS = ("the a of to and in on for with by at from said officials residents week month year local regional "
         "national government ministry spokesman report reports according statement announced plans new "
         "first second last several many most some early late morning evening people city town district "
         "province road roads market markets price prices water power schools school hospital hospitals "
         "workers farmers traders students police army budget council members meeting talks agreement "
         "project projects program funding support million thousand percent increase decrease between "
         "after before during while since until more less than about over under through across against "
         "expected announced confirmed reported denied welcomed criticised approved rejected delayed "
         "opened closed began ended continued remained became would could should might also however "
         "still already again only even just well very quite rather almost nearly mostly largely").split()
AUTHORS = ["Staff reporter", "Amina Diallo", "John Okafor", "Marie Traore", "Kofi Mensah", "Fatou Sow"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def main():
    out, feeds, per_feed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(2026)
    os.makedirs(os.path.join(out, "feeds"))

    def sentence(n, extra=None):
        words = [rnd.choice(WORDS) for _ in range(n)]
        if extra:
            words.insert(rnd.randrange(1, n), extra)
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    items = high_alerts = low_alerts = total = 0
    for f in range(feeds):
        atom = f % 2 == 1
        host = "news%03d.example.org" % f
        entries = []
        for k in range(per_feed):
            n = f * per_feed + k
            place = HIGH[n % len(HIGH)] if n % 30 != 29 else OTHER_PLACES[n % len(OTHER_PLACES)]
            high_alerts += place in HIGH
            low = LOW[(n // 10) % len(LOW)] if n % 10 == 3 else None
            low_alerts += low is not None
            topic = rnd.choice(TOPICS)
            title = "%s: %s (%d)" % (place, topic, k)
            slug = "%d-%s" % (k, topic.replace(" ", "-"))
            link = "https://%s/2026/12/%s" % (host, slug)
            summary = sentence(18, low) + " " + sentence(12)
            paragraphs = ["<p>%s %s</p>" % (sentence(16, place), sentence(12)),
                          '<p>%s <a href="https://%s/topics/%d">%s</a> %s</p>' %
                          (sentence(12), host, k % 7, " ".join(rnd.choice(WORDS) for _ in range(3)),
                           sentence(10)),
                          "<p><em>%s</em> %s</p>" % (sentence(8), sentence(14))]
            content = "\n".join(paragraphs)
            day, hour, minute = 1 + k % 28, (f + k) % 24, (7 * k) % 60
            author = AUTHORS[n % len(AUTHORS)]
            if atom:
                stamp = "2026-12-%02dT%02d:%02d:00Z" % (day, hour, minute)
                entries.append(
                    "<entry>\n<title type=\"text\">%s</title>\n<link rel=\"alternate\" href=\"%s\"/>\n"
                    "<id>tag:%s,2026:%d</id>\n<published>%s</published>\n<updated>%s</updated>\n"
                    "<author><name>%s</name></author>\n<category term=\"%s\"/>\n"
                    "<summary type=\"text\">%s</summary>\n<content type=\"html\">%s</content>\n</entry>\n" %
                    (xml_escape(title), link, host, k, stamp, stamp, author, topic.split()[0],
                     xml_escape(summary), xml_escape(content)))
            else:
                stamp = "%s, %02d %s 2026 %02d:%02d:00 +0000" % (DAYS[day % 7], day, MONTHS[11], hour, minute)
                entries.append(
                    "<item>\n<title>%s</title>\n<link>%s</link>\n<guid isPermaLink=\"true\">%s</guid>\n"
                    "<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n<category>%s</category>\n"
                    "<description>%s</description>\n<content:encoded><![CDATA[%s]]></content:encoded>\n"
                    "</item>\n" % (xml_escape(title), link, link, stamp, author, topic.split()[0],
                                   xml_escape(summary), content))
            items += 1
        if atom:
            doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
                   "<title>Feed %d</title>\n<id>tag:%s,2026:feed</id>\n<updated>2026-12-28T00:00:00Z</updated>\n"
                   '<link rel="alternate" href="https://%s/"/>\n%s</feed>\n' % (f, host, host, "".join(entries)))
        else:
            doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                   'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                   'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n<title>Feed %d</title>\n'
                   "<link>https://%s/</link>\n<description>News from desk %d</description>\n%s</channel>\n</rss>\n"
                   % (f, host, f, "".join(entries)))
        data = doc.encode("utf-8")
        total += len(data)
        with open(os.path.join(out, "feeds", "f%03d.xml" % f), "wb") as fh:
            fh.write(data)

    for name, terms in (("high", HIGH), ("low", LOW)):
        with open(os.path.join(out, name + ".toml"), "w") as fh:
            for t in terms:
                fh.write('\n[[filter]]\nid = "%s-%s"\nquery = \'%s\'\n' % (name, t.lower(), t))
    print("items %d high_alerts %d low_alerts %d bytes %d" % (items, high_alerts, low_alerts, total))


if __name__ == "__main__":
    main()
