// GET /feeds: the report of each feed's state, from the scheduler's views.
#include "daemon/feed_report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace newswatch::daemon {
namespace {

using namespace std::chrono_literals;

feeds::FeedRuntime runtime(int failures, bool gone = false, std::string outcome = "ok") {
  feeds::FeedRuntime r;
  r.failures = failures;
  r.gone = gone;
  r.last_outcome = std::move(outcome);
  return r;
}

TEST(FeedReport, StatesFollowFailuresAndGone) {
  EXPECT_EQ(feed_state(runtime(0)), "ok");
  EXPECT_EQ(feed_state(runtime(1, false, "timeout")), "failing");
  EXPECT_EQ(feed_state(runtime(2, false, "timeout")), "backing_off");
  EXPECT_EQ(feed_state(runtime(9, false, "dns_error")), "backing_off");
  EXPECT_EQ(feed_state(runtime(0, true, "http_error")), "gone");
  EXPECT_EQ(feed_state(runtime(3, true, "http_error")), "gone");
}

TEST(FeedReport, JsonCarriesEveryFieldWithWallClockTimes) {
  const auto steady_now = std::chrono::steady_clock::time_point(1000s);
  const auto wall_now = std::chrono::system_clock::time_point(std::chrono::seconds(1764756000));
  feeds::FeedView ok{{"a", "http://x/a.xml", std::nullopt, {}}, runtime(0), {}, steady_now + 90s, false};
  ok.stats.last_success = wall_now - 30s;
  ok.runtime.url = "https://x/a-moved.xml";  // a permanent redirect: the report shows where it polls
  const feeds::FeedView never{
      {"b", "http://y/b.xml", std::nullopt, {}}, runtime(2, false, "connect_error"), {}, std::nullopt, true};
  const auto j = nlohmann::json::parse(feed_report_json({ok, never}, steady_now, wall_now));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["id"], "a");
  EXPECT_EQ(j[0]["url"], "https://x/a-moved.xml");
  EXPECT_EQ(j[0]["state"], "ok");
  EXPECT_EQ(j[0]["last_status"], "ok");
  EXPECT_EQ(j[0]["consecutive_failures"], 0);
  EXPECT_EQ(j[0]["last_success"], "2025-12-03T09:59:30Z");
  EXPECT_EQ(j[0]["next_due"], "2025-12-03T10:01:30Z");
  EXPECT_EQ(j[0]["in_flight"], false);
  // A feed that never succeeded is in the report too, with nulls where it has no time.
  EXPECT_EQ(j[1]["id"], "b");
  EXPECT_EQ(j[1]["url"], "http://y/b.xml");
  EXPECT_EQ(j[1]["state"], "backing_off");
  EXPECT_EQ(j[1]["last_status"], "connect_error");
  EXPECT_EQ(j[1]["consecutive_failures"], 2);
  EXPECT_TRUE(j[1]["last_success"].is_null());
  EXPECT_TRUE(j[1]["next_due"].is_null());
  EXPECT_EQ(j[1]["in_flight"], true);
}

TEST(FeedReport, AnEmptyConfigIsAnEmptyArray) {
  EXPECT_EQ(feed_report_json({}, std::chrono::steady_clock::now(), std::chrono::system_clock::now()), "[]\n");
}

}  // namespace
}  // namespace newswatch::daemon
