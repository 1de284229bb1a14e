#pragma once
// The per-feed status report served as GET /feeds (JSON) and printed by `newswatch status`:
// built from the scheduler's views, pure (the clocks are arguments).

#include <chrono>
#include <string>
#include <vector>

#include "feeds/scheduler.hpp"

namespace newswatch::daemon {

// "ok" (last fetch succeeded), "failing" (the last one failed), "backing_off" (two or more
// failed in a row: each wait doubles, up to max_backoff) or "gone" (410: not polled again).
std::string feed_state(const feeds::FeedRuntime& runtime);

// A JSON array, one object per feed: id, url, state, last_status, consecutive_failures,
// last_success and next_due (RFC 3339 UTC or null), in_flight.
std::string feed_report_json(const std::vector<feeds::FeedView>& feeds, std::chrono::steady_clock::time_point now,
                             std::chrono::system_clock::time_point wall_now);

}  // namespace newswatch::daemon
