#pragma once
// Matcher: filters and entities compiled once per snapshot (compile() shares no state); match()
// scans each field once and evaluates queries on the hits, reusing scratch: one thread only.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "filters/filter_def.hpp"

namespace newswatch::filters {

// The item's fields exactly as they will be sent (summary/content may hold HTML).
struct ItemText {
  std::string_view title;
  std::string_view summary;
  std::string_view content;
  std::string_view language = {};  // the item's final language (filters::item_language), for lang: and `languages`
};

// offset/length count Unicode code points in the named field as given in ItemText.
struct TermMatch {
  std::string term;                   // the term or alias as written in the config
  std::optional<std::string> entity;  // entity id when the term came from @entity
  std::string field;                  // "title", "summary" or "content"
  std::size_t offset = 0;
  std::size_t length = 0;
  // Filters with a rank: the weight of the rank term that matched; none for a query term
  // that is not in the rank (and for every match of a filter without a rank).
  std::optional<double> weight;
};

struct FilterMatch {
  std::size_t filter_index = 0;  // into Matcher::filters()
  std::vector<TermMatch> matches;
  std::optional<double> score;  // filters with a rank: the weight of the distinct rank terms found
};

// Why a filter fired or not on one item, for `newswatch match --explain`.
struct FilterExplanation {
  std::size_t filter_index = 0;
  bool fired = false;
  std::string reason;              // "fired", or the first thing that stopped it
  std::vector<std::string> found;  // the query's and rank's terms found, as written ("coup^4")
  std::optional<double> score;     // filters with a rank
};

struct MatchResult {
  std::vector<FilterMatch> filters;   // only the filters that matched
  std::vector<std::string> entities;  // ids of every entity found in the item
  bool truncated = false;             // the item passed a limit below: only its first occurrences count
};

// A hostile item ("Mali " a million times) must not turn into a million reported matches per
// filter, or stall the loop sorting them: of each term, the first kMaxOccurrencesPerTerm
// occurrences count (for queries, min_hits and the report), and the scan of an item stops at
// kMaxOccurrencesPerItem occurrences of all terms together. No real news item comes near.
inline constexpr std::size_t kMaxOccurrencesPerTerm = 1024;
inline constexpr std::size_t kMaxOccurrencesPerItem = 65536;

// Which of a term's words (as term_words gives them) the scan looks for: the longest, the first
// of equals, as the rarest as a rule. A phrase's other words are compared around it.
std::size_t phrase_anchor(const std::vector<std::string>& words);

// What to tell the user about an item whose MatchResult is truncated.
std::string truncation_note();

// Semantics chosen where docs/query-language.md leaves room (tests in tests/unit/filters pin them):
// - title is plain text; summary/content are HTML. Inline tags (<b>, <a>, <span>, …) do not
//   split a word, other tags do. Offsets always count code points of the field as given.
// - `=Term` and exact_case aliases are case-sensitive but still diacritic-insensitive
//   ("=Ségou" matches "Segou", not "SEGOU"); they are scanned in a second, case-preserving
//   stream only when the snapshot has such terms.
// - A prefix match (`Islamist*`) reports the whole word it matched.
// - A query must have a term outside NOT (else it is a compile error): only filters with a
//   hit on such a term are evaluated, which keeps the per-item cost independent of the
//   number of filters that did not hit.
// - Reported matches (and min_hits) are the occurrences of the positive terms in the parts of
//   the query that were satisfied: `(a AND b) OR c` with only a and c present reports c.
//   The same mention found by a longer and a shorter alias of one entity counts once.
// - `entities` lists entity ids in gazetteer order.
// - `lang:xx` holds when ItemText::language is xx; like NOT, it finds nothing by itself, so a
//   query needs a word, phrase or entity besides it. `languages` restricts a filter as `feeds` does.
// - A rank (FilterDef::rank) is scored on every item where the filter is considered: each rank
//   term found (once however often it occurs; an entity whichever alias) adds its weight. A filter
//   with a query is considered when a query term is found, one without when a rank term of
//   positive weight is. Rank matches are reported with their weights; min_hits counts the
//   query's and the rank's positive occurrences alike.
class Matcher {
 public:
  static Result<std::shared_ptr<const Matcher>, std::vector<CompileError>> compile(std::vector<FilterDef> filters,
                                                                                   std::vector<EntityDef> entities);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // An error only when Vectorscan refuses a scan (our use never should: it would take a
  // scratch used by two threads at once). The item is then not matched at all, so the caller
  // must not mark it seen.
  Result<MatchResult> match(const ItemText& item, std::string_view feed_id) const;
  // match(), then every filter judged again on the item: one explanation per filter, in order.
  Result<std::vector<FilterExplanation>> explain(const ItemText& item, std::string_view feed_id) const;
  const std::vector<FilterDef>& filters() const { return filters_; }
  const std::vector<EntityDef>& entities() const { return entities_; }
  std::size_t term_count() const;  // distinct terms (words, phrases, prefixes, aliases) compiled

  struct Compiled;  // private representation, defined in matcher.cpp

 private:
  Matcher(std::vector<FilterDef> filters, std::vector<EntityDef> entities, std::unique_ptr<Compiled> compiled);
  std::vector<FilterDef> filters_;
  std::vector<EntityDef> entities_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace newswatch::filters
