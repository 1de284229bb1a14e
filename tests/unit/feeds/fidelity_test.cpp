// Goldens for the cases where our items once differed from feedparser's (docs/parsing.md):
// escaped markup in Atom XHTML, body text only in itunes:summary or media:description,
// titles in unknown namespaces, a document cut inside a CDATA section. Charsets are in
// text_test.cpp; whole documents in tests/fixtures/feeds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feeds/feed_parser.hpp"

using namespace newswatch::feeds;

namespace {

std::string atom_entry(const std::string& inner) {
  return "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>F</title><entry><id>urn:x:1</id>" + inner +
         "</entry></feed>";
}

std::string rss_item(const std::string& inner, const std::string& ns = "") {
  return "<rss version=\"2.0\"" + ns + "><channel><title>F</title><item><guid>g</guid>" + inner +
         "</item></channel></rss>";
}

Item only_item(const std::string& doc, const ParseOptions& options = {}) {
  const auto r = parse_feed(doc, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok() || r->items.size() != 1) {
    ADD_FAILURE() << "want one item in " << doc;
    return {};
  }
  return r->items[0];
}

const char* const kXhtml = " xmlns=\"http://www.w3.org/1999/xhtml\"";

TEST(Fidelity, XhtmlKeepsEscapedMarkupEscaped) {
  struct Row {
    std::string div_inner;
    std::string html;
  };
  const Row rows[] = {
      {"Use &lt;b&gt;bold&lt;/b&gt;", "Use &lt;b&gt;bold&lt;/b&gt;"},
      {"<p>a &amp;amp; b</p>", "<p>a &amp;amp; b</p>"},
      {"<p>x<br/>y</p><p class=\"c\">z &lt;i&gt;</p>", "<p>x<br />y</p><p class=\"c\">z &lt;i&gt;</p>"},
      {"<p></p><hr/>", "<p></p><hr />"},
      {"<a href=\"https://a.example/?q=1&amp;r=&quot;2&quot;\">l</a>",
       "<a href=\"https://a.example/?q=1&amp;r=&quot;2&quot;\">l</a>"},
      {"<![CDATA[<b>in cdata</b>]]>", "&lt;b&gt;in cdata&lt;/b&gt;"},
      {"a<!-- note -->b", "ab"},
  };
  for (const auto& row : rows) {
    const Item item = only_item(atom_entry("<title>t</title><content type=\"xhtml\"><div" + std::string(kXhtml) + ">" +
                                           row.div_inner + "</div></content>"));
    EXPECT_EQ(item.content, row.html) << row.div_inner;
    EXPECT_EQ(item.summary, row.html) << "the content doubles as the summary";
  }
}

TEST(Fidelity, XhtmlPrefixesAndDeclarationsAreDropped) {
  const Item item = only_item(
      atom_entry("<title>t</title><summary type=\"xhtml\"><h:div xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:p>one "
                 "<h:em xmlns:h=\"http://www.w3.org/1999/xhtml\">two</h:em></h:p></h:div></summary>"));
  EXPECT_EQ(item.summary, "<p>one <em>two</em></p>");
}

TEST(Fidelity, XhtmlTitleTextIsNotDecodedTwice) {
  const Item item = only_item(atom_entry("<title type=\"xhtml\"><div" + std::string(kXhtml) +
                                         ">Tags &lt;b&gt; and &amp;amp; <em>stay</em></div></title>"));
  EXPECT_EQ(item.title, "Tags <b> and &amp; stay");
}

// feedparser's order: the first summary-like element is the summary, a second one before any
// content becomes the content; content doubles as a missing summary.
TEST(Fidelity, SummaryAndContentFromItunesAndMediaRss) {
  const std::string ns =
      " xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:media=\"http://search.yahoo.com/mrss/\""
      " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"";
  struct Row {
    std::string inner;
    std::string summary;
    std::string content;
  };
  const Row rows[] = {
      {"<itunes:summary>S</itunes:summary>", "S", ""},
      {"<media:description>M</media:description>", "M", ""},
      {"<media:group><media:description>G</media:description></media:group>", "G", ""},
      {"<media:content url=\"u\"><media:description>C</media:description></media:content>", "C", ""},
      {"<description>D</description><itunes:summary>S</itunes:summary>", "D", "S"},
      {"<itunes:summary>S</itunes:summary><description>D</description>", "S", "D"},
      {"<description>D</description><media:group><media:description>G</media:description></media:group>", "D", "G"},
      {"<media:group><media:description>G</media:description></media:group><description>D</description>", "G", "D"},
      // A third one, after the content it made, replaces the summary at the same depth.
      {"<description>D</description><itunes:summary>S</itunes:summary><media:description>M</media:description>", "M",
       "S"},
      {"<content:encoded>E</content:encoded>", "E", "E"},
      {"<content:encoded>E</content:encoded><itunes:summary>S</itunes:summary>", "S", "E"},
      {"<content:encoded>E</content:encoded><description>D</description>"
       "<media:group><media:description>G</media:description></media:group>",
       "D", "E"},
      {"<description>D</description><content:encoded>E</content:encoded><itunes:summary>S</itunes:summary>", "S", "E"},
      {"<itunes:subtitle>not a summary</itunes:subtitle>", "", ""},
  };
  for (const auto& row : rows) {
    const Item item = only_item(rss_item("<title>t</title>" + row.inner, ns));
    EXPECT_EQ(item.summary, row.summary) << row.inner;
    EXPECT_EQ(item.content, row.content) << row.inner;
  }
}

TEST(Fidelity, TheLastAuthorElementWins) {
  const std::string ns =
      " xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"";
  EXPECT_EQ(only_item(rss_item("<dc:creator>A</dc:creator><dc:creator>B</dc:creator>", ns)).author, "B");
  EXPECT_EQ(only_item(rss_item("<itunes:author>I</itunes:author><author>R</author>", ns)).author, "R");
  EXPECT_EQ(only_item(rss_item("<author>R</author><dc:creator></dc:creator>", ns)).author, "R")
      << "an empty one replaces nothing";
}

TEST(Fidelity, TitlesInUnknownNamespacesAreNotTheTitle) {
  const char* const rows[] = {
      "<x:title xmlns:x=\"urn:x\">wrong</x:title><title>right</title>",
      "<title>right</title><x:title xmlns:x=\"urn:x\">wrong</x:title>",
      "<x:title>wrong (undeclared prefix)</x:title><title>right</title>",
      "<media:title xmlns:media=\"urn:not-media\">wrong</media:title><title>right</title>",
  };
  for (const char* inner : rows) {
    EXPECT_EQ(only_item(rss_item(inner)).title, "right") << inner;
    EXPECT_EQ(only_item(atom_entry(inner)).title, "right") << inner;
  }
  EXPECT_EQ(only_item(rss_item("<x:title xmlns:x=\"urn:x\">wrong</x:title><link>https://a.example/1</link>")).title,
            "");
}

TEST(Fidelity, RssOneItemIdUnderAnyRdfPrefix) {
  const auto r = parse_feed(
      "<r:RDF xmlns:r=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
      "<channel r:about=\"https://a.example/\"><title>F</title></channel>"
      "<item r:about=\"https://a.example/1\"><title>t</title></item>"
      "<item x:about=\"https://a.example/2\" xmlns:x=\"urn:not-rdf\"><title>u</title></item></r:RDF>");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[0].id, "https://a.example/1");
  EXPECT_EQ(r->items[1].id.rfind("hash:", 0), 0u) << r->items[1].id;
}

// A document cut inside a CDATA section (or any text): with keep_cut_item the item it ends in
// comes out with the fields that closed, as feedparser gives it; without, it is left out.
TEST(Fidelity, CutInsideCdataKeepsTheClosedFields) {
  const std::string head = "<rss><channel><title>F</title><item><title>a</title><guid>1</guid></item>";
  const std::string cut_rows[] = {
      "<item><title>b</title><guid>2</guid><description><![CDATA[<p>cut text",
      "<item><title>b</title><guid>2</guid><description><![CDATA[<p>cut text]]",
      "<item><title>b</title><guid>2</guid><description>plain cut",
      "<item><title>b</title><guid>2</guid><description>",
      "<item><title>b</title><guid>2</guid></item",
  };
  ParseOptions keep;
  keep.keep_cut_item = true;
  for (const auto& cut : cut_rows) {
    const auto kept = parse_feed(head + cut, keep);
    ASSERT_TRUE(kept.ok()) << cut;
    ASSERT_EQ(kept->items.size(), 2u) << cut;
    EXPECT_EQ(kept->items[1].title, "b") << cut;
    EXPECT_EQ(kept->items[1].id, "2") << cut;
    EXPECT_EQ(kept->items[1].summary, "") << "the open element is left out: " << cut;
    EXPECT_TRUE(kept->incomplete);
    const auto dropped = parse_feed(head + cut);
    ASSERT_TRUE(dropped.ok()) << cut;
    EXPECT_EQ(dropped->items.size(), 1u) << cut;
  }
  // Nothing closed in the cut item: an empty item, as feedparser's empty entry.
  const auto empty = parse_feed(head + "<item><title><![CDATA[b cut", keep);
  ASSERT_TRUE(empty.ok());
  ASSERT_EQ(empty->items.size(), 2u);
  EXPECT_EQ(empty->items[1].title, "");
  // Cut in a close tag: that element did not close. An empty-element tag did.
  const auto in_close =
      parse_feed(head + "<item><title>b</title><pubDate>Sat, 19 Jan 2013 08:00:00 GMT</pubDate", keep);
  ASSERT_TRUE(in_close.ok());
  ASSERT_EQ(in_close->items.size(), 2u);
  EXPECT_FALSE(in_close->items[1].published);
  const auto empty_tag = parse_feed(head + "<item><title>b</title><category>x</category><category/></", keep);
  ASSERT_TRUE(empty_tag.ok());
  ASSERT_EQ(empty_tag->items.size(), 2u);
  EXPECT_EQ(empty_tag->items[1].categories, std::vector<std::string>{"x"});
  // Atom: an entry cut in its content keeps its closed summary.
  const auto atom = parse_feed(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>F</title><entry><id>1</id><title>b</title>"
      "<summary>closed</summary><content type=\"html\"><![CDATA[<p>cut",
      keep);
  ASSERT_TRUE(atom.ok());
  ASSERT_EQ(atom->items.size(), 1u);
  EXPECT_EQ(atom->items[0].summary, "closed");
  EXPECT_EQ(atom->items[0].content, "");
}

}  // namespace
