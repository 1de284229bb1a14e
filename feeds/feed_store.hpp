#pragma once
// FeedStore: the feeds/ tables in the state database — per-feed runtime state and the
// identities of items already seen. Writes join the caller's transaction when one is open.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/sqlite_db.hpp"
#include "feeds/scheduler.hpp"

namespace newswatch::feeds {

class FeedStore {
 public:
  // Creates or migrates the tables. `db` must outlive the store.
  static Result<FeedStore> open(SqliteDb& db);

  Result<bool> is_seen(std::string_view feed_id, std::string_view item_id);
  // When the item was last confirmed listed (unix seconds), or nullopt if never seen.
  // The column is named first_seen for schema compatibility; touch_seen() moves it on
  // so that an item still in its feed never expires and alerts again.
  Result<std::optional<std::int64_t>> seen_at(std::string_view feed_id, std::string_view item_id);
  Result<Ok> touch_seen(std::string_view feed_id, std::string_view item_id, std::int64_t unix_time);
  Result<Ok> mark_seen(std::string_view feed_id, std::string_view item_id, std::int64_t unix_time);
  // Deletes seen identities last confirmed before `cutoff_unix`; returns how many.
  Result<std::int64_t> prune_seen(std::int64_t cutoff_unix);

  Result<Ok> save_runtime(std::string_view feed_id, const FeedRuntime& runtime);
  Result<std::map<std::string, FeedRuntime>> load_runtime();

 private:
  explicit FeedStore(SqliteDb& db) : db_(&db) {}
  SqliteDb* db_;
  SqliteStatement is_seen_;
  SqliteStatement mark_seen_;
  SqliteStatement save_runtime_;
};

}  // namespace newswatch::feeds
