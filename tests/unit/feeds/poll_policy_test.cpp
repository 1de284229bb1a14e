#include "feeds/poll_policy.hpp"

#include <gtest/gtest.h>

namespace newswatch::feeds {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const PollBounds kBounds{minutes(5), seconds(30), hours(6), hours(6)};

TEST(PollPolicy, MaxAge) {
  EXPECT_EQ(parse_max_age("max-age=600"), seconds(600));
  EXPECT_EQ(parse_max_age("public, max-age=60, must-revalidate"), seconds(60));
  EXPECT_EQ(parse_max_age("Public, Max-Age = 90"), seconds(90));
  EXPECT_FALSE(parse_max_age("s-maxage=600"));
  EXPECT_FALSE(parse_max_age("no-cache"));
  EXPECT_FALSE(parse_max_age("max-age="));
  EXPECT_FALSE(parse_max_age(""));
}

TEST(PollPolicy, RetryAfterBothForms) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::sys_days{std::chrono::year{2012} / 12 / 20});
  EXPECT_EQ(parse_retry_after("120", now), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 ", now), seconds(0));
  EXPECT_EQ(parse_retry_after("Thu, 20 Dec 2012 00:10:00 GMT", now), minutes(10));
  EXPECT_EQ(parse_retry_after("Wed, 19 Dec 2012 00:10:00 GMT", now), seconds(0)) << "a past date means now";
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_EQ(parse_expires("Thu, 20 Dec 2012 01:00:00 GMT", now), hours(1));
  // Dates have whole seconds and a response arrives a moment after it was sent: 2.5 s left
  // waits 3 s, never 2 (which asks again before the date).
  const auto later = now + std::chrono::milliseconds(7500);
  EXPECT_EQ(parse_retry_after("Thu, 20 Dec 2012 00:00:10 GMT", later), seconds(3));
  EXPECT_EQ(parse_expires("Thu, 20 Dec 2012 00:00:10 GMT", later), seconds(3));
  EXPECT_EQ(parse_retry_after("Thu, 20 Dec 2012 00:00:07 GMT", later), seconds(0)) << "just past: now";
  // "Never expires", as servers write it: far, and no overflow (UBSan would stop here).
  EXPECT_GT(parse_expires("Fri, 31 Dec 9999 23:59:59 GMT", now).value_or(seconds(0)), hours(24 * 365 * 7000));
}

TEST(PollPolicy, SuccessIntervalTakesTheLongestAskThenClamps) {
  EXPECT_EQ(success_interval(kBounds, std::nullopt, std::nullopt, std::nullopt), minutes(5));
  EXPECT_EQ(success_interval(kBounds, minutes(2), std::nullopt, std::nullopt), minutes(2));
  EXPECT_EQ(success_interval(kBounds, minutes(2), minutes(60), std::nullopt), minutes(60));
  EXPECT_EQ(success_interval(kBounds, minutes(2), std::nullopt, seconds(900)), seconds(900));
  EXPECT_EQ(success_interval(kBounds, seconds(5), std::nullopt, std::nullopt), seconds(30)) << "min_interval";
  EXPECT_EQ(success_interval(kBounds, std::nullopt, hours(24), std::nullopt), hours(6)) << "max_interval";
  EXPECT_EQ(success_interval(kBounds, minutes(10), std::nullopt, seconds(10)), minutes(10))
      << "a short max-age never makes us poll more often than asked";
}

TEST(PollPolicy, FailureBackoffDoublesUpToTheCap) {
  EXPECT_EQ(failure_delay(kBounds, minutes(5), 1), minutes(10));
  EXPECT_EQ(failure_delay(kBounds, minutes(5), 2), minutes(20));
  EXPECT_EQ(failure_delay(kBounds, minutes(5), 6), minutes(320));
  EXPECT_EQ(failure_delay(kBounds, minutes(5), 7), hours(6));
  EXPECT_EQ(failure_delay(kBounds, minutes(5), 60), hours(6)) << "no overflow";
}

TEST(PollPolicy, RetryAfterIsCappedOnlyByMaxInterval) {
  EXPECT_EQ(retry_after_delay(kBounds, seconds(5)), seconds(5)) << "below min_interval is still honoured";
  EXPECT_EQ(retry_after_delay(kBounds, hours(48)), hours(6));
  // "Retry-After: 0" or a date already past (parse_retry_after gives 0 s) would refetch at
  // once, again and again: a second is the floor.
  EXPECT_EQ(retry_after_delay(kBounds, seconds(0)), seconds(1));
  EXPECT_EQ(retry_after_delay(kBounds, seconds(-3)), seconds(1));
  EXPECT_EQ(retry_after_delay(kBounds, seconds(1)), seconds(1));
  EXPECT_EQ(retry_after_delay(kBounds, seconds(2)), seconds(2));
}

TEST(PollPolicy, JitterStaysWithinTheFraction) {
  using std::chrono::milliseconds;
  EXPECT_EQ(with_jitter(milliseconds(1000), 0.1, 0.0), milliseconds(900));
  EXPECT_EQ(with_jitter(milliseconds(1000), 0.1, 0.5), milliseconds(1000));
  EXPECT_EQ(with_jitter(milliseconds(1000), 0.1, 0.999), milliseconds(1099));
}

}  // namespace
}  // namespace newswatch::feeds
