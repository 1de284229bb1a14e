#pragma once
// burst.<filter-id> messages: encoding a Burst as its JSON payload, reading an alert payload
// back into a BurstEvent (for the daemon and the backtest alike), and tail's readable line.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bursts/burst_detector.hpp"
#include "common/result.hpp"

namespace newswatch::bursts {

// "burst.<filter-id>".
std::string burst_topic(std::string_view filter_id);

// The payload of one burst message (docs/bursts.md lists its fields); `seq` from the caller.
std::string encode_burst_payload(std::uint64_t seq, const Burst& burst);

// Entity id -> gazetteer type, from the config's [[entity]] tables.
using EntityTypes = std::map<std::string, std::string, std::less<>>;

// One alert payload (frame 2 of an alert.* message) as a detector event: its detected_at,
// filter, story id (the item id when it has no story), feed, and entities with their types.
// Errors when it is not an alert payload.
Result<BurstEvent> event_from_alert_payload(std::string_view payload, const EntityTypes& types);

// "⚡ alert sahel: 14 stories from 9 sources in 3h, expected 2.1 (p=3e-6)"; nullopt when
// the payload is not a burst message.
std::optional<std::string> format_burst_line(std::string_view payload);

}  // namespace newswatch::bursts
