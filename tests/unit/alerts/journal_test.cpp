#include "alerts/alert_journal.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
    j->committed();
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

TEST_F(JournalTest, ScanAfterFiltersPagesAndSeesOnlyCommitted) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto j = AlertJournal::open(*db);
  ASSERT_TRUE(j);
  for (std::uint64_t s = 1; s <= 6; ++s)
    ASSERT_TRUE(j->append(make(s, s % 2 ? "alert.a" : "alert.b"), 100));
  EXPECT_EQ(j->scan_after(0, 100, {})->alerts.size(), 0u) << "appended, not yet committed";
  EXPECT_EQ(j->last_seq(), 0u);
  EXPECT_EQ(j->next_seq(), 7u);
  j->committed();
  EXPECT_EQ(j->last_seq(), 6u);
  auto page = j->scan_after(2, 2, {});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->alerts.size(), 2u);
  EXPECT_EQ(page->alerts[0].seq, 3u);
  EXPECT_EQ(page->alerts[1].seq, 4u);
  auto only_b = j->scan_after(0, 100, {"alert.b"});
  ASSERT_TRUE(only_b);
  ASSERT_EQ(only_b->alerts.size(), 3u);
  EXPECT_EQ(only_b->alerts[2].seq, 6u);
  EXPECT_EQ(only_b->alerts[2].payload, "{\"seq\":6}");
  auto kept = j->prune(0, 2);
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, 4);
  EXPECT_EQ(*j->oldest_seq(), 5u);
}

// Another process holding the write lock past the busy timeout (an operator's sqlite3 shell):
// the transaction is refused up front, so no write can run outside it and commit on its own.
TEST_F(JournalTest, TransactionThatCannotBeginIsAnError) {
  auto ours = SqliteDb::open(path_);
  auto other = SqliteDb::open(path_);
  ASSERT_TRUE(ours);
  ASSERT_TRUE(other);
  ASSERT_TRUE(feeds::FeedStore::open(*ours));
  ASSERT_TRUE(ours->exec("PRAGMA busy_timeout=100"));
  ASSERT_TRUE(other->exec("BEGIN IMMEDIATE"));
  auto refused = SqliteTransaction::begin(*ours);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("locked"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(other->exec("ROLLBACK"));
  auto tx = SqliteTransaction::begin(*ours);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(tx->commit());
  EXPECT_FALSE(tx->commit()) << "a committed transaction is no longer open";
}

// Identities are kept while their feed still lists them, however long the feed answers 304,
// fails or goes unpolled; the age counts from the feed's last recorded listing.
TEST_F(JournalTest, SeenItemsAgeFromTheFeedsLastListing) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = feeds::FeedStore::open(*db);
  ASSERT_TRUE(store);
  constexpr std::int64_t kAge = 100;
  // "quiet" was last listed at t=1000 with a, b (b refreshed then); c left the feed at t=850.
  ASSERT_TRUE(store->mark_seen("quiet", "a", 980));
  ASSERT_TRUE(store->mark_seen("quiet", "b", 1000));
  ASSERT_TRUE(store->mark_seen("quiet", "c", 850));
  ASSERT_TRUE(store->set_listed("quiet", 1000));
  ASSERT_TRUE(store->set_listed("quiet", 990)) << "an older listing never moves it back";
  EXPECT_EQ(**store->listed_at("quiet"), 1000);
  // "never-listed" has no listing on record (a database from before listings): plain age.
  ASSERT_TRUE(store->mark_seen("never-listed", "d", 980));
  // "removed" is no longer configured: its listing is forgotten (as the daemon does when it
  // loads the feed set), its items age as usual.
  ASSERT_TRUE(store->mark_seen("removed", "e", 980));
  ASSERT_TRUE(store->set_listed("removed", 1000));
  ASSERT_TRUE(store->forget_listings_except({"quiet", "never-listed"}));
  EXPECT_EQ(**store->listed_at("quiet"), 1000) << "a configured feed keeps its listing";

  struct Row {
    std::int64_t now;
    std::vector<std::pair<std::string, std::string>> kept;
  };
  const std::vector<Row> table = {
      {940, {{"never-listed", "d"}, {"quiet", "a"}, {"quiet", "b"}, {"quiet", "c"}, {"removed", "e"}}},
      // c: more than kAge before both now and the listing.
      {1000, {{"never-listed", "d"}, {"quiet", "a"}, {"quiet", "b"}, {"removed", "e"}}},
      // d and e are more than kAge old; so is a, but "quiet" listed it at t=1000.
      {981 + kAge, {{"quiet", "a"}, {"quiet", "b"}}},
      // Long after, with no listing since: what "quiet" listed at t=1000 is still seen.
      {999999, {{"quiet", "a"}, {"quiet", "b"}}},
  };
  for (const auto& row : table) {
    ASSERT_TRUE(store->prune_seen(row.now, kAge, 1000));
    std::vector<std::pair<std::string, std::string>> kept;
    for (const auto& [feed, item] : std::vector<std::pair<std::string, std::string>>{
             {"never-listed", "d"}, {"quiet", "a"}, {"quiet", "b"}, {"quiet", "c"}, {"removed", "e"}}) {
      if (*store->last_listed(feed, item)) kept.emplace_back(feed, item);
    }
    EXPECT_EQ(kept, row.kept) << "now=" << row.now;
  }
  EXPECT_FALSE(*store->listed_at("removed"));
}

// What a cluster node shares at each heartbeat: only the listings that moved since it last looked.
TEST_F(JournalTest, ListingsSinceFindsOnlyWhatMoved) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = feeds::FeedStore::open(*db);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->set_listed("old", 900));
  ASSERT_TRUE(store->set_listed("edge", 1000));
  ASSERT_TRUE(store->set_listed("new", 1005));
  using Listings = std::vector<std::pair<std::string, std::int64_t>>;
  const auto sorted = [](Listings v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(*store->listings_since(1000)), (Listings{{"edge", 1000}, {"new", 1005}}));
  EXPECT_EQ(sorted(*store->listings_since(0)), (Listings{{"edge", 1000}, {"new", 1005}, {"old", 900}}));
  EXPECT_EQ(*store->listings_since(2000), Listings{});
  ASSERT_TRUE(store->set_listed("old", 2000));
  EXPECT_EQ(*store->listings_since(1006), (Listings{{"old", 2000}})) << "a listing that moves on is found again";
}

// A backlog (a lower seen_max_age, a long-unpruned database) goes in slices, between which
// the loop serves feeds and subscribers.
TEST_F(JournalTest, SeenItemsArePrunedInSlices) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = feeds::FeedStore::open(*db);
  ASSERT_TRUE(store);
  for (int i = 0; i < 25; ++i)
    ASSERT_TRUE(store->mark_seen("f", "item-" + std::to_string(i), 100));
  ASSERT_TRUE(store->mark_seen("f", "recent", 990));
  std::vector<std::int64_t> slices;
  for (;;) {
    auto n = store->prune_seen(1000, 50, 10);
    ASSERT_TRUE(n);
    slices.push_back(*n);
    if (*n < 10) break;
  }
  EXPECT_EQ(slices, (std::vector<std::int64_t>{10, 10, 5}));
  EXPECT_TRUE(*store->last_listed("f", "recent"));
  EXPECT_FALSE(*store->last_listed("f", "item-0"));
}

// A state database written by schema version 1 (column first_seen) keeps its seen items.
TEST_F(JournalTest, SeenItemsOfAVersionOneDatabaseSurvive) {
  {
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        db->exec("CREATE TABLE schema_version (module TEXT PRIMARY KEY, version INTEGER NOT NULL);"
                 "INSERT INTO schema_version VALUES ('feeds', 1);"
                 "CREATE TABLE seen_items (feed_id TEXT NOT NULL, item_id TEXT NOT NULL, first_seen INTEGER NOT NULL,"
                 "  PRIMARY KEY (feed_id, item_id)) WITHOUT ROWID;"
                 "CREATE INDEX seen_items_age ON seen_items(first_seen);"
                 "INSERT INTO seen_items VALUES ('f', 'old', 123);"));
  }
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = feeds::FeedStore::open(*db);
  ASSERT_TRUE(store) << store.error().message;
  auto seen = store->last_listed("f", "old");
  ASSERT_TRUE(seen);
  EXPECT_EQ(*seen, std::optional<std::int64_t>(123));
  ASSERT_TRUE(feeds::FeedStore::open(*db)) << "opening again is a no-op";
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
