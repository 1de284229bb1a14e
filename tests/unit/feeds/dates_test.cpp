// Golden table for feed dates: every accepted spelling maps to one UTC instant; the
// rest are nullopt.
#include <gtest/gtest.h>

#include "feeds/feed_dates.hpp"

using newswatch::feeds::format_rfc3339;
using newswatch::feeds::parse_date;

namespace {

struct Case {
  const char* input;
  const char* want;  // nullptr: unparseable
};

constexpr Case kCases[] = {
    // RFC 822 / 1123 and real-world variants
    {"Thu, 20 Dec 2012 18:00:00 GMT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 18:00:00 +0000", "2012-12-20T18:00:00Z"},
    {"20 Dec 2012 18:00:00 GMT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 12 18:00:00 GMT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 95 18:00:00 GMT", "1995-12-20T18:00:00Z"},
    {"Sun, 2 Dec 2012 08:15:00 GMT", "2012-12-02T08:15:00Z"},
    {"Thu, 20 Dec 2012 18:00 GMT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 13:00:00 EST", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 14:00:00 EDT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 12:00:00 CST", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 11:00:00 MST", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 10:00:00 PST", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 11:00:00 PDT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 18:00:00 UT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 18:00:00 UTC", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 18:00:00 Z", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 17:00:00 A", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 19:00:00 N", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 20:00:00 +0200", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 14:30:00 -0330", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 19:00:00 +01:00", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 19:00:00 GMT+01:00", "2012-12-20T18:00:00Z"},
    {"Thursday, 20 December 2012 18:00:00 GMT", "2012-12-20T18:00:00Z"},
    {"Thu,20 Dec 2012 18:00:00 GMT", "2012-12-20T18:00:00Z"},
    {"Thu, 20-Dec-2012 18:00:00 GMT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 18:00:00", "2012-12-20T18:00:00Z"},
    {"Thu Dec 20 18:00:00 2012", "2012-12-20T18:00:00Z"},
    {"Dec 20 2012 06:00:00 PM GMT", "2012-12-20T18:00:00Z"},
    // 12-hour clocks written with dots are not the military zones A, P and M.
    {"Thu, 20 Dec 2012 6:00 p.m. GMT", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 6:00 P.M. EST", "2012-12-20T23:00:00Z"},
    {"Thu, 20 Dec 2012 12:15 a.m. +0100", "2012-12-19T23:15:00Z"},
    {"Thu, 20 Dec 2012 12:15 p.m.", "2012-12-20T12:15:00Z"},
    {"Thu, 20 Dec 2012 6:00 PM EST", "2012-12-20T23:00:00Z"},
    {"20 Dec 2012", "2012-12-20T00:00:00Z"},
    {"  Thu, 20 Dec 2012 18:00:00 GMT  ", "2012-12-20T18:00:00Z"},
    {"Thu, 20 Dec 2012 18:00:00 XYZ", "2012-12-20T18:00:00Z"},  // unknown zone name: UTC
    {"Wed, 29 Feb 2012 12:00:00 GMT", "2012-02-29T12:00:00Z"},
    // RFC 3339 / ISO 8601 / W3C-DTF
    {"2012-12-20T18:00:00Z", "2012-12-20T18:00:00Z"},
    {"2012-12-20T19:00:00+01:00", "2012-12-20T18:00:00Z"},
    {"2012-12-20T13:00:00-05:00", "2012-12-20T18:00:00Z"},
    {"2012-12-20T19:00:00+0100", "2012-12-20T18:00:00Z"},
    {"2012-12-20T19:00:00+01", "2012-12-20T18:00:00Z"},
    {"2012-12-20T18:00:00.123Z", "2012-12-20T18:00:00Z"},
    {"2012-12-20T18:00Z", "2012-12-20T18:00:00Z"},
    {"2012-12-20T18:00:00", "2012-12-20T18:00:00Z"},
    {"2012-12-20 18:00:00", "2012-12-20T18:00:00Z"},
    {"2012-12-20t18:00:00z", "2012-12-20T18:00:00Z"},
    {"20121220T180000Z", "2012-12-20T18:00:00Z"},
    {"2012-12-20", "2012-12-20T00:00:00Z"},
    {"2012-12", "2012-12-01T00:00:00Z"},
    {"2012", "2012-01-01T00:00:00Z"},
    {"2012-12-31T23:30:00-01:00", "2013-01-01T00:30:00Z"},
    {"2012-06-30T23:59:60Z", "2012-07-01T00:00:00Z"},       // leap second rolls over
    {"9999-12-31T23:30:00+01:00", "9999-12-31T22:30:00Z"},  // the range's ends, once in UTC
    {"0001-01-01T00:30:00-01:00", "0001-01-01T01:30:00Z"},
    {"Thu, 20 March 2012 18:00:00 GMT", "2012-03-20T18:00:00Z"},
    {"Thu, 20 Sept 2012 18:00:00 GMT", "2012-09-20T18:00:00Z"},
    {"Thu, 20 SEPTEMBER 2012 18:00:00 GMT", "2012-09-20T18:00:00Z"},
    {"Wed, 20 Juni 2012 18:00:00 GMT", "2012-06-20T18:00:00Z"},  // localized names, as real feeds write them
    {"Tue, 20 mars 2012 18:00:00 GMT", "2012-03-20T18:00:00Z"},
    {"20 Janvier 2012 18:00:00 GMT", "2012-01-20T18:00:00Z"},
    // unparseable
    {"", nullptr},
    {"yesterday", nullptr},
    {"Thu, 32 Dec 2012 18:00:00 GMT", nullptr},
    {"Thu, 30 Feb 2012 18:00:00 GMT", nullptr},
    {"Thu, 20 Foo 2012 18:00:00 GMT", nullptr},
    {"2012-13-01", nullptr},
    {"2012-12-20T25:00:00Z", nullptr},
    {"2012-12-20T18:00:00+99:00", nullptr},
    {"12/20/2012", nullptr},
    {"0000-00-00 00:00:00", nullptr},
    {"Thu, 20 Dec 2012 18:00:00 GMT trailing words here", nullptr},
    // past year 9999 or before year 1 once the offset is applied
    {"9999-12-31T23:30:00-01:00", nullptr},
    {"0001-01-01T00:00:00+01:00", nullptr},
    {"Fri, 31 Dec 9999 23:30:00 -0100", nullptr},
    {"9999-12-31T23:59:60Z", nullptr},
    {"9999-12-31T24:00:00Z", nullptr},
    // a month name is the name, its abbreviation or a prefix of the name in between
    {"Thu, 20 Decembrist 2012 18:00:00 GMT", nullptr},  // ten letters: no month name is that long
    {"Thu, 20 Septembers 2012 18:00:00 GMT", nullptr},
};

TEST(FeedDates, GoldenTable) {
  for (const auto& c : kCases) {
    const auto got = parse_date(c.input);
    if (c.want == nullptr) {
      EXPECT_FALSE(got.has_value()) << "'" << c.input << "' gave " << format_rfc3339(*got);
    } else {
      ASSERT_TRUE(got.has_value()) << "'" << c.input << "' did not parse";
      EXPECT_EQ(format_rfc3339(*got), c.want) << "'" << c.input << "'";
    }
  }
}

TEST(FeedDates, FormatIsRfc3339Utc) {
  const auto t = parse_date("1999-01-02T03:04:05Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "1999-01-02T03:04:05Z");
}

TEST(FeedDates, LongGarbageIsRejectedQuickly) {
  const std::string junk(100000, '9');
  EXPECT_FALSE(parse_date(junk).has_value());
}

}  // namespace
