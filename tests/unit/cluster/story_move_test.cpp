// A feed's stories moving between two nodes' databases (docs/cluster.md): what the old owner
// reads with StoryStore::feed_stories, through the FeedState JSON, adopted by the new owner's
// StoryStore, makes its engine put a later copy (new item id) in the original story and its
// ledger call that copy a story update. Real SQLite files, no NATS.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cluster/feed_state.hpp"
#include "stories/collapse.hpp"
#include "stories/story_store.hpp"

namespace newswatch::cluster {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using namespace newswatch::stories;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2013} / 1 / 11} + hours(8);

StoryItem item(std::string id, std::string feed, std::string title, std::string summary, int minute) {
  return StoryItem{std::move(id), std::move(feed), std::move(title),     std::move(summary),
                   "en",          {"Mali"},        kT0 + minutes(minute)};
}

const std::string kKonna =
    "The Malian army, backed by French air strikes, recaptured the central town of Konna on Friday after two days "
    "of fighting with Islamist rebels, a military spokesman said.";
const std::string kRates = "The central bank raised its benchmark rate by half a point, citing food prices.";

class StoryMove : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* p : {&old_owner_, &new_owner_}) {
      *p = ::testing::TempDir() + "/nw-story-move-" + std::to_string(::getpid()) + (p == &old_owner_ ? "-a" : "-b") +
           ".db";
      std::filesystem::remove(*p);
    }
  }
  void TearDown() override {
    for (const auto& p : {old_owner_, new_owner_}) {
      for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(p + suffix);
    }
  }
  std::string old_owner_;
  std::string new_owner_;
};

TEST_F(StoryMove, ACopyAfterTheMoveJoinsTheOriginalStoryAsAnUpdate) {
  const std::vector<StoryItem> wire = {
      item("a1", "wire", "Malian army retakes Konna from Islamist fighters", kKonna, 0),
      item("a2", "wire", "Central bank raises interest rates to curb inflation", kRates, 5),
  };
  std::string shared;
  StoryAssignment konna;
  {
    auto db = SqliteDb::open(old_owner_);
    ASSERT_TRUE(db);
    auto store = StoryStore::open(*db);
    ASSERT_TRUE(store);
    StoryEngine engine;
    auto tx = SqliteTransaction::begin(*db);
    ASSERT_TRUE(tx);
    for (const auto& it : wire) {
      const auto a = engine.assign(it);
      ASSERT_TRUE(store->record(it, a));
      if (it.item_id == "a1") konna = a;
    }
    // An item of another feed: not the wire's to move.
    const auto other = item("z1", "other", "Football final draws record crowd", "A record crowd watched.", 6);
    ASSERT_TRUE(store->record(other, engine.assign(other)));
    ASSERT_TRUE(store->record_alert("sahel", konna, "wire", "a1", kT0));
    ASSERT_TRUE(tx->commit());

    auto moved = store->feed_stories("wire", kT0 - hours(72), 100, 2048);
    ASSERT_TRUE(moved) << moved.error().message;
    ASSERT_EQ(moved->items.size(), 2U);
    EXPECT_EQ(moved->items[0].item.item_id, "a1") << "oldest first";
    EXPECT_EQ(moved->stories.size(), 2U);
    ASSERT_EQ(moved->alerted.size(), 2U);  // the story key and the family key of a1
    // Only the newest `max_items`, and text clipped.
    auto one = store->feed_stories("wire", kT0 - hours(72), 1, 10);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->items.size(), 1U);
    EXPECT_EQ(one->items[0].item.item_id, "a2");
    EXPECT_EQ(one->items[0].item.title, "Central ba");
    EXPECT_TRUE(one->alerted.empty());
    // Nothing before `since`.
    auto none = store->feed_stories("wire", kT0 + hours(1), 100, 2048);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->items.empty());

    FeedState state;
    state.feed = "wire";
    state.url = "http://wire.example/rss";
    state.stories = std::move(*moved);
    shared = encode_feed_state(std::move(state));
  }

  auto db = SqliteDb::open(new_owner_);
  ASSERT_TRUE(db);
  auto store = StoryStore::open(*db);
  ASSERT_TRUE(store);
  auto state = decode_feed_state(shared);
  ASSERT_TRUE(state);
  {
    auto tx = SqliteTransaction::begin(*db);
    ASSERT_TRUE(tx);
    // The new owner had a story of its own already, recorded after the wire's items arrived.
    const auto own = item("n1", "local", "Harvest festival opens in the capital", "Dancers and drums.", 30);
    StoryEngine before;
    ASSERT_TRUE(store->record(own, before.assign(own)));
    auto r = store->adopt(state->stories);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(store->adopt(state->stories)) << "adopting twice changes nothing";
    ASSERT_TRUE(tx->commit());
  }
  auto loaded = store->load(hours(72), kT0 + hours(1));
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->items.size(), 3U);
  EXPECT_EQ(loaded->items[0].item.item_id, "a1") << "in arrival order, adopted items included";
  StoryEngine engine;
  engine.restore(loaded->stories, loaded->items);
  CollapseLedger ledger(hours(72));
  for (const auto& a : loaded->alerted)
    ledger.remember(a.filter_id, a.key, a.at);

  const auto copy = engine.assign(item("a1-again", "wire", wire[0].title, kKonna, 60));
  EXPECT_EQ(copy.story_id, konna.story_id);
  EXPECT_EQ(copy.copy_of, std::optional<std::string>("a1"));
  EXPECT_EQ(ledger.verdict("sahel", filters::Collapse::stories, copy, "wire", "a1-again"), CollapseVerdict::update);
  EXPECT_EQ(ledger.verdict("sahel", filters::Collapse::copies, copy, "wire", "a1-again"), CollapseVerdict::update);
  EXPECT_EQ(ledger.verdict("other-filter", filters::Collapse::stories, copy, "wire", "a1-again"),
            CollapseVerdict::alert);
  const auto rec = engine.story(konna.story_id);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->first_item, "a1");
  EXPECT_EQ(rec->first_feed, "wire");
}

}  // namespace
}  // namespace newswatch::cluster
