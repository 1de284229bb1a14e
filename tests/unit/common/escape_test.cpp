// escape_controls: a golden table of what reaches a terminal, and the promise that no output
// byte is a control character (so a message built from input stays one inert line).
#include "common/escape.hpp"

#include <gtest/gtest.h>

#include <random>

namespace newswatch {
namespace {

TEST(EscapeControls, Goldens) {
  const std::pair<std::string, std::string> cases[] = {
      {"plain text", "plain text"},
      {"tab\tstays", "tab\tstays"},
      {"two\nlines", "two\\nlines"},
      {"cr\rhere", "cr\\rhere"},
      {"esc\x1b[2Jclear", "esc\\x1b[2Jclear"},
      {std::string("nul\0byte", 8), "nul\\x00byte"},
      {"del\x7f", "del\\x7f"},
      {"c1 \xc2\x85 nel and \xc2\x9b csi", "c1 \\u0085 nel and \\u009b csi"},
      {"rlo \xe2\x80\xae gnp.exe", "rlo \\u202e gnp.exe"},
      {"isolate \xe2\x81\xa6x\xe2\x81\xa9", "isolate \\u2066x\\u2069"},
      {"bad \xff\xfe utf8", "bad \\xff\\xfe utf8"},
      {"truncated \xe2\x80", "truncated \\xe2\\x80"},
      {"overlong \xc0\xaf", "overlong \\xc0\\xaf"},
      {"Économie — Mali’s 日本 🙂", "Économie — Mali’s 日本 🙂"},
      {"back\\slash", "back\\slash"},
      {"nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok"},
  };
  for (const auto& [in, want] : cases)
    EXPECT_EQ(escape_controls(in), want) << in;
}

TEST(EscapeControls, NoControlByteSurvivesRandomInput) {
  std::mt19937 rng(19);
  for (int round = 0; round < 2000; ++round) {
    std::string in(static_cast<std::size_t>(rng() % 40), '\0');
    for (auto& c : in)
      c = static_cast<char>(rng());
    const std::string out = escape_controls(in);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto b = static_cast<unsigned char>(out[i]);
      ASSERT_TRUE(b >= 0x20 || b == '\t') << "control byte at " << i;
      ASSERT_NE(b, 0x7F);
      if (b == 0xC2 && i + 1 < out.size()) {
        const auto next = static_cast<unsigned char>(out[i + 1]);
        ASSERT_FALSE(next >= 0x80 && next <= 0x9F) << "C1 control at " << i;
      }
    }
    // Escaping is idempotent on its own output: nothing left to escape.
    ASSERT_EQ(escape_controls(out), out);
  }
}

}  // namespace
}  // namespace newswatch
