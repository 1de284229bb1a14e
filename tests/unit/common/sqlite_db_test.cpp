// SqliteDb::prepare_each, which every store prepares its statements through (it only compiles
// statements, so an in-memory database is enough), and SqliteDb::run_cached, the prepared-once
// path of the commit group's BEGIN, SAVEPOINT, RELEASE and COMMIT (against a real WAL file).
#include "common/sqlite_db.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

namespace newswatch {
namespace {

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteDb::open(":memory:");
    ASSERT_TRUE(opened) << opened.error().message;
    db_.emplace(std::move(*opened));
    ASSERT_TRUE(db_->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"));
  }
  std::optional<SqliteDb> db_;
};

TEST_F(SqliteDbTest, PrepareEachFillsEveryStatementInOrder) {
  SqliteStatement insert;
  SqliteStatement select;
  auto r =
      db_->prepare_each({{&insert, "INSERT INTO t(k, v) VALUES (?1, ?2)"}, {&select, "SELECT v FROM t WHERE k = ?1"}});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(insert.bind(1, "a").bind(2, std::int64_t{7}).run());
  select.bind(1, "a");
  auto row = select.step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(select.column_int(0), 7);
}

TEST_F(SqliteDbTest, PrepareEachStopsAtTheFirstBadStatementAndSaysWhy) {
  SqliteStatement first;
  SqliteStatement bad;
  SqliteStatement after;
  auto r = db_->prepare_each({{&first, "SELECT k FROM t"}, {&bad, "SELECT nope FROM t"}, {&after, "SELECT k FROM t"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no such column: nope"), std::string::npos) << r.error().message;
  EXPECT_TRUE(first.step()) << "the statements before the bad one are prepared";
  EXPECT_FALSE(after.step()) << "the ones after it are left unprepared";
}

class SqliteCachedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/nw-sqlite-" + std::to_string(::getpid()) + ".db";
    remove_files();
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    db_.emplace(std::move(*db));
    ASSERT_TRUE(db_->exec("CREATE TABLE t (v INTEGER)"));
  }
  void TearDown() override {
    db_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }
  std::int64_t rows() {
    auto count = db_->prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(count);
    auto row = count->step();
    EXPECT_TRUE(row && *row);
    return count->column_int(0);
  }
  std::string path_;
  std::optional<SqliteDb> db_;
};

// The same cached statements run transaction after transaction: each BEGIN, SAVEPOINT,
// RELEASE and COMMIT takes effect, not only the first.
TEST_F(SqliteCachedTest, CachedStatementsRunEveryTime) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(db_->run_cached("BEGIN IMMEDIATE"));
    ASSERT_TRUE(db_->run_cached("SAVEPOINT batch"));
    ASSERT_TRUE(db_->exec("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(db_->run_cached("RELEASE batch"));
    ASSERT_TRUE(db_->run_cached("COMMIT"));
  }
  EXPECT_EQ(rows(), 3);
  ASSERT_TRUE(db_->run_cached("BEGIN IMMEDIATE"));
  ASSERT_TRUE(db_->exec("INSERT INTO t VALUES (1)"));
  ASSERT_TRUE(db_->run_cached("ROLLBACK"));
  EXPECT_EQ(rows(), 3) << "the cached ROLLBACK did not roll back";
}

// An error comes back as a Result with SQLite's reason, and the statement stays usable.
TEST_F(SqliteCachedTest, CachedStatementErrorsAreReportedAndRecoverable) {
  auto r = db_->run_cached("COMMIT");  // no transaction is open
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no transaction is active"), std::string::npos) << r.error().message;
  ASSERT_TRUE(db_->run_cached("BEGIN IMMEDIATE"));
  EXPECT_TRUE(db_->run_cached("COMMIT")) << "the cached COMMIT is still usable after its error";
  auto bad = db_->run_cached("NOT SQL AT ALL");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
}

// Transaction statements run through SqliteTransaction use the cache too: a transaction
// destroyed without commit rolls back, and the next one begins cleanly.
TEST_F(SqliteCachedTest, TransactionsOnCachedStatements) {
  {
    auto tx = SqliteTransaction::begin(*db_);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db_->exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(rows(), 0);
  auto tx = SqliteTransaction::begin(*db_);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(db_->exec("INSERT INTO t VALUES (1)"));
  ASSERT_TRUE(tx->commit());
  EXPECT_EQ(rows(), 1);
}

}  // namespace
}  // namespace newswatch
