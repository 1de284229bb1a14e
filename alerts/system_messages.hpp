#pragma once
// The sys.* messages the daemon publishes (not journalled, no seq): topic and JSON payload,
// pure, next to the alert encoding. Their shapes are part of the wire contract (docs/protocol.md).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/feed.hpp"

namespace newswatch::alerts {

struct SystemMessage {
  std::string topic;
  std::string payload;
};

// sys.heartbeat {"last_seq", "time"}: every few seconds, so a subscriber sees gaps and silence.
SystemMessage heartbeat_message(std::uint64_t last_seq, feeds::TimePoint now);
// sys.reload {"ok", "errors", "generation"}: the outcome of every reload, good or bad.
SystemMessage reload_message(bool ok, const std::vector<std::string>& errors, std::uint64_t generation);
// sys.feed.error, or sys.feed.gone for HTTP 410: {"feed", "status", "outcome", "message"}.
SystemMessage feed_error_message(std::string_view feed_id, int status, std::string_view outcome,
                                 std::string_view message);

}  // namespace newswatch::alerts
