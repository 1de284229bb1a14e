// The detector on synthetic histories (synthetic_history.hpp): false alarms on quiet
// filters (smooth, flat and stepped rhythms), detection and delay of injected surges per
// (base rate, surge length, multiplier) bucket next to an oracle bound, on two seeds, and
// syndication storms. Prints the figures; the floors fail if detection regresses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bursts/burst_detector.hpp"
#include "bursts/poisson_tail.hpp"
#include "synthetic_history.hpp"

namespace newswatch::bursts {
namespace {

using synthetic::FilterHistory;
using synthetic::kMonday;

constexpr std::int64_t kWeek = 7 * 24 * 3600;
constexpr std::int64_t kDay = 24 * 3600;

enum class Shape { smooth, flat, stepped };

void shape(FilterHistory& h, Shape s) {
  h.rhythm = s != Shape::flat;
  h.sharp = s == Shape::stepped;
}

std::vector<Burst> run(const FilterHistory& h, std::optional<double> expected_per_day = std::nullopt) {
  BurstDetector d(BurstSettings{}, {BurstFilter{h.filter, expected_per_day}});
  std::vector<Burst> out;
  for (const auto& e : synthetic::generate(h)) {
    for (auto& b : d.observe(e))
      out.push_back(std::move(b));
  }
  return out;
}

// Log-uniform over [0.2, 5] stories an hour: the range of quiet to busy filters.
double rate_for(int i, int n) { return 0.2 * std::pow(25.0, (i + 0.5) / n); }

// False announcements of the filter's own series and of its place series after the two
// learning weeks, per filter per 30 days.
double false_alarms(Shape s, int filters, std::uint64_t seed0, const char* name) {
  constexpr int kWeeks = 10;
  int own = 0;
  int places = 0;
  int alert = 0;
  int early = 0;
  int worst = 0;
  double learned_days = 0;
  for (int i = 0; i < filters; ++i) {
    FilterHistory h;
    h.seed = seed0 + static_cast<std::uint64_t>(i);
    h.filter = "quiet" + std::to_string(i);
    h.rate = rate_for(i, filters);
    h.weeks = kWeeks;
    shape(h, s);
    // Half the filters say what to expect (their true daily mean), so the first two weeks
    // are judged too; the other half stay silent until they have learnt.
    const auto epd = i % 2 == 0 ? std::optional<double>(h.rate * 24) : std::nullopt;
    int mine = 0;
    for (const auto& b : run(h, epd)) {
      if (b.detected_at < kMonday + 2 * kWeek) {
        ++early;
        continue;
      }
      ++mine;
      (b.entity ? places : own) += 1;
      alert += b.level == BurstLevel::alert ? 1 : 0;
    }
    worst = std::max(worst, mine);
    learned_days += (kWeeks - 2) * 7.0;
  }
  const double per_30_days = (own + places) / learned_days * 30.0;
  std::printf(
      "[bursts] false alarms, %s rhythm: %d own + %d per place (%d alert) over %.0f filter-days after learning = %.3f "
      "per filter per 30 days; worst filter %d in %d days; %d in the first two weeks (expected_per_day)\n",
      name, own, places, alert, learned_days, per_30_days, worst, (kWeeks - 2) * 7, early);
  return per_30_days;
}

// The budget is watch_p = 1e-2 a day, 0.3 a month; the target is below 1.
TEST(BurstSimulation, FalseAlarmsSmoothRhythm) {
  const double f = false_alarms(Shape::smooth, 50, 1000, "smooth");
  EXPECT_LT(f, 1.0);
  EXPECT_LT(f, 0.35);
}

TEST(BurstSimulation, FalseAlarmsFlat) {
  const double f = false_alarms(Shape::flat, 40, 2000, "flat");
  EXPECT_LT(f, 1.0);
  EXPECT_LT(f, 0.3);
}

// Office hours and weekends in steps: the rhythm must be learnt, or every weekday 07:00 bursts
// (1.5 a month before burst hours taught the rhythm).
TEST(BurstSimulation, FalseAlarmsSteppedRhythm) {
  const double f = false_alarms(Shape::stepped, 40, 3000, "stepped");
  EXPECT_LT(f, 1.0);
  EXPECT_LT(f, 0.45);
}

struct Bucket {
  double rate_lo;
  double rate_hi;
  int hours_lo;
  int hours_hi;  // inclusive
};

// Base rates in thirds of [0.2, 5] (log scale), surge lengths in thirds of 3-12 hours.
constexpr Bucket kBuckets[] = {
    {0.2, 0.5, 3, 5}, {0.2, 0.5, 6, 8}, {0.2, 0.5, 9, 12},  //
    {0.5, 1.5, 3, 5}, {0.5, 1.5, 6, 8}, {0.5, 1.5, 9, 12},  //
    {1.5, 5.0, 3, 5}, {1.5, 5.0, 6, 8}, {1.5, 5.0, 9, 12},
};
constexpr int kBucketCount = 9;

struct BucketFigures {
  int surges = 0;
  int detected = 0;
  double oracle = 0;  // expected number an oracle detects (see surge_buckets)
  std::vector<double> delays_h;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `per` surges in each bucket, one per history of six weeks, starting after three weeks at
// any hour of the next two weeks. Detected: the filter's own series announces between the
// surge's start and an hour after its end. The oracle knows the surge's start, length and
// the true rate, and announces when the surge's count reaches the smallest k with
// P(Poisson(expected) >= k) <= 1/720 (one false alarm a month if it tested every hour):
// its detection chance P(Poisson(factor × expected) >= k) bounds what any detector within
// the false-alarm target can do.
std::vector<BucketFigures> surge_buckets(double factor, int per, std::uint64_t seed0, const char* name) {
  std::vector<BucketFigures> out(kBucketCount);
  for (int b = 0; b < kBucketCount; ++b) {
    const Bucket& k = kBuckets[b];
    for (int i = 0; i < per; ++i) {
      FilterHistory h;
      h.seed = seed0 + 100 * static_cast<std::uint64_t>(b) + static_cast<std::uint64_t>(i);
      h.filter = "surge";
      synthetic::Sampler pick(h.seed * 7919);
      h.rate = k.rate_lo * std::pow(k.rate_hi / k.rate_lo, pick.uniform());
      h.weeks = 6;
      synthetic::Surge s;
      s.start = kMonday + 3 * kWeek + pick.below(14 * 24) * 3600;
      s.hours = k.hours_lo + pick.below(k.hours_hi - k.hours_lo + 1);
      s.factor = factor;
      h.surges = {s};
      double base = 0;
      for (std::int64_t j = 0; j < s.hours; ++j)
        base += h.rate * synthetic::rhythm_of(h, s.start + j * 3600);
      int needed = 1;
      while (poisson_upper_tail(needed, base) > 1.0 / 720.0)
        ++needed;
      BucketFigures& f = out[static_cast<std::size_t>(b)];
      ++f.surges;
      f.oracle += poisson_upper_tail(needed, base * factor);
      for (const auto& burst : run(h)) {
        if (burst.entity || burst.detected_at < s.start || burst.detected_at > s.start + s.hours * 3600 + 3600)
          continue;
        ++f.detected;
        f.delays_h.push_back(static_cast<double>(burst.detected_at - s.start) / 3600.0);
        break;
      }
    }
  }
  BucketFigures all;
  for (int b = 0; b < kBucketCount; ++b) {
    const auto& f = out[static_cast<std::size_t>(b)];
    const Bucket& k = kBuckets[b];
    std::printf(
        "[bursts] x%.0f %s base %.1f-%.1f/h, %2d-%2dh: %2d of %2d detected (oracle %4.1f), median delay %.2f h\n",
        factor, name, k.rate_lo, k.rate_hi, k.hours_lo, k.hours_hi, f.detected, f.surges, f.oracle, median(f.delays_h));
    all.surges += f.surges;
    all.detected += f.detected;
    all.oracle += f.oracle;
    all.delays_h.insert(all.delays_h.end(), f.delays_h.begin(), f.delays_h.end());
  }
  std::printf("[bursts] x%.0f %s all: %d of %d detected (%.0f%%; oracle %.0f%%), median delay %.2f h\n", factor, name,
              all.detected, all.surges, 100.0 * all.detected / all.surges, 100.0 * all.oracle / all.surges,
              median(all.delays_h));
  out.push_back(all);
  return out;
}

// Floors a little under what the detector reaches on these seeds (10 surges per bucket); the
// detector before the span scan reached 67 and 65 of 90, with median delays of 1.3-1.8 hours
// on busy filters.
void expect_five_fold_floors(const std::vector<BucketFigures>& f) {
  constexpr int kFloor[kBucketCount] = {2, 2, 7, 4, 7, 9, 10, 10, 10};
  for (int b = 0; b < kBucketCount; ++b)
    EXPECT_GE(f[static_cast<std::size_t>(b)].detected, kFloor[b]) << "bucket " << b;
  const auto& all = f.back();
  EXPECT_GE(all.detected, 67);
  EXPECT_GE(static_cast<double>(all.detected), 0.8 * all.oracle);
  EXPECT_LT(median(all.delays_h), 2.0);
  // On filters of 1.5 stories an hour or more: every surge, most within the hour or so.
  std::vector<double> busy;
  for (int b = 6; b < kBucketCount; ++b) {
    const auto& d = f[static_cast<std::size_t>(b)].delays_h;
    busy.insert(busy.end(), d.begin(), d.end());
  }
  std::printf("[bursts]   busy filters: median delay %.2f h\n", median(busy));
  EXPECT_LT(median(busy), 1.25);
}

TEST(BurstSimulation, FiveFoldSurgesFirstSeed) { expect_five_fold_floors(surge_buckets(5.0, 10, 5000, "seed A")); }

TEST(BurstSimulation, FiveFoldSurgesSecondSeed) { expect_five_fold_floors(surge_buckets(5.0, 10, 105000, "seed B")); }

TEST(BurstSimulation, ThreeFoldSurges) {
  const auto f = surge_buckets(3.0, 8, 55000, "seed A");
  const auto& all = f.back();
  EXPECT_GE(static_cast<double>(all.detected), 0.75 * all.oracle);  // 0.72 before the span scan
  // Busy filters: a tripling of 6 hours or more is seen.
  EXPECT_GE(f[7].detected + f[8].detected, 14);
}

// A storm is one story: it can add one story to a window, never forty. Every burst during a
// storm is compared with the same history without the storm.
TEST(BurstSimulation, SyndicationStormsNeverBurst) {
  int storms = 0;
  int during = 0;
  int caused = 0;
  for (int i = 0; i < 30; ++i) {
    FilterHistory h;
    h.seed = 9000 + static_cast<std::uint64_t>(i);
    h.filter = "storm" + std::to_string(i);
    h.rate = rate_for(i, 30);
    h.weeks = 5;
    std::vector<synthetic::Storm> list;
    for (int k = 0; k < 4; ++k) {
      synthetic::Storm s;
      s.start = kMonday + 3 * kWeek + k * 2 * kDay + (i % 24) * 3600;
      s.sources = 1 + (k % 2);
      list.push_back(s);
      ++storms;
    }
    const auto in_storm = [&](const Burst& b) {
      return std::any_of(list.begin(), list.end(),
                         [&](const auto& s) { return b.detected_at >= s.start && b.detected_at < s.start + 3 * 3600; });
    };
    const auto without = run(h);
    h.storms = list;
    for (const auto& b : run(h)) {
      if (!in_storm(b)) continue;
      ++during;
      const bool also_without = std::any_of(without.begin(), without.end(), [&](const Burst& w) {
        return in_storm(w) && w.entity == b.entity && std::llabs(w.detected_at - b.detected_at) < 3 * 3600;
      });
      caused += also_without ? 0 : 1;
    }
  }
  std::printf(
      "[bursts] syndication storms (40 copies, 1-2 sources): %d storms, %d bursts during them, %d not raised without "
      "the storm\n",
      storms, during, caused);
  // One story more can tip a window that chance had already filled to the edge (7 stories
  // in 3 hours expecting 0.9, say): at most one storm in a hundred may do that.
  EXPECT_LE(caused * 100, storms);
}

}  // namespace
}  // namespace newswatch::bursts
