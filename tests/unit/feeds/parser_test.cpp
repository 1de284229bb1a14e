// Focused parser behaviour that fixtures show less directly: errors, problems, ttl, big
// inputs, namespace scoping, identity across fetches, JSON Lines shape.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/feed_json.hpp"
#include "feeds/feed_parser.hpp"

using namespace newswatch::feeds;

namespace {

// The hostile inputs below (~100k repetitions) are checked here for what they parse to;
// how their parse time grows with their size is measured by tests/bench/bench_parse
// (--hostile), against a plain feed of the same size parsed in the same run: no test here
// holds a wall-clock budget, which a loaded machine would break.

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

std::string rss_with(const std::string& items, const std::string& channel_extra = "") {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>https://x.org/</link>" +
         channel_extra + items + "</channel></rss>";
}

TEST(Parser, FeedLevelFieldsAndTtl) {
  const auto r = parse_feed(rss_with("<item><title>a</title></item>", "<ttl>30</ttl>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "T");
  EXPECT_EQ(r->link, "https://x.org/");
  ASSERT_TRUE(r->ttl_minutes.has_value());
  EXPECT_EQ(*r->ttl_minutes, 30);
  EXPECT_TRUE(r->problems.empty());
}

TEST(Parser, InvalidTtlIsAProblemNotAnError) {
  const auto r = parse_feed(rss_with("", "<ttl>-5</ttl>"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ttl_minutes.has_value());
  EXPECT_FALSE(r->problems.empty());
}

TEST(Parser, ErrorsAreOneLine) {
  for (const std::string bad : {"", "   ", "plain words", "<html><body>x</body></html>", "{\"a\":1}", "<a><b></a>",
                                "<?xml version=\"1.0\"?><weather/>", "\xFF\xFE", "{"}) {
    const auto r = parse_feed(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(r.error().message.empty());
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
}

TEST(Parser, HtmlPageIsNamedAsSuch) {
  const auto r = parse_feed("<!DOCTYPE html><html><head><meta charset=utf-8><title>x</title></head></html>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("HTML page"), std::string::npos) << r.error().message;
}

TEST(Parser, TruncationKeepsCompleteItemsAndSaysSo) {
  const std::string full = rss_with(
      "<item><title>one</title><guid>1</guid></item><item><title>two</title><guid>2</guid></item>"
      "<item><title>three</title><guid>3</guid></item>");
  for (std::size_t cut = full.find("<item><title>three"); cut < full.find("</item></channel>"); ++cut) {
    const auto r = parse_feed(full.substr(0, cut));
    ASSERT_TRUE(r.ok()) << cut;
    ASSERT_EQ(r->items.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(r->items[1].id, "2");
    EXPECT_FALSE(r->problems.empty());
    EXPECT_TRUE(r->incomplete) << "cut at " << cut;
  }
  const auto whole = parse_feed(full);
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->incomplete);
}

TEST(Parser, SameItemSameIdAcrossFetches) {
  const auto a = parse_feed(rss_with("<item><title>Mali</title><link>https://x.org/1</link></item>"));
  const auto b = parse_feed(
      rss_with("<item><title>New</title><link>https://x.org/2</link></item>"
               "<item><title> Mali </title><link>https://x.org/1</link><description>edited</description></item>"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->items[0].id, b->items[1].id);
  EXPECT_NE(b->items[0].id, b->items[1].id);
}

// A feed that moves (301 http -> https, 302 to a mirror) is fetched from another URL: its
// items must keep their ids, or every one alerts again. Links are still resolved against it.
TEST(Parser, IdentityDoesNotDependOnTheFetchUrl) {
  const std::string atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\">";
  const std::string docs[] = {
      atom + "<entry><id>42</id><title>relative id</title><link href=\"posts/42\"/></entry></feed>",
      atom + "<entry><title>no id, relative link</title><link href=\"posts/43\"/></entry></feed>",
      atom + "<entry xml:base=\"2013/\"><title>relative xml:base</title><link href=\"44\"/></entry></feed>",
      rss_with("<item><title>no guid, relative link</title><link>/sahel/45</link></item>"),
      R"({"version":"https://jsonfeed.org/version/1.1","items":[{"title":"no id","url":"posts/46"}]})",
      R"({"version":"https://jsonfeed.org/version/1.1","home_page_url":"/sahel/",)"
      R"("items":[{"title":"no id, relative home","url":"47"}]})",
  };
  for (const auto& doc : docs) {
    ParseOptions from_a;
    from_a.base_url = "http://a/f";
    ParseOptions from_b;
    from_b.base_url = "https://b/f";
    const auto a = parse_feed(doc, from_a);
    const auto b = parse_feed(doc, from_b);
    ASSERT_TRUE(a.ok() && b.ok()) << doc;
    ASSERT_EQ(a->items.size(), 1u) << doc;
    ASSERT_EQ(b->items.size(), 1u) << doc;
    EXPECT_EQ(a->items[0].id, b->items[0].id) << doc;
    EXPECT_EQ(a->items[0].link.rfind("http://a/", 0), 0u) << a->items[0].link;
    EXPECT_EQ(b->items[0].link.rfind("https://b/", 0), 0u) << b->items[0].link;
  }
  // An id the document makes absolute is kept absolute.
  const auto based = parse_feed(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://x.org/news/\">"
      "<entry><id>42</id><title>t</title></entry></feed>");
  ASSERT_TRUE(based.ok());
  EXPECT_EQ(based->items.at(0).id, "https://x.org/news/42");
}

TEST(Parser, NamespaceBindingIsScoped) {
  // "c" means content only inside the first item; in the second it is another namespace.
  const auto r = parse_feed(rss_with(
      "<item xmlns:c=\"http://purl.org/rss/1.0/modules/content/\"><title>1</title><c:encoded>body</c:encoded></item>"
      "<item xmlns:c=\"urn:other\"><title>2</title><c:encoded>not content</c:encoded></item>"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[0].content, "body");
  EXPECT_EQ(r->items[1].content, "");
}

TEST(Parser, ManyItems) {
  std::string items;
  items.reserve(100000 * 120);
  for (int i = 0; i < 100000; ++i) {
    items += "<item><title>Item " + std::to_string(i) + " &amp; more</title><guid>g" + std::to_string(i) +
             "</guid><pubDate>Thu, 20 Dec 2012 18:00:00 GMT</pubDate></item>";
  }
  const auto r = parse_feed(rss_with(items));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items.size(), 100000u);
  EXPECT_EQ(r->items.back().title, "Item 99999 & more");
}

// Recovery after an XML error looks for each item's close tag. N open tags sharing one
// close tag searched the rest of the input N times.
TEST(Parser, RecoveryPastManyUnclosedItems) {
  const std::string doc =
      "<rss><channel></x>" + repeat("<item>", 100000) + "<item><title>last</title></item></channel></rss>";
  const auto r = parse_feed(doc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].title, "last");
}

// One item with 100,000 categories, each name twice: repeats were found by a linear search
// per category (10^10 compares at this size), and every one was kept.
TEST(Parser, ManyCategoriesAreDeduplicatedInOrderAndCapped) {
  std::vector<std::string> names;
  for (long i = 0; i < 100000; ++i) {
    // Appended, not `"c" + std::to_string(...)`: a false -Wrestrict in GCC 12 at -O3 (bug 105329).
    std::string name = i % 1000 == 0 ? "" : "c";
    if (!name.empty()) name += std::to_string((i * 7919) % 50000);
    names.push_back(std::move(name));
  }
  std::vector<std::string> want;
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (!n.empty() && seen.insert(n).second && want.size() < kMaxCategories) want.push_back(n);
  }
  std::string rss = "<item><title>t</title>";
  std::string atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>t</title>";
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& n : names) {
    rss += "<category>" + n + "</category>";
    atom += "<category term=\"" + n + "\"/>";
    tags.push_back(n);
  }
  rss += "</item>";
  atom += "</entry></feed>";
  const nlohmann::json json_feed = {{"version", "https://jsonfeed.org/version/1.1"},
                                    {"items", {{{"id", "1"}, {"tags", tags}}}}};
  for (const std::string& doc : {rss_with(rss), atom, json_feed.dump()}) {
    const auto r = parse_feed(doc);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->items.size(), 1u);
    EXPECT_EQ(r->items[0].categories, want) << doc.substr(0, 40);
    EXPECT_EQ(r->problems.size(), 1u) << "the cap is reported";
  }
}

// A root declaring 50,000 prefixes, then 50,000 items: each element's name was looked up by
// walking back through every binding in scope.
TEST(Parser, ManyNamespaceDeclarations) {
  std::string doc = "<rss version=\"2.0\"";
  for (int i = 0; i < 50000; ++i) {
    const std::string n = std::to_string(i);
    doc += " xmlns:p" + n + "=\"urn:p" + n + "\"";
  }
  doc += "><channel><title>T</title>" + repeat("<item><title>i</title><p7:x/></item>", 50000) + "</channel></rss>";
  const auto r = parse_feed(doc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->items.size(), 50000u);
  EXPECT_EQ(r->items.back().title, "i");
}

// The same declarations in a document broken before its items: recovery copied every
// declaration in scope into a wrapper around each item it re-parsed.
TEST(Parser, RecoveryUnderManyNamespaceDeclarations) {
  std::string doc = "<rss version=\"2.0\"";
  for (int i = 0; i < 20000; ++i) {
    const std::string n = std::to_string(i);
    doc += " xmlns:p" + n + "=\"urn:p" + n + "\"";
  }
  doc += " xmlns:c=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>T</title></x>" +
         repeat("<item><title>i</title><c:encoded>body</c:encoded></item>", 20000) + "</channel></rss>";
  const auto r = parse_feed(doc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->items.size(), 20000u);
  EXPECT_EQ(r->items.back().content, "body") << "the root's bindings still apply to recovered items";
}

// Numeric references the XML parser decodes itself: one to something that is not a character
// became a NUL (the field ended there) or bytes that are not UTF-8. Each reads as U+FFFD.
TEST(Parser, NumericReferencesToNonCharactersBecomeReplacementCharacters) {
  const std::pair<const char*, const char*> rows[] = {
      {"Mali &#0; coup &#xD800;", "Mali \uFFFD coup \uFFFD"},
      {"a&#x110000;b&#1114112;c", "a\uFFFDb\uFFFDc"},                     // past U+10FFFF
      {"&#xDFFF;&#55296;", "\uFFFD\uFFFD"},                               // surrogates, both forms
      {"&#x00000;&#4294967296;", "\uFFFD\uFFFD"},                         // 2^32 wraps to NUL in 32 bits
      {"&#x100000041;", "\uFFFD"},                                        // and this to 'A'
      {"&#x10FFFF;&#65;&#xe9;&#x1F600;", "\U0010FFFFA\u00E9\U0001F600"},  // characters stay
      {"<![CDATA[&#0;]]> &#x;", "\uFFFD &#x;"},  // CDATA: decoded once as text; "&#x;" is no reference
  };
  for (const auto& [title, want] : rows) {
    const auto r = parse_feed(rss_with(std::string("<item><title>") + title + "</title></item>"));
    ASSERT_TRUE(r.ok()) << title;
    ASSERT_EQ(r->items.size(), 1u) << title;
    EXPECT_EQ(r->items[0].title, want) << title;
  }
  // Attributes too.
  const auto atom = parse_feed(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>t</title><category term=\"Mali&#0;Sahel\"/>"
      "</entry></feed>");
  ASSERT_TRUE(atom.ok());
  EXPECT_EQ(atom->items.at(0).categories, std::vector<std::string>{"Mali\uFFFDSahel"});
}

TEST(Parser, JsonLinesShape) {
  Item item;
  item.id = "x";
  item.title = "T \"q\"";
  item.categories = {"Mali", "Sahel"};
  const auto j = nlohmann::json::parse(item_to_json(item));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it)
    keys.push_back(it.key());
  // nlohmann::json sorts keys; check presence and types rather than order here.
  EXPECT_EQ(keys.size(), 10u);
  EXPECT_EQ(j.at("language"), "");  // the parser's declared language; `newswatch parse` gives the final one
  EXPECT_TRUE(j.at("published").is_null());
  EXPECT_TRUE(j.at("updated").is_null());
  EXPECT_EQ(j.at("title"), "T \"q\"");
  EXPECT_EQ(j.at("categories").size(), 2u);
  const std::string line = item_to_json(item);
  EXPECT_EQ(line.rfind("{\"id\":", 0), 0u) << "id comes first";
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(Parser, JsonFeedLanguage) {
  const auto r = parse_feed(R"({"version":"https://jsonfeed.org/version/1.1","language":"fr-FR",)"
                            R"("items":[{"id":"1","title":"t"},{"id":"2","title":"u","language":"ha"}]})",
                            {"", "", "en"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->language, "fr");
  EXPECT_EQ(r->items[0].language, "fr");
  EXPECT_EQ(r->items[1].language, "ha");
}

TEST(Parser, ContentLanguageIsTheLastFallback) {
  const std::string rss = "<rss><channel><item><title>t</title></item></channel></rss>";
  EXPECT_EQ(parse_feed(rss, {"", "", "sw-KE"})->items.at(0).language, "sw");
  EXPECT_EQ(parse_feed(rss, {"", "", "en, fr"})->items.at(0).language, "") << "a list names no one language";
  const std::string declared = "<rss><channel><language>ha</language><item><title>t</title></item></channel></rss>";
  EXPECT_EQ(parse_feed(declared, {"", "", "en"})->items.at(0).language, "ha");
}

TEST(Parser, JsonFeedDetectedByContentNotName) {
  const auto r =
      parse_feed("  {\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":\"1\",\"title\":\"t\"}]}");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].id, "1");
}

TEST(Parser, NoDtdExpansion) {
  const auto r = parse_feed(
      "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/hostname\"><!ENTITY y \"boom\">]>" +
      rss_with("<item><title>&x;&y;</title></item>").substr(21));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].title, "&x;&y;");
}

}  // namespace
