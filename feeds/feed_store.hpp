#pragma once
// FeedStore: the feeds/ tables in the state database — per-feed runtime state and the
// identities of items already seen. Writes join the caller's transaction when one is open.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/sqlite_db.hpp"
#include "feeds/scheduler.hpp"

namespace newswatch::feeds {

class FeedStore {
 public:
  // Creates or migrates the tables. `db` must outlive the store.
  static Result<FeedStore> open(SqliteDb& db);

  // When the item was last confirmed listed (unix seconds), or nullopt if never seen (new).
  // touch_seen() moves it on so that an item still in its feed never expires and alerts again.
  Result<std::optional<std::int64_t>> last_listed(std::string_view feed_id, std::string_view item_id);
  Result<Ok> touch_seen(std::string_view feed_id, std::string_view item_id, std::int64_t unix_time);
  Result<Ok> mark_seen(std::string_view feed_id, std::string_view item_id, std::int64_t unix_time);
  // When the feed's whole item list was last recorded (a 200 whose items were all marked or
  // touched), or nullopt. Items listed then were all confirmed at most a quarter of
  // seen_max_age before it, which is what lets prune_seen() spare them.
  Result<std::optional<std::int64_t>> listed_at(std::string_view feed_id);
  Result<Ok> set_listed(std::string_view feed_id, std::int64_t unix_time);
  // Every feed whose listing was recorded at or after `since_unix`, with that time: one query
  // for what moved, where asking listed_at() of every feed would be one per feed.
  Result<std::vector<std::pair<std::string, std::int64_t>>> listings_since(std::int64_t since_unix);
  // The feed's item identities confirmed listed at or after `since_unix`, newest first, at
  // most `limit`: what a cluster node taking the feed over must know as seen (docs/cluster.md).
  Result<std::vector<std::string>> recent_items(std::string_view feed_id, std::int64_t since_unix, std::int64_t limit);
  // Drops the listings of feeds not in `configured` (when the feed set is loaded): a feed no
  // longer configured lists nothing, so its identities age out like any other.
  Result<Ok> forget_listings_except(const std::set<std::string, std::less<>>& configured);
  // Deletes identities confirmed more than `max_age_s` before both now and their feed's last
  // listing (the plain age for a feed with none), at most `limit` of them, so a large backlog
  // is cleared in slices between other work; returns how many.
  Result<std::int64_t> prune_seen(std::int64_t now_unix, std::int64_t max_age_s, std::int64_t limit);

  Result<Ok> save_runtime(std::string_view feed_id, const FeedRuntime& runtime);
  Result<std::map<std::string, FeedRuntime>> load_runtime();

 private:
  explicit FeedStore(SqliteDb& db) : db_(&db) {}
  SqliteDb* db_;
  SqliteStatement last_listed_;
  SqliteStatement mark_seen_;
  SqliteStatement touch_seen_;
  SqliteStatement listed_at_;
  SqliteStatement set_listed_;
  SqliteStatement save_runtime_;
};

}  // namespace newswatch::feeds
