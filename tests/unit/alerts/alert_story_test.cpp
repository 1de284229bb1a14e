// The `story` object in alert payloads and the `story.<filter-id>` update payload, byte for byte.

#include <gtest/gtest.h>

#include "alerts/alert.hpp"

namespace newswatch::alerts {
namespace {

const feeds::TimePoint kT = std::chrono::sys_days{std::chrono::year{2013} / 1 / 11} + std::chrono::hours(8);

feeds::Item sample_item() {
  feeds::Item item;
  item.id = "urn:1";
  item.title = "Mali army retakes Konna";
  item.link = "https://example.org/1";
  item.published = kT;
  item.summary = "<p>The army said.</p>";
  return item;
}

feeds::Item french_item() {
  feeds::Item item = sample_item();
  item.language = "fr";
  return item;
}

filters::FilterMatch sample_match() {
  filters::FilterMatch m;
  filters::TermMatch t;
  t.term = "Mali";
  t.entity = "Mali";
  t.field = "title";
  t.offset = 0;
  t.length = 4;
  m.matches.push_back(t);
  return m;
}

stories::StoryAssignment sample_story(bool copy) {
  stories::StoryAssignment s;
  s.story_id = "0123456789abcdef";
  if (copy) {
    s.copy_of = "urn:0";
    s.copy_feed = "wire";
  }
  s.size = 3;
  s.sources = 2;
  s.first_seen = kT - std::chrono::hours(1);
  s.first_feed = "wire";
  return s;
}

const char* const kWithoutStory =
    R"({"detected_at":"2013-01-11T08:00:00Z","entities":["Mali"],"feed":"rfi","filter":"sahel",)"
    R"("item":{"author":"","categories":[],"content":"","id":"urn:1","language":"und","link":"https://example.org/1",)"
    R"("published":"2013-01-11T08:00:00Z","summary":"<p>The army said.</p>","title":"Mali army retakes Konna",)"
    R"("updated":null},"matches":[{"entity":"Mali","field":"title","length":4,"offset":0,"term":"Mali"}],)"
    R"("seq":7,"topic":"alert.sahel"})";

TEST(AlertStory, WithoutAStoryThePayloadIsUnchanged) {
  EXPECT_EQ(encode_alert_payload(7, "sahel", "alert.sahel", "rfi", kT, sample_item(), sample_match(), {"Mali"}),
            kWithoutStory);
}

TEST(AlertStory, WithAStoryEveryAlertCarriesIt) {
  const auto story = sample_story(true);
  const std::string payload =
      encode_alert_payload(7, "sahel", "alert.sahel", "rfi", kT, sample_item(), sample_match(), {"Mali"}, &story);
  std::string want = kWithoutStory;
  want.insert(want.find(R"(,"topic")"),
              R"(,"story":{"copy_of":"urn:0","first_feed":"wire","first_seen":"2013-01-11T07:00:00Z",)"
              R"("id":"0123456789abcdef","size":3,"sources":2})");
  EXPECT_EQ(payload, want);
  EXPECT_EQ(story_json(sample_story(false))["copy_of"], nullptr);
}

TEST(AlertStory, StoryUpdatePayload) {
  EXPECT_EQ(encode_story_update_payload(8, "sahel", "story.sahel", "rfi", kT, french_item(), sample_story(true)),
            R"({"detected_at":"2013-01-11T08:00:00Z","feed":"rfi","filter":"sahel","item":{"id":"urn:1",)"
            R"("language":"fr","link":"https://example.org/1","published":"2013-01-11T08:00:00Z",)"
            R"("title":"Mali army retakes Konna"},"seq":8,"story":{"copy_of":"urn:0","first_feed":"wire",)"
            R"("first_seen":"2013-01-11T07:00:00Z","id":"0123456789abcdef","size":3,"sources":2},)"
            R"("topic":"story.sahel"})");
  auto no_lang = sample_item();
  EXPECT_NE(encode_story_update_payload(8, "s", "story.s", "rfi", kT, no_lang, sample_story(false))
                .find(R"("language":"und")"),
            std::string::npos);
}

}  // namespace
}  // namespace newswatch::alerts
