// burst.<filter> payloads, the alert payload reader and tail's readable line.
#include "bursts/burst_message.hpp"

#include <gtest/gtest.h>

namespace newswatch::bursts {
namespace {

Burst sample() {
  Burst b;
  b.filter = "sahel";
  b.level = BurstLevel::alert;
  b.window = 3 * kHour;
  b.count = 14;
  b.sources = 9;
  b.expected = 2.0961;
  b.p_value = 3.04567e-6;
  b.started_at = 1355954400;  // 2012-12-19T22:00:00Z
  b.detected_at = 1355965500;
  b.stories = {{"st1", "Security Council authorises AFISMA", "https://example.org/a", 6}};
  return b;
}

TEST(BurstMessage, EncodesTheContractFieldsInOrder) {
  EXPECT_EQ(encode_burst_payload(42, sample()),
            R"({"seq":42,"filter":"sahel","topic":"burst.sahel","level":"alert","window":"3h","count":14,)"
            R"("sources":9,"expected":2.1,"p_value":3.05e-06,"entity":null,"started_at":"2012-12-19T22:00:00Z",)"
            R"("detected_at":"2012-12-20T01:05:00Z","stories":[{"id":"st1","title":"Security Council authorises )"
            R"(AFISMA","link":"https://example.org/a","sources":6}]})");
  auto b = sample();
  b.entity = "mali";
  b.level = BurstLevel::watch;
  b.window = 24 * kHour;
  const auto p = encode_burst_payload(7, b);
  EXPECT_NE(p.find(R"("level":"watch","window":"24h")"), std::string::npos);
  EXPECT_NE(p.find(R"("entity":"mali")"), std::string::npos);
}

TEST(BurstMessage, ReadableLine) {
  EXPECT_EQ(format_burst_line(encode_burst_payload(1, sample())),
            "\u26a1 alert sahel: 14 stories from 9 sources in 3h, expected 2.1 (p=3e-6)");
  auto b = sample();
  b.entity = "mali";
  b.count = 1;
  b.sources = 1;
  b.expected = 12.34;
  b.p_value = 0.004;
  EXPECT_EQ(format_burst_line(encode_burst_payload(1, b)),
            "\u26a1 alert sahel (mali): 1 story from 1 source in 3h, expected 12 (p=0.004)");
  b.expected = 0.0208;  // a quarter hour of two a day: not "0.0"
  EXPECT_NE(format_burst_line(encode_burst_payload(1, b))->find("expected 0.02 (p=0.004)"), std::string::npos);
  EXPECT_FALSE(format_burst_line(R"({"seq":1,"filter":"sahel","item":{}})").has_value());
  EXPECT_FALSE(format_burst_line("not json").has_value());
}

TEST(BurstMessage, ReadsAlertPayloads) {
  const EntityTypes types{{"Mali", "country"}, {"ECOWAS", "organization"}};
  const auto e = event_from_alert_payload(
      R"({"seq":3,"filter":"sahel","topic":"alert.sahel","feed":"un","detected_at":"2012-12-20T18:05:00Z",)"
      R"("item":{"id":"i1","title":"T","link":"L"},"matches":[],"entities":["Mali","ECOWAS","Unknown"],)"
      R"("story":{"id":"st9","copy_of":null,"size":3,"sources":2}})",
      types);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->time, 1356026700);
  EXPECT_EQ(e->filter, "sahel");
  EXPECT_EQ(e->story, "st9");
  EXPECT_EQ(e->story_sources, 2);
  EXPECT_EQ(e->source, "un");
  EXPECT_EQ(e->title, "T");
  ASSERT_EQ(e->entities.size(), 3u);
  EXPECT_EQ(e->entities[0].type, "country");
  EXPECT_EQ(e->entities[1].type, "organization");
  EXPECT_EQ(e->entities[2].type, "");
  // Without a story, the item is its own story.
  const auto plain = event_from_alert_payload(
      R"({"filter":"sahel","feed":"un","detected_at":"2012-12-20T18:05:00Z","item":{"id":"i1"}})", types);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->story, "i1");
  for (const char* bad :
       {"", "[]", "{}", R"({"filter":"x","item":{}})", R"({"filter":"x","detected_at":"yesterday","item":{}})",
        R"({"filter":"x","detected_at":"2012-12-20T18:05:00Z"})"}) {
    EXPECT_FALSE(event_from_alert_payload(bad, types)) << bad;
  }
}

}  // namespace
}  // namespace newswatch::bursts
