#pragma once
// Normaliser: a field's text (plain or HTML) -> word streams ready for literal scanning, with
// a map from every word back to code points of the original text. Pure; no allocation once warm.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch::filters {

enum class TextKind { plain, html };

// One word of the normalised text. Begins are byte offsets into the streams; orig_* count
// code points of the original field text (orig_end exclusive).
struct NormalisedWord {
  std::uint32_t folded_begin = 0;
  std::uint32_t exact_begin = 0;
  std::uint32_t orig_begin = 0;
  std::uint32_t orig_end = 0;
};

// `folded`: every word case-folded (Unicode full case folding), NFKD-decomposed with marks
// dropped, words separated by exactly one space and the whole wrapped in spaces:
// " cote d ivoire ". `exact` is the same without case folding (built only on request), so
// a literal " w1 w2 " found in a stream is exactly a whole-word phrase match.
struct NormalisedText {
  std::string folded;
  std::string exact;
  std::vector<NormalisedWord> words;
};

// Replaces `out` with the normalised form of `text`. HTML: tags, comments, <script> and
// <style> bodies are dropped, character references decoded; inline tags (<b>, <a>, …) do
// not split a word, other tags do. Invalid UTF-8 bytes are separators, one code point each.
void normalise(std::string_view text, TextKind kind, bool want_exact, NormalisedText& out);

// The words of a term as the matcher compares them (folded, or only diacritic-folded when
// keep_case), e.g. "Côte d'Ivoire" -> {"cote", "d", "ivoire"}.
std::vector<std::string> term_words(std::string_view text, bool keep_case);

}  // namespace newswatch::filters
