// StoryStore on a real SQLite file: a restart (reopen + load + restore) keeps every story and
// copy link, new items keep joining the same stories, and pruning forgets what left the window.

#include "stories/story_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "stories/collapse.hpp"

namespace newswatch::stories {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2013} / 1 / 11} + hours(8);

class StoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/nw-stories-" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

StoryItem item(std::string id, std::string feed, std::string title, std::string summary, int minute,
               std::string language = "en", std::vector<std::string> entities = {}) {
  return StoryItem{std::move(id),       std::move(feed),     std::move(title),     std::move(summary),
                   std::move(language), std::move(entities), kT0 + minutes(minute)};
}

const std::string kSummary =
    "The Malian army, backed by French air strikes, recaptured the central town of Konna on Friday after two days "
    "of fighting with Islamist rebels, a military spokesman said.";

std::vector<StoryItem> day_one() {
  return {
      item("a1", "wire-a", "Malian army retakes Konna from Islamist fighters", kSummary, 0, "en", {"Mali", "Konna"}),
      item("b1", "outlet-b", "Malian army retakes Konna from Islamist fighters - Reuters", kSummary, 5, "en",
           {"Mali", "Konna"}),
      item("c1", "outlet-c", "France confirms air strikes in support of Mali's army near Konna",
           "French jets struck Islamist positions around Konna as the Malian army pushed to recapture the town, the "
           "French defence minister confirmed.",
           10, "en", {"Mali", "Konna", "France"}),
      item("d1", "outlet-d", "Central bank raises interest rates to curb inflation",
           "The central bank raised its benchmark rate by half a point, citing food prices.", 15, "und"),
  };
}

TEST_F(StoryStoreTest, ARestartKeepsEveryStoryAndCopyLink) {
  std::map<std::string, StoryAssignment> before;
  {
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    auto store = StoryStore::open(*db);
    ASSERT_TRUE(store) << store.error().message;
    StoryEngine engine;
    auto tx = SqliteTransaction::begin(*db);
    ASSERT_TRUE(tx);
    for (const auto& it : day_one()) {
      const auto a = engine.assign(it);
      auto r = store->record(it, a);
      ASSERT_TRUE(r) << r.error().message;
      before[it.item_id] = a;
    }
    ASSERT_TRUE(store->record_alert("sahel", before["a1"], "wire-a", "a1", kT0));
    ASSERT_TRUE(tx->commit());
  }
  ASSERT_TRUE(before["b1"].copy_of);
  EXPECT_EQ(before["c1"].story_id, before["a1"].story_id);

  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = StoryStore::open(*db);
  ASSERT_TRUE(store);
  auto loaded = store->load(hours(72), kT0 + hours(1));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->items.size(), 4U);
  ASSERT_EQ(loaded->alerted.size(), 2U);
  EXPECT_EQ(loaded->alerted[0].filter_id, "sahel");
  // The ledger rebuilt from the store collapses a copy arriving after the restart.
  CollapseLedger ledger(hours(72));
  for (const auto& a : loaded->alerted)
    ledger.remember(a.filter_id, a.key, a.at);
  for (const auto& r : loaded->items) {
    EXPECT_EQ(r.story_id, before[r.item.item_id].story_id) << r.item.item_id;
    EXPECT_EQ(r.copy_of, before[r.item.item_id].copy_of) << r.item.item_id;
    EXPECT_EQ(r.copy_feed, before[r.item.item_id].copy_feed) << r.item.item_id;
  }
  StoryEngine engine;
  engine.restore(loaded->stories, loaded->items);
  EXPECT_EQ(engine.item_count(), 4U);
  EXPECT_EQ(engine.story_count(), 2U);
  const auto rec = engine.story(before["a1"].story_id);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size, 3U);
  EXPECT_EQ(rec->feeds, (std::vector<std::string>{"outlet-b", "outlet-c", "wire-a"}));
  EXPECT_EQ(rec->first_item, "a1");
  EXPECT_EQ(rec->first_feed, "wire-a");
  EXPECT_EQ(rec->first_seen, kT0);

  // Re-assigning a restored item gives its recorded assignment back.
  const auto again = engine.assign(day_one()[1]);
  EXPECT_EQ(again.story_id, before["b1"].story_id);
  EXPECT_EQ(again.copy_of, before["b1"].copy_of);
  // A new copy after the restart joins the same story, counting on from the recorded size.
  const auto later = engine.assign(item("e1", "outlet-e", "Malian army retakes Konna from Islamist fighters | Le Monde",
                                        kSummary, 70, "en", {"Mali", "Konna"}));
  ASSERT_TRUE(later.copy_of);
  EXPECT_EQ(*later.copy_of, "a1");
  EXPECT_EQ(later.story_id, before["a1"].story_id);
  EXPECT_EQ(later.size, 4U);
  EXPECT_EQ(later.sources, 4U);
  EXPECT_EQ(later.first_seen, kT0);
  EXPECT_EQ(ledger.decide("sahel", filters::Collapse::copies, later, "outlet-e", "e1", kT0 + minutes(70)),
            CollapseVerdict::update);
}

TEST_F(StoryStoreTest, NothingIsWrittenWhenTheCallersTransactionRollsBack) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = StoryStore::open(*db);
  ASSERT_TRUE(store);
  StoryEngine engine;
  {
    auto tx = SqliteTransaction::begin(*db);
    ASSERT_TRUE(tx);
    const auto it = day_one()[0];
    ASSERT_TRUE(store->record(it, engine.assign(it)).ok());
  }  // no commit
  auto loaded = store->load(hours(72), kT0);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->items.empty());
  EXPECT_TRUE(loaded->stories.empty());
}

TEST_F(StoryStoreTest, PruneForgetsWhatLeftTheWindow) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = StoryStore::open(*db);
  ASSERT_TRUE(store);
  StoryEngine engine;
  for (const auto& it : day_one())
    ASSERT_TRUE(store->record(it, engine.assign(it)).ok());
  auto late = item("z1", "wire-z", "Floods displace thousands in southern Mozambique",
                   "Heavy rains forced thousands of families from their homes.", 0);
  late.arrival = kT0 + hours(100);
  ASSERT_TRUE(store->record(late, engine.assign(late)));
  ASSERT_TRUE(store->record_alert("sahel", "s:x", kT0));
  auto pruned = store->prune(kT0 + hours(100) - hours(72));
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 4);
  auto loaded = store->load(hours(1000), kT0 + hours(100));
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->items.size(), 1U);
  EXPECT_EQ(loaded->items[0].item.item_id, "z1");
  EXPECT_EQ(loaded->stories.size(), 1U);
  EXPECT_TRUE(loaded->alerted.empty());
}

TEST_F(StoryStoreTest, LongTextIsClippedAtACharacterBoundary) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = StoryStore::open(*db);
  ASSERT_TRUE(store);
  std::string long_text;
  for (int i = 0; i < 5000; ++i)
    long_text += "é";
  StoryEngine engine;
  const auto it = item("long", "f", long_text, long_text, 0);
  ASSERT_TRUE(store->record(it, engine.assign(it)));
  auto loaded = store->load(hours(72), kT0);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->items.size(), 1U);
  EXPECT_EQ(loaded->items[0].item.summary.size(), 8192U);
  EXPECT_EQ(loaded->items[0].item.title.size(), 2048U);
}

}  // namespace
}  // namespace newswatch::stories
