#pragma once
// The replay wire protocol of docs/protocol.md ("Replay"), as pure functions: parse a
// request frame, decide the horizon, build the reply frames. No sockets, no database.
//
// Request: one frame, a JSON object {"since": N, "limit": L, "topics": ["alert.", ...]}.
//   since   required, integer >= 0: the client has everything up to and including seq N.
//   limit   optional, integer >= 1 (default 1000, silently capped at kMaxReplayLimit):
//           at most this many [topic, payload] pairs in one reply.
//   topics  optional array of strings: prefix filter on the topic; absent or [] = all.
//   Unknown keys are ignored (forward compatibility); anything else malformed is an error.
//
// Reply, success: frame 1 {"ok": true, "count": k, "last_seq": S, "more": bool}, then k
// pairs of frames [topic, payload] in increasing seq order, payload byte-identical to what
// was published.
//   last_seq  the client now has every matching alert with seq <= S: when `more` is true,
//             S is the last seq the daemon examined (a page ends at `limit` pairs, or after
//             a bounded scan when `topics` filters out much of the journal, so S may exceed
//             the seq of the last pair, and count may be 0); ask again with since = S.
//             When `more` is false, S is the newest seq the daemon has assigned, so the
//             client is caught up and everything later arrives live. If the client asked
//             for a since beyond the daemon's newest seq (its journal was reset), S is that
//             newest seq and is smaller than since.
// Reply, failure: one frame {"ok": false, "error": "...", "oldest_seq": O}.
//   Horizon: pruning removed alerts the client has not seen, i.e. since > 0 and
//   since + 1 < the first seq still kept (for an empty journal: newest seq + 1). O is the
//   oldest seq kept (0 when the journal is empty); the client may re-ask with since = 0
//   ("everything still journalled") after noting the loss.
//   Malformed requests get the same shape with oldest_seq 0 and a message saying why.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.hpp"
#include "common/result.hpp"

namespace newswatch::alerts {

inline constexpr std::size_t kDefaultReplayLimit = 1000;
inline constexpr std::size_t kMaxReplayLimit = 10000;
// Rows one reply may examine when a topic filter skips rows: bounds the time one request
// holds the event loop (the client pages on with `more`).
inline constexpr std::size_t kMaxReplayScan = 50000;
// Payload bytes after which a page ends early (it always holds at least one alert), so a
// reply's memory stays bounded whatever the alerts' size.
inline constexpr std::size_t kMaxReplayBytes = 16 << 20;

struct ReplayRequest {
  std::uint64_t since = 0;
  std::size_t limit = kDefaultReplayLimit;
  std::vector<std::string> topics;  // prefixes; empty = every topic
};

// Parses one request frame; the error message is meant for the client.
Result<ReplayRequest> parse_replay_request(std::string_view frame);

// True when the request reaches behind the horizon: alerts after `since` were pruned.
// `first_kept` is the smallest seq in the journal, or newest_seq + 1 when it is empty.
bool behind_horizon(std::uint64_t since, std::uint64_t first_kept);

// What the journal returned for one request.
struct ReplayPage {
  std::vector<Alert> alerts;        // matching alerts, seq order, at most limit
  std::uint64_t last_examined = 0;  // highest seq read (0: none)
  bool exhausted = true;            // the scan reached the end of the journal
};

// The reply frames for a page: header, then topic/payload pairs. `newest_seq` is the
// daemon's newest assigned seq at the time of the reply.
std::vector<std::string> build_replay_reply(const ReplayRequest& request, const ReplayPage& page,
                                            std::uint64_t newest_seq);
// The single-frame error reply.
std::string build_replay_error(std::string_view message, std::uint64_t oldest_seq);

}  // namespace newswatch::alerts
