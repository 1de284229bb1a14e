#pragma once
// Matcher: every filter and entity compiled once per config snapshot; match() scans an
// item's fields once and evaluates each filter's query on the hits. Not thread-safe.

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
};

// offset/length count Unicode code points in the named field as given in ItemText.
struct TermMatch {
  std::string term;                   // the term or alias as written in the config
  std::optional<std::string> entity;  // entity id when the term came from @entity
  std::string field;                  // "title", "summary" or "content"
  std::size_t offset = 0;
  std::size_t length = 0;
};

struct FilterMatch {
  std::size_t filter_index = 0;  // into Matcher::filters()
  std::vector<TermMatch> matches;
};

struct MatchResult {
  std::vector<FilterMatch> filters;   // only the filters that matched
  std::vector<std::string> entities;  // ids of every entity found in the item
};

class Matcher {
 public:
  static Result<std::shared_ptr<const Matcher>, std::vector<CompileError>> compile(std::vector<FilterDef> filters,
                                                                                   std::vector<EntityDef> entities);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  MatchResult match(const ItemText& item, std::string_view feed_id) const;
  const std::vector<FilterDef>& filters() const { return filters_; }
  const std::vector<EntityDef>& entities() const { return entities_; }
  std::size_t term_count() const;

  struct Compiled;  // private representation, defined in matcher.cpp

 private:
  Matcher(std::vector<FilterDef> filters, std::vector<EntityDef> entities, std::unique_ptr<Compiled> compiled);
  std::vector<FilterDef> filters_;
  std::vector<EntityDef> entities_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace newswatch::filters
