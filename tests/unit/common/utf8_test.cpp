// common/utf8: the one decoder and encoder every stage uses. Golden tables from RFC 3629 and
// the Unicode standard's "maximal subpart" examples.
#include "common/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace newswatch {
namespace {

struct DecodeRow {
  std::string bytes;
  std::size_t length;  // 0: ill-formed
  char32_t cp;
};

TEST(Utf8, DecodeGoldenTable) {
  const std::vector<DecodeRow> rows = {
      {"A", 1, U'A'},
      {"\xC3\xA9", 2, U'\u00E9'},
      {"\xE2\x82\xAC", 3, U'\u20AC'},
      {"\xF0\x9F\x98\x80", 4, U'\U0001F600'},
      {"\xF4\x8F\xBF\xBF", 4, U'\U0010FFFF'},
      {"\xC0\xAF", 0, 0},          // overlong '/'
      {"\xC1\xBF", 0, 0},          // overlong
      {"\xE0\x80\xAF", 0, 0},      // overlong
      {"\xED\xA0\x80", 0, 0},      // surrogate U+D800
      {"\xF4\x90\x80\x80", 0, 0},  // past U+10FFFF
      {"\xF5\x80\x80\x80", 0, 0},
      {"\x80", 0, 0},          // stray continuation
      {"\xE2\x82", 0, 0},      // truncated
      {"\xE2\x28\xA1", 0, 0},  // bad continuation
  };
  for (const auto& r : rows) {
    char32_t cp = 0;
    EXPECT_EQ(utf8_decode(r.bytes, 0, cp), r.length) << testing::PrintToString(r.bytes);
    if (r.length > 0) {
      EXPECT_EQ(cp, r.cp) << testing::PrintToString(r.bytes);
    }
  }
}

TEST(Utf8, MaximalSubpart) {
  EXPECT_EQ(utf8_maximal_subpart("\x80", 0), 1u);
  EXPECT_EQ(utf8_maximal_subpart("\xE2\x82", 0), 2u);  // a truncated sequence is one U+FFFD
  EXPECT_EQ(utf8_maximal_subpart("\xE2\x82"
                                 "A",
                                 0),
            2u);
  EXPECT_EQ(utf8_maximal_subpart("\xE0\x80\x80", 0), 1u);  // E0 80 could never be valid
  EXPECT_EQ(utf8_maximal_subpart("\xF0\x9F\x98", 0), 3u);
  EXPECT_EQ(utf8_maximal_subpart("\xED\xA0\x80", 0), 1u);  // a surrogate's lead is alone
}

TEST(Utf8, EncodeRoundTripsEveryScalarValue) {
  std::string s;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    s.clear();
    utf8_append(s, cp);
    char32_t back = 0;
    ASSERT_EQ(utf8_decode(s, 0, back), s.size()) << static_cast<unsigned long>(cp);
    ASSERT_EQ(back, cp);
  }
}

}  // namespace
}  // namespace newswatch
