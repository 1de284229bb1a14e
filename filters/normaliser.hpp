#pragma once
// Normaliser: a field's text (plain or HTML) -> word streams ready for literal scanning, with
// a map from every word back to code points of the original text. Pure; no allocation once warm.
// NormalisedText is the convenient form (a record per word); ScanText is the fast one.

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

// Stands in the exact stream for a code point that has letters only once case-folded, so no
// word there is empty and both streams always have the same words. No literal contains it.
inline constexpr char kEmptyExactWord = '\x01';

// The matcher's form of the same words. Unlike NormalisedText, every separator code point
// becomes one space (runs are not collapsed: " mali,  niger " keeps its three spaces), so
// folded byte k and original code point c + k stay in step over whole runs of text, and a
// sparse map (one entry where that step changes) says where each folded byte came from. It is
// read back only for the few words a match reports, so the per-byte cost is writing the
// streams and little else. Both streams start and end with a space. Reused across calls:
// warm, it allocates nothing.
class ScanText {
 public:
  std::string_view folded() const { return {folded_.data(), folded_len_}; }
  std::string_view exact() const { return {exact_.data(), exact_len_}; }
  bool has_words() const { return any_word_; }
  // Original code point where the word starting at folded byte `begin` starts.
  std::uint32_t orig_begin(std::uint32_t begin) const;
  // Original code point one past the word whose folded bytes end just before `end`.
  std::uint32_t orig_end(std::uint32_t end) const;

  // Folded bytes [folded, folded + folded_len) came from original code points [orig, orig_end)
  // as one unit (ß -> "ss", &eacute; -> "e"); folded_len 0: from `folded` on, byte k came from
  // code point orig + k, until the next entry.
  struct MapEntry {
    std::uint32_t folded;
    std::uint32_t orig;
    std::uint32_t folded_len;
    std::uint32_t orig_end;
  };

 private:
  friend class ScanTextWriter;
  const MapEntry& entry_at(std::uint32_t pos) const;
  // Buffers keep their size between calls (only the *_len_ prefix is meaningful), so a warm
  // call neither allocates nor zero-fills.
  std::string folded_;
  std::string exact_;
  std::vector<MapEntry> map_;
  std::size_t folded_len_ = 0;
  std::size_t exact_len_ = 0;
  std::size_t map_len_ = 0;
  bool any_word_ = false;
};

void normalise(std::string_view text, TextKind kind, bool want_exact, ScanText& out);

// The same, never taking the 64-byte AVX-512 path that normalise() uses where the CPU has it:
// for tests that hold the two paths to the same output.
void normalise_portable(std::string_view text, TextKind kind, bool want_exact, ScanText& out);
bool wide_normaliser_available();

// The words of a term as the matcher compares them (folded, or only diacritic-folded when
// keep_case), e.g. "Côte d'Ivoire" -> {"cote", "d", "ivoire"}.
std::vector<std::string> term_words(std::string_view text, bool keep_case);

}  // namespace newswatch::filters
