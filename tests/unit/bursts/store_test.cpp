// BurstStore on a real SQLite file: a detector stopped halfway through a history and
// restored from the file goes on exactly as one that never stopped.
#include "bursts/burst_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "bursts/burst_message.hpp"
#include "synthetic_history.hpp"

namespace newswatch::bursts {
namespace {

class BurstStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/nw-bursts-" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

std::vector<std::string> encoded(const std::vector<Burst>& bursts) {
  std::vector<std::string> out;
  for (const auto& b : bursts)
    out.push_back(encode_burst_payload(0, b));
  return out;
}

TEST_F(BurstStoreTest, RestartContinuesExactlyWhereItStopped) {
  synthetic::FilterHistory h;
  h.filter = "sahel";
  h.rate = 1.5;
  h.weeks = 5;
  h.surges = {{synthetic::kMonday + 4 * 7 * 24 * kHour + 30 * kHour, 8, 5.0}};
  const auto events = synthetic::generate(h);
  const std::vector<BurstFilter> filters{{"sahel", std::nullopt}};

  std::vector<Burst> straight;
  {
    BurstDetector d(BurstSettings{}, filters);
    for (const auto& e : events) {
      for (auto& b : d.observe(e))
        straight.push_back(std::move(b));
    }
  }
  ASSERT_FALSE(straight.empty());

  // Halfway through the surge: persist every batch of 50 events in a transaction, stop.
  const std::int64_t cut = h.surges[0].start + 3 * kHour;
  std::vector<Burst> resumed;
  std::size_t i = 0;
  {
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    auto store = BurstStore::open(*db);
    ASSERT_TRUE(store);
    BurstDetector d(BurstSettings{}, filters);
    while (i < events.size() && events[i].time < cut) {
      auto tx = SqliteTransaction::begin(*db);
      ASSERT_TRUE(tx);
      for (std::size_t end = i + 50; i < events.size() && i < end && events[i].time < cut; ++i) {
        for (auto& b : d.observe(events[i]))
          resumed.push_back(std::move(b));
      }
      ASSERT_TRUE(store->save(d.take_changes(), events[i - 1].time));
      ASSERT_TRUE(tx->commit());
    }
  }
  {
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    auto store = BurstStore::open(*db);
    ASSERT_TRUE(store);
    auto states = store->load();
    ASSERT_TRUE(states);
    EXPECT_GE(states->size(), 2u);  // the filter and its places
    BurstDetector d(BurstSettings{}, filters);
    EXPECT_EQ(d.restore(*states), 0u);
    for (; i < events.size(); ++i) {
      for (auto& b : d.observe(events[i]))
        resumed.push_back(std::move(b));
    }
  }
  EXPECT_EQ(encoded(resumed), encoded(straight));
}

TEST_F(BurstStoreTest, RemovalsDeleteRowsAndRollbackKeepsNothing) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db);
  auto store = BurstStore::open(*db);
  ASSERT_TRUE(store);
  BurstDetector d(BurstSettings{}, {{"sahel", 2.0}, {"other", 2.0}});
  BurstEvent e;
  e.time = synthetic::kMonday;
  e.filter = "sahel";
  e.story = "s1";
  e.source = "f1";
  e.entities = {{"mali", "country"}};
  (void)d.observe(e);
  e.filter = "other";
  (void)d.observe(e);
  {
    auto tx = SqliteTransaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(store->save(d.take_changes(), e.time));
    // Not committed: rolled back when tx goes.
  }
  EXPECT_TRUE(store->load()->empty());
  (void)d.observe(e);
  e.filter = "sahel";
  (void)d.observe(e);
  // take_changes() after a rollback holds only what changed since: the caller re-saves
  // everything it lost by restoring from the store (what the daemon does on restart).
  {
    auto tx = SqliteTransaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(store->save(d.take_changes(), e.time));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(store->load()->size(), 4u);
  d.reconfigure(BurstSettings{}, {{"sahel", 2.0}});
  {
    auto tx = SqliteTransaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(store->save(d.take_changes(), e.time));
    ASSERT_TRUE(tx->commit());
  }
  const auto rows = *store->load();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].filter, "sahel");
  EXPECT_EQ(rows[0].entity, "");
  EXPECT_EQ(rows[1].entity, "mali");
  // A state that does not parse is skipped, not fatal.
  BurstDetector fresh(BurstSettings{}, {{"sahel", 2.0}});
  EXPECT_EQ(fresh.restore({{"sahel", "", "{not json"}, {"nope", "", rows[0].state}, rows[1]}), 2u);
}

}  // namespace
}  // namespace newswatch::bursts
