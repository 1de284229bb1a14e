#include "feeds/feed_store.hpp"

#include <utility>
#include <vector>

namespace newswatch::feeds {

namespace {
// 2: seen_items.first_seen renamed last_listed (it always held when the item was last listed).
constexpr int kSchemaVersion = 2;

// Version 1 named the column first_seen; rename it in place (cheap: no rows are rewritten).
Result<Ok> migrate_first_seen(SqliteDb& db) {
  {
    auto cols = db.prepare("SELECT 1 FROM pragma_table_info('seen_items') WHERE name = 'first_seen'");
    if (!cols) return cols.error();
    auto row = cols->step();
    if (!row) return row.error();
    if (!*row) return Ok{};
  }  // finalized: the schema cannot change under a running statement
  return db.exec(
      "DROP INDEX IF EXISTS seen_items_age;"
      "ALTER TABLE seen_items RENAME COLUMN first_seen TO last_listed;");
}

// The first column of the bound query's first row, or nullopt when it has none; ready for reuse.
Result<std::optional<std::int64_t>> optional_int(SqliteStatement& query) {
  auto row = query.step();
  std::optional<std::int64_t> value;
  if (row && *row) value = query.column_int(0);
  query.reset();
  if (!row) return row.error();
  return value;
}

}  // namespace

Result<FeedStore> FeedStore::open(SqliteDb& db) {
  if (auto m = migrate_first_seen(db); !m) return m.error();
  auto r = db.ensure_module_schema(
      "feeds", kSchemaVersion,
      "CREATE TABLE IF NOT EXISTS feed_state ("
      "  feed_id TEXT PRIMARY KEY, config_url TEXT NOT NULL, url TEXT NOT NULL, etag TEXT NOT NULL DEFAULT '',"
      "  last_modified TEXT NOT NULL DEFAULT '', failures INTEGER NOT NULL DEFAULT 0,"
      "  gone INTEGER NOT NULL DEFAULT 0, last_outcome TEXT NOT NULL DEFAULT '');"
      "CREATE TABLE IF NOT EXISTS seen_items ("
      "  feed_id TEXT NOT NULL, item_id TEXT NOT NULL, last_listed INTEGER NOT NULL,"
      "  PRIMARY KEY (feed_id, item_id)) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS seen_items_age ON seen_items(last_listed);"
      // Added after version 1, by itself: an older database simply gains it.
      "CREATE TABLE IF NOT EXISTS feed_listing (feed_id TEXT PRIMARY KEY, listed_at INTEGER NOT NULL) WITHOUT ROWID;");
  if (!r) return r.error();
  if (auto v = db.exec("UPDATE schema_version SET version = " + std::to_string(kSchemaVersion) +
                       " WHERE module = 'feeds' AND version < " + std::to_string(kSchemaVersion));
      !v) {
    return v.error();
  }
  FeedStore store(db);
  // Prepared once: each runs per fetch or per item.
  if (auto prepared = db.prepare_each({
          {&store.last_listed_, "SELECT last_listed FROM seen_items WHERE feed_id = ?1 AND item_id = ?2"},
          {&store.mark_seen_, "INSERT OR IGNORE INTO seen_items(feed_id, item_id, last_listed) VALUES (?1, ?2, ?3)"},
          {&store.touch_seen_,
           "UPDATE seen_items SET last_listed = max(last_listed, ?3) WHERE feed_id = ?1 AND item_id = ?2"},
          {&store.listed_at_, "SELECT listed_at FROM feed_listing WHERE feed_id = ?1"},
          {&store.set_listed_,
           "INSERT INTO feed_listing(feed_id, listed_at) VALUES (?1, ?2) "
           "ON CONFLICT(feed_id) DO UPDATE SET listed_at = max(listed_at, excluded.listed_at)"},
          {&store.save_runtime_,
           "INSERT INTO feed_state(feed_id, url, etag, last_modified, failures, gone, last_outcome, config_url) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(feed_id) DO UPDATE SET url = excluded.url, "
           "config_url = excluded.config_url, "
           "etag = excluded.etag, last_modified = excluded.last_modified, failures = excluded.failures, "
           "gone = excluded.gone, last_outcome = excluded.last_outcome"},
      });
      !prepared) {
    return prepared.error();
  }
  return store;
}

Result<std::optional<std::int64_t>> FeedStore::last_listed(std::string_view feed_id, std::string_view item_id) {
  return optional_int(last_listed_.bind(1, feed_id).bind(2, item_id));
}

Result<Ok> FeedStore::touch_seen(std::string_view feed_id, std::string_view item_id, std::int64_t unix_time) {
  return touch_seen_.bind(1, feed_id).bind(2, item_id).bind(3, unix_time).run();
}

Result<Ok> FeedStore::mark_seen(std::string_view feed_id, std::string_view item_id, std::int64_t unix_time) {
  return mark_seen_.bind(1, feed_id).bind(2, item_id).bind(3, unix_time).run();
}

Result<std::optional<std::int64_t>> FeedStore::listed_at(std::string_view feed_id) {
  return optional_int(listed_at_.bind(1, feed_id));
}

Result<Ok> FeedStore::set_listed(std::string_view feed_id, std::int64_t unix_time) {
  return set_listed_.bind(1, feed_id).bind(2, unix_time).run();
}

Result<std::vector<std::pair<std::string, std::int64_t>>> FeedStore::listings_since(std::int64_t since_unix) {
  auto st = db_->prepare("SELECT feed_id, listed_at FROM feed_listing WHERE listed_at >= ?1");
  if (!st) return st.error();
  st->bind(1, since_unix);
  std::vector<std::pair<std::string, std::int64_t>> out;
  if (auto done = st->each_row([&] { out.emplace_back(st->column_text(0), st->column_int(1)); }); !done) {
    return done.error();
  }
  return out;
}

Result<std::vector<std::string>> FeedStore::recent_items(std::string_view feed_id, std::int64_t since_unix,
                                                         std::int64_t limit) {
  auto st = db_->prepare(
      "SELECT item_id FROM seen_items WHERE feed_id = ?1 AND last_listed >= ?2 ORDER BY last_listed DESC LIMIT ?3");
  if (!st) return st.error();
  st->bind(1, feed_id).bind(2, since_unix).bind(3, limit);
  std::vector<std::string> out;
  if (auto done = st->each_row([&] { out.push_back(st->column_text(0)); }); !done) return done.error();
  return out;
}

Result<Ok> FeedStore::forget_listings_except(const std::set<std::string, std::less<>>& configured) {
  auto listed = db_->prepare("SELECT feed_id FROM feed_listing");
  if (!listed) return listed.error();
  std::vector<std::string> gone;
  const auto rows = listed->each_row([&] {
    std::string id = listed->column_text(0);
    if (configured.count(id) == 0) gone.push_back(std::move(id));
  });
  if (!rows) return rows.error();
  auto forget = db_->prepare("DELETE FROM feed_listing WHERE feed_id = ?1");
  if (!forget) return forget.error();
  for (const auto& id : gone) {
    if (auto r = forget->bind(1, id).run(); !r) return r.error();
  }
  return Ok{};
}

Result<std::int64_t> FeedStore::prune_seen(std::int64_t now_unix, std::int64_t max_age_s, std::int64_t limit) {
  // Counted from the feed's last recorded listing, not from now: a feed answering 304, failing
  // or not polled (the daemon was down) still lists what it listed then, and those items must
  // not come back as new.
  auto st = db_->prepare(
      "DELETE FROM seen_items WHERE (feed_id, item_id) IN (SELECT feed_id, item_id FROM seen_items s "
      "WHERE last_listed < ?1 - ?2 AND last_listed < coalesce("
      "(SELECT listed_at FROM feed_listing l WHERE l.feed_id = s.feed_id), ?1) - ?2 LIMIT ?3)");
  if (!st) return st.error();
  if (auto r = st->bind(1, now_unix).bind(2, max_age_s).bind(3, limit).run(); !r) return r.error();
  return static_cast<std::int64_t>(sqlite3_changes(db_->handle()));
}

Result<Ok> FeedStore::save_runtime(std::string_view feed_id, const FeedRuntime& rt) {
  return save_runtime_.bind(1, feed_id)
      .bind(2, rt.url)
      .bind(3, rt.etag)
      .bind(4, rt.last_modified)
      .bind(5, static_cast<std::int64_t>(rt.failures))
      .bind(6, static_cast<std::int64_t>(rt.gone ? 1 : 0))
      .bind(7, rt.last_outcome)
      .bind(8, rt.config_url)
      .run();
}

Result<std::map<std::string, FeedRuntime>> FeedStore::load_runtime() {
  auto st = db_->prepare(
      "SELECT feed_id, url, etag, last_modified, failures, gone, last_outcome, config_url FROM feed_state");
  if (!st) return st.error();
  std::map<std::string, FeedRuntime> out;
  const auto rows = st->each_row([&] {
    FeedRuntime rt;
    rt.url = st->column_text(1);
    rt.etag = st->column_text(2);
    rt.last_modified = st->column_text(3);
    rt.failures = static_cast<int>(st->column_int(4));
    rt.gone = st->column_int(5) != 0;
    rt.last_outcome = st->column_text(6);
    rt.config_url = st->column_text(7);
    out.emplace(st->column_text(0), std::move(rt));
  });
  if (!rows) return rows.error();
  return out;
}

}  // namespace newswatch::feeds
