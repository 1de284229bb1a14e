#pragma once
// FeedState: what a node shares of a feed in the `<stream>_feeds` bucket so that the node
// taking it over alerts nothing twice (docs/cluster.md), and its JSON form, bounded in size.
//
// Pure: no I/O. encode_feed_state() keeps a value under a byte budget (NATS refuses a
// message over max_payload, 1 MB by default) by dropping the oldest story items first, then
// the oldest seen identities; decode_feed_state() refuses what it cannot read.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "stories/story_store.hpp"

namespace newswatch::cluster {

struct FeedState {
  std::string feed;  // feed id
  std::string url;   // the feed's URL when shared: a changed URL makes the state another feed's
  std::string node;  // who shared it
  std::int64_t listed_at = 0;
  std::vector<std::string> items;  // seen identities, newest first
  stories::FeedStories stories;    // the feed's items of the story window, oldest first
};

// Well under NATS' default max_payload (1 MiB), with room for the key-value headers.
inline constexpr std::size_t kMaxFeedStateBytes = 900 * 1024;

// The JSON text, at most `max_bytes` long (oldest story items, then oldest identities, left out).
std::string encode_feed_state(FeedState state, std::size_t max_bytes = kMaxFeedStateBytes);
Result<FeedState> decode_feed_state(std::string_view text);

}  // namespace newswatch::cluster
