#pragma once
// Date parsing for feeds: RFC 822 (and real-world variants) and RFC 3339 -> UTC.
// Pure; an unparseable date is nullopt, never an error.

#include <optional>
#include <string_view>

#include "feeds/feed.hpp"

namespace newswatch::feeds {

std::optional<TimePoint> parse_date(std::string_view text);

}  // namespace newswatch::feeds
