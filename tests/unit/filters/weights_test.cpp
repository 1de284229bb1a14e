// Weighted watchlists and languages in the matcher: a golden table of (rank, query, threshold,
// item) -> fired or not, the score, and each match's weight; then the compile-time checks.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "filters/matcher.hpp"
#include "filters/query.hpp"

namespace newswatch::filters {
namespace {

std::vector<EntityDef> gazetteer() {
  EntityDef aqim;
  aqim.id = "AQIM";
  aqim.aliases = {{"al-Qaeda in the Islamic Maghreb", false}, {"Al-Qaïda au Maghreb islamique", false}, {"AQIM", true}};
  return {aqim};
}

struct Row {
  const char* rule;  // what the row pins down
  const char* rank;
  const char* query;
  double threshold;
  const char* language;  // the item's
  const char* title;
  const char* summary;
  bool fires;
  double score;                                // when it fires
  std::map<std::string, double> weights = {};  // term -> weight of its matches (when it fires)
};

// clang-format off
const Row kRows[] = {
    {"weights add up", "coup^4 junta^4", "", 6, "en", "Coup leaders name a junta", "", true, 8, {{"coup", 4}, {"junta", 4}}},
    {"one term alone stays below", "coup^4 junta^4", "", 6, "en", "Coup attempt foiled", "", false, 0},
    {"distinct terms count once", "coup^4 junta^4", "", 6, "en", "Coup after coup: coup", "coup", false, 0},
    {"each occurrence reported, once weighed", "coup^4 junta^4", "", 8, "en", "coup, junta, coup", "", true, 8,
     {{"coup", 4}, {"junta", 4}}},
    {"a negative term cancels", "coup^4 junta^4 football^-10", "", 6, "en", "Coup and junta: football club news", "",
     false, 0},
    {"a negative term absent costs nothing", "coup^4 junta^4 football^-10", "", 6, "en", "Coup and junta", "", true, 8},
    {"negative matches are reported with their weight", "coup^4 junta^4 football^-1", "", 6, "en",
     "Coup, junta, football", "", true, 7, {{"coup", 4}, {"junta", 4}, {"football", -1}}},
    {"a scoped term outside its field", "title:junta^4 coup^4", "", 6, "en", "Coup in the capital",
     "The junta spoke", false, 0},
    {"a scoped term inside its field", "title:junta^4 coup^4", "", 6, "en", "Junta after the coup", "", true, 8},
    {"the gate query fails", "coup^4 junta^4", "Mali", 6, "en", "Coup and junta in Niger", "", false, 0},
    {"the gate query holds", "coup^4 junta^4", "Mali", 6, "en", "Coup and junta in Mali", "", true, 8,
     {{"Mali", -999}, {"coup", 4}, {"junta", 4}}},
    {"the gate holds but the score is short", "coup^4 junta^4", "Mali", 6, "en", "Coup in Mali", "", false, 0},
    {"an entity alias carries the weight", "@AQIM^5 attack^2", "", 6, "en",
     "al-Qaeda in the Islamic Maghreb attack", "", true, 7, {{"al-Qaeda in the Islamic Maghreb", 5}, {"attack", 2}}},
    {"two aliases of one entity are one term", "@AQIM^5 attack^2", "", 6, "en",
     "AQIM, al-Qaeda in the Islamic Maghreb", "Al-Qaïda au Maghreb islamique", false, 0},
    {"a phrase weighs as one term", "\"peace talks\"^2 ceasefire^4", "", 6, "en", "Peace talks bring a ceasefire",
     "", true, 6},
    {"a phrase's words apart do not count", "\"peace talks\"^2 ceasefire^4", "", 6, "en", "Talks on peace, ceasefire",
     "", false, 0},
    {"lang: in a rank holds on the item's language", "lang:fr^3 coup^4", "", 6, "fr", "Coup d'État", "", true, 7},
    {"lang: in a rank, another language", "lang:fr^3 coup^4", "", 6, "en", "Coup d'État", "", false, 0},
    {"a prefix term", "islamist*^3 junta^3", "", 6, "en", "Islamists and the junta", "", true, 6},
    {"fractional weights", "coup^2.5 junta^3.5", "", 6, "en", "coup junta", "", true, 6},
};
// clang-format on

class Weights : public ::testing::TestWithParam<Row> {};

TEST_P(Weights, ScoreAndFire) {
  const Row& row = GetParam();
  FilterDef f;
  f.id = "w";
  f.topic = "alert.w";
  f.rank = row.rank;
  f.query = row.query;
  f.threshold = row.threshold;
  auto m = Matcher::compile({f}, gazetteer());
  ASSERT_TRUE(m.ok()) << row.rule << ": " << format_error(m.error().front());
  const auto r = (*m)->match({row.title, row.summary, "", row.language}, "feed").value();
  if (!row.fires) {
    EXPECT_TRUE(r.filters.empty()) << row.rule << ": fired with score " << r.filters.front().score.value_or(-1);
    return;
  }
  ASSERT_EQ(r.filters.size(), 1u) << row.rule;
  ASSERT_TRUE(r.filters[0].score.has_value()) << row.rule;
  EXPECT_DOUBLE_EQ(*r.filters[0].score, row.score) << row.rule;
  for (const auto& tm : r.filters[0].matches) {
    const auto want = row.weights.find(tm.term);
    if (want == row.weights.end()) continue;
    if (want->second == -999) {
      EXPECT_FALSE(tm.weight.has_value()) << row.rule << ": " << tm.term << " is a query term outside the rank";
    } else {
      ASSERT_TRUE(tm.weight.has_value()) << row.rule << ": " << tm.term;
      EXPECT_DOUBLE_EQ(*tm.weight, want->second) << row.rule << ": " << tm.term;
    }
  }
  std::map<std::string, int> seen;
  for (const auto& tm : r.filters[0].matches)
    ++seen[tm.term];
  for (const auto& [term, weight] : row.weights)
    EXPECT_GE(seen[term], 1) << row.rule << ": " << term << " not reported";
}

INSTANTIATE_TEST_SUITE_P(Table, Weights, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& info) { return "row" + std::to_string(info.index); });

std::string compile_error(FilterDef f) {
  f.id = "w";
  f.topic = "alert.w";
  f.query_pos = {"t.toml", 3, 9};
  f.rank_pos = {"t.toml", 4, 8};
  f.threshold_pos = {"t.toml", 5, 13};
  auto m = Matcher::compile({f}, gazetteer());
  if (m) return "compiled";
  return format_error(m.error().front());
}

FilterDef ranked(const char* rank, double threshold, const char* query = "") {
  FilterDef f;
  f.rank = rank;
  f.threshold = threshold;
  f.query = query;
  return f;
}

TEST(WeightsCheck, ThresholdNoCombinationReaches) {
  EXPECT_EQ(compile_error(ranked("coup^4 junta^1 football^-10", 6)),
            "t.toml:5:13: filter 'w': threshold 6 cannot be reached: the rank's positive weights add up to 5");
  EXPECT_EQ(compile_error(ranked("coup^4 junta^2", 6)), "compiled");
  // An item has one language: of several lang: terms only the best counts.
  EXPECT_EQ(compile_error(ranked("lang:fr^5 lang:en^5 coup^1", 7)),
            "t.toml:5:13: filter 'w': threshold 7 cannot be reached: the rank's positive weights add up to 6");
}

TEST(WeightsCheck, RankAloneNeedsSomethingPositiveToFind) {
  EXPECT_EQ(compile_error(ranked("football^-3", 1)),
            "t.toml:4:9: filter 'w': the rank has no word, phrase or entity of positive weight and there is no "
            "query, so it could never fire");
  EXPECT_EQ(compile_error(ranked("lang:fr^3", 1)),
            "t.toml:4:9: filter 'w': the rank has no word, phrase or entity of positive weight and there is no "
            "query, so it could never fire");
  EXPECT_NE(compile_error(ranked("coup^3", 0)).find("without a query it must be above 0"), std::string::npos);
  EXPECT_EQ(compile_error(ranked("coup^3", 0, "Mali")), "compiled");
}

TEST(WeightsCheck, RankSyntaxErrorsSayWhere) {
  EXPECT_EQ(compile_error(ranked("coup^x", 1)),
            "t.toml:4:14: filter 'w': rank: expected a number as the weight (4, -10, 2.5), found 'x'");
  EXPECT_EQ(compile_error(ranked("coup^", 1)),
            "t.toml:4:14: filter 'w': rank: expected a weight right after '^', found end of query");
  EXPECT_EQ(compile_error(ranked("coup ^4", 1)),
            "t.toml:4:14: filter 'w': rank: expected '^' right after the term, found a space");
  EXPECT_EQ(compile_error(ranked("coup^4 OR junta^4", 1)),
            "t.toml:4:16: filter 'w': rank: a rank lists terms with weights (coup^4 junta^4); 'OR' belongs in the "
            "query");
  EXPECT_EQ(compile_error(ranked("coup^4 Coup^2", 1)),
            "t.toml:4:16: filter 'w': rank: 'Coup' is listed twice; give it one weight");
  EXPECT_EQ(compile_error(ranked("@Nobody^4", 1)), "t.toml:4:9: filter 'w': unknown entity '@Nobody'");
}

TEST(WeightsCheck, NeitherQueryNorRank) {
  EXPECT_EQ(compile_error(FilterDef{}), "t.toml:3:10: filter 'w': empty query: expected a term");
}

TEST(Languages, LangTermsInQueries) {
  const auto fires = [](const char* query, const char* language) {
    FilterDef f;
    f.id = "l";
    f.topic = "alert.l";
    f.query = query;
    auto m = Matcher::compile({f}, {});
    EXPECT_TRUE(m.ok()) << query;
    return !(*m)->match({"Troops in Mali", "", "", language}, "feed").value().filters.empty();
  };
  EXPECT_TRUE(fires("Mali AND lang:fr", "fr"));
  EXPECT_FALSE(fires("Mali AND lang:fr", "en"));
  EXPECT_TRUE(fires("Mali NOT lang:en", "fr"));
  EXPECT_FALSE(fires("Mali NOT lang:en", "en"));
  EXPECT_TRUE(fires("Mali NOT lang:en", "und"));
  EXPECT_TRUE(fires("Mali (lang:fr OR lang:ha)", "ha"));
  EXPECT_FALSE(fires("Mali (lang:fr OR lang:ha)", "sw"));
  EXPECT_TRUE(fires("Mali lang:und", "und"));
}

TEST(Languages, LanguagesRestrictAFilter) {
  FilterDef f;
  f.id = "l";
  f.topic = "alert.l";
  f.query = "Mali";
  f.languages = {"fr", "ha"};
  auto m = Matcher::compile({f}, {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->match({"Mali", "", "", "fr"}, "feed").value().filters.size(), 1u);
  EXPECT_EQ((*m)->match({"Mali", "", "", "ha"}, "feed").value().filters.size(), 1u);
  EXPECT_TRUE((*m)->match({"Mali", "", "", "en"}, "feed").value().filters.empty());
  EXPECT_TRUE((*m)->match({"Mali", "", "", "und"}, "feed").value().filters.empty());
}

TEST(Languages, QueryErrors) {
  const auto error_of = [](const char* q) {
    auto r = query::parse(q);
    return r ? std::string("parsed: ") + query::to_string(*r)
             : std::to_string(r.error().column) + ": " + r.error().message;
  };
  EXPECT_EQ(error_of("Mali lang:fr"), "parsed: (AND mali lang:fr)");
  EXPECT_EQ(error_of("Mali lang:fra"), "10: unknown language code 'fra': write 'fr' (ISO 639-1)");
  EXPECT_EQ(error_of("Mali lang:xx"),
            "10: unknown language code 'xx': expected an ISO 639-1 code such as 'fr', an ISO 639-3 code such as "
            "'pcm', or 'und'");
  EXPECT_EQ(error_of("Mali lang: fr"), "5: expected a language code right after 'lang:', as in lang:fr, found a space");
  EXPECT_EQ(error_of("title:lang:fr"), "6: lang: is about the whole item; it takes no field scope");
  EXPECT_EQ(error_of("lang"), "parsed: lang");  // the word itself is still a word
}

TEST(Explain, SaysWhyAFilterDidOrDidNotFire) {
  FilterDef gate;
  gate.id = "gate";
  gate.topic = "alert.gate";
  gate.query = "Mali AND (coup OR junta)";
  FilterDef weighed = ranked("coup^4 junta^4 football^-10", 6);
  weighed.id = "weighed";
  weighed.topic = "alert.weighed";
  FilterDef french;
  french.id = "french";
  french.topic = "alert.french";
  french.query = "Mali";
  french.languages = {"fr"};
  auto m = Matcher::compile({gate, weighed, french}, {});
  ASSERT_TRUE(m.ok());
  const auto why = (*m)->explain({"Coup in Niger: football and junta", "", "", "en"}, "feed").value();
  ASSERT_EQ(why.size(), 3u);
  EXPECT_FALSE(why[0].fired);
  EXPECT_EQ(why[0].reason, "query failed: mali");
  EXPECT_FALSE(why[1].fired);
  EXPECT_EQ(why[1].reason, "score -2 is below the threshold 6");
  EXPECT_EQ(why[1].found, (std::vector<std::string>{"coup^4", "football^-10", "junta^4"}));
  EXPECT_FALSE(why[2].fired);
  EXPECT_EQ(why[2].reason, "language 'en' is not in its languages");
  const auto fired = (*m)->explain({"Coup and junta in Mali", "", "", "fr"}, "feed").value();
  EXPECT_TRUE(fired[0].fired);
  EXPECT_EQ(fired[0].reason, "fired");
  EXPECT_EQ(fired[0].found, (std::vector<std::string>{"Mali", "coup", "junta"}));
  EXPECT_TRUE(fired[1].fired);
  EXPECT_EQ(fired[1].score, 8);
  EXPECT_TRUE(fired[2].fired);
}

}  // namespace
}  // namespace newswatch::filters
