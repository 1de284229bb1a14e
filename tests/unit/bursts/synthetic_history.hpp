#pragma once
// Synthetic alert histories for the burst detector's tests and benchmark: Poisson story
// arrivals with a weekly and a daily rhythm, copies of each story from a few sources,
// injected surges, and syndication storms. Seeded and deterministic (own samplers, no
// implementation-defined std distributions), so every run sees the same history.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bursts/burst_detector.hpp"

namespace newswatch::bursts::synthetic {

inline constexpr std::int64_t kMonday = 1767571200;  // 2026-01-05T00:00:00Z, a Monday

struct Surge {
  std::int64_t start = 0;  // unix seconds
  std::int64_t hours = 0;
  double factor = 1;
};

struct Storm {
  std::int64_t start = 0;
  int copies = 40;
  int sources = 1;
};

struct FilterHistory {
  std::uint64_t seed = 1;
  std::string filter = "sim";
  double rate = 1.0;  // mean new stories per hour over a week
  std::int64_t start = kMonday;
  int weeks = 10;
  bool rhythm = true;  // weekly (quiet weekend) and daily (quiet night) patterns
  bool sharp = false;  // the rhythm in steps (office hours, weekends) rather than a smooth wave
  int sources = 12;
  std::vector<Surge> surges;
  std::vector<Storm> storms;
};

// The rate multiplier of hour-of-week: weekdays above, weekends below, a daytime peak.
// Its mean over a week is 1 (within a percent).
inline double rhythm(std::int64_t unix_time) {
  const std::int64_t hour = unix_time / 3600;
  const double k = static_cast<double>(hour % 24);
  const std::int64_t day = ((hour / 24) + 3) % 7;  // 0 = Monday
  const double daily = 1.0 + 0.6 * std::sin(2.0 * M_PI * (k - 8.0) / 24.0);
  const double weekly = day >= 5 ? 0.6 : 1.16;
  return daily * weekly;
}

// A rhythm in steps: 07:00-19:00 at 1.7, nights at 0.3; weekdays at 1.2, weekends at 0.5.
// Its mean over a week is 1.
inline double sharp_rhythm(std::int64_t unix_time) {
  const std::int64_t hour = unix_time / 3600;
  const std::int64_t k = hour % 24;
  const std::int64_t day = ((hour / 24) + 3) % 7;  // 0 = Monday
  return (k >= 7 && k < 19 ? 1.7 : 0.3) * (day >= 5 ? 0.5 : 1.2);
}

inline double rhythm_of(const FilterHistory& h, std::int64_t unix_time) {
  if (!h.rhythm) return 1.0;
  return h.sharp ? sharp_rhythm(unix_time) : rhythm(unix_time);
}

class Sampler {
 public:
  explicit Sampler(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  // Knuth's product method for small means, a normal approximation beyond.
  int poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 50) {
      const double u1 = std::max(uniform(), 1e-300);
      const double u2 = uniform();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
      return std::max(0, static_cast<int>(std::lround(mean + z * std::sqrt(mean))));
    }
    const double limit = std::exp(-mean);
    int n = 0;
    double p = uniform();
    while (p > limit) {
      ++n;
      p *= uniform();
    }
    return n;
  }
  int below(int n) { return static_cast<int>(uniform() * n) % n; }

 private:
  std::mt19937_64 rng_;
};

// Every alert of the history, in time order. Each story gets 1 + Poisson(0.8) alerts from
// distinct sources within the hour after it appears; half the stories name a place.
inline std::vector<BurstEvent> generate(const FilterHistory& h) {
  Sampler rng(h.seed);
  std::vector<BurstEvent> out;
  static const char* const kPlaces[] = {"mali", "mali", "niger", "niger", "chad"};
  const std::int64_t hours = static_cast<std::int64_t>(h.weeks) * 7 * 24;
  std::uint64_t story_no = 0;
  const auto add_story = [&](std::int64_t t, int copies, int max_sources) {
    const std::string id = h.filter + "-s" + std::to_string(++story_no);
    std::vector<EntityRef> entities;
    if (rng.uniform() < 0.5) entities.push_back({kPlaces[rng.below(5)], "country"});
    entities.push_back({"ECOWAS", "organization"});
    std::vector<int> used;
    for (int c = 0; c < copies; ++c) {
      int source = rng.below(max_sources);
      if (static_cast<int>(used.size()) < max_sources) {
        while (std::find(used.begin(), used.end(), source) != used.end())
          source = (source + 1) % max_sources;
        used.push_back(source);
      }
      BurstEvent e;
      e.time = t + (c == 0 ? 0 : static_cast<std::int64_t>(rng.uniform() * 3600));
      e.filter = h.filter;
      e.story = id;
      e.title = "Story " + id;
      e.link = "https://example.org/" + id;
      e.source = "src" + std::to_string(source);
      e.entities = entities;
      out.push_back(std::move(e));
    }
  };
  for (std::int64_t i = 0; i < hours; ++i) {
    const std::int64_t t0 = h.start + i * 3600;
    double rate = h.rate * rhythm_of(h, t0);
    for (const auto& s : h.surges) {
      if (t0 >= s.start && t0 < s.start + s.hours * 3600) rate *= s.factor;
    }
    const int n = rng.poisson(rate);
    for (int k = 0; k < n; ++k)
      add_story(t0 + static_cast<std::int64_t>(rng.uniform() * 3600), 1 + rng.poisson(0.8), h.sources);
  }
  for (const auto& s : h.storms) {
    // One dispatch re-run `copies` times within the hour by one or two sources.
    const std::string id = h.filter + "-storm" + std::to_string(s.start);
    for (int c = 0; c < s.copies; ++c) {
      BurstEvent e;
      e.time = s.start + static_cast<std::int64_t>(rng.uniform() * 3600);
      e.filter = h.filter;
      e.story = id;
      e.title = "Agency dispatch";
      e.link = "https://wire.example.org/" + id + "/" + std::to_string(c);
      e.source = "wire" + std::to_string(c % std::max(1, s.sources));
      e.entities = {{"mali", "country"}};
      out.push_back(std::move(e));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  return out;
}

}  // namespace newswatch::bursts::synthetic
