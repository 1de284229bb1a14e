// SqliteDb::prepare_each, which every store prepares its statements through. It only compiles
// statements, so an in-memory database (the same SQLite, no file to clean up) is enough.
#include "common/sqlite_db.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace newswatch
