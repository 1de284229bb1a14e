// Metrics rendering: the exposition text Prometheus scrapes.
#include "daemon/metrics.hpp"

#include <gtest/gtest.h>

#include "common/version.hpp"

namespace newswatch::daemon {
namespace {

TEST(Metrics, BuildInfoNamesTheVersion) {
  const Metrics m;
  const std::string text = m.render({}, {}, {});
  EXPECT_NE(text.find("# TYPE newswatch_build_info gauge\nnewswatch_build_info{version=\"" + std::string(version()) +
                      "\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(Metrics, WholeNumbersAreExactAndFractionsRoundTrip) {
  Metrics m;
  m.items_new = 1234567891;        // "%.9g" printed 1.23456789e+09
  m.items_parsed = 9007199254740;  // well past 10^9
  m.parse_seconds.observe(0.25);
  const std::string text = m.render({}, {}, {});
  EXPECT_NE(text.find("\nnewswatch_items_new_total 1234567891\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nnewswatch_items_parsed_total 9007199254740\n"), std::string::npos);
  EXPECT_NE(text.find("newswatch_parse_duration_seconds_bucket{le=\"0.0001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("newswatch_parse_duration_seconds_sum 0.25\n"), std::string::npos);
}

TEST(Metrics, LastSuccessKeepsTheSecond) {
  const Metrics m;
  feeds::FeedStats stats;
  stats.last_success = std::chrono::system_clock::time_point(std::chrono::seconds(1764756123));
  const std::string text = m.render({}, {{"a", stats}}, {});
  EXPECT_NE(text.find("newswatch_feed_last_success_timestamp_seconds{feed=\"a\"} 1764756123\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace newswatch::daemon
