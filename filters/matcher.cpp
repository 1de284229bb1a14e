#include "filters/matcher.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace newswatch::filters {

std::string format_error(const CompileError& e) {
  return e.pos.file + ":" + std::to_string(e.pos.line) + ":" + std::to_string(e.pos.column) + ": " + e.message;
}

namespace {

struct Token {
  std::string folded;  // lower-case
  std::size_t offset;  // code points
  std::size_t length;  // code points
};

bool is_word_byte(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

// Splits text into words; offsets count code points (UTF-8 lead bytes).
std::vector<Token> tokenize(std::string_view text, bool fold) {
  std::vector<Token> out;
  std::size_t cp = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!is_word_byte(c)) {
      ++i;
      ++cp;
      continue;
    }
    Token t{{}, cp, 0};
    while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) {
      const auto b = static_cast<unsigned char>(text[i]);
      t.folded += fold ? static_cast<char>(std::tolower(b)) : static_cast<char>(b);
      if ((b & 0xC0) != 0x80) {
        ++cp;
        ++t.length;
      }
      ++i;
    }
    out.push_back(std::move(t));
  }
  return out;
}

struct Term {
  std::string written;
  std::optional<std::string> entity;
  std::vector<std::string> words;  // folded
};

}  // namespace

struct Matcher::Compiled {
  std::vector<std::vector<Term>> filter_terms;  // per filter: its OR'ed terms
  std::vector<Term> entity_terms;
};

Matcher::Matcher(std::vector<FilterDef> filters, std::vector<EntityDef> entities, std::unique_ptr<Compiled> compiled)
    : filters_(std::move(filters)), entities_(std::move(entities)), compiled_(std::move(compiled)) {}

Matcher::~Matcher() = default;

std::size_t Matcher::term_count() const {
  std::size_t n = compiled_->entity_terms.size();
  for (const auto& f : compiled_->filter_terms)
    n += f.size();
  return n;
}

Result<std::shared_ptr<const Matcher>, std::vector<CompileError>> Matcher::compile(std::vector<FilterDef> filters,
                                                                                   std::vector<EntityDef> entities) {
  auto compiled = std::make_unique<Compiled>();
  std::vector<CompileError> errors;
  auto term_of = [](const std::string& text, std::optional<std::string> entity) {
    Term t{text, std::move(entity), {}};
    for (auto& tok : tokenize(text, true))
      t.words.push_back(std::move(tok.folded));
    return t;
  };
  for (const auto& e : entities) {
    for (const auto& a : e.aliases)
      compiled->entity_terms.push_back(term_of(a.text, e.id));
  }
  for (const auto& f : filters) {
    std::vector<Term> terms;
    std::size_t pos = 0;
    const std::string& q = f.query;
    while (pos < q.size()) {
      while (pos < q.size() && std::isspace(static_cast<unsigned char>(q[pos])) != 0)
        ++pos;
      const std::size_t start = pos;
      while (pos < q.size() && std::isspace(static_cast<unsigned char>(q[pos])) == 0)
        ++pos;
      const std::string word = q.substr(start, pos - start);
      if (word.empty() || word == "OR") continue;
      if (word[0] == '@') {
        auto it = std::find_if(entities.begin(), entities.end(), [&](const auto& e) { return e.id == word.substr(1); });
        if (it == entities.end()) {
          SourcePos p = f.query_pos;
          p.column += static_cast<int>(start) + 1;
          errors.push_back({p, "unknown entity '" + word.substr(1) + "'"});
          continue;
        }
        for (const auto& a : it->aliases)
          terms.push_back(term_of(a.text, it->id));
      } else {
        terms.push_back(term_of(word, std::nullopt));
      }
    }
    if (terms.empty()) errors.push_back({f.query_pos, "empty query in filter '" + f.id + "'"});
    compiled->filter_terms.push_back(std::move(terms));
  }
  if (!errors.empty()) return errors;
  return std::shared_ptr<const Matcher>(new Matcher(std::move(filters), std::move(entities), std::move(compiled)));
}

namespace {

void find_term(const Term& term, const std::vector<Token>& tokens, const char* field, std::vector<TermMatch>& out) {
  if (term.words.empty() || tokens.size() < term.words.size()) return;
  for (std::size_t i = 0; i + term.words.size() <= tokens.size(); ++i) {
    bool all = true;
    for (std::size_t k = 0; k < term.words.size() && all; ++k)
      all = tokens[i + k].folded == term.words[k];
    if (!all) continue;
    const auto& last = tokens[i + term.words.size() - 1];
    out.push_back({term.written, term.entity, field, tokens[i].offset, last.offset + last.length - tokens[i].offset});
  }
}

}  // namespace

MatchResult Matcher::match(const ItemText& item, std::string_view feed_id) const {
  struct Field {
    const char* name;
    std::vector<Token> tokens;
  };
  const Field fields[] = {{"title", tokenize(item.title, true)},
                          {"summary", tokenize(item.summary, true)},
                          {"content", tokenize(item.content, true)}};
  MatchResult result;
  std::set<std::string> entity_ids;
  for (const auto& term : compiled_->entity_terms) {
    std::vector<TermMatch> hits;
    for (const auto& f : fields)
      find_term(term, f.tokens, f.name, hits);
    if (!hits.empty()) entity_ids.insert(*term.entity);
  }
  result.entities.assign(entity_ids.begin(), entity_ids.end());
  for (std::size_t i = 0; i < filters_.size(); ++i) {
    const auto& def = filters_[i];
    if (!def.feeds.empty() && std::find(def.feeds.begin(), def.feeds.end(), feed_id) == def.feeds.end()) continue;
    FilterMatch fm{i, {}};
    for (const auto& term : compiled_->filter_terms[i]) {
      for (const auto& f : fields)
        find_term(term, f.tokens, f.name, fm.matches);
    }
    if (static_cast<int>(fm.matches.size()) >= std::max(1, def.min_hits)) result.filters.push_back(std::move(fm));
  }
  return result;
}

}  // namespace newswatch::filters
