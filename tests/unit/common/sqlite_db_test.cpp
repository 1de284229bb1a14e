// SqliteDb::prepare_each on a real SQLite file: every store prepares its statements through it.
#include "common/sqlite_db.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

namespace newswatch {
namespace {

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/nw-sqlite-" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

TEST_F(SqliteDbTest, PrepareEachFillsEveryStatementInOrder) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"));
  SqliteStatement insert;
  SqliteStatement select;
  auto r =
      db->prepare_each({{&insert, "INSERT INTO t(k, v) VALUES (?1, ?2)"}, {&select, "SELECT v FROM t WHERE k = ?1"}});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(insert.bind(1, "a").bind(2, std::int64_t{7}).run());
  select.bind(1, "a");
  auto row = select.step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(select.column_int(0), 7);
}

TEST_F(SqliteDbTest, PrepareEachStopsAtTheFirstBadStatementAndSaysWhy) {
  auto db = SqliteDb::open(path_);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY)"));
  SqliteStatement first;
  SqliteStatement bad;
  SqliteStatement after;
  auto r = db->prepare_each({{&first, "SELECT k FROM t"}, {&bad, "SELECT nope FROM t"}, {&after, "SELECT k FROM t"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no such column: nope"), std::string::npos) << r.error().message;
  EXPECT_TRUE(first.step()) << "the statements before the bad one are prepared";
  EXPECT_FALSE(after.step()) << "the ones after it are left unprepared";
}

}  // namespace
}  // namespace newswatch
