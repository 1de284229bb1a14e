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
  // 2 a day: 1/12 an hour. The scan up to 24h counts as 2.5 x (1 + ln 24) = 10.4 tests an
  // hour, 251 a day (one series): watch at p <= 4.0e-5, alert at p <= 4.0e-7. Stories a
  // minute apart from 10:00: the current hour counts a quarter of itself at least, so the 1h
  // span expects 1/48, tested as 1/48 x (1 + sqrt(0.5)) for the rhythm expected_per_day
  // does not know. P(>=3) = 7.3e-6 (watch), P(>=4) = 6.5e-8 (alert).
  const double tests = 2.5 * (1.0 + std::log(24.0)) * 24.0;
  const double mu = 0.25 / 12.0;
  const double tested = mu * (1.0 + std::sqrt(0.5));
  ASSERT_LT(poisson_upper_tail(3, tested), sidak_level(1e-2, tests));
  ASSERT_GT(poisson_upper_tail(3, tested), sidak_level(1e-4, tests));
  ASSERT_LT(poisson_upper_tail(4, tested), sidak_level(1e-4, tests));
  // Two stories: below min_stories whatever the odds.
  EXPECT_TRUE(feed_stories(d, kT0, 2).empty());
  auto bursts = feed_stories(d, kT0 + 120, 6, 2);
  ASSERT_EQ(bursts.size(), 2u);
  EXPECT_EQ(bursts[0].level, BurstLevel::watch);
  EXPECT_EQ(bursts[0].count, 3);
  EXPECT_EQ(bursts[0].window, kHour);
  EXPECT_DOUBLE_EQ(bursts[0].expected, mu);
  EXPECT_NEAR(bursts[0].p_value, poisson_upper_tail(3, tested), 1e-15);
  EXPECT_EQ(bursts[0].sources, 3);
  EXPECT_EQ(bursts[0].started_at, kT0);
  EXPECT_EQ(bursts[0].detected_at, kT0 + 2 * 60);
  EXPECT_FALSE(bursts[0].entity.has_value());
  EXPECT_EQ(bursts[0].stories.size(), 3u);
  EXPECT_EQ(bursts[1].level, BurstLevel::alert);
  EXPECT_EQ(bursts[1].count, 4);
  EXPECT_EQ(bursts[1].detected_at, kT0 + 3 * 60);
  EXPECT_EQ(bursts[1].stories[0].id, "s0");
}

// The current hour counts as far as it has gone; a span reaching into earlier hours counts
// them whole; of the spans that reach the level, the most significant is the window.
TEST(BurstDetector, TheSpanThatFiresIsTheWindow) {
  BurstDetector d(BurstSettings{}, {BurstFilter{"sahel", 12.0}});  // half a story an hour
  // 10:30, 10:40, 10:50, then 11:05 to 11:25 every five minutes. At 11:20 the 2h span holds
  // 7 stories against 0.5 + 0.5 x 20/60 (p = 1.1e-4 with the guess's uncertainty, above
  // 4.0e-5); at 11:25, 8 against 0.5 + 0.5 x 25/60 (p = 1.9e-5), more significant than the
  // 1h span's 5 against 0.5 x 25/60 (p = 3.5e-5).
  std::vector<Burst> out;
  const std::int64_t minutes[] = {30, 40, 50, 65, 70, 75, 80, 85};
  for (int i = 0; i < 8; ++i) {
    for (auto& b : d.observe(story(kT0 + minutes[i] * 60, "s" + std::to_string(i), "feed" + std::to_string(i % 3))))
      out.push_back(b);
  }
  ASSERT_EQ(out.size(), 1u);
  const Burst& b = out[0];
  EXPECT_EQ(b.level, BurstLevel::watch);
  EXPECT_EQ(b.detected_at, kT0 + 85 * 60);
  EXPECT_EQ(b.window, 2 * kHour);
  EXPECT_EQ(b.count, 8);
  const double part = (25.0 * 60 + 1) / 3600.0;
  const double expected = 0.5 + 0.5 * part;
  const double tested = expected + std::sqrt(0.5 * (0.25 + 0.25 * part * part));
  EXPECT_NEAR(b.expected, expected, 1e-12);
  EXPECT_NEAR(b.p_value, poisson_upper_tail(8, tested), 1e-15);
  EXPECT_EQ(b.started_at, kT0 + 30 * 60);
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
  // A watch at three stories, an alert at four; all in the latest hour, at the latest time.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].count, 3);
  EXPECT_EQ(out[1].count, 4);
  EXPECT_EQ(out[1].level, BurstLevel::alert);
  EXPECT_EQ(out[1].window, kHour);
  EXPECT_EQ(out[1].detected_at, kT0 + 2 * kHour);
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
  // 4 a day: 1/24 in the first quarter hour, tested as 1/24 x 1.71. The three earlier
  // stories (a watch under 2 a day) and two new ones make five: P(>=5) = 1.5e-8, an alert
  // (four, at 1.1e-6, is a watch, already announced).
  const auto bursts = feed_stories(d, kT0 + 600, 3, 10);
  ASSERT_FALSE(bursts.empty());
  EXPECT_EQ(bursts[0].count, 5);
  EXPECT_EQ(bursts[0].level, BurstLevel::alert);
}

}  // namespace
}  // namespace newswatch::bursts
