// encode_alert_payload: the frame-2 JSON, golden for the fields languages and weighted
// watchlists add (item.language, score, matches[].weight) and for their absence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerts/alert.hpp"

namespace newswatch::alerts {
namespace {

feeds::Item item(std::string language) {
  feeds::Item it;
  it.id = "urn:x:1";
  it.title = "Coup et junte au Mali";
  it.language = std::move(language);
  return it;
}

const feeds::TimePoint kAt{std::chrono::seconds(1356026400)};

TEST(Payload, PlainFilterGolden) {
  filters::FilterMatch fm;
  fm.matches.push_back({"Mali", std::nullopt, "title", 17, 4, std::nullopt});
  EXPECT_EQ(encode_alert_payload(7, "sahel", "alert.sahel", "rfi", kAt, item("fr"), fm, {}),
            R"({"detected_at":"2012-12-20T18:00:00Z","entities":[],"feed":"rfi","filter":"sahel","item":{)"
            R"("author":"","categories":[],"content":"","id":"urn:x:1","language":"fr","link":"",)"
            R"("published":null,"summary":"","title":"Coup et junte au Mali","updated":null},)"
            R"("matches":[{"entity":null,"field":"title","length":4,"offset":17,"term":"Mali"}],)"
            R"("seq":7,"topic":"alert.sahel"})");
}

TEST(Payload, RankedFilterGolden) {
  filters::FilterMatch fm;
  fm.score = 8;
  fm.matches.push_back({"coup", std::nullopt, "title", 0, 4, 4.0});
  fm.matches.push_back({"Mali", std::nullopt, "title", 17, 4, std::nullopt});  // the gate query's term
  fm.matches.push_back({"football", std::nullopt, "title", 30, 8, -2.5});
  const auto j = nlohmann::json::parse(encode_alert_payload(1, "coups", "alert.coups", "rfi", kAt, item("fr"), fm, {}));
  EXPECT_EQ(j.at("score"), 8);
  EXPECT_EQ(j.at("matches")[0].at("weight"), 4);
  EXPECT_TRUE(j.at("matches")[1].at("weight").is_null());
  EXPECT_EQ(j.at("matches")[2].at("weight"), -2.5);
}

TEST(Payload, LanguageIsNeverMissing) {
  filters::FilterMatch fm;
  const auto j = nlohmann::json::parse(encode_alert_payload(1, "f", "alert.f", "x", kAt, item(""), fm, {}));
  EXPECT_EQ(j.at("item").at("language"), "und");
  EXPECT_FALSE(j.contains("score"));
}

}  // namespace
}  // namespace newswatch::alerts
