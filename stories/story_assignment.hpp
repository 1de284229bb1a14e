#pragma once
// StoryAssignment: the story an item was put in, as plain values (what payloads carry as
// `story`). Kept apart from the engine so that encoders need not include it.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace newswatch::stories {

using TimePoint = std::chrono::sys_seconds;

// The story an item was put in, as of that item (the `story` object of the payloads).
struct StoryAssignment {
  std::string story_id;                  // 16 hex digits, from the story's first item: stable
  std::optional<std::string> copy_of;    // item id of the original this item copies
  std::optional<std::string> copy_feed;  // and the original's feed (ids are unique per feed only)
  std::size_t size = 1;                  // items in the story, this one included
  std::size_t sources = 1;               // distinct feeds among them
  TimePoint first_seen{};
  std::string first_feed;
  bool new_story = true;  // this item started the story
};

}  // namespace newswatch::stories
