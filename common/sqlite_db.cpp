#include "common/sqlite_db.hpp"

namespace newswatch {

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
}

Result<Ok> SqliteStatement::run() {
  auto r = step();
  reset();
  if (!r) return r.error();
  return Ok{};
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t SqliteStatement::column_int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::string SqliteStatement::column_text(int column) const {
  const auto* p = sqlite3_column_text(stmt_.get(), column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column))};
}

bool SqliteStatement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

Result<SqliteDb> SqliteDb::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(raw);  // owns raw even on failure
  if (rc != SQLITE_OK) {
    return make_error("cannot open database " + path + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  // The daemon writes from its event loop, and only another process (an operator's sqlite3
  // shell, a backup) can hold the lock: waiting stalls every feed and socket, while giving up
  // costs one retry (a batch not recorded is fetched and recorded again at the next poll).
  sqlite3_busy_timeout(raw, 1000);
  // A 16 MiB page cache (SQLite's default is 2 MiB): a cold cycle that journals 12,000 alerts
  // re-read a third of the pages it wrote, and a bigger cache cut pwrite/pread calls by a third.
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-16384"}) {
    if (auto r = db.exec(pragma); !r) return make_error(path + ": " + r.error().message);
  }
  return db;
}

Result<Ok> SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return make_error("sqlite: " + message);
  }
  return Ok{};
}

Result<Ok> SqliteDb::run_cached(std::string_view sql) {
  for (auto& [key, statement] : cached_)
    if (key == sql) return statement.run();
  auto prepared = prepare(sql);
  if (!prepared) return prepared.error();
  cached_.emplace_back(std::string(sql), std::move(*prepared));
  return cached_.back().second.run();
}

Result<Ok> SqliteDb::ensure_module_schema(const std::string& module, int version, const std::string& schema) {
  // Each module records its own version, so folders migrate independently.
  if (auto r = exec("CREATE TABLE IF NOT EXISTS schema_version (module TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      !r) {
    return r;
  }
  if (auto r = exec(schema); !r) return r;
  auto insert = prepare("INSERT INTO schema_version(module, version) VALUES (?1, ?2) ON CONFLICT(module) DO NOTHING");
  if (!insert) return insert.error();
  if (auto r = insert->bind(1, module).bind(2, static_cast<std::int64_t>(version)).run(); !r) return r;
  auto stored = prepare("SELECT version FROM schema_version WHERE module = ?1");
  if (!stored) return stored.error();
  auto row = stored->bind(1, module).step();
  if (!row) return row.error();
  if (!*row || stored->column_int(0) > version) {
    return make_error("state database has a newer '" + module + "' schema than this newswatch understands");
  }
  return Ok{};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return make_error(std::string("sqlite: ") + sqlite3_errmsg(db_.get()));
  }
  return SqliteStatement(db_.get(), stmt);
}

Result<Ok> SqliteDb::prepare_each(std::initializer_list<std::pair<SqliteStatement*, std::string_view>> statements) {
  for (const auto& [statement, sql] : statements) {
    auto prepared = prepare(sql);
    if (!prepared) return prepared.error();
    *statement = std::move(*prepared);
  }
  return Ok{};
}

Result<SqliteTransaction> SqliteTransaction::begin(SqliteDb& db) {
  if (auto r = db.run_cached("BEGIN IMMEDIATE"); !r) {
    return make_error("cannot begin a transaction: " + r.error().message);
  }
  return SqliteTransaction(db);
}

SqliteTransaction::~SqliteTransaction() {
  if (open_) (void)db_->run_cached("ROLLBACK");
}

Result<Ok> SqliteTransaction::commit() {
  if (!open_) return make_error("the transaction is no longer open");
  auto r = db_->run_cached("COMMIT");
  if (r) open_ = false;
  return r;
}

}  // namespace newswatch
