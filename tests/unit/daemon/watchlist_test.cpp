// The shipped Sahel watchlist loads with the config reader and compiles; filter errors
// found only at compile time still point at file:line:col of the TOML.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "daemon/config.hpp"
#include "filters/matcher.hpp"

namespace newswatch::daemon {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const filters::Matcher> load_sahel() {
  const std::string path = std::string(NEWSWATCH_SOURCE_DIR) + "/examples/watchlists/sahel.toml";
  const std::string text = read_file(path);
  EXPECT_FALSE(text.empty()) << path;
  auto config = load_config_texts({{"sahel.toml", text}});
  if (!config) {
    for (const auto& e : config.error())
      ADD_FAILURE() << format_error(e);
    return nullptr;
  }
  auto m = filters::Matcher::compile(config->filters, config->entities);
  if (!m) {
    for (const auto& e : m.error())
      ADD_FAILURE() << filters::format_error(e);
    return nullptr;
  }
  return *m;
}

std::vector<std::string> matched_filters(const filters::Matcher& m, const filters::MatchResult& r) {
  std::vector<std::string> ids;
  for (const auto& f : r.filters)
    ids.push_back(m.filters()[f.filter_index].id);
  return ids;
}

TEST(SahelWatchlist, LoadsAndCompiles) {
  auto m = load_sahel();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->entities().size(), 20U);
  EXPECT_EQ(m->filters().size(), 6U);
  EXPECT_GT(m->term_count(), 100U);
}

TEST(SahelWatchlist, MatchesEnglishAndFrenchReports) {
  auto m = load_sahel();
  ASSERT_TRUE(m);
  auto r = m->match({"Security Council backs ECOWAS troops for Mali",
                     "<p>The UN Security Council on Thursday authorised <b>AFISMA</b>, an African-led force, "
                     "to help Malian troops retake Timbuktu and Gao from Ansar Dine and MUJAO.</p>",
                     ""},
                    "un-news")
               .value();
  const auto ids = matched_filters(*m, r);
  for (const char* want : {"sahel", "sahel-intervention", "sahel-armed-groups", "sahel-un"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), want), ids.end()) << want;
  for (const char* e : {"Mali", "ECOWAS", "AFISMA", "UN-Security-Council", "Timbuktu", "Gao", "Ansar-Dine", "MUJAO"})
    EXPECT_NE(std::find(r.entities.begin(), r.entities.end(), e), r.entities.end()) << e;

  r = m->match({"Tombouctou : les combats reprennent", "Les troupes de la CEDEAO et l'armée malienne", ""}, "rfi")
          .value();
  const auto fr = matched_filters(*m, r);
  EXPECT_NE(std::find(fr.begin(), fr.end(), "sahel"), fr.end());
  EXPECT_NE(std::find(fr.begin(), fr.end(), "sahel-north"), fr.end());
  EXPECT_NE(std::find(fr.begin(), fr.end(), "sahel-intervention"), fr.end());
}

TEST(SahelWatchlist, IgnoresTheNearMisses) {
  auto m = load_sahel();
  ASSERT_TRUE(m);
  const auto r =
      m->match({"Somalia: Malibu-based charity helps Somali families", "a hanging chad, au revoir", ""}, "f").value();
  EXPECT_TRUE(r.filters.empty());
  EXPECT_TRUE(r.entities.empty());
}

std::vector<std::string> config_errors(const std::string& toml) {
  std::vector<std::string> out;
  auto config = load_config_texts({{"w.toml", toml}});
  if (!config) {
    for (const auto& e : config.error())
      out.push_back(format_error(e));
    return out;
  }
  auto m = filters::Matcher::compile(config->filters, config->entities);
  if (!m) {
    for (const auto& e : m.error())
      out.push_back(filters::format_error(e));
  }
  return out;
}

TEST(WatchlistErrors, QueryErrorsPointIntoTheTomlFile) {
  EXPECT_EQ(config_errors("[[filter]]\nid = \"a\"\nquery = \"Mali AND\"\n"),
            std::vector<std::string>{"w.toml:3:18: filter 'a': expected a term after AND, found end of query"});
  EXPECT_EQ(config_errors("[[filter]]\nid = \"b\"\nquery = '@Ghost OR Mali'\n"),
            std::vector<std::string>{"w.toml:3:10: filter 'b': unknown entity '@Ghost' (no [[entity]] is defined)"});
}

TEST(WatchlistErrors, EntityTableErrors) {
  const auto e1 = config_errors("[[entity]]\nid = \"X\"\naliases = [\"ok\", 3]\n");
  ASSERT_EQ(e1.size(), 1U);
  EXPECT_EQ(e1[0], "w.toml:3:18: 'aliases' must hold only strings");
  const auto e2 = config_errors("[[entity]]\nid = \"X\"\nalias = [\"x\"]\n");
  ASSERT_EQ(e2.size(), 1U);
  EXPECT_EQ(e2[0], "w.toml:3:1: unknown key 'alias' in [entity]; did you mean 'aliases'?");
  const auto e3 = config_errors("[[entity]]\nid = \"X\"\naliases = [\"--\"]\n");
  ASSERT_EQ(e3.size(), 1U);
  EXPECT_EQ(e3[0], "w.toml:1:1: entity 'X': alias '--' has no letters or digits");
}

}  // namespace
}  // namespace newswatch::daemon
