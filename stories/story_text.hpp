#pragma once
// StoryText: what the story engine compares of an item, derived once from its title and summary
// (word hashes, shingles, numbers, term counts). Pure; a StoryTextBuilder reuses its scratch.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "filters/normaliser.hpp"

namespace newswatch::stories {

// LSH bands: kTextBands of kTextRows MinHash values over the item's leading shingles, and
// kTitleBands of kTitleRows over its title's shingles. See docs/stories.md for the odds.
inline constexpr std::size_t kTextBands = 20;
inline constexpr std::size_t kTextRows = 3;
inline constexpr std::size_t kTitleBands = 4;
inline constexpr std::size_t kTitleRows = 2;
inline constexpr std::size_t kBands = kTextBands + kTitleBands;

// Words of the summary that the copy sketch looks at (a trimmed or extended summary keeps its
// lead), and words of title + summary kept for the exact comparison and the term vector.
inline constexpr std::size_t kSketchSummaryWords = 24;
inline constexpr std::size_t kMaxWords = 160;

// Entity terms carry the top bit, word terms never do: one hash space, told apart cheaply.
inline constexpr std::uint32_t kEntityBit = 0x8000'0000U;

struct StoryText {
  // Sorted, distinct. Shingles are word pairs (numbers masked to one symbol, pairs of two
  // stopwords left out); `words` are the content words (no stopwords, no numbers).
  std::vector<std::uint32_t> shingles;
  std::vector<std::uint32_t> title_shingles;
  std::vector<std::uint32_t> words;
  std::vector<std::uint32_t> numbers;
  std::vector<std::uint32_t> title_numbers;
  std::vector<std::uint32_t> entities;  // entity terms (kEntityBit set)
  // Term counts for the story vector: content words (a title word counts twice) and entities
  // (with kEntityBit), sorted by term.
  std::vector<std::pair<std::uint32_t, float>> terms;
  std::array<std::uint32_t, kBands> bands{};  // 0: no band (too little text)
  std::size_t word_count = 0;                 // tokens kept (stopwords and numbers included)
  bool has_summary = false;
};

// Drops what outlets add around one dispatch: a trailing " - Reuters" / " | Le Monde" segment
// of at most five words, and a leading dateline or agency tag ("BAMAKO (Reuters) -", "AFP -",
// "UPDATE 2-"). Exposed for tests.
std::string_view strip_title_decorations(std::string_view title);
std::string_view strip_dateline(std::string_view text);

class StoryTextBuilder {
 public:
  // `summary` is HTML; entities are the matcher's entity ids for the item.
  void build(std::string_view title, std::string_view summary, const std::vector<std::string>& entities,
             StoryText& out);

 private:
  filters::ScanText scan_;
  std::vector<std::uint32_t> tokens_;  // word hashes in order, title then summary
  std::vector<std::uint8_t> kinds_;    // per token: 0 word, 1 stopword, 2 number
  std::vector<std::uint32_t> sketch_;
};

std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed = 0);
std::uint32_t entity_term(std::string_view entity_id);

}  // namespace newswatch::stories
