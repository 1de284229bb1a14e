#pragma once
// A parsed feed as plain values: what the parser produces and every later stage reads.
// Dates are UTC seconds; text fields are UTF-8 (summary/content keep their HTML).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace newswatch::feeds {

using TimePoint = std::chrono::sys_seconds;

struct Item {
  std::string id;  // guid/id, else a stable hash of link + title
  std::string title;
  std::string link;
  std::optional<TimePoint> published;
  std::optional<TimePoint> updated;
  std::string author;
  std::string summary;  // HTML as found
  std::string content;  // HTML as found
  std::vector<std::string> categories;
};

struct Feed {
  std::string title;
  std::string link;
  std::optional<int> ttl_minutes;  // RSS <ttl>
  std::vector<Item> items;
  std::vector<std::string> problems;  // recoverable issues met while parsing
};

// "2012-12-20T18:00:00Z"
std::string format_rfc3339(TimePoint t);

}  // namespace newswatch::feeds
