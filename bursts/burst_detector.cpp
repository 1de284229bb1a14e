#include "bursts/burst_detector.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

#include "bursts/poisson_tail.hpp"

namespace newswatch::bursts {

namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min() / 4;
constexpr std::int64_t kHoursPerWeek = 24 * 7;
// Before two weeks of a series' own history its expectation is the config's, or none.
constexpr std::int64_t kLearnedAfterHours = 2 * kHoursPerWeek;
// Half-lives, in hours: the level follows a week; each hour-of-day and day-of-week mean
// four weeks of its own samples (they see one sample a day, 24 a week), so that a quiet
// filter's rhythm is estimated from enough stories.
const double kLevelAlpha = 1.0 - std::pow(2.0, -1.0 / kHoursPerWeek);
const double kHourOfDayAlpha = 1.0 - std::pow(2.0, -1.0 / 28.0);
const double kDayOfWeekAlpha = 1.0 - std::pow(2.0, -1.0 / (4.0 * 24.0));
// Pseudo-stories pulling each rhythm factor towards 1: a factor moves away from 1 only
// as far as the stories behind it allow.
constexpr double kRhythmPrior = 3.0;
// Each hour-of-day mean is pooled with the hour either side (weights 1, 2, 1): a quiet
// filter's daily rhythm is then learnt from about 2.7 times the stories. Wider pooling
// blurs a rhythm in steps (office hours) and costs false alarms at the steps.
constexpr int kHourOfDaySpread = 1;
// No expectation below one story a fortnight per hour-window... i.e. per hour 1/336.
constexpr double kMinHourlyRate = 1.0 / 336.0;
// How far the expectation is raised for its own estimation error, in standard errors: an
// expectation learnt from few stories may be low by chance, and a low one is a false alarm.
constexpr double kEstimateSlack = 1.0;
// expected_per_day is spread evenly over the day, but most filters have a daily rhythm (an
// afternoon at twice the mean is common): the guess is taken as known to ±70 % an hour
// (a relative variance of 0.5), which keeps a flat guess from bursting every afternoon.
constexpr double kGuessRelVar = 0.5;
// The current hour's expectation counts the part of the hour gone, but at least this much
// of it: a story in the first minutes of an hour is not compared with almost nothing.
constexpr double kMinHourFraction = 0.25;
// The scan tests every span of 1..H hours (H the longest window) at every alert: strongly
// correlated tests, so Šidák over all of them would be far too strict, and over one too lax.
// They count as kScanTestsPerLogHour × (1 + ln H) independent tests per hour of the day
// (spans of similar length see nearly the same stories; the number of distinct ones grows
// with the logarithm of H). The constant was calibrated by simulation (tests/unit/bursts/
// simulation_test.cpp): with watch_p = 1e-2 a day (0.3 a month) filters of 0.2-5 stories an
// hour with flat, smooth or stepped rhythms see 0.2-0.3 false announcements a month.
constexpr double kScanTestsPerLogHour = 2.5;
// A burst hour enters the baseline at its expectation plus a quarter of its excess, so a
// surge barely moves the baseline, while a lasting change of level is learnt (four times slower).
constexpr double kBurstExcessWeight = 0.25;
// Absorbing an idle gap hour by hour stops after this many hours (the level has long decayed).
constexpr std::int64_t kMaxGapHours = 8 * kHoursPerWeek;
constexpr std::size_t kMaxStoriesPerSeries = 1024;
constexpr std::size_t kMaxSourcesPerBin = 64;
constexpr std::size_t kMaxSourcesPerStory = 16;
constexpr std::size_t kTopStories = 5;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int hour_of_day(std::int64_t hour) { return static_cast<int>(((hour % 24) + 24) % 24); }
// 0 = Monday; 1970-01-01 was a Thursday.
int day_of_week(std::int64_t hour) { return static_cast<int>(((floor_div(hour, 24) + 3) % 7 + 7) % 7); }

void insert_sorted_unique(std::vector<std::string>& v, const std::string& s, std::size_t cap) {
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it != v.end() && *it == s) return;
  if (v.size() >= cap) return;
  v.insert(it, s);
}

}  // namespace

const char* level_name(BurstLevel level) {
  switch (level) {
    case BurstLevel::watch:
      return "watch";
    case BurstLevel::alert:
      return "alert";
    case BurstLevel::none:
      break;
  }
  return "none";
}

std::string window_name(std::int64_t seconds) {
  if (seconds % kHour == 0) return std::to_string(seconds / kHour) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

struct Bin {
  std::int64_t hour = 0;
  int stories = 0;                   // stories first seen by the series in this hour
  std::vector<std::string> sources;  // distinct feeds of this hour's alerts (sorted)
  bool burst = false;                // inside a significant window: kept out of the baseline
};

struct StoryMemo {
  std::string title;
  std::string link;
  std::int64_t first_seen = 0;
  std::vector<std::string> sources;  // sorted
  int reported_sources = 0;          // the largest story.sources an alert carried
  int source_count() const { return std::max(static_cast<int>(sources.size()), reported_sources); }
};

struct Baseline {
  std::int64_t first_hour = kNever;  // the first hour the series existed
  std::int64_t absorbed = 0;         // hours folded into the level
  double level = 0;                  // stories per hour
  std::array<double, 24> hod{};      // mean stories in each hour of the day
  std::array<std::int64_t, 24> hod_n{};
  std::array<double, 7> dow{};  // mean stories per hour on each day of the week
  std::array<std::int64_t, 7> dow_n{};
  // Derived: rhythm factors (mean 1) and the relative squared error of each.
  bool factors_fresh = false;
  std::array<double, 24> hod_factor{};
  std::array<double, 24> hod_rel_var{};
  std::array<double, 7> dow_factor{};
  std::array<double, 7> dow_rel_var{};
};

struct BurstDetector::Series {
  std::string entity;
  std::int64_t current_hour = kNever;
  std::int64_t last_time = kNever;
  std::deque<Bin> bins;  // consecutive hours ending at current_hour
  Baseline base;
  std::unordered_map<std::string, StoryMemo> stories;
  std::deque<std::pair<std::int64_t, std::string>> story_order;   // (first_seen, id), oldest first
  std::array<std::int64_t, 3> announced{kNever, kNever, kNever};  // last announcement per level
};

struct BurstDetector::FilterState {
  std::string id;
  std::optional<double> expected_per_day;
  std::int64_t last_time = kNever;
  Series main;
  std::map<std::string, Series, std::less<>> entities;
  std::set<std::string> dirty;  // entity ids ("" = main) whose state changed
};

namespace {

using Series = BurstDetector::Series;
using FilterState = BurstDetector::FilterState;

std::int64_t ring_hours(const BurstSettings& s) {
  std::int64_t longest = 1;
  for (auto w : s.windows)
    longest = std::max(longest, (w + kHour - 1) / kHour);
  return longest;
}

// Effective number of samples behind an exponentially weighted mean with rate alpha that
// started as a running mean n samples ago.
double effective_samples(std::int64_t n, double alpha) {
  return std::min(static_cast<double>(n), (2.0 - alpha) / alpha);
}

template <std::size_t N>
void rhythm_factors(const std::array<double, N>& means, const std::array<std::int64_t, N>& counts, double alpha,
                    int spread, std::array<double, N>& factor, std::array<double, N>& rel_var) {
  // Each factor is observed stories over the stories a flat rhythm would have given the
  // same samples, both with kRhythmPrior pseudo-stories added (a shrinkage towards 1). With
  // a spread, each slot's mean is pooled with its `spread` neighbours on either side
  // (circular, triangular weights): a smooth rhythm learnt from several times the stories.
  std::array<double, N> samples{};
  double mean = 0;
  for (std::size_t i = 0; i < N; ++i) {
    samples[i] = effective_samples(counts[i], alpha);
    mean += means[i];
  }
  mean /= static_cast<double>(N);
  double weight_sum = 0;
  double weight_sq = 0;
  for (int j = -spread; j <= spread; ++j) {
    const double w = spread + 1 - std::abs(j);
    weight_sum += w;
    weight_sq += w * w;
  }
  const double pooled = weight_sum * weight_sum / weight_sq;  // effective slots behind a pooled mean
  double sum = 0;
  for (std::size_t i = 0; i < N; ++i) {
    double smoothed = 0;
    for (int j = -spread; j <= spread; ++j) {
      const auto slot = static_cast<std::size_t>((static_cast<int>(i) + j + static_cast<int>(N)) % static_cast<int>(N));
      smoothed += (spread + 1 - std::abs(j)) * means[slot];
    }
    smoothed /= weight_sum;
    const double stories = smoothed * samples[i] * pooled;
    factor[i] = (stories + kRhythmPrior) / (mean * samples[i] * pooled + kRhythmPrior);
    rel_var[i] = 1.0 / (stories + kRhythmPrior);
    sum += factor[i];
  }
  for (std::size_t i = 0; i < N; ++i)
    factor[i] *= static_cast<double>(N) / sum;
}

void refresh_factors(Baseline& b) {
  if (b.factors_fresh) return;
  rhythm_factors(b.hod, b.hod_n, kHourOfDayAlpha, kHourOfDaySpread, b.hod_factor, b.hod_rel_var);
  rhythm_factors(b.dow, b.dow_n, kDayOfWeekAlpha, 0, b.dow_factor, b.dow_rel_var);
  b.factors_fresh = true;
}

// Expected stories in clock hour `hour`, and the relative variance of that estimate.
struct HourExpectation {
  double mean = 0;
  double rel_var = 0;
};

bool learned(const Series& s, std::int64_t hour) {
  return s.base.first_hour != kNever && hour - s.base.first_hour >= kLearnedAfterHours &&
         s.base.absorbed >= kHoursPerWeek;
}

std::optional<HourExpectation> hour_expectation(Series& s, const FilterState& f, std::int64_t hour) {
  if (learned(s, hour)) {
    refresh_factors(s.base);
    const int k = hour_of_day(hour);
    const int d = day_of_week(hour);
    const double level_stories = s.base.level * effective_samples(s.base.absorbed, kLevelAlpha);
    HourExpectation e;
    e.mean = std::max(kMinHourlyRate, s.base.level * s.base.hod_factor[k] * s.base.dow_factor[d]);
    e.rel_var = 1.0 / (level_stories + 1.0) + s.base.hod_rel_var[k] + s.base.dow_rel_var[d];
    return e;
  }
  if (s.entity.empty() && f.expected_per_day)
    return HourExpectation{std::max(kMinHourlyRate, *f.expected_per_day / 24.0), kGuessRelVar};
  return std::nullopt;
}

void absorb(Series& s, const FilterState& f, const Bin& bin) {
  Baseline& b = s.base;
  double value = bin.stories;
  if (bin.burst) {
    const auto e = hour_expectation(s, f, bin.hour);
    if (e) value = e->mean + kBurstExcessWeight * std::max(0.0, value - e->mean);
  }
  ++b.absorbed;
  b.level += std::max(kLevelAlpha, 1.0 / static_cast<double>(b.absorbed)) * (value - b.level);
  // The rhythm learns from burst hours too, at the same damped value: skipping them would
  // leave a rhythm that is often busy at some hour unlearnt, and so bursting ever after.
  const int k = hour_of_day(bin.hour);
  const int d = day_of_week(bin.hour);
  ++b.hod_n[k];
  b.hod[k] += std::max(kHourOfDayAlpha, 1.0 / static_cast<double>(b.hod_n[k])) * (value - b.hod[k]);
  ++b.dow_n[d];
  b.dow[d] += std::max(kDayOfWeekAlpha, 1.0 / static_cast<double>(b.dow_n[d])) * (value - b.dow[d]);
  b.factors_fresh = false;
}

// Moves the series' newest bin to `hour`, folding bins that leave the ring into the baseline.
void advance(Series& s, const FilterState& f, std::int64_t hour, std::int64_t ring) {
  if (s.current_hour == kNever) {
    s.current_hour = hour;
    if (s.base.first_hour == kNever) s.base.first_hour = hour;
    s.bins.push_back(Bin{hour, 0, {}, false});
    return;
  }
  if (hour <= s.current_hour) return;
  std::int64_t gap = hour - s.current_hour;
  if (gap > ring + kMaxGapHours) {
    // A long silence: fold the ring, then at most kMaxGapHours of empty hours, and jump.
    while (!s.bins.empty()) {
      absorb(s, f, s.bins.front());
      s.bins.pop_front();
    }
    for (std::int64_t h = hour - ring - kMaxGapHours; h < hour - ring; ++h)
      absorb(s, f, Bin{h, 0, {}, false});
    s.current_hour = hour - ring;
  }
  while (s.current_hour < hour) {
    ++s.current_hour;
    s.bins.push_back(Bin{s.current_hour, 0, {}, false});
    while (static_cast<std::int64_t>(s.bins.size()) > ring) {
      absorb(s, f, s.bins.front());
      s.bins.pop_front();
    }
  }
}

void forget_old_stories(Series& s, std::int64_t now, std::int64_t ring) {
  const std::int64_t oldest_kept = (floor_div(now, kHour) - ring + 1) * kHour;
  while (!s.story_order.empty() &&
         (s.story_order.front().first < oldest_kept || s.story_order.size() > kMaxStoriesPerSeries)) {
    s.stories.erase(s.story_order.front().second);
    s.story_order.pop_front();
  }
}

// Counts the event in the series; returns whether its story is new to the series.
void count_event(Series& s, const BurstEvent& e, std::int64_t now) {
  Bin& bin = s.bins.back();
  insert_sorted_unique(bin.sources, e.source, kMaxSourcesPerBin);
  auto it = s.stories.find(e.story);
  if (it == s.stories.end()) {
    StoryMemo memo;
    memo.title = e.title;
    memo.link = e.link;
    memo.first_seen = now;
    it = s.stories.emplace(e.story, std::move(memo)).first;
    s.story_order.emplace_back(now, e.story);
    ++bin.stories;
  }
  insert_sorted_unique(it->second.sources, e.source, kMaxSourcesPerStory);
  it->second.reported_sources = std::max(it->second.reported_sources, e.story_sources);
}

struct WindowTest {
  std::int64_t window = 0;
  BurstLevel level = BurstLevel::none;
  int count = 0;
  int sources = 0;
  double expected = 0;
  double p_value = 1;
};

}  // namespace

BurstDetector::BurstDetector(BurstSettings settings, std::vector<BurstFilter> filters) {
  reconfigure(std::move(settings), std::move(filters));
}
BurstDetector::~BurstDetector() = default;
BurstDetector::BurstDetector(BurstDetector&&) noexcept = default;
BurstDetector& BurstDetector::operator=(BurstDetector&&) noexcept = default;

void BurstDetector::reconfigure(BurstSettings settings, std::vector<BurstFilter> filters) {
  settings_ = std::move(settings);
  if (settings_.windows.empty()) settings_.windows = BurstSettings{}.windows;
  std::set<std::string> keep;
  for (auto& f : filters) {
    keep.insert(f.id);
    auto& slot = filters_[f.id];
    if (!slot) {
      slot = std::make_unique<FilterState>();
      slot->id = f.id;
    }
    slot->expected_per_day = f.expected_per_day;
  }
  for (auto it = filters_.begin(); it != filters_.end();) {
    if (keep.count(it->first) == 0) {
      removed_.emplace_back(it->first, "");
      it = filters_.erase(it);
    } else {
      ++it;
    }
  }
  // A shorter ring (a window dropped) folds its oldest bins now; extra entity series go.
  const std::int64_t ring = ring_hours(settings_);
  for (auto& entry : filters_) {
    auto& f = entry.second;  // a plain reference: clang 14 cannot capture a structured binding
    auto trim = [&](Series& s) {
      while (static_cast<std::int64_t>(s.bins.size()) > ring) {
        absorb(s, *f, s.bins.front());
        s.bins.pop_front();
      }
    };
    trim(f->main);
    for (auto& [entity, s] : f->entities)
      trim(s);
    while (f->entities.size() > settings_.max_entity_series) {
      auto oldest = std::min_element(f->entities.begin(), f->entities.end(), [](const auto& a, const auto& b) {
        return a.second.last_time < b.second.last_time;
      });
      removed_.emplace_back(entry.first, oldest->first);
      f->dirty.erase(oldest->first);
      f->entities.erase(oldest);
    }
  }
}

namespace {

// The per-test levels of one series. A filter's daily budget (watch_p, alert_p) goes half to
// its own series and half to its entity series together; within each half, the scan run
// every hour of the day (and for every entity series) counts as kScanTestsPerLogHour × (1 + ln H) tests.
std::pair<double, double> test_levels(const BurstSettings& settings, const Series& s, std::size_t entity_series) {
  const double longest = static_cast<double>(ring_hours(settings));
  double tests = kScanTestsPerLogHour * (1.0 + std::log(longest)) * 24.0;
  if (!s.entity.empty()) tests *= static_cast<double>(std::max<std::size_t>(1, entity_series));
  const double share = entity_series == 0 ? 1.0 : 0.5;
  return {sidak_level(settings.watch_p * share, tests), sidak_level(settings.alert_p * share, tests)};
}

// The scan: every span of 1..H whole clock hours ending with the current one (H: the
// longest configured window), the current hour counted as far as it has gone. Returns the
// span that reached the highest level with the smallest p-value (level none if none did).
WindowTest scan_spans(Series& s, const FilterState& f, const BurstSettings& settings, std::int64_t now,
                      double watch_level, double alert_level) {
  WindowTest best;
  const std::int64_t longest = ring_hours(settings);
  int total = 0;  // a quiet series' usual case: too few stories for any span
  for (const auto& b : s.bins)
    total += b.stories;
  if (total < settings.min_stories) return best;
  // The part of the current hour that has gone, at least kMinHourFraction of it.
  const double elapsed = std::clamp(static_cast<double>(now - s.current_hour * kHour + 1) / static_cast<double>(kHour),
                                    kMinHourFraction, 1.0);
  const double log_watch = std::log(watch_level);
  int count = 0;
  double mean = 0;
  double var = 0;
  std::vector<WindowTest> reached;
  auto it = s.bins.rbegin();
  for (std::int64_t span = 1; span <= longest; ++span) {
    const std::int64_t h = s.current_hour - span + 1;
    if (it != s.bins.rend() && it->hour == h) {
      count += it->stories;
      ++it;
    }
    const auto e = hour_expectation(s, f, h);
    if (!e) break;
    const double part = span == 1 ? elapsed : 1.0;
    mean += e->mean * part;
    var += e->mean * e->mean * part * part * e->rel_var;
    if (count < settings.min_stories) continue;
    // The expectation raised by its own uncertainty (see kEstimateSlack).
    const double tested = mean + kEstimateSlack * std::sqrt(var);
    if (static_cast<double>(count) <= tested) continue;
    // P(X >= k) >= P(X = k): when that alone is above the watch level, the tail is too, and
    // the series summing it is skipped (the usual case on a busy filter).
    const double log_point = -tested + count * std::log(tested) - std::lgamma(count + 1.0);
    if (log_point > log_watch) continue;
    WindowTest t;
    t.window = span * kHour;
    t.count = count;
    t.expected = mean;
    t.p_value = poisson_upper_tail(count, tested);
    if (t.p_value <= alert_level) {
      t.level = BurstLevel::alert;
    } else if (t.p_value <= watch_level) {
      t.level = BurstLevel::watch;
    }
    if (t.level == BurstLevel::none) continue;
    reached.push_back(t);
  }
  if (reached.empty()) return best;
  // Distinct sources grow with the span: count them once, outward, for the spans that reached a level.
  std::vector<std::string> sources;
  auto next = s.bins.rbegin();
  std::int64_t covered = 0;
  for (auto& t : reached) {
    const std::int64_t span = t.window / kHour;
    for (; next != s.bins.rend() && covered < span; ++next, ++covered)
      for (const auto& src : next->sources)
        insert_sorted_unique(sources, src, std::numeric_limits<std::size_t>::max());
    t.sources = static_cast<int>(sources.size());
    if (t.sources < settings.min_sources) continue;
    if (t.level > best.level || (t.level == best.level && t.p_value < best.p_value)) best = t;
  }
  // The bins of the span found stay out of the baseline, once the baseline is the series' own
  // (an expected_per_day is a guess the history must be free to correct).
  if (best.level != BurstLevel::none && learned(s, s.current_hour)) {
    std::int64_t n = 0;
    for (auto bin = s.bins.rbegin(); bin != s.bins.rend() && n < best.window / kHour; ++bin, ++n)
      bin->burst = true;
  }
  return best;
}

std::optional<Burst> evaluate(Series& s, const FilterState& f, const BurstSettings& settings, std::int64_t now) {
  const auto [watch_level, alert_level] = test_levels(settings, s, f.entities.size());
  const WindowTest best = scan_spans(s, f, settings, now, watch_level, alert_level);
  if (best.level == BurstLevel::none) return std::nullopt;
  for (int l = static_cast<int>(best.level); l <= static_cast<int>(BurstLevel::alert); ++l) {
    if (now - s.announced[static_cast<std::size_t>(l)] < settings.renotify) return std::nullopt;
  }
  s.announced[static_cast<std::size_t>(best.level)] = now;

  Burst b;
  b.filter = f.id;
  b.level = best.level;
  b.window = best.window;
  b.count = best.count;
  b.sources = best.sources;
  b.expected = best.expected;
  b.p_value = best.p_value;
  if (!s.entity.empty()) b.entity = s.entity;
  b.detected_at = now;
  const std::int64_t window_start = (s.current_hour - (best.window + kHour - 1) / kHour + 1) * kHour;
  std::vector<std::pair<const std::string*, const StoryMemo*>> in_window;
  for (const auto& [id, memo] : s.stories) {
    if (memo.first_seen >= window_start) in_window.emplace_back(&id, &memo);
  }
  std::sort(in_window.begin(), in_window.end(), [](const auto& a, const auto& b) {
    if (a.second->source_count() != b.second->source_count())
      return a.second->source_count() > b.second->source_count();
    if (a.second->first_seen != b.second->first_seen) return a.second->first_seen < b.second->first_seen;
    return *a.first < *b.first;
  });
  b.started_at = now;
  for (const auto& [id, memo] : in_window)
    b.started_at = std::min(b.started_at, memo->first_seen);
  for (std::size_t i = 0; i < in_window.size() && i < kTopStories; ++i) {
    const auto& [id, memo] = in_window[i];
    b.stories.push_back(BurstStory{*id, memo->title, memo->link, memo->source_count()});
  }
  return b;
}

}  // namespace

std::vector<Burst> BurstDetector::observe(const BurstEvent& event) {
  std::vector<Burst> out;
  if (!settings_.enabled) return out;
  auto fit = filters_.find(event.filter);
  if (fit == filters_.end()) return out;
  FilterState& f = *fit->second;
  const std::int64_t now = std::max(event.time, f.last_time);
  f.last_time = now;
  const std::int64_t hour = floor_div(now, kHour);
  const std::int64_t ring = ring_hours(settings_);

  std::vector<std::string> places;
  for (const auto& e : event.entities) {
    if ((e.type == "country" || e.type == "place") && !e.id.empty()) places.push_back(e.id);
  }
  std::sort(places.begin(), places.end());
  places.erase(std::unique(places.begin(), places.end()), places.end());

  std::vector<std::pair<std::string, Series*>> touched;
  touched.emplace_back("", &f.main);
  for (const auto& id : places) {
    auto it = f.entities.find(id);
    if (it == f.entities.end()) {
      if (settings_.max_entity_series == 0) continue;
      if (f.entities.size() >= settings_.max_entity_series) {
        auto oldest = std::min_element(f.entities.begin(), f.entities.end(), [](const auto& a, const auto& b) {
          return a.second.last_time < b.second.last_time;
        });
        removed_.emplace_back(f.id, oldest->first);
        f.dirty.erase(oldest->first);
        f.entities.erase(oldest);
      }
      it = f.entities.emplace(id, Series{}).first;
      it->second.entity = id;
    }
    touched.emplace_back(id, &it->second);
  }
  for (auto& [key, s] : touched) {
    advance(*s, f, hour, ring);
    s->last_time = now;
    count_event(*s, event, now);
    forget_old_stories(*s, now, ring);
    f.dirty.insert(key);
    if (auto b = evaluate(*s, f, settings_, now)) out.push_back(std::move(*b));
  }
  return out;
}

std::optional<double> BurstDetector::expected(const std::string& filter, const std::string& entity, std::int64_t window,
                                              std::int64_t time) const {
  auto fit = filters_.find(filter);
  if (fit == filters_.end()) return std::nullopt;
  FilterState& f = *fit->second;
  Series* s = &f.main;
  if (!entity.empty()) {
    auto it = f.entities.find(entity);
    if (it == f.entities.end()) return std::nullopt;
    s = &it->second;
  }
  const std::int64_t hour = floor_div(time, kHour);
  double sum = 0;
  for (std::int64_t h = hour - (window + kHour - 1) / kHour + 1; h <= hour; ++h) {
    auto e = hour_expectation(*s, f, h);
    if (!e) return std::nullopt;
    sum += e->mean;
  }
  return sum;
}

std::size_t BurstDetector::series_count() const {
  std::size_t n = 0;
  for (const auto& [id, f] : filters_)
    n += 1 + f->entities.size();
  return n;
}

// --- persistence: one JSON object per series -------------------------------------------

namespace {

nlohmann::json series_to_json(const Series& s) {
  using nlohmann::json;
  json bins = json::array();
  for (const auto& b : s.bins) {
    if (b.stories == 0 && b.sources.empty() && !b.burst) continue;
    bins.push_back(json::array({b.hour, b.stories, b.burst, b.sources}));
  }
  json stories = json::array();
  for (const auto& [first, id] : s.story_order) {
    const auto& m = s.stories.at(id);
    stories.push_back(json::array({id, m.title, m.link, m.first_seen, m.sources, m.reported_sources}));
  }
  const auto& b = s.base;
  return json{{"v", 1},
              {"current_hour", s.current_hour},
              {"last_time", s.last_time},
              {"bins", std::move(bins)},
              {"base",
               {{"first_hour", b.first_hour},
                {"absorbed", b.absorbed},
                {"level", b.level},
                {"hod", b.hod},
                {"hod_n", b.hod_n},
                {"dow", b.dow},
                {"dow_n", b.dow_n}}},
              {"announced", s.announced},
              {"stories", std::move(stories)}};
}

bool series_from_json(const std::string& text, Series& s, std::int64_t ring) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("v", 0) != 1) return false;
  try {
    s.current_hour = j.at("current_hour").get<std::int64_t>();
    s.last_time = j.at("last_time").get<std::int64_t>();
    const auto& b = j.at("base");
    s.base.first_hour = b.at("first_hour").get<std::int64_t>();
    s.base.absorbed = b.at("absorbed").get<std::int64_t>();
    s.base.level = b.at("level").get<double>();
    s.base.hod = b.at("hod").get<std::array<double, 24>>();
    s.base.hod_n = b.at("hod_n").get<std::array<std::int64_t, 24>>();
    s.base.dow = b.at("dow").get<std::array<double, 7>>();
    s.base.dow_n = b.at("dow_n").get<std::array<std::int64_t, 7>>();
    s.base.factors_fresh = false;
    s.announced = j.at("announced").get<std::array<std::int64_t, 3>>();
    s.bins.clear();
    if (s.current_hour != kNever) {
      for (std::int64_t h = s.current_hour - ring + 1; h <= s.current_hour; ++h)
        s.bins.push_back(Bin{h, 0, {}, false});
      for (const auto& row : j.at("bins")) {
        const auto hour = row.at(0).get<std::int64_t>();
        const std::int64_t index = hour - (s.current_hour - ring + 1);
        if (index < 0 || index >= ring) continue;
        Bin& bin = s.bins[static_cast<std::size_t>(index)];
        bin.stories = std::max(0, row.at(1).get<int>());
        bin.burst = row.at(2).get<bool>();
        bin.sources = row.at(3).get<std::vector<std::string>>();
        std::sort(bin.sources.begin(), bin.sources.end());
        if (bin.sources.size() > kMaxSourcesPerBin) bin.sources.resize(kMaxSourcesPerBin);
      }
    }
    s.stories.clear();
    s.story_order.clear();
    for (const auto& row : j.at("stories")) {
      if (s.story_order.size() >= kMaxStoriesPerSeries) break;
      StoryMemo m;
      const auto id = row.at(0).get<std::string>();
      m.title = row.at(1).get<std::string>();
      m.link = row.at(2).get<std::string>();
      m.first_seen = row.at(3).get<std::int64_t>();
      m.sources = row.at(4).get<std::vector<std::string>>();
      std::sort(m.sources.begin(), m.sources.end());
      if (m.sources.size() > kMaxSourcesPerStory) m.sources.resize(kMaxSourcesPerStory);
      m.reported_sources = row.at(5).get<int>();
      if (s.stories.emplace(id, std::move(m)).second) s.story_order.emplace_back(s.stories.at(id).first_seen, id);
    }
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

}  // namespace

SeriesChanges BurstDetector::take_changes() {
  SeriesChanges c;
  c.removed = std::move(removed_);
  removed_.clear();
  for (auto& [id, f] : filters_) {
    for (const auto& key : f->dirty) {
      const Series* s = &f->main;
      if (!key.empty()) {
        auto it = f->entities.find(key);
        if (it == f->entities.end()) continue;
        s = &it->second;
      }
      c.updated.push_back(SeriesState{id, key, series_to_json(*s).dump()});
    }
    f->dirty.clear();
  }
  return c;
}

std::size_t BurstDetector::restore(const std::vector<SeriesState>& states) {
  std::size_t skipped = 0;
  const std::int64_t ring = ring_hours(settings_);
  for (const auto& st : states) {
    auto fit = filters_.find(st.filter);
    if (fit == filters_.end()) {
      ++skipped;
      continue;
    }
    FilterState& f = *fit->second;
    if (!st.entity.empty() && f.entities.count(st.entity) == 0 && f.entities.size() >= settings_.max_entity_series) {
      ++skipped;
      continue;
    }
    Series s;
    s.entity = st.entity;
    if (!series_from_json(st.state, s, ring)) {
      ++skipped;
      continue;
    }
    f.last_time = std::max(f.last_time, s.last_time);
    if (st.entity.empty()) {
      f.main = std::move(s);
    } else {
      f.entities.insert_or_assign(st.entity, std::move(s));
    }
  }
  return skipped;
}

}  // namespace newswatch::bursts
