#pragma once
// StoryStore: the stories/ tables in the state database — the stories and items of the window,
// and what each filter alerted on. Writes join the caller's transaction (none is begun here).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sqlite_db.hpp"
#include "stories/story_engine.hpp"

namespace newswatch::stories {

// An alert remembered by CollapseLedger (filter id, ledger key, when).
struct AlertedKey {
  std::string filter_id;
  std::string key;
  TimePoint at{};
};

// A feed's part of the window, as cluster mode moves it to the node taking the feed over
// (docs/cluster.md): the feed's items, the stories they are in, and the alerts remembered on
// those stories and on the items' copy families.
struct FeedStories {
  std::vector<StoryRecord> stories;
  std::vector<RecordedItem> items;  // oldest first
  std::vector<AlertedKey> alerted;
};

struct LoadedStories {
  std::vector<StoryRecord> stories;
  std::vector<RecordedItem> items;  // in the order they were recorded
  std::vector<AlertedKey> alerted;
};

class StoryStore {
 public:
  // Creates or migrates the tables. `db` must outlive the store.
  static Result<StoryStore> open(SqliteDb& db);

  // Records an item and its assignment (and updates its story): call it inside the transaction
  // that journals the item's alerts, so both survive a crash or neither does.
  Result<Ok> record(const StoryItem& item, const StoryAssignment& assignment);
  // Records that `filter_id` alerted on `key` (CollapseLedger::story_key / family_key).
  Result<Ok> record_alert(std::string_view filter_id, std::string_view key, TimePoint at);
  // Both keys of an alert on `item_id` of `feed_id`: what CollapseLedger::decide remembered.
  Result<Ok> record_alert(std::string_view filter_id, const StoryAssignment& assignment, std::string_view feed_id,
                          std::string_view item_id, TimePoint at);

  // What StoryEngine::restore and CollapseLedger::remember need: stories, items and alerts of
  // the window ending at `now`.
  Result<LoadedStories> load(std::chrono::seconds window, TimePoint now);

  // Deletes items, stories (by their last item) and alerts older than `older_than`; returns the
  // number of items deleted. Runs in the caller's transaction if one is open.
  Result<std::int64_t> prune(TimePoint older_than);

  // --- Cluster mode: a feed's stories move with the feed (docs/cluster.md) ---------------
  // The newest `max_items` items of `feed_id` that arrived at `since` or later, each text
  // field clipped to `max_text` bytes, with their stories and alerted keys. Creates, at its
  // first call, an index on the alerted keys (only cluster mode pays for it).
  Result<FeedStories> feed_stories(std::string_view feed_id, TimePoint since, std::size_t max_items,
                                   std::size_t max_text);
  // Records another node's FeedStories in the caller's transaction: items already known stay
  // as they are, stories merge (latest last_seen, largest size), alerted keys merge.
  Result<Ok> adopt(const FeedStories& moved);

 private:
  explicit StoryStore(SqliteDb& db) : db_(&db) {}
  // One story_items row, as record() and adopt() write it (texts clipped, "und" as no language).
  Result<Ok> insert_item(const StoryItem& item, std::string_view story_id, const std::optional<std::string>& copy_of,
                         const std::optional<std::string>& copy_feed);
  SqliteDb* db_;
  SqliteStatement insert_item_;
  SqliteStatement upsert_story_;
  SqliteStatement insert_feed_;
  SqliteStatement upsert_alert_;
  bool alerted_key_index_ = false;  // feed_stories() made sure of story_alerted_key
};

}  // namespace newswatch::stories
