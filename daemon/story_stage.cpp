#include "daemon/story_stage.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace newswatch::daemon {

Result<StoryStage> StoryStage::open(SqliteDb& db, std::chrono::seconds window) {
  auto store = stories::StoryStore::open(db);
  if (!store) return store.error();
  return StoryStage(std::move(*store), window);
}

StoryStage::StoryStage(stories::StoryStore store, std::chrono::seconds window)
    : store_(std::move(store)), window_(window) {}

void StoryStage::set_window(std::chrono::seconds window) {
  if (window == window_) return;
  window_ = window;
  stale_ = true;
}

Result<Ok> StoryStage::ensure_loaded(stories::TimePoint now) {
  if (!stale_) return Ok{};
  auto loaded = store_.load(window_, now);
  if (!loaded) return loaded.error();
  stories::StoryTuning tuning;
  tuning.window = window_;
  engine_ = std::make_unique<stories::StoryEngine>(tuning);
  engine_->restore(loaded->stories, loaded->items);
  ledger_.emplace(window_);
  for (const auto& a : loaded->alerted)
    ledger_->remember(a.filter_id, a.key, a.at);
  stale_ = false;
  spdlog::debug("stories: {} stories, {} items of the last {} s loaded", engine_->story_count(), engine_->item_count(),
                window_.count());
  return Ok{};
}

Result<stories::StoryAssignment> StoryStage::assign(const stories::StoryItem& item) {
  if (auto r = ensure_loaded(item.arrival); !r) return r.error();
  auto assignment = engine_->assign(item);
  if (auto r = store_.record(item, assignment); !r) {
    stale_ = true;  // the engine holds an item the database does not
    return r.error();
  }
  return assignment;
}

Result<stories::CollapseVerdict> StoryStage::decide(const filters::FilterDef& filter,
                                                    const stories::StoryAssignment& story, std::string_view feed_id,
                                                    std::string_view item_id, stories::TimePoint now) {
  if (auto r = ensure_loaded(now); !r) return r.error();
  const auto verdict = ledger_->decide(filter.id, filter.collapse, story, feed_id, item_id, now);
  if (verdict == stories::CollapseVerdict::alert) {
    if (auto r = store_.record_alert(filter.id, story, feed_id, item_id, now); !r) {
      stale_ = true;
      return r.error();
    }
  }
  return verdict;
}

Result<std::int64_t> StoryStage::prune(stories::TimePoint now) {
  auto pruned = store_.prune(now - window_);
  if (!pruned) return pruned.error();
  if (engine_) engine_->expire(now);
  if (ledger_) ledger_->expire(now);
  return *pruned;
}

// --- Cluster mode: a feed's stories move with it ----------------------------------------

Result<stories::FeedStories> StoryStage::feed_stories(std::string_view feed_id, stories::TimePoint now,
                                                      std::size_t max_items, std::size_t max_text) {
  return store_.feed_stories(feed_id, now - window_, max_items, max_text);
}

Result<Ok> StoryStage::adopt(const stories::FeedStories& moved) {
  stale_ = true;  // rebuilt from the database, which now holds the adopted rows
  return store_.adopt(moved);
}

}  // namespace newswatch::daemon
