#pragma once
// The query language (docs/query-language.md) as a sum-type AST, and its parser.
// Pure: a parse error carries the code-point column in the query and "expected X, found Y".

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace newswatch::filters::query {

// Bit set of the fields a term may match in.
enum FieldBits : std::uint8_t { kTitle = 1, kSummary = 2, kContent = 4, kAllFields = 7 };

struct Node;

// A word, phrase, prefix or entity reference. `words` are already folded the way the
// matcher compares them (case kept when `exact`); an entity term has none.
struct Term {
  std::string written;  // as the analyst wrote it, without quotes or '=': reported in matches
  std::vector<std::string> words;
  std::string entity;    // non-empty for @entity
  std::string language;  // non-empty for lang:xx, which holds when the item's language is xx
  bool exact = false;
  bool prefix = false;
  std::uint8_t fields = kAllFields;
  std::size_t column = 0;  // code points from the start of the query
};
struct And {
  std::vector<Node> children;
};
struct Or {
  std::vector<Node> children;
};
struct Not {
  std::vector<Node> child;  // exactly one; a vector keeps Node an incomplete type here
};
struct Near {
  int distance = 0;
  std::vector<Node> operands;  // exactly two
};

struct Node {
  std::variant<Term, And, Or, Not, Near> v;
};

struct ParseError {
  std::size_t column = 0;  // code points from the start of the query
  std::string message;
};

inline constexpr int kMaxNearDistance = 1000;
inline constexpr int kMaxDepth = 64;
inline constexpr std::size_t kMinPrefixLength = 3;

Result<Node, ParseError> parse(std::string_view text);

// One term of a `rank` list and its weight: `coup^4`, `"peace talks"^2`, `@AQIM^5`,
// `title:junta^3`, `lang:fr^1`, `football^-10`; a term without `^w` weighs 1.
struct WeightedTerm {
  Term term;
  double weight = 1;
};
inline constexpr double kMaxWeight = 1e6;
inline constexpr std::size_t kMaxRankTerms = 10000;

// A `rank` list: weighted terms separated by spaces (no AND, OR, NOT, NEAR or parentheses).
Result<std::vector<WeightedTerm>, ParseError> parse_rank(std::string_view text);

// A compact, unambiguous rendering of the AST for tests: (AND a (OR "b c" d*)), =X, @E, title:w.
std::string to_string(const Node& node);

}  // namespace newswatch::filters::query
