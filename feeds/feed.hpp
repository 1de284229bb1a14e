#pragma once
// A parsed feed as plain values: what the parser produces and every later stage reads.
// Dates are UTC seconds; text fields are UTF-8 (summary/content keep their HTML).

#include <chrono>
#include <cstddef>
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
  // Distinct, in document order, at most kMaxCategories.
  std::vector<std::string> categories;
  // The parser leaves here the language the document declares for the item (its own xml:lang
  // or dc:language, else the feed's, else HTTP Content-Language), normalised ("en-US" -> "en"),
  // or "" when none; filters::item_language() then sets the final one (docs/languages.md).
  std::string language;
};

// Categories kept per item: real feeds tag an item with a few dozen at most; the cap bounds
// what one hostile item puts into every alert payload.
inline constexpr std::size_t kMaxCategories = 256;

// Drops empty and repeated categories (keeping the first of each, in order), then all past
// kMaxCategories. O(n log n). True if the cap dropped any.
bool tidy_categories(std::vector<std::string>& categories);

struct Feed {
  std::string title;
  std::string link;
  std::optional<int> ttl_minutes;  // RSS <ttl>
  // The language the document declares for itself (RSS <language>, dc:language, xml:lang on
  // the channel or root), normalised; "" when none. Items without their own inherit it.
  std::string language;
  std::vector<Item> items;
  std::vector<std::string> problems;  // recoverable issues met while parsing
  // The XML was malformed or cut short and items were recovered from it: some may be missing
  // (a connection closed mid-document), so the response's validators must not be trusted.
  bool incomplete = false;
};

// "2012-12-20T18:00:00Z"
std::string format_rfc3339(TimePoint t);

}  // namespace newswatch::feeds
