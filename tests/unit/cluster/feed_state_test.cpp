// FeedState: the shared state of a feed survives its JSON form (identities, story items,
// stories, alerted keys), stays under its byte budget whatever it holds, and bad input is an
// error or is skipped, never a crash.
#include <gtest/gtest.h>

#include <string>

#include "cluster/feed_state.hpp"

namespace newswatch::cluster {
namespace {

stories::TimePoint at(std::int64_t s) { return stories::TimePoint(std::chrono::seconds(s)); }

FeedState sample(std::size_t story_items, std::size_t text = 40) {
  FeedState s;
  s.feed = "bbc-africa";
  s.url = "https://feeds.bbci.co.uk/news/world/africa/rss.xml";
  s.node = "west-1";
  s.listed_at = 1356000000;
  for (int i = 0; i < 50; ++i)
    s.items.push_back("urn:item:" + std::to_string(i));
  for (std::size_t i = 0; i < story_items; ++i) {
    stories::RecordedItem r;
    r.item.feed_id = s.feed;
    r.item.item_id = "urn:story-item:" + std::to_string(i);
    r.item.arrival = at(1356000000 + static_cast<std::int64_t>(i));
    r.item.title = "Title " + std::to_string(i) + " é";
    r.item.summary = std::string(text, 's');
    r.item.language = "en";
    r.item.entities = {"mali", "afisma"};
    r.story_id = "story" + std::to_string(i % 3);
    if (i % 2 == 1) {
      r.copy_of = "urn:story-item:0";
      r.copy_feed = s.feed;
    }
    s.stories.items.push_back(r);
  }
  for (int k = 0; k < 3 && story_items > 0; ++k) {
    stories::StoryRecord st;
    st.story_id = "story" + std::to_string(k);
    st.first_seen = at(1356000000 + k);
    st.last_seen = at(1356000100);
    st.first_feed = s.feed;
    st.first_item = "urn:story-item:" + std::to_string(k);
    st.language = "en";
    st.size = 4;
    st.feeds = {"bbc-africa", "rfi"};
    s.stories.stories.push_back(st);
    s.stories.alerted.push_back({"sahel", "s:" + st.story_id, at(1356000000 + k)});
  }
  if (story_items > 0) s.stories.alerted.push_back({"sahel", "c:other-feed\nurn:x", at(1356000000)});
  return s;
}

TEST(FeedState, RoundTrip) {
  const auto in = sample(7);
  auto out = decode_feed_state(encode_feed_state(in));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->feed, in.feed);
  EXPECT_EQ(out->url, in.url);
  EXPECT_EQ(out->node, in.node);
  EXPECT_EQ(out->listed_at, in.listed_at);
  EXPECT_EQ(out->items, in.items);
  ASSERT_EQ(out->stories.items.size(), 7U);
  for (std::size_t i = 0; i < 7; ++i) {
    const auto& a = in.stories.items[i];
    const auto& b = out->stories.items[i];
    EXPECT_EQ(b.item.feed_id, a.item.feed_id);
    EXPECT_EQ(b.item.item_id, a.item.item_id);
    EXPECT_EQ(b.item.arrival, a.item.arrival);
    EXPECT_EQ(b.item.title, a.item.title);
    EXPECT_EQ(b.item.summary, a.item.summary);
    EXPECT_EQ(b.item.language, a.item.language);
    EXPECT_EQ(b.item.entities, a.item.entities);
    EXPECT_EQ(b.story_id, a.story_id);
    EXPECT_EQ(b.copy_of, a.copy_of);
    EXPECT_EQ(b.copy_feed, a.copy_feed);
  }
  ASSERT_EQ(out->stories.stories.size(), 3U);
  EXPECT_EQ(out->stories.stories[1].story_id, "story1");
  EXPECT_EQ(out->stories.stories[1].first_seen, at(1356000001));
  EXPECT_EQ(out->stories.stories[1].last_seen, at(1356000100));
  EXPECT_EQ(out->stories.stories[1].first_item, "urn:story-item:1");
  EXPECT_EQ(out->stories.stories[1].size, 4U);
  EXPECT_EQ(out->stories.stories[1].feeds, (std::vector<std::string>{"bbc-africa", "rfi"}));
  ASSERT_EQ(out->stories.alerted.size(), 4U);
  EXPECT_EQ(out->stories.alerted[3].key, "c:other-feed\nurn:x");
  EXPECT_EQ(out->stories.alerted[3].filter_id, "sahel");
}

TEST(FeedState, StateWithoutStoriesReads) {
  // What a node that moved only identities wrote.
  auto s = decode_feed_state(R"({"feed":"f","url":"http://a/","node":"n","listed_at":5,"items":["a","b"]})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->items, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(s->stories.items.empty());
}

TEST(FeedState, StaysUnderItsBudgetOldestStoryItemsFirst) {
  const auto in = sample(100, 2048);
  const std::string full = encode_feed_state(in);
  ASSERT_GT(full.size(), 200'000U);
  for (const std::size_t budget : {150'000UL, 60'000UL, 20'000UL, 3'000UL, 400UL}) {
    const std::string text = encode_feed_state(in, budget);
    EXPECT_LE(text.size(), budget) << budget;
    auto out = decode_feed_state(text);
    ASSERT_TRUE(out);
    if (!out->stories.items.empty()) {
      EXPECT_EQ(out->stories.items.back().item.item_id, in.stories.items.back().item.item_id) << "newest kept";
      EXPECT_EQ(out->items, in.items) << "identities go only once the stories are gone";
      for (const auto& a : out->stories.alerted) {
        if (a.key.starts_with("s:")) {
          bool referenced = false;
          for (const auto& r : out->stories.items)
            referenced = referenced || a.key == "s:" + r.story_id;
          EXPECT_TRUE(referenced) << a.key;
        }
      }
    } else if (!out->items.empty()) {
      EXPECT_EQ(out->items.front(), in.items.front()) << "the newest identities are kept";
    }
  }
  // The default budget holds the daemon's own caps (100 items of 2 KiB fields, 2000 identities).
  auto big = sample(100, 2048);
  for (int i = 0; i < 2000; ++i)
    big.items.push_back("https://example.com/news/2012/12/20/a-long-article-path-" + std::to_string(i));
  EXPECT_LE(encode_feed_state(big).size(), kMaxFeedStateBytes);
}

TEST(FeedState, BadInput) {
  EXPECT_FALSE(decode_feed_state(""));
  EXPECT_FALSE(decode_feed_state("[1,2]"));
  EXPECT_FALSE(decode_feed_state("{\"feed\":"));
  // Wrong types are skipped, not fatal.
  auto s = decode_feed_state(
      R"({"feed":3,"items":[1,"a",null],"stories":{"items":[{"id":"x"},{"id":"y","story":"s","arrival":"no"},7],)"
      R"("stories":[{"id":"s","size":-4}],"alerted":[{"filter":"f"},{"filter":"f","key":"s:s","at":1}]}})");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->feed, "");
  EXPECT_EQ(s->items, std::vector<std::string>{"a"});
  ASSERT_EQ(s->stories.items.size(), 1U);
  EXPECT_EQ(s->stories.items[0].story_id, "s");
  ASSERT_EQ(s->stories.stories.size(), 1U);
  EXPECT_EQ(s->stories.stories[0].size, 1U);
  EXPECT_EQ(s->stories.alerted.size(), 1U);
}

}  // namespace
}  // namespace newswatch::cluster
