#include "cli/opml.hpp"

#include <gtest/gtest.h>

#include <string>

namespace newswatch::cli {
namespace {

constexpr const char* kExport = R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Africa desk" title="Africa desk">
      <outline type="rss" text="UN News: Africa" title="UN News: Africa" xmlUrl="https://news.example.org/africa.rss"/>
      <outline type="rss" text="Sahel Weekly" xmlUrl="https://sahel.example.net/feed.xml" htmlUrl="https://sahel.example.net/"/>
      <outline type="rss" text="Sahel Weekly" xmlUrl="https://sahel.example.net/other.xml"/>
    </outline>
    <outline type="rss" text="" xmlUrl="http://wire.example.com:8080/atom"/>
    <outline type="rss" text="Économie &amp; Marchés" xmlUrl="https://eco.example.fr/rss"/>
    <outline text="a folder without feeds"/>
  </body>
</opml>)";

TEST(Opml, ImportsNestedOutlinesWithStableUniqueIds) {
  auto feeds = parse_opml(kExport, {"un-news-africa"});
  ASSERT_TRUE(feeds) << feeds.error().message;
  ASSERT_EQ(feeds->size(), 5u);
  EXPECT_EQ((*feeds)[0].id, "un-news-africa-2") << "ids already in the config are avoided";
  EXPECT_EQ((*feeds)[0].url, "https://news.example.org/africa.rss");
  EXPECT_EQ((*feeds)[1].id, "sahel-weekly");
  EXPECT_EQ((*feeds)[2].id, "sahel-weekly-2");
  EXPECT_EQ((*feeds)[3].id, "wire-example-com") << "no title: the host names it";
  EXPECT_EQ((*feeds)[4].id, "conomie-march-s");
  EXPECT_EQ((*feeds)[4].title, "Économie & Marchés");
  // Stable: a feed added to the end of the export later leaves the earlier ids alone, so a
  // re-import keeps the ids (and topics) of the feeds already imported.
  std::string grown = kExport;
  grown.insert(grown.find("  </body>"),
               "    <outline type=\"rss\" text=\"Sahel Weekly\" xmlUrl=\"https://sahel.example.net/third.xml\"/>\n");
  auto again = parse_opml(grown, {"un-news-africa"});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), feeds->size() + 1);
  for (std::size_t i = 0; i < feeds->size(); ++i)
    EXPECT_EQ((*again)[i].id, (*feeds)[i].id) << "stable";
  EXPECT_EQ(again->back().id, "sahel-weekly-3");
}

TEST(Opml, RoundTripsThroughTheConfigReader) {
  auto feeds = parse_opml(kExport);
  ASSERT_TRUE(feeds);
  const std::string toml = feeds_to_toml(*feeds);
  auto config = daemon::load_config_texts({{"imported.toml", toml}});
  ASSERT_TRUE(config) << daemon::format_error(config.error().front()) << "\n" << toml;
  ASSERT_EQ(config->feeds.size(), feeds->size());
  EXPECT_EQ(config->feeds[4].title, "Économie & Marchés");
  auto back = parse_opml(export_opml(config->feeds));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), feeds->size());
  for (std::size_t i = 0; i < back->size(); ++i) {
    EXPECT_EQ((*back)[i].url, (*feeds)[i].url);
    EXPECT_EQ((*back)[i].title, (*feeds)[i].title.empty() ? (*feeds)[i].id : (*feeds)[i].title);
  }
}

// Issue 19 item 7: the declaration came twice, which strict XML readers refuse while our own
// lenient importer let it pass (so the round trip above could not see it).
TEST(Opml, ExportHasExactlyOneXmlDeclarationAtTheStart) {
  std::vector<daemon::FeedDef> feeds(1);
  feeds[0].id = "a";
  feeds[0].url = "https://example.org/a.xml";
  const std::string out = export_opml(feeds);
  EXPECT_EQ(out.rfind("<?xml version=\"1.0\"", 0), 0u) << out;
  EXPECT_EQ(out.find("<?xml", 1), std::string::npos) << out;
}

TEST(Opml, RejectsWhatIsNotOpml) {
  EXPECT_FALSE(parse_opml("<rss><channel/></rss>"));
  EXPECT_FALSE(parse_opml("<opml><body>"));
  EXPECT_FALSE(parse_opml(""));
}

TEST(Opml, SlugGoldens) {
  EXPECT_EQ(slug("UN News: Africa"), "un-news-africa");
  EXPECT_EQ(slug("  --BBC  World--  "), "bbc-world");
  EXPECT_EQ(slug("日本"), "");
  EXPECT_EQ(slug(std::string(100, 'a')).size(), 48u);
}

}  // namespace
}  // namespace newswatch::cli
