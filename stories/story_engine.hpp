#pragma once
// StoryEngine: assigns each new item to a story (and marks near-duplicates as copies) against the
// items of a sliding time window. Pure (no I/O, time comes in with the items); one thread only.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stories/story_assignment.hpp"
#include "stories/story_text.hpp"

namespace newswatch::stories {

// One item as the engine sees it. `summary` may hold HTML; `language` is an ISO code, "und" or
// empty (unknown); `entities` are the matcher's entity ids for the item.
struct StoryItem {
  std::string item_id;
  std::string feed_id;
  std::string title;
  std::string summary;
  std::string language;
  std::vector<std::string> entities;
  TimePoint arrival{};
};

// The thresholds (docs/stories.md explains each and how to tune it).
struct StoryTuning {
  std::chrono::seconds window{72 * 3600};
  // Copies, on word-pair shingles (numbers masked) and content words of title + summary, as
  // containment (shared / the smaller set's size):
  double copy_shingles = 0.70;        // a copy when its shingles are this contained ...
  double copy_shingles_loose = 0.45;  // ... or at least this much and
  double copy_words = 0.80;           //     its content words this much
  std::size_t copy_min_shingles = 3;  // the smaller text has at least this many shingles
  // Numbers or entities that differ on both sides ("bulletin 17" / "bulletin 18") veto a copy
  // unless the rest agrees this well over at least this many words:
  double copy_numbers_override = 0.95;
  std::size_t copy_numbers_min_words = 20;
  // Stories: cosine of the item's TF-IDF vector to the story centroid, and shared terms.
  double join_cosine = 0.30;
  std::size_t join_min_shared_words = 2;  // content words shared with the centroid
  std::size_t join_min_shared_terms = 4;  // words and entities together
  float entity_weight = 2.0F;             // an entity counts as this many title words
  // Different languages join only on entities: this many shared, covering this share of the item's.
  std::size_t cross_language_min_entities = 2;
  double cross_language_entity_share = 0.5;
  std::size_t centroid_terms = 48;  // terms kept per story centroid
};

// A story as persisted and restored (StoryStore).
struct StoryRecord {
  std::string story_id;
  TimePoint first_seen{};
  TimePoint last_seen{};
  std::string first_feed;
  std::string first_item;
  std::string language;
  std::size_t size = 0;
  std::vector<std::string> feeds;  // distinct, sorted
};

// An item of the window as persisted and restored, with the assignment it was given.
struct RecordedItem {
  StoryItem item;
  std::string story_id;
  std::optional<std::string> copy_of;
  std::optional<std::string> copy_feed;
};

class StoryEngine {
 public:
  explicit StoryEngine(StoryTuning tuning = {});
  ~StoryEngine();
  StoryEngine(const StoryEngine&) = delete;
  StoryEngine& operator=(const StoryEngine&) = delete;

  // Assigns `item` (expiring first what left the window as of its arrival). An item already in
  // the window (same feed and item id) gets its earlier assignment back, with size and sources
  // as of now.
  StoryAssignment assign(const StoryItem& item);

  // Rebuilds the state after a restart: stories first, then their items in arrival order, each
  // taking its recorded assignment without being judged again.
  void restore(const std::vector<StoryRecord>& stories, const std::vector<RecordedItem>& items);

  // The persisted form of a story of the window (nullopt once it expired).
  std::optional<StoryRecord> story(std::string_view story_id) const;

  // Forgets what is older than `now - window` (assign does this by itself).
  void expire(TimePoint now);

  // A reload may change the window: a shorter one applies at the next item, a longer one keeps
  // only what the old one still held.
  void set_window(std::chrono::seconds window) { tuning_.window = window; }

  std::size_t item_count() const;
  std::size_t story_count() const;
  const StoryTuning& tuning() const { return tuning_; }

  struct State;  // defined in story_engine.cpp

 private:
  StoryTuning tuning_;
  std::unique_ptr<State> state_;
};

// "0123456789abcdef": the id of the story that `item_id` of `feed_id` starts.
std::string story_id_for(std::string_view feed_id, std::string_view item_id);

}  // namespace newswatch::stories
