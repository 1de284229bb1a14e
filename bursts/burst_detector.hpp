#pragma once
// BurstDetector: counts distinct stories and sources per filter (and per filter × place or
// country entity) in hourly bins and announces when a window holds far more than expected.
// Pure: no I/O, no clock (each event carries its time); docs/bursts.md explains the model.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"

namespace newswatch::bursts {

inline constexpr std::int64_t kHour = 3600;

struct BurstSettings {
  bool enabled = true;
  // Seconds, whole hours, 1h..7d; the longest bounds the scan of spans 1h..longest.
  std::vector<std::int64_t> windows{3 * kHour, 24 * kHour};
  double watch_p = 1e-2;  // false `watch` announcements per filter per day
  double alert_p = 1e-4;  // false `alert` announcements per filter per day
  int min_stories = 3;
  int min_sources = 2;
  std::int64_t renotify = 6 * kHour;
  std::size_t max_entity_series = 32;  // per filter; the least recently active one goes first
};

// What the detector needs to know of a configured filter.
struct BurstFilter {
  std::string id;
  std::optional<double> expected_per_day;  // stories a day, used until two weeks of history
};

struct EntityRef {
  std::string id;
  std::string type;  // the gazetteer type; only "country" and "place" make series of their own
};

// One alert as the detector sees it.
struct BurstEvent {
  std::int64_t time = 0;  // unix seconds (the alert's detected_at)
  std::string filter;
  std::string story;  // story id; the item id when the alert has no story
  std::string title;
  std::string link;
  std::string source;     // feed id
  int story_sources = 0;  // the payload's story.sources (0: unknown)
  std::vector<EntityRef> entities;
};

enum class BurstLevel { none = 0, watch = 1, alert = 2 };
const char* level_name(BurstLevel level);

struct BurstStory {
  std::string id;
  std::string title;
  std::string link;
  int sources = 0;
};

// One announcement: the fields of a burst.<filter-id> message but seq.
struct Burst {
  std::string filter;
  BurstLevel level = BurstLevel::none;
  std::int64_t window = 0;  // seconds: the span that reached the level (whole hours)
  int count = 0;            // distinct new stories in the window
  int sources = 0;          // distinct sources of the window's alerts
  double expected = 0;      // stories expected in the window
  double p_value = 1;       // P(count or more | expected), before the correction for many tests
  std::optional<std::string> entity;
  std::int64_t started_at = 0;  // first story of the window
  std::int64_t detected_at = 0;
  std::vector<BurstStory> stories;  // top 5 by sources, then earliest
};

// A series' state as stored: key and an opaque JSON text the detector wrote.
struct SeriesState {
  std::string filter;
  std::string entity;  // empty for the filter's own series
  std::string state;
};

// What changed since the last take_changes(): series to write, series to delete.
struct SeriesChanges {
  std::vector<SeriesState> updated;
  std::vector<std::pair<std::string, std::string>> removed;  // (filter, entity); entity "" = all
  bool empty() const { return updated.empty() && removed.empty(); }
};

class BurstDetector {
 public:
  BurstDetector(BurstSettings settings, std::vector<BurstFilter> filters);
  ~BurstDetector();
  BurstDetector(BurstDetector&&) noexcept;
  BurstDetector& operator=(BurstDetector&&) noexcept;

  // New settings and filters (a reload): a filter id that stays keeps its history; a
  // filter that went is forgotten (take_changes() reports it removed).
  void reconfigure(BurstSettings settings, std::vector<BurstFilter> filters);

  // Counts one alert and returns the announcements it triggers (none when disabled, for
  // an unknown filter, or when nothing is unusual). Times may arrive slightly out of order;
  // an earlier time counts at the latest time seen for the filter.
  std::vector<Burst> observe(const BurstEvent& event);

  // Series whose state changed (to persist, in the caller's transaction) and series dropped.
  SeriesChanges take_changes();
  // Restores stored series (at start, before any observe()); states of unknown filters, or
  // that do not parse, are skipped and counted in the result.
  std::size_t restore(const std::vector<SeriesState>& states);

  // The expected stories in the window ending at `time` (for tests and the backtest's
  // explanations); nullopt while the series has no expectation (too little history).
  std::optional<double> expected(const std::string& filter, const std::string& entity, std::int64_t window,
                                 std::int64_t time) const;

  // How many series are held (bounded by filters × (1 + max_entity_series)).
  std::size_t series_count() const;

  struct Series;
  struct FilterState;

 private:
  BurstSettings settings_;
  std::map<std::string, std::unique_ptr<FilterState>, std::less<>> filters_;
  std::vector<std::pair<std::string, std::string>> removed_;
};

// "3h", "24h", "90m": a window length as the config writes it.
std::string window_name(std::int64_t seconds);

}  // namespace newswatch::bursts
