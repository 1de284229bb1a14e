#include "alerts/alert_journal.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "feeds/feed_store.hpp"

namespace newswatch::alerts {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/nw-journal-" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

Alert make(std::uint64_t seq, std::string topic) {
  return Alert{seq, std::move(topic), "{\"seq\":" + std::to_string(seq) + "}"};
}

TEST_F(JournalTest, SeqContinuesAcrossReopenAndPruning) {
  {
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    auto j = AlertJournal::open(*db);
    ASSERT_TRUE(j);
    EXPECT_EQ(j->last_seq(), 0u);
    for (std::uint64_t s = 1; s <= 5; ++s)
      ASSERT_TRUE(j->append(make(s, s % 2 ? "alert.a" : "alert.b"), 100 + static_cast<std::int64_t>(s)));
    EXPECT_FALSE(j->append(make(9, "alert.a"), 200)) << "a gap in seq is refused";
    auto pruned = j->prune(1'000, 0);  // everything is older than t=1000
    ASSERT_TRUE(pruned);
    EXPECT_EQ(*pruned, 5);
  }
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto j = AlertJournal::open(*db);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->last_seq(), 5u) << "a seq is never reused, even after the journal emptied";
  EXPECT_EQ(j->next_seq(), 6u);
}

TEST_F(JournalTest, ReadAfterFiltersAndPages) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto j = AlertJournal::open(*db);
  ASSERT_TRUE(j);
  for (std::uint64_t s = 1; s <= 6; ++s)
    ASSERT_TRUE(j->append(make(s, s % 2 ? "alert.a" : "alert.b"), 100));
  auto page = j->read_after(2, 2);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 3u);
  EXPECT_EQ((*page)[1].seq, 4u);
  auto only_b = j->read_after(0, 100, {"alert.b"});
  ASSERT_TRUE(only_b);
  ASSERT_EQ(only_b->size(), 3u);
  EXPECT_EQ((*only_b)[2].seq, 6u);
  EXPECT_EQ((*only_b)[2].payload, "{\"seq\":6}");
  auto kept = j->prune(0, 2);
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, 4);
  EXPECT_EQ(*j->oldest_seq(), 5u);
}

TEST_F(JournalTest, RolledBackTransactionLeavesNoTrace) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto j = AlertJournal::open(*db);
  auto store = feeds::FeedStore::open(*db);
  ASSERT_TRUE(j);
  ASSERT_TRUE(store);
  {
    SqliteTransaction tx(*db);
    ASSERT_TRUE(j->append(make(1, "alert.a"), 1));
    ASSERT_TRUE(store->mark_seen("feed", "item-1", 1));
    j->rollback_to(0);  // no commit: destructor rolls back
  }
  EXPECT_FALSE(*store->is_seen("feed", "item-1"));
  EXPECT_EQ(j->read_after(0, 10)->size(), 0u);
  {
    SqliteTransaction tx(*db);
    ASSERT_TRUE(j->append(make(1, "alert.a"), 1));
    ASSERT_TRUE(store->mark_seen("feed", "item-1", 1));
    ASSERT_TRUE(tx.commit());
  }
  EXPECT_TRUE(*store->is_seen("feed", "item-1"));
  EXPECT_FALSE(*store->is_seen("other-feed", "item-1"));
}

TEST_F(JournalTest, FeedRuntimeRoundTrips) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = feeds::FeedStore::open(*db);
  ASSERT_TRUE(store);
  feeds::FeedRuntime rt;
  rt.config_url = "http://a/feed";
  rt.url = "http://b/feed";
  rt.etag = "\"v1\"";
  rt.last_modified = "Thu, 20 Dec 2012 18:00:00 GMT";
  rt.failures = 3;
  rt.last_outcome = "timeout";
  ASSERT_TRUE(store->save_runtime("f", rt));
  rt.failures = 0;
  ASSERT_TRUE(store->save_runtime("f", rt));
  auto all = store->load_runtime();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->count("f"), 1u);
  const auto& got = all->at("f");
  EXPECT_EQ(got.url, "http://b/feed");
  EXPECT_EQ(got.config_url, "http://a/feed");
  EXPECT_EQ(got.etag, "\"v1\"");
  EXPECT_EQ(got.failures, 0);
  EXPECT_EQ(got.last_outcome, "timeout");
}

}  // namespace
}  // namespace newswatch::alerts
