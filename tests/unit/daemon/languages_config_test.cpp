// Config keys of languages and weighted watchlists: [[feed]] language, [[filter]] languages,
// rank and threshold, and what --check says about them (file:line:col).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/compiled_config.hpp"
#include "daemon/config.hpp"

namespace newswatch::daemon {
namespace {

// The errors --check would print: the config's, else the compiled watchlist's.
std::vector<std::string> check(const std::string& text) {
  auto r = load_config_texts({{"w.toml", text}});
  std::vector<std::string> out;
  if (!r) {
    for (const auto& e : r.error())
      out.push_back(format_error(e));
    return out;
  }
  auto m = compile_watchlist(*r);
  if (!m) out = m.error();
  return out;
}

TEST(LanguagesConfig, ReadsTheKeys) {
  auto r = load_config_texts({{"w.toml",
                               "[[feed]]\nid = \"rfi\"\nurl = \"https://x/rss\"\nlanguage = \"fr\"\n"
                               "[[filter]]\nid = \"coups\"\nrank = 'coup^4 junta^4'\nthreshold = 6.5\n"
                               "languages = [\"fr\", \"ha\"]\n"}});
  ASSERT_TRUE(r) << format_error(r.error().front());
  EXPECT_EQ(r->feeds[0].language, "fr");
  EXPECT_EQ(r->filters[0].rank, "coup^4 junta^4");
  EXPECT_EQ(r->filters[0].query, "");
  EXPECT_DOUBLE_EQ(r->filters[0].threshold, 6.5);
  EXPECT_EQ(r->filters[0].languages, (std::vector<std::string>{"fr", "ha"}));
  EXPECT_EQ(r->filters[0].rank_pos.line, 7);
  EXPECT_TRUE(check("[[filter]]\nid = \"coups\"\nrank = 'coup^4 junta^4'\nthreshold = 6\n").empty());
}

TEST(LanguagesConfig, UnknownCodesAreRejected) {
  EXPECT_EQ(check("[[feed]]\nid = \"a\"\nurl = \"https://x/\"\nlanguage = \"fra\"\n"),
            (std::vector<std::string>{"w.toml:4:12: feed 'a': unknown language code 'fra': write 'fr' (ISO 639-1)"}));
  EXPECT_EQ(check("[[filter]]\nid = \"f\"\nquery = 'Mali'\nlanguages = [\"fr\", \"xx\"]\n"),
            (std::vector<std::string>{"w.toml:4:13: filter 'f': unknown language code 'xx': expected an ISO 639-1 "
                                      "code such as 'fr', an ISO 639-3 code such as 'pcm', or 'und'"}));
  EXPECT_EQ(
      check("[[filter]]\nid = \"f\"\nquery = 'Mali AND lang:en-US'\n"),
      (std::vector<std::string>{"w.toml:3:24: filter 'f': unknown language code 'en-US': write 'en' (ISO 639-1)"}));
}

TEST(LanguagesConfig, ThresholdsNoCombinationReaches) {
  EXPECT_EQ(check("[[filter]]\nid = \"f\"\nrank = 'coup^4 junta^1'\nthreshold = 6\n"),
            (std::vector<std::string>{
                "w.toml:4:13: filter 'f': threshold 6 cannot be reached: the rank's positive weights add up to 5"}));
}

TEST(LanguagesConfig, FilterShapes) {
  EXPECT_EQ(check("[[filter]]\nid = \"f\"\n"),
            (std::vector<std::string>{"w.toml:1:1: filter 'f' has no 'query' (or 'rank')"}));
  EXPECT_EQ(check("[[filter]]\nid = \"f\"\nquery = 'Mali'\nthreshold = 2\n"),
            (std::vector<std::string>{"w.toml:4:13: filter 'f': 'threshold' needs a 'rank' to weigh"}));
  EXPECT_EQ(check("[[filter]]\nid = \"f\"\nrank = 'coup^4'\nthreshold = \"high\"\n"),
            (std::vector<std::string>{"w.toml:4:13: 'threshold' must be a number"}));
  EXPECT_EQ(check("[[filter]]\nid = \"f\"\nrank = 'coup^x'\n"),
            (std::vector<std::string>{
                "w.toml:3:14: filter 'f': rank: expected a number as the weight (4, -10, 2.5), found 'x'"}));
}

}  // namespace
}  // namespace newswatch::daemon

namespace newswatch::daemon {
namespace {

// The example weighted watchlist compiles next to sahel.toml, and scores as its comment says.
TEST(LanguagesConfig, ExampleWeightedWatchlist) {
  const auto slurp = [](const std::string& name) {
    std::ifstream in(std::string(NEWSWATCH_SOURCE_DIR) + "/examples/watchlists/" + name);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto config =
      load_config_texts({{"sahel.toml", slurp("sahel.toml")}, {"coups-weighted.toml", slurp("coups-weighted.toml")}});
  ASSERT_TRUE(config) << format_error(config.error().front());
  auto matcher = compile_watchlist(*config);
  ASSERT_TRUE(matcher) << matcher.error().front();
  const auto& m = **matcher;
  std::size_t index = 0;
  while (m.filters()[index].id != "coups-west-africa")
    ++index;
  const auto score = [&](const char* title, const char* summary) -> double {
    const auto r = m.match({title, summary, "", "en"}, "feed").value();
    for (const auto& f : r.filters) {
      if (f.filter_index == index) return *f.score;
    }
    return -1;  // did not fire
  };
  EXPECT_EQ(score("Coup fears grow in the capital", ""), -1) << "one strong term alone";
  EXPECT_EQ(score("Coach's coup: football club signs striker", ""), -1);
  EXPECT_GE(score("Soldiers seize state television in Bamako, curfew declared", "Mutineers detained the president."),
            6);
  EXPECT_GE(score("Mali: la junte suspend la constitution", "Les soldats ont dissous le gouvernement."), 6);
}

}  // namespace
}  // namespace newswatch::daemon
