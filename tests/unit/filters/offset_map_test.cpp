// The normaliser keeps where folded bytes came from as a sparse map (runs of 1:1 bytes, plus
// units such as ß -> "ss" or &eacute; -> "e"). These cases aim at the places where a run
// breaks: marks that fold to nothing, multi-byte folds and references inside a word, inline
// tags, collapsed separator runs, and text long enough to cross the fast path's blocks.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "filters/normaliser.hpp"
#include "tests/unit/filters/code_points.hpp"

namespace newswatch::filters {
namespace {

std::vector<std::string> word_sources(std::string_view text, TextKind kind) {
  NormalisedText n;
  normalise(text, kind, true, n);
  std::vector<std::string> out;
  for (const auto& w : n.words)
    out.push_back(slice_cp(text, w.orig_begin, w.orig_end - w.orig_begin));
  return out;
}

using Words = std::vector<std::string>;

TEST(OffsetMap, AMarkEndingAWordDoesNotShiftTheNextWord) {
  EXPECT_EQ(word_sources("Mali\xCC\x81 <i>x</i> Niger", TextKind::html), (Words{"Mali", "x", "Niger"}));
  EXPECT_EQ(word_sources("z\xCC\x81<script>x", TextKind::plain), (Words{"z", "script", "x"}));
}

TEST(OffsetMap, MarksStartingAWordBelongToIt) {
  EXPECT_EQ(word_sources("\xCC\x81\xCC\x81Mali, Gao", TextKind::html), (Words{"\xCC\x81\xCC\x81Mali", "Gao"}));
}

TEST(OffsetMap, MultiByteFoldsAndReferencesInsideWords) {
  EXPECT_EQ(word_sources("Straßenbahn Maß, x", TextKind::html), (Words{"Straßenbahn", "Maß", "x"}));
  EXPECT_EQ(word_sources("S&eacute;gou&amp;Mopti &#x4D;ali", TextKind::html),
            (Words{"S&eacute;gou", "Mopti", "&#x4D;ali"}));
}

TEST(OffsetMap, InlineTagsAndCollapsedSeparators) {
  const std::string text = "Ma<b>li</b>an  ,  ,  Niger-Gao;;  Kidal ... Timbuktu  and  the  Sahel,  again";
  NormalisedText n;
  normalise(text, TextKind::html, true, n);
  EXPECT_EQ(n.folded, " malian niger gao kidal timbuktu and the sahel again ");
  EXPECT_EQ(word_sources(text, TextKind::html),
            (Words{"Ma<b>li</b>an", "Niger", "Gao", "Kidal", "Timbuktu", "and", "the", "Sahel", "again"}));
}

TEST(OffsetMap, LongTextAcrossBlocksAndChunks) {
  // Separator runs of 1..4 bytes at every alignment, some words accented, over several
  // hundred bytes.
  const char* seps[] = {" ", ", ", " -- ", "\t", ";  "};
  const char* words[] = {"Bamako", "gao", "Ségou", "KIDAL", "x", "Timbuktu2012", "a", "AQIM"};
  std::string text;
  Words expected;
  for (int i = 0; i < 300; ++i) {
    if (i > 0) text += seps[(i * 7) % 5];
    const std::string w = words[(i * 3) % 8];
    text += w;
    expected.push_back(w);
  }
  EXPECT_EQ(word_sources(text, TextKind::plain), expected);
  EXPECT_EQ(word_sources(text, TextKind::html), expected);
}

TEST(OffsetMap, ScanTextIsReusedAcrossFieldsOfDifferentLengths) {
  ScanText s;
  const std::string long_text(1000, 'a');
  normalise(long_text, TextKind::plain, true, s);
  EXPECT_EQ(s.folded().size(), 1002U);
  normalise("Gao", TextKind::plain, true, s);
  EXPECT_EQ(s.folded(), " gao ");
  EXPECT_EQ(s.exact(), " Gao ");
  EXPECT_EQ(s.orig_begin(1), 0U);
  EXPECT_EQ(s.orig_end(4), 3U);
  normalise("", TextKind::plain, false, s);
  EXPECT_FALSE(s.has_words());
  EXPECT_EQ(s.exact(), "");
}

}  // namespace
}  // namespace newswatch::filters
