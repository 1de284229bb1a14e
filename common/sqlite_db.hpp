#pragma once
// RAII handles for SQLite: SqliteDb owns the connection, SqliteStatement a prepared
// statement. Errors surface as Result values; nothing here throws.

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace newswatch {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt, &sqlite3_finalize) {}

  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind_null(int index);

  // Steps once: true while a row is available, false when done; errors are reported.
  Result<bool> step();
  // Steps through every row, calling on_row() at each (it reads the columns); stops at the
  // first error.
  template <class F>
  Result<Ok> each_row(F&& on_row) {
    for (;;) {
      auto row = step();
      if (!row) return row.error();
      if (!*row) return Ok{};
      on_row();
    }
  }
  // Steps to completion and resets, for statements that return no rows.
  Result<Ok> run();
  void reset();

  std::int64_t column_int(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;

 private:
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt_{nullptr, &sqlite3_finalize};
};

class SqliteDb {
 public:
  // Opens (creating if needed) the database at `path` in WAL mode with synchronous=FULL.
  static Result<SqliteDb> open(const std::string& path);

  Result<Ok> exec(const std::string& sql);
  // Runs one statement that returns no rows, prepared on its first use and kept: for what a
  // hot path repeats (BEGIN, COMMIT, SAVEPOINT), where exec() would parse it every time.
  Result<Ok> run_cached(std::string_view sql);
  // Runs `schema` (idempotent DDL) and records `module`'s schema version in the shared
  // schema_version table; errors when the file holds a newer version than `version`.
  Result<Ok> ensure_module_schema(const std::string& module, int version, const std::string& schema);
  Result<SqliteStatement> prepare(std::string_view sql);
  // Prepares each statement a store keeps for its lifetime into its member, in order; stops at
  // the first error (the statements before it are prepared, the rest left as they were).
  Result<Ok> prepare_each(std::initializer_list<std::pair<SqliteStatement*, std::string_view>> statements);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  std::string last_error() const { return sqlite3_errmsg(db_.get()); }
  sqlite3* handle() const { return db_.get(); }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db, &sqlite3_close_v2) {}
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db_;
  // After db_, so finalized before the connection closes. A handful of entries: linear search.
  std::vector<std::pair<std::string, SqliteStatement>> cached_;
};

// A write transaction (BEGIN IMMEDIATE) that rolls back on destruction unless commit()
// succeeded. Only begin() makes one, so no write can run outside a transaction it failed to open.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> begin(SqliteDb& db);
  ~SqliteTransaction();
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_), open_(std::exchange(other.open_, false)) {}
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;

  Result<Ok> commit();

 private:
  explicit SqliteTransaction(SqliteDb& db) : db_(&db) {}
  SqliteDb* db_;
  bool open_ = true;  // begun, and neither committed nor moved from
};

}  // namespace newswatch
