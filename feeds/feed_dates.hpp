#pragma once
// Date parsing for feeds: RFC 822/1123 with real-world variants, RFC 3339 / ISO 8601 /
// W3C-DTF (date-only too) -> UTC. Pure; an unparseable date is nullopt, never an error.

#include <optional>
#include <string_view>

#include "feeds/feed.hpp"

namespace newswatch::feeds {

std::optional<TimePoint> parse_date(std::string_view text);

}  // namespace newswatch::feeds
