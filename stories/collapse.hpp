#pragma once
// Collapse: whether a filter's match on an item goes out as an `alert.` or as a `story.` update,
// from the filter's collapse mode, the item's story assignment and what this filter already
// alerted on. collapse_verdict is pure; CollapseLedger holds that memory, bounded by the window.

#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

#include "filters/filter_def.hpp"
#include "stories/story_engine.hpp"

namespace newswatch::stories {

enum class CollapseVerdict { alert, update };

// story_alerted: this filter already alerted on an item of the assignment's story.
// copy_alerted: this filter already alerted on the item's original or on another copy of it.
// - none: always alert;
// - copies: an update when the item is a copy and its original (or a copy of it) alerted;
// - stories: an update when any item of the story alerted.
CollapseVerdict collapse_verdict(filters::Collapse mode, const StoryAssignment& assignment, bool story_alerted,
                                 bool copy_alerted);

// The key a copy family is known by: its original's feed and item id.
std::string copy_key(const StoryAssignment& assignment, std::string_view feed_id, std::string_view item_id);

// Per filter, the stories and copy families it alerted on within the window.
class CollapseLedger {
 public:
  explicit CollapseLedger(std::chrono::seconds window) : window_(window) {}

  // The verdict for one (filter, item), remembering nothing.
  CollapseVerdict verdict(std::string_view filter_id, filters::Collapse mode, const StoryAssignment& assignment,
                          std::string_view feed_id, std::string_view item_id) const;
  // Decides for one (filter, item) and, when the verdict is an alert, remembers it (so a copy
  // later in the same batch is already an update). If the batch's transaction then fails,
  // rebuild the ledger from StoryStore::load: the store holds only what was committed.
  CollapseVerdict decide(std::string_view filter_id, filters::Collapse mode, const StoryAssignment& assignment,
                         std::string_view feed_id, std::string_view item_id, TimePoint now);

  // What StoryStore::load returns under `alerted`: an alert remembered before a restart.
  void remember(std::string_view filter_id, std::string_view key, TimePoint at);
  // The keys decide() remembers for an alert: "s:<story id>" and "c:<copy key>".
  static std::string story_key(const StoryAssignment& a);
  static std::string family_key(const StoryAssignment& a, std::string_view feed_id, std::string_view item_id);

  void expire(TimePoint now);
  void clear();
  std::size_t size() const { return keys_.size(); }

 private:
  bool has(std::string_view filter_id, std::string_view key) const;
  std::chrono::seconds window_;
  std::unordered_set<std::string> keys_;  // filter id, '\x1f', key
  std::deque<std::pair<TimePoint, std::string>> order_;
};

}  // namespace newswatch::stories
