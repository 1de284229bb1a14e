#pragma once
// StoryStage: the daemon's stories step — assigns each new item to a story and decides, per
// matching filter, whether it alerts or goes out as a story update (docs/stories.md).
//
// Its writes join the open batch. Memory may run ahead of the database when a batch is given
// up or a group fails to commit: invalidate() then makes the next call rebuild from the
// database, which holds exactly what was committed (plus the open transaction's own rows).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sqlite_db.hpp"
#include "filters/filter_def.hpp"
#include "stories/collapse.hpp"
#include "stories/story_engine.hpp"
#include "stories/story_store.hpp"

namespace newswatch::daemon {

class StoryStage {
 public:
  // Creates the stories tables if needed; the state is loaded at the first use.
  static Result<StoryStage> open(SqliteDb& db, std::chrono::seconds window);

  // A reload's window: rebuilt from the database at the next use.
  void set_window(std::chrono::seconds window);
  // The batch this stage wrote into was rolled back: forget what memory holds beyond the database.
  void invalidate() { stale_ = true; }

  // Assigns the item and records it in the open batch.
  Result<stories::StoryAssignment> assign(const stories::StoryItem& item);
  // Alert or story update for one matching filter; an alert is remembered in the open batch.
  Result<stories::CollapseVerdict> decide(const filters::FilterDef& filter, const stories::StoryAssignment& story,
                                          std::string_view feed_id, std::string_view item_id, stories::TimePoint now);
  // Forgets stories and items that left the window (memory and database); rows deleted.
  Result<std::int64_t> prune(stories::TimePoint now);

  std::size_t story_count() const { return engine_ ? engine_->story_count() : 0; }

  // --- Cluster mode: a feed's stories move with it (docs/cluster.md; cluster_node.cpp) ---
  // The feed's items of the window as of `now` (the newest `max_items`, text clipped to
  // `max_text` bytes a field), their stories and alerted keys.
  Result<stories::FeedStories> feed_stories(std::string_view feed_id, stories::TimePoint now, std::size_t max_items,
                                            std::size_t max_text);
  // Takes over another node's stories of a feed (in the open batch); the next use rebuilds
  // the engine and ledger from the database, adopted story ids included.
  Result<Ok> adopt(const stories::FeedStories& moved);

 private:
  StoryStage(stories::StoryStore store, std::chrono::seconds window);
  Result<Ok> ensure_loaded(stories::TimePoint now);

  stories::StoryStore store_;
  std::chrono::seconds window_;
  std::unique_ptr<stories::StoryEngine> engine_;  // neither copied nor moved: held by pointer
  std::optional<stories::CollapseLedger> ledger_;
  bool stale_ = true;
};

}  // namespace newswatch::daemon
