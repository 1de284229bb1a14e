// Per-feed failure series in /metrics (issue 19 item 4): every configured feed has one, a
// feed that has never succeeded included.
#include <gtest/gtest.h>

#include "daemon/metrics.hpp"

namespace newswatch::daemon {
namespace {

TEST(FeedSeries, EveryFeedHasFailuresAndGone) {
  std::vector<feeds::FeedView> views(2);
  views[0].spec.id = "ok";
  views[1].spec.id = "never";
  views[1].runtime.failures = 3;
  views[1].runtime.gone = true;
  const std::string text = render_feed_series(views);
  EXPECT_NE(text.find("# TYPE newswatch_feed_consecutive_failures gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("newswatch_feed_consecutive_failures{feed=\"ok\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("newswatch_feed_consecutive_failures{feed=\"never\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("newswatch_feed_gone{feed=\"never\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("newswatch_feed_gone{feed=\"ok\"} 0\n"), std::string::npos) << text;
}

TEST(FeedSeries, ANeverSucceededFeedHasALastSuccessOfZero) {
  const Metrics m;
  const std::string text = m.render({}, {{"never", feeds::FeedStats{}}}, {});
  EXPECT_NE(text.find("newswatch_feed_last_success_timestamp_seconds{feed=\"never\"} 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace newswatch::daemon
