// BurstDetector rules on hand-made histories: expectation sources, levels and their
// thresholds, renotify, minimum stories and sources, entity series and their bound.
#include "bursts/burst_detector.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bursts/poisson_tail.hpp"
#include "synthetic_history.hpp"

namespace newswatch::bursts {
namespace {

constexpr std::int64_t kT0 = synthetic::kMonday + 10 * 3600;  // Monday 10:00 UTC

BurstEvent story(std::int64_t t, const std::string& id, const std::string& source, std::vector<EntityRef> ents = {}) {
  BurstEvent e;
  e.time = t;
  e.filter = "sahel";
  e.story = id;
  e.title = "Title " + id;
  e.link = "https://example.org/" + id;
  e.source = source;
  e.entities = std::move(ents);
  return e;
}

// Feeds `n` distinct stories one minute apart from alternating sources; returns the bursts.
std::vector<Burst> feed_stories(BurstDetector& d, std::int64_t start, int n, int first_index = 0, int sources = 3) {
  std::vector<Burst> out;
  for (int i = 0; i < n; ++i) {
    const int k = first_index + i;
    for (auto& b : d.observe(story(start + i * 60, "s" + std::to_string(k), "feed" + std::to_string(k % sources))))
      out.push_back(std::move(b));
  }
  return out;
}

TEST(BurstDetector, NoExpectationMeansNoBurst) {
  BurstDetector d(BurstSettings{}, {BurstFilter{"sahel", std::nullopt}});
  EXPECT_TRUE(feed_stories(d, kT0, 30).empty());
  EXPECT_FALSE(d.expected("sahel", "", 3 * kHour, kT0).has_value());
}

TEST(BurstDetector, ExpectedPerDayGivesLevelsAtTheCorrectedThresholds) {
  BurstDetector d(BurstSettings{}, {BurstFilter{"sahel", 2.0}});
  // 2 a day: 0.25 in 3h. 48 tests a day (2 windows x 24 hours, one series): watch at
  // p <= 2.09e-4, alert at p <= 2.08e-6. P(>=4) = 1.4e-4, P(>=6) = 2.8e-7.
  const auto bursts = feed_stories(d, kT0, 8);
  ASSERT_EQ(bursts.size(), 2u);
  EXPECT_EQ(bursts[0].level, BurstLevel::watch);
  EXPECT_EQ(bursts[0].count, 4);
  EXPECT_EQ(bursts[0].window, 3 * kHour);
  EXPECT_DOUBLE_EQ(bursts[0].expected, 0.25);
  EXPECT_DOUBLE_EQ(bursts[0].p_value, poisson_upper_tail(4, 0.25));
  EXPECT_EQ(bursts[0].sources, 3);
  EXPECT_EQ(bursts[0].started_at, kT0);
  EXPECT_EQ(bursts[0].detected_at, kT0 + 3 * 60);
  EXPECT_FALSE(bursts[0].entity.has_value());
  EXPECT_EQ(bursts[0].stories.size(), 4u);
  EXPECT_EQ(bursts[1].level, BurstLevel::alert);
  EXPECT_EQ(bursts[1].count, 6);
  EXPECT_EQ(bursts[1].stories.size(), 5u);  // top 5
  EXPECT_EQ(bursts[1].stories[0].id, "s0");
}

TEST(BurstDetector, RenotifyHoldsEachLevelAndLetsARiseThrough) {
  BurstSettings s;
  BurstDetector d(s, {BurstFilter{"sahel", 2.0}});
  auto first = feed_stories(d, kT0, 8);
  ASSERT_EQ(first.size(), 2u);  // watch, then alert (a rise)
  // Still bursting an hour later: nothing new within renotify.
  EXPECT_TRUE(feed_stories(d, kT0 + kHour, 10, 100).empty());
  // Past renotify (6h after the alert) and still far above expectation: announced again.
  const auto again = feed_stories(d, first[1].detected_at + s.renotify, 10, 200);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].level, BurstLevel::alert);
  EXPECT_EQ(again[0].detected_at - first[1].detected_at, s.renotify);
}

TEST(BurstDetector, OneSourceOrOneStoryNeverBursts) {
  BurstDetector d(BurstSettings{}, {BurstFilter{"sahel", 2.0}});
  // Twenty stories, one source: below min_sources.
  EXPECT_TRUE(feed_stories(d, kT0, 20, 0, 1).empty());
  // Forty copies of one dispatch from two sources: one story, below min_stories.
  BurstDetector storm(BurstSettings{}, {BurstFilter{"sahel", 2.0}});
  for (int i = 0; i < 40; ++i)
    EXPECT_TRUE(storm.observe(story(kT0 + i * 30, "dispatch", i % 2 == 0 ? "afp" : "reuters")).empty());
}

TEST(BurstDetector, MinimumsAreSettings) {
  BurstSettings s;
  s.min_stories = 7;
  s.min_sources = 4;
  BurstDetector d(s, {BurstFilter{"sahel", 2.0}});
  const auto bursts = feed_stories(d, kT0, 10, 0, 4);
  ASSERT_FALSE(bursts.empty());
  EXPECT_EQ(bursts[0].count, 7);
  EXPECT_EQ(bursts[0].level, BurstLevel::alert);
}

TEST(BurstDetector, DisabledOrUnknownFilterCountsNothing) {
  BurstSettings off;
  off.enabled = false;
  BurstDetector d(off, {BurstFilter{"sahel", 2.0}});
  EXPECT_TRUE(feed_stories(d, kT0, 20).empty());
  EXPECT_TRUE(d.take_changes().updated.empty());
  BurstDetector other(BurstSettings{}, {BurstFilter{"other", 2.0}});
  EXPECT_TRUE(feed_stories(other, kT0, 20).empty());
}

TEST(BurstDetector, OnlyPlacesAndCountriesMakeSeriesAndTheirNumberIsBounded) {
  BurstSettings s;
  s.max_entity_series = 4;
  BurstDetector d(s, {BurstFilter{"sahel", 2.0}});
  (void)d.observe(story(kT0, "a", "f1", {{"mali", "country"}, {"ECOWAS", "organization"}, {"timbuktu", "place"}}));
  EXPECT_EQ(d.series_count(), 3u);
  (void)d.take_changes();
  for (int i = 0; i < 10; ++i)
    (void)d.observe(story(kT0 + 60 + i, "p" + std::to_string(i), "f1", {{"place" + std::to_string(i), "place"}}));
  EXPECT_EQ(d.series_count(), 5u);
  const auto changes = d.take_changes();
  // Ten new places through four slots: eight evicted, the least recently active first.
  ASSERT_EQ(changes.removed.size(), 8u);
  EXPECT_EQ(changes.removed[0].second, "mali");
  EXPECT_EQ(changes.removed[1].second, "timbuktu");
}

TEST(BurstDetector, EarlierTimesCountAtTheLatest) {
  BurstDetector d(BurstSettings{}, {BurstFilter{"sahel", 2.0}});
  (void)d.observe(story(kT0 + 2 * kHour, "late", "f1"));
  // Three more an hour "earlier" count in the same hour: a burst, detected at the latest time.
  std::vector<Burst> out;
  for (int i = 0; i < 3; ++i) {
    for (auto& b : d.observe(story(kT0, "early" + std::to_string(i), "f" + std::to_string(i))))
      out.push_back(b);
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].count, 4);
  EXPECT_EQ(out[0].detected_at, kT0 + 2 * kHour);
}

TEST(BurstDetector, LearnsTheRateAndRhythm) {
  synthetic::FilterHistory h;
  h.filter = "sahel";
  h.rate = 2.0;
  h.weeks = 5;
  BurstDetector d(BurstSettings{}, {BurstFilter{"sahel", std::nullopt}});
  for (const auto& e : synthetic::generate(h))
    (void)d.observe(e);
  const std::int64_t end = synthetic::kMonday + 5 * 7 * 24 * kHour - 1;
  // A day's expectation within 15% of the truth, and the rhythm learnt: a weekday
  // afternoon expects several times a Sunday night.
  for (std::int64_t t = end - 6 * 24 * kHour; t <= end; t += 24 * kHour) {
    double truth = 0;
    for (std::int64_t h = 0; h < 24; ++h)
      truth += 2.0 * synthetic::rhythm(t - h * kHour);
    const auto day = d.expected("sahel", "", 24 * kHour, t);
    ASSERT_TRUE(day.has_value());
    EXPECT_NEAR(*day, truth, truth * 0.15);
  }
  const std::int64_t wednesday_2pm = synthetic::kMonday + 4 * 7 * 24 * kHour + 2 * 24 * kHour + 14 * kHour;
  const std::int64_t sunday_2am = synthetic::kMonday + 4 * 7 * 24 * kHour + 6 * 24 * kHour + 2 * kHour;
  const auto busy = d.expected("sahel", "", kHour, wednesday_2pm);
  const auto quiet = d.expected("sahel", "", kHour, sunday_2am);
  ASSERT_TRUE(busy && quiet);
  EXPECT_GT(*busy / *quiet, 3.0);
  const double truth = synthetic::rhythm(wednesday_2pm) / synthetic::rhythm(sunday_2am);
  std::printf("[bursts] learnt Wed 14h / Sun 2h = %.2f (truth %.2f)\n", *busy / *quiet, truth);
}

TEST(BurstDetector, ReconfigureKeepsKeptFiltersAndForgetsOthers) {
  BurstDetector d(BurstSettings{}, {BurstFilter{"sahel", 2.0}, BurstFilter{"gone", 1.0}});
  (void)feed_stories(d, kT0, 3);
  (void)d.observe([] {
    auto e = story(kT0, "g", "f");
    e.filter = "gone";
    return e;
  }());
  (void)d.take_changes();
  d.reconfigure(BurstSettings{}, {BurstFilter{"sahel", 4.0}, BurstFilter{"new", std::nullopt}});
  const auto changes = d.take_changes();
  ASSERT_EQ(changes.removed.size(), 1u);
  EXPECT_EQ(changes.removed[0].first, "gone");
  EXPECT_EQ(changes.removed[0].second, "");
  EXPECT_EQ(d.series_count(), 2u);
  // The new expected_per_day applies at once; the counts so far stay.
  EXPECT_DOUBLE_EQ(*d.expected("sahel", "", 3 * kHour, kT0), 0.5);
  // 4 a day: 0.5 in 3h; P(>=5) = 1.7e-4 is a watch, reached with the second new story.
  const auto bursts = feed_stories(d, kT0 + 600, 3, 10);
  ASSERT_FALSE(bursts.empty());
  EXPECT_EQ(bursts[0].count, 5);
}

}  // namespace
}  // namespace newswatch::bursts
