#pragma once
// Alert encoding: one matched (feed, item, filter) as the JSON object of frame 2 of the
// wire contract (docs/protocol.md). Pure; the caller supplies seq and the detection time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/feed.hpp"
#include "filters/matcher.hpp"

namespace newswatch::alerts {

struct Alert {
  std::uint64_t seq = 0;
  std::string topic;    // "alert.<filter-id>" or the filter's override
  std::string payload;  // the JSON object, serialised
};

// Serialises the payload for one filter match. `seq` is the alert's sequence number. The item's
// language is item.language (its final one; "und" when empty); a filter with a rank adds `score`
// and each match's `weight`.
std::string encode_alert_payload(std::uint64_t seq, std::string_view filter_id, std::string_view topic,
                                 std::string_view feed_id, feeds::TimePoint detected_at, const feeds::Item& item,
                                 const filters::FilterMatch& match, const std::vector<std::string>& entities);

}  // namespace newswatch::alerts
