#pragma once
// Filters and entities as the config declares them, before compilation. Plain values;
// SourcePos lets every compile error name file:line:col.

#include <optional>
#include <string>
#include <vector>

namespace newswatch::filters {

struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

struct Alias {
  std::string text;
  bool exact_case = false;
};

struct EntityDef {
  std::string id;
  std::string type;
  std::vector<Alias> aliases;
  SourcePos pos;
};

// What a filter does with items of a story it already alerted on (docs/stories.md): `copies`
// sends a copy of an alerted item as a story update, `stories` every later item of an alerted
// story, `none` alerts every match.
enum class Collapse { copies, stories, none };

struct FilterDef {
  std::string id;
  std::string query;  // empty when the filter has only a rank
  std::string topic;  // "alert.<id>" unless overridden
  int min_hits = 1;
  std::vector<std::string> feeds;      // empty: every feed
  std::vector<std::string> languages;  // empty: every language (codes as docs/languages.md has them)
  // Weighted watchlist (docs/query-language.md, "Languages and weights"): fires when the query
  // (if any) holds and the distinct rank terms found weigh at least `threshold` together.
  Collapse collapse = Collapse::copies;
  std::string rank;  // empty: no rank
  double threshold = 1;
  // Stories a day the burst detector expects until it has learnt from two weeks of history.
  std::optional<double> expected_per_day;
  SourcePos pos;        // of the filter table
  SourcePos query_pos;  // of the query string's opening quote
  SourcePos rank_pos;   // of the rank string's opening quote
  SourcePos threshold_pos;
};

struct CompileError {
  SourcePos pos;
  std::string message;
};

// "file:line:col: message"
std::string format_error(const CompileError& e);

}  // namespace newswatch::filters
