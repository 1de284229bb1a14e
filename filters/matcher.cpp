#include "filters/matcher.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <sstream>
#include <unordered_map>

#include "common/text.hpp"
#include "feeds/language_tag.hpp"
#include "filters/hs_handles.hpp"
#include "filters/normaliser.hpp"
#include "filters/query.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace newswatch::filters {
namespace {

constexpr std::array<const char*, 3> kFieldNames = {"title", "summary", "content"};

// One distinct term (a word, phrase or prefix) as the matcher compares it. Every use of it
// (filter terms, entity aliases) shares it.
struct Pattern {
  std::vector<std::string> words;  // folded (case kept when exact) words
  bool exact = false;              // scanned against the case-preserving stream
  bool prefix = false;             // no boundary required after it
  std::uint32_t anchor = 0;        // the word the database holds; the others are checked around it
};

// One literal of a database: a single word. A phrase is found through its longest word (the
// rarest, as a rule) and its other words are compared in place, which lets any run of
// separators stand between them without the streams having to collapse separators. The scan
// cost depends on distinct words, not on filters or terms.
struct Literal {
  std::string text;
  bool exact = false;
  std::vector<std::uint32_t> patterns;  // the patterns anchored on it
};

struct LeafPattern {
  std::uint32_t pattern = 0;
  std::uint32_t term = 0;    // index into Compiled::terms: the text reported in matches
  std::int32_t entity = -1;  // entity index, or -1
};

enum class Kind : std::uint8_t { leaf, all, any, negate, near, lang };

// A query node. Every filter's nodes, kids and leaf patterns sit next to each other in three
// shared arrays, so evaluating a filter touches a few cache lines rather than a vector per
// node and per leaf (at 10,000 terms, each of those was a cache miss).
struct FlatNode {
  Kind kind = Kind::leaf;
  std::uint8_t fields = query::kAllFields;  // leaf: the fields its term may match in
  std::int32_t distance = 0;                // near
  std::uint32_t first = 0;                  // leaf: into leaf_patterns; lang: into languages; else kids
  std::uint32_t count = 0;
};

// What a matched filter needs besides its spans, in one small array rather than the large
// FilterDef records (at 10,000 terms, reading min_hits from those was a cache miss per filter).
struct FilterInfo {
  std::uint32_t root = 0;
  std::uint32_t min_hits = 1;
  bool feed_restricted = false;      // has a `feeds` list
  bool language_restricted = false;  // has a `languages` list
  bool has_query = true;
  std::uint32_t rank_first = 0;  // into Compiled::rank_terms
  std::uint32_t rank_count = 0;
  double threshold = 0;
};

// One term of a filter's rank: its evaluation node and weight.
struct RankTerm {
  std::uint32_t node = 0;
  double weight = 0;
  std::uint32_t term = 0;  // into Compiled::terms: as written, for --explain
};

// A disjunction (a term, or terms joined by OR, in any scopes) is decided by its hits alone:
// each of its terms is listed under its pattern, a hit gives its spans straight, and its nodes
// are never walked.
struct DirectLeaf {
  std::uint32_t filter = 0;
  std::uint32_t term = 0;
  std::int32_t entity = -1;
  std::uint8_t fields = query::kAllFields;
};

// One occurrence of a pattern: bytes [begin, end) of one field's folded stream.
struct Hit {
  std::uint32_t pattern;
  std::uint8_t field;
  std::uint32_t begin;
  std::uint32_t end;
};

// One occurrence as a query term saw it; what a filter match reports and counts.
struct Span {
  std::uint8_t field;
  std::uint32_t begin;
  std::uint32_t end;
  std::uint32_t term;
  std::int32_t entity;
  // A rank term's weight; not part of the identity: the same occurrence found by the query and
  // by the rank is one match, reported with the rank's weight (sorted first, so unique keeps it).
  bool weighted = false;
  double weight = 0;

  auto key() const { return std::tie(field, begin, end, term, entity); }
  bool operator<(const Span& o) const {
    return std::tie(field, begin, end, term, entity, o.weighted) <
           std::tie(o.field, o.begin, o.end, o.term, o.entity, weighted);
  }
  bool operator==(const Span& o) const { return key() == o.key(); }
};

// A span in word positions (inclusive), for NEAR; `index` is its place in the span list.
struct WordSpan {
  std::uint8_t field;
  std::uint32_t first_word;
  std::uint32_t last_word;
  std::uint32_t index;
};

// Reused across match() calls so that matching an item allocates nothing once warm.
// Generation stamps stand in for clearing per-pattern / per-filter arrays on every item.
struct MatchState {
  std::array<ScanText, 3> fields;
  std::string joined;  // the fields' streams as one scan (see ScanContext)
  std::vector<Hit> hits;
  std::uint32_t generation = 0;
  // Per pattern, together so that one cache line serves: stamp == generation when it has hits
  // in this item, which are hits[first, first + count).
  struct PatternSlot {
    std::uint32_t stamp = 0;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
  };
  std::vector<PatternSlot> pattern_slots;
  std::vector<std::uint32_t> filter_stamp, entity_stamp;
  std::vector<std::uint32_t> candidates, found_entities;
  std::vector<Span> spans, near_a, near_b;
  struct DirectSpan {
    std::uint32_t filter;
    Span span;
    bool operator<(const DirectSpan& o) const { return filter != o.filter ? filter < o.filter : span < o.span; }
  };
  std::string_view language;  // the item's, for lang: terms
  std::vector<DirectSpan> direct_spans;
  std::vector<WordSpan> words_a, words_b;
  std::vector<char> used_a, used_b;
};

}  // namespace

struct Matcher::Compiled {
  std::vector<Pattern> patterns;
  std::vector<Literal> literals;
  // Per pattern: link_ids[entities_begin, filters_begin) are its entities,
  // [filters_begin, filters_end) the filters whose query is walked when it hits, and
  // direct[direct_begin, direct_end) the disjunctions' terms on it (see DirectLeaf). Read per
  // hit, so kept small and flat.
  struct Links {
    std::uint32_t entities_begin = 0;
    std::uint32_t filters_begin = 0;
    std::uint32_t filters_end = 0;
    std::uint32_t direct_begin = 0;
    std::uint32_t direct_end = 0;
  };
  std::vector<Links> links;
  std::vector<std::uint32_t> link_ids;
  std::vector<DirectLeaf> direct;
  std::vector<FilterInfo> filter_info;
  std::vector<std::string> terms;
  std::vector<FlatNode> nodes;
  std::vector<std::uint32_t> kids;  // node indices
  std::vector<LeafPattern> leaf_patterns;
  std::vector<std::string> languages;  // of lang: terms
  std::vector<RankTerm> rank_terms;
  std::vector<query::Node> queries;  // per filter, as parsed: --explain names the clause that failed
  HsDatabase folded_db;
  HsDatabase exact_db;
  mutable HsScratch scratch;
  mutable MatchState state;
};

namespace {

using Compiled = Matcher::Compiled;

// 4, -10, 2.5: as an analyst wrote it.
std::string format_weight(double w) {
  std::ostringstream os;
  os << w;
  return os.str();
}

// Words joined by single spaces: a pattern's identity.
std::string join_literal(const std::vector<std::string>& words) {
  std::string lit;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) lit += ' ';
    lit += words[i];
  }
  return lit;
}

// What a Vectorscan match id says. Most literals stand for one single-word term: the id then
// carries that term, its length and whether it is a prefix, so the match callback reads no
// table (at 10,000 terms those reads miss the cache, which the scan has just filled).
// Otherwise the id is the literal's index, and the callback looks its patterns up.
constexpr unsigned kDirect = 1U << 31;
constexpr unsigned kDirectPrefix = 1U << 30;
constexpr unsigned kLengthShift = 22;
constexpr unsigned kMaxDirectLength = 0xFF;
constexpr unsigned kMaxDirectPattern = (1U << kLengthShift) - 1;

unsigned scan_id(const Literal& l, std::uint32_t index, const std::vector<Pattern>& patterns) {
  if (l.patterns.size() == 1 && l.text.size() <= kMaxDirectLength && l.patterns[0] <= kMaxDirectPattern) {
    const Pattern& p = patterns[l.patterns[0]];
    if (p.words.size() == 1) {
      return kDirect | (p.prefix ? kDirectPrefix : 0U) | static_cast<unsigned>(l.text.size() << kLengthShift) |
             l.patterns[0];
    }
  }
  return index;
}

class Builder {
 public:
  Builder(const std::vector<FilterDef>& filters, const std::vector<EntityDef>& entities, Compiled& out)
      : filters_(filters), entities_(entities), out_(out) {}

  std::vector<CompileError> run() {
    for (std::uint32_t e = 0; e < entities_.size(); ++e)
      add_entity(e);
    for (std::uint32_t f = 0; f < filters_.size(); ++f)
      add_filter(f);
    if (errors_.empty()) build_databases();
    return std::move(errors_);
  }

 private:
  std::uint32_t intern(const std::vector<std::string>& words, bool exact, bool prefix) {
    std::string lit = join_literal(words);
    std::string key = std::string(exact ? "E" : "F") + (prefix ? "P" : "W") + lit;
    auto [it, inserted] = index_.emplace(std::move(key), static_cast<std::uint32_t>(out_.patterns.size()));
    if (inserted) {
      Pattern p;
      p.words = words;
      p.exact = exact;
      p.prefix = prefix;
      p.anchor = static_cast<std::uint32_t>(phrase_anchor(words));
      // The literal is " word": the space before it makes Vectorscan itself drop the many
      // occurrences inside longer words. The end boundary is checked in the match callback:
      // literals that all end in ' ' would defeat Vectorscan's filtering on their last bytes.
      std::string text = " " + words[p.anchor];
      std::string lit_key = (exact ? "E" : "F") + text;
      auto [lit, new_lit] =
          literal_index_.emplace(std::move(lit_key), static_cast<std::uint32_t>(out_.literals.size()));
      if (new_lit) out_.literals.push_back({std::move(text), exact, {}});
      out_.literals[lit->second].patterns.push_back(it->second);
      out_.patterns.push_back(std::move(p));
      pattern_entities_.emplace_back();
      pattern_filters_.emplace_back();
      pattern_direct_.emplace_back();
    }
    return it->second;
  }

  std::uint32_t term_text(const std::string& s) {
    auto [it, inserted] = term_index_.emplace(s, static_cast<std::uint32_t>(out_.terms.size()));
    if (inserted) out_.terms.push_back(s);
    return it->second;
  }

  void add_entity(std::uint32_t e) {
    const auto& def = entities_[e];
    entity_ids_.emplace(def.id, e);
    auto& pats = entity_patterns_.emplace_back();
    for (const auto& alias : def.aliases) {
      auto words = term_words(alias.text, alias.exact_case);
      if (words.empty()) {
        errors_.push_back({def.pos, "entity '" + def.id + "': alias '" + alias.text + "' has no letters or digits"});
        continue;
      }
      const std::uint32_t p = intern(words, alias.exact_case, false);
      auto& owners = pattern_entities_[p];
      if (std::find(owners.begin(), owners.end(), e) == owners.end()) owners.push_back(e);
      pats.push_back({p, term_text(alias.text), static_cast<std::int32_t>(e)});
    }
  }

  static SourcePos at_column(const SourcePos& string_pos, std::size_t column) {
    SourcePos p = string_pos;
    // The value starts one character after the opening quote (exact for one-line strings).
    p.column += 1 + static_cast<int>(column);
    return p;
  }

  void add_filter(std::uint32_t f) {
    const auto& def = filters_[f];
    out_.filter_info.emplace_back();
    out_.queries.emplace_back();
    out_.filter_info[f].min_hits = static_cast<std::uint32_t>(std::max(1, def.min_hits));
    out_.filter_info[f].feed_restricted = !def.feeds.empty();
    out_.filter_info[f].language_restricted = !def.languages.empty();
    // A filter without a rank must have a query: an empty one is reported as such.
    const bool has_query = !def.query.empty() || def.rank.empty();
    out_.filter_info[f].has_query = has_query;
    out_.filter_info[f].threshold = def.threshold;
    for (const auto& code : def.languages) {
      if (!feeds::is_language_code(code)) {
        errors_.push_back({def.pos, "filter '" + def.id + "': languages: " + feeds::language_code_problem(code)});
      }
    }
    if (has_query) {
      auto parsed = query::parse(def.query);
      if (!parsed) {  // never evaluated: the snapshot fails to compile
        errors_.push_back(
            {at_column(def.query_pos, parsed.error().column), "filter '" + def.id + "': " + parsed.error().message});
        return;
      }
      positive_ = 0;
      const std::uint32_t root = lower(*parsed, f, false);
      out_.filter_info[f].root = root;
      out_.queries[f] = std::move(*parsed);
      if (positive_ == 0 && errors_.empty()) {
        errors_.push_back(
            {at_column(def.query_pos, 0),
             "filter '" + def.id + "': the query has no word, phrase or entity outside NOT, so it could never match"});
      }
      if (def.rank.empty() && is_disjunction(root)) list_direct(root, f);
    }
    if (!def.rank.empty()) add_rank(f);
  }

  void add_rank(std::uint32_t f) {
    const auto& def = filters_[f];
    auto parsed = query::parse_rank(def.rank);
    if (!parsed) {
      errors_.push_back(
          {at_column(def.rank_pos, parsed.error().column), "filter '" + def.id + "': rank: " + parsed.error().message});
      return;
    }
    const bool has_query = !def.query.empty();
    out_.filter_info[f].rank_first = static_cast<std::uint32_t>(out_.rank_terms.size());
    // What the best combination of terms can reach: every positive weight, but of lang: terms
    // only one (an item has one language).
    double reachable = 0;
    double best_lang = 0;
    std::size_t scanned_positive = 0;
    std::unordered_map<std::string, std::size_t> seen;
    for (const auto& wt : *parsed) {
      const std::string shown = query::to_string(query::Node{wt.term});
      if (!seen.emplace(shown, wt.term.column).second) {
        errors_.push_back(
            {at_column(def.rank_pos, wt.term.column),
             "filter '" + def.id + "': rank: '" + wt.term.written + "' is listed twice; give it one weight"});
        continue;
      }
      if (!wt.term.language.empty()) {
        best_lang = std::max(best_lang, wt.weight);
      } else if (wt.weight > 0) {
        reachable += wt.weight;
        ++scanned_positive;
      }
      // Without a query, a rank term of positive weight makes the filter a candidate.
      const std::uint32_t node = lower(query::Node{wt.term}, f, has_query || wt.weight <= 0);
      out_.rank_terms.push_back({node, wt.weight, term_text(wt.term.written)});
    }
    out_.filter_info[f].rank_count =
        static_cast<std::uint32_t>(out_.rank_terms.size()) - out_.filter_info[f].rank_first;
    reachable += best_lang;
    if (!has_query && scanned_positive == 0) {
      errors_.push_back({at_column(def.rank_pos, 0), "filter '" + def.id +
                                                         "': the rank has no word, phrase or entity of positive "
                                                         "weight and there is no query, so it could never fire"});
    } else if (!has_query && !(def.threshold > 0)) {
      errors_.push_back({def.threshold_pos, "filter '" + def.id + "': threshold " + format_weight(def.threshold) +
                                                " would fire on items that match nothing; without a query it must "
                                                "be above 0"});
    } else if (reachable < def.threshold) {
      errors_.push_back({def.threshold_pos, "filter '" + def.id + "': threshold " + format_weight(def.threshold) +
                                                " cannot be reached: the rank's positive weights add up to " +
                                                format_weight(reachable)});
    }
  }

  bool is_disjunction(std::uint32_t index) const {
    const FlatNode& n = out_.nodes[index];
    if (n.kind == Kind::leaf) return true;
    if (n.kind == Kind::lang) return false;
    if (n.kind != Kind::any) return false;
    for (std::uint32_t k = 0; k < n.count; ++k) {
      if (!is_disjunction(out_.kids[n.first + k])) return false;
    }
    return true;
  }

  // Lists the disjunction's terms under their patterns, in place of the candidate links that
  // lower_term gave them (filter f is the last user of each, as filters are added in order).
  void list_direct(std::uint32_t index, std::uint32_t f) {
    const FlatNode& n = out_.nodes[index];
    if (n.kind != Kind::leaf) {
      for (std::uint32_t k = 0; k < n.count; ++k)
        list_direct(out_.kids[n.first + k], f);
      return;
    }
    for (std::uint32_t k = n.first; k < n.first + n.count; ++k) {
      const LeafPattern& lp = out_.leaf_patterns[k];
      auto& users = pattern_filters_[lp.pattern];
      if (!users.empty() && users.back() == f) users.pop_back();
      pattern_direct_[lp.pattern].push_back({f, lp.term, lp.entity, n.fields});
    }
  }

  // AST -> evaluation nodes, appended in post-order to the shared arrays (a node's kids end up
  // contiguous in `kids`, a leaf's patterns in `leaf_patterns`); resolves entities and interns
  // every literal. Returns the node's index.
  std::uint32_t lower(const query::Node& n, std::uint32_t f, bool negated) {
    FlatNode node;
    std::vector<std::uint32_t> kids;
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, query::Term>) {
            if (!v.language.empty()) {
              node.kind = Kind::lang;
              const auto at = std::find(out_.languages.begin(), out_.languages.end(), v.language);
              node.first = static_cast<std::uint32_t>(at - out_.languages.begin());
              if (at == out_.languages.end()) out_.languages.push_back(v.language);
              return;
            }
            node.kind = Kind::leaf;
            node.fields = v.fields;
            node.first = static_cast<std::uint32_t>(out_.leaf_patterns.size());
            lower_term(v, f, negated);
            node.count = static_cast<std::uint32_t>(out_.leaf_patterns.size()) - node.first;
          } else if constexpr (std::is_same_v<V, query::Not>) {
            node.kind = Kind::negate;
            kids.push_back(lower(v.child.front(), f, true));
          } else if constexpr (std::is_same_v<V, query::Near>) {
            node.kind = Kind::near;
            node.distance = v.distance;
            for (const auto& o : v.operands)
              kids.push_back(lower(o, f, negated));
          } else {
            node.kind = std::is_same_v<V, query::And> ? Kind::all : Kind::any;
            for (const auto& c : v.children)
              kids.push_back(lower(c, f, negated));
          }
        },
        n.v);
    if (node.kind != Kind::leaf && node.kind != Kind::lang) {
      node.first = static_cast<std::uint32_t>(out_.kids.size());
      node.count = static_cast<std::uint32_t>(kids.size());
      out_.kids.insert(out_.kids.end(), kids.begin(), kids.end());
    }
    out_.nodes.push_back(node);
    return static_cast<std::uint32_t>(out_.nodes.size() - 1);
  }

  // Appends the term's patterns to `leaf_patterns`.
  void lower_term(const query::Term& t, std::uint32_t f, bool negated) {
    const std::size_t first = out_.leaf_patterns.size();
    if (!t.entity.empty()) {
      const auto it = entity_ids_.find(t.entity);
      if (it == entity_ids_.end()) {
        std::string message = "filter '" + filters_[f].id + "': unknown entity '@" + t.entity + "'";
        // The suggestion: an id equal but for case, else the nearest id within two edits
        // (a typo such as @Malii), when there is exactly one such nearest.
        const filters::EntityDef* suggestion = nullptr;
        std::size_t best = 3;
        bool tie = false;
        for (const auto& e : entities_) {
          if (ascii_iequals(e.id, t.entity)) {
            suggestion = &e;
            tie = false;
            break;
          }
          const std::size_t d = edit_distance(to_ascii_lower(e.id), to_ascii_lower(t.entity));
          if (d < best) {
            best = d;
            suggestion = &e;
            tie = false;
          } else if (d == best) {
            tie = true;
          }
        }
        if (suggestion != nullptr && !tie) message += "; did you mean '@" + suggestion->id + "'?";
        if (entities_.empty()) message += " (no [[entity]] is defined)";
        const auto& def = filters_[f];
        errors_.push_back({at_column(def.query.empty() ? def.rank_pos : def.query_pos, t.column), std::move(message)});
        return;
      }
      const auto& aliases = entity_patterns_[it->second];
      out_.leaf_patterns.insert(out_.leaf_patterns.end(), aliases.begin(), aliases.end());
    } else {
      out_.leaf_patterns.push_back({intern(t.words, t.exact, t.prefix), term_text(t.written), -1});
    }
    if (negated) return;
    for (std::size_t k = first; k < out_.leaf_patterns.size(); ++k) {
      auto& users = pattern_filters_[out_.leaf_patterns[k].pattern];
      if (users.empty() || users.back() != f) users.push_back(f);
      ++positive_;
    }
  }

  void compile_db(bool exact, HsDatabase& db) {
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> ids;
    std::vector<unsigned> flags;
    for (std::uint32_t i = 0; i < out_.literals.size(); ++i) {
      const auto& l = out_.literals[i];
      if (l.exact != exact) continue;
      exprs.push_back(l.text.data());
      lens.push_back(l.text.size());
      ids.push_back(scan_id(l, i, out_.patterns));
      flags.push_back(0);
    }
    if (exprs.empty()) return;
    hs_database_t* raw = nullptr;
    hs_compile_error_t* err = nullptr;
    const hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                               static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &raw, &err);
    HsCompileError err_owner(err);
    db.reset(raw);
    if (rc != HS_SUCCESS) {
      errors_.push_back(
          {SourcePos{}, std::string("cannot build the match database: ") +
                            (err != nullptr && err->message != nullptr ? err->message : "unknown error")});
    }
  }

  void build_databases() {
    compile_db(false, out_.folded_db);
    compile_db(true, out_.exact_db);
    if (!errors_.empty()) return;
    hs_scratch_t* scratch = nullptr;
    for (auto* db : {out_.folded_db.get(), out_.exact_db.get()}) {
      if (db == nullptr) continue;
      if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
        errors_.push_back({SourcePos{}, "cannot allocate Vectorscan scratch space"});
        break;
      }
    }
    out_.scratch.reset(scratch);
    auto& st = out_.state;
    st.pattern_slots.assign(out_.patterns.size(), {});
    // The per-hit lookups read compact copies of what they need (see Compiled::links).
    for (std::size_t p = 0; p < out_.patterns.size(); ++p) {
      Compiled::Links l;
      l.entities_begin = static_cast<std::uint32_t>(out_.link_ids.size());
      out_.link_ids.insert(out_.link_ids.end(), pattern_entities_[p].begin(), pattern_entities_[p].end());
      l.filters_begin = static_cast<std::uint32_t>(out_.link_ids.size());
      out_.link_ids.insert(out_.link_ids.end(), pattern_filters_[p].begin(), pattern_filters_[p].end());
      l.filters_end = static_cast<std::uint32_t>(out_.link_ids.size());
      l.direct_begin = static_cast<std::uint32_t>(out_.direct.size());
      out_.direct.insert(out_.direct.end(), pattern_direct_[p].begin(), pattern_direct_[p].end());
      l.direct_end = static_cast<std::uint32_t>(out_.direct.size());
      out_.links.push_back(l);
    }
    st.filter_stamp.assign(filters_.size(), 0);
    st.entity_stamp.assign(entities_.size(), 0);
  }

  const std::vector<FilterDef>& filters_;
  const std::vector<EntityDef>& entities_;
  Compiled& out_;
  std::vector<CompileError> errors_;
  std::unordered_map<std::string, std::uint32_t> index_;
  std::unordered_map<std::string, std::uint32_t> literal_index_;
  std::unordered_map<std::string, std::uint32_t> term_index_;
  std::unordered_map<std::string, std::uint32_t> entity_ids_;
  std::vector<std::vector<LeafPattern>> entity_patterns_;
  // Per pattern, while building: the entities having it as an alias, and the filters using it
  // outside any NOT (candidates on a hit). Flattened into Compiled::links at the end.
  std::vector<std::vector<std::uint32_t>> pattern_entities_;
  std::vector<std::vector<std::uint32_t>> pattern_filters_;
  std::vector<std::vector<DirectLeaf>> pattern_direct_;  // the disjunctions' terms on it
  std::size_t positive_ = 0;
};

bool is_word_start(std::string_view s, std::size_t i) { return i > 0 && s[i] != ' ' && s[i - 1] == ' '; }

// Words starting in s[from, to). Streams start with a space, so position 0 never starts one.
std::uint32_t count_word_starts(std::string_view s, std::size_t from, std::size_t to) {
  std::uint32_t n = 0;
  std::size_t i = std::max<std::size_t>(from, 1);
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  for (; i + 16 <= to; i += 16) {
    const auto* at = reinterpret_cast<const __m128i*>(s.data() + i);
    const auto here = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(at), space)));
    const auto before = static_cast<std::uint32_t>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i - 1)), space)));
    n += static_cast<std::uint32_t>(std::popcount(~here & before & 0xFFFFU));
  }
#endif
  for (; i < to; ++i)
    n += is_word_start(s, i) ? 1 : 0;
  return n;
}

// Word positions in a stream, counted on demand (streams keep no per-word records) from the
// last position asked about: callers ask in mostly increasing order, so the total is about one
// pass over the stream.
class WordCounter {
 public:
  explicit WordCounter(std::string_view stream) : s_(stream) {}

  // Index of the word starting at byte `begin`; of the word containing it when it is inside one.
  std::uint32_t index_at(std::size_t begin) {
    const std::size_t to = begin + 1;  // counts the start at `begin` itself
    if (to >= pos_) {
      starts_ += count_word_starts(s_, pos_, to);
    } else {
      starts_ -= count_word_starts(s_, to, pos_);
    }
    pos_ = to;
    return starts_ - 1;
  }

  // Byte where word `k` starts.
  std::size_t start_of(std::uint32_t k) {
    while (starts_ > k) {  // behind us (a phrase reaching back): walk back, not from the start
      --pos_;
      if (is_word_start(s_, pos_)) --starts_;
    }
    while (pos_ + 17 <= s_.size()) {
      const std::uint32_t n = count_word_starts(s_, pos_, pos_ + 16);
      if (starts_ + n > k) break;  // the start we want is in this block
      starts_ += n;
      pos_ += 16;
    }
    for (;; ++pos_) {
      if (is_word_start(s_, pos_) && starts_++ == k) return pos_++;
    }
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;       // a byte of the stream
  std::uint32_t starts_ = 0;  // words starting in [0, pos_)
};

// The three fields' streams joined by '\n', which no literal contains and no phrase crosses:
// an item costs one Vectorscan call per database instead of three, and a call's fixed cost is
// not small next to a few hundred bytes of text. Field f is [base[f], base[f + 1] - 1).
struct ScanContext {
  const Compiled* compiled;
  std::string_view stream;
  std::array<std::size_t, 4> base;
  std::vector<Hit>* hits;

  // A hit on `pattern` at joined bytes [begin, end): recorded in its field's own offsets.
  // Returns what the match callback returns: non-zero stops the scan, at the item's limit.
  int add(std::uint32_t pattern, std::size_t begin, std::size_t end) const {
    const std::uint8_t field = begin < base[1] ? 0 : (begin < base[2] ? 1 : 2);
    const std::size_t at = base[field];
    hits->push_back({pattern, field, static_cast<std::uint32_t>(begin - at), static_cast<std::uint32_t>(end - at)});
    return hits->size() >= kMaxOccurrencesPerItem ? 1 : 0;
  }
};

// Extends [begin, end) (the anchor word) over the pattern's other words, which must follow
// each other with only separators between them. False when they are not all there.
bool phrase_around(std::string_view s, const Pattern& p, std::size_t& begin, std::size_t& end) {
  for (std::uint32_t k = p.anchor; k-- > 0;) {
    std::size_t last = begin - 1;  // a space
    while (last > 0 && s[last] == ' ')
      --last;
    const std::string& w = p.words[k];
    if (s[last] == ' ' || last + 1 < w.size() + 1) return false;
    const std::size_t at = last + 1 - w.size();
    if (s.compare(at, w.size(), w) != 0 || s[at - 1] != ' ') return false;
    begin = at;
  }
  for (std::size_t k = p.anchor + 1; k < p.words.size(); ++k) {
    std::size_t at = end;  // a space
    while (at < s.size() && s[at] == ' ')
      ++at;
    const std::string& w = p.words[k];
    if (at + w.size() >= s.size() || s.compare(at, w.size(), w) != 0 || s[at + w.size()] != ' ') return false;
    end = at + w.size();
  }
  return true;
}

// A hit is a whole-word match when (unless a prefix) the byte after it is a space: the literal
// starts with one. The stream's closing space keeps the read in bounds.
int on_match(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
             void* ctx) noexcept {
  auto& c = *static_cast<ScanContext*>(ctx);
  const auto end = static_cast<std::size_t>(to);
  const std::string_view s = c.stream;
  const bool word_end = end < s.size() && s[end] == ' ';
  if ((id & kDirect) != 0) {
    const std::size_t begin = end - ((id >> kLengthShift) & kMaxDirectLength) + 1;  // after the leading space
    std::size_t e = end;
    if ((id & kDirectPrefix) != 0) {
      e = s.find(' ', end);  // a prefix match reports the whole word
    } else if (!word_end) {
      return 0;
    }
    return c.add(id & kMaxDirectPattern, begin, e);
  }
  const Literal& lit = c.compiled->literals[id];
  const std::size_t begin = end - lit.text.size() + 1;  // after the literal's leading space
  for (const auto id_p : lit.patterns) {
    const Pattern& p = c.compiled->patterns[id_p];
    std::size_t b = begin;
    std::size_t e = end;
    if (p.prefix) {
      e = s.find(' ', end);  // a prefix match reports the whole word
    } else if (!word_end || (p.words.size() > 1 && !phrase_around(s, p, b, e))) {
      continue;
    }
    if (c.add(id_p, b, e) != 0) return 1;
  }
  return 0;
}

hs_error_t scan_item(const Compiled& c, const hs_database_t* db, bool exact_stream, MatchState& st) {
  std::string& joined = st.joined;
  joined.clear();
  ScanContext ctx{&c, {}, {}, &st.hits};
  for (std::size_t f = 0; f < 3; ++f) {
    ctx.base[f] = joined.size();
    joined.append(exact_stream ? st.fields[f].exact() : st.fields[f].folded());
    joined.push_back('\n');
  }
  ctx.base[3] = joined.size();
  ctx.stream = joined;
  return hs_scan(db, joined.data(), static_cast<unsigned>(joined.size()), 0, c.scratch.get(), on_match, &ctx);
}

class Evaluator {
 public:
  Evaluator(MatchState& st, const Compiled& c) : st_(st), c_(c) {}

  // Appends the spans that made node `index` true; leaves `out` as it was when it is false.
  bool eval(std::uint32_t index, std::vector<Span>& out) {
    const FlatNode& n = c_.nodes[index];
    const std::uint32_t* kids = c_.kids.data() + n.first;
    switch (n.kind) {
      case Kind::leaf:
        return leaf(n, out);
      case Kind::all: {
        const std::size_t mark = out.size();
        for (std::uint32_t k = 0; k < n.count; ++k) {
          if (!eval(kids[k], out)) {
            out.resize(mark);
            return false;
          }
        }
        return true;
      }
      case Kind::any: {
        bool any = false;
        for (std::uint32_t k = 0; k < n.count; ++k)
          any = eval(kids[k], out) || any;
        return any;
      }
      case Kind::negate: {
        const std::size_t mark = out.size();
        const bool inner = eval(kids[0], out);
        out.resize(mark);
        return !inner;
      }
      case Kind::near:
        return near(n, out);
      case Kind::lang:
        return st_.language == c_.languages[n.first];
    }
    return false;
  }

 private:
  bool leaf(const FlatNode& l, std::vector<Span>& out) {
    bool any = false;
    for (std::uint32_t k = 0; k < l.count; ++k) {
      const LeafPattern& lp = c_.leaf_patterns[l.first + k];
      const MatchState::PatternSlot& slot = st_.pattern_slots[lp.pattern];
      if (slot.stamp != st_.generation) continue;
      const std::uint32_t first = slot.first;
      const std::uint32_t end = first + slot.count;
      for (std::uint32_t h = first; h < end; ++h) {
        const Hit& hit = st_.hits[h];
        if ((l.fields & (1U << hit.field)) == 0) continue;
        out.push_back({hit.field, hit.begin, hit.end, lp.term, lp.entity});
        any = true;
      }
    }
    return any;
  }

  // Spans in word positions, sorted by where they start.
  void to_words(const std::vector<Span>& spans, std::vector<WordSpan>& out) {
    out.clear();
    for (std::uint32_t i = 0; i < spans.size(); ++i)
      out.push_back({spans[i].field, 0, 0, i});
    std::sort(out.begin(), out.end(), [&](const WordSpan& x, const WordSpan& y) {
      return std::tie(x.field, spans[x.index].begin) < std::tie(y.field, spans[y.index].begin);
    });
    std::array<WordCounter, 3> counters{WordCounter(st_.fields[0].folded()), WordCounter(st_.fields[1].folded()),
                                        WordCounter(st_.fields[2].folded())};
    for (auto& w : out) {
      const Span& span = spans[w.index];
      w.first_word = counters[w.field].index_at(span.begin);
      w.last_word = counters[w.field].index_at(span.end - 1);
    }
  }

  // Operands are terms or ORs of terms (the parser guarantees it), so they never nest a NEAR
  // and the two scratch vectors suffice.
  bool near(const FlatNode& n, std::vector<Span>& out) {
    auto& a = st_.near_a;
    auto& b = st_.near_b;
    a.clear();
    b.clear();
    const std::uint32_t* kids = c_.kids.data() + n.first;
    if (!eval(kids[0], a) || !eval(kids[1], b)) return false;
    auto& wa = st_.words_a;
    auto& wb = st_.words_b;
    to_words(a, wa);
    to_words(b, wb);
    std::uint32_t widest = 0;
    for (const auto& y : wb)
      widest = std::max(widest, y.last_word - y.first_word);
    st_.used_a.assign(a.size(), 0);
    st_.used_b.assign(b.size(), 0);
    const auto d = static_cast<std::int64_t>(n.distance);
    bool found = false;
    for (const WordSpan& x : wa) {
      const std::int64_t lo = std::max<std::int64_t>(0, std::int64_t{x.first_word} - d - widest);
      auto it = std::lower_bound(wb.begin(), wb.end(), std::pair{x.field, static_cast<std::uint32_t>(lo)},
                                 [](const WordSpan& s, const std::pair<std::uint8_t, std::uint32_t>& p) {
                                   return std::tie(s.field, s.first_word) < std::tie(p.first, p.second);
                                 });
      for (; it != wb.end() && it->field == x.field && std::int64_t{it->first_word} <= std::int64_t{x.last_word} + d;
           ++it) {
        if (it->first_word == x.first_word && it->last_word == x.last_word) continue;  // the same words
        const std::int64_t gap =
            std::int64_t{std::max(x.first_word, it->first_word)} - std::int64_t{std::min(x.last_word, it->last_word)};
        if (gap > d) continue;
        st_.used_a[x.index] = 1;
        st_.used_b[it->index] = 1;
        found = true;
      }
    }
    if (!found) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (st_.used_a[i] != 0) out.push_back(a[i]);
    }
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (st_.used_b[i] != 0) out.push_back(b[i]);
    }
    return true;
  }

  MatchState& st_;
  const Compiled& c_;
};

// The rank's score: the weights of its terms found, each once. Their spans are appended to
// `spans` marked with the weight; `found` (for --explain) gets "term^weight" for each.
double rank_score(Evaluator& evaluator, const Compiled& c, const FilterInfo& info, std::vector<Span>& spans,
                  std::vector<std::string>* found) {
  double score = 0;
  for (std::uint32_t k = info.rank_first; k < info.rank_first + info.rank_count; ++k) {
    const RankTerm& rt = c.rank_terms[k];
    const std::size_t mark = spans.size();
    if (!evaluator.eval(rt.node, spans)) continue;
    score += rt.weight;
    for (std::size_t j = mark; j < spans.size(); ++j) {
      spans[j].weighted = true;
      spans[j].weight = rt.weight;
    }
    if (found != nullptr) found->push_back(c.terms[rt.term] + "^" + format_weight(rt.weight));
  }
  return score;
}

// Occurrences min_hits counts: all but those of rank terms that weigh against the filter.
std::size_t counted_hits(const std::vector<Span>& spans) {
  return static_cast<std::size_t>(
      std::count_if(spans.begin(), spans.end(), [](const Span& s) { return !s.weighted || s.weight > 0; }));
}

// Every leaf of the query that has hits, whether or not its clause held.
void collect_leaves(Evaluator& evaluator, const Compiled& c, std::uint32_t index, std::vector<Span>& out) {
  const FlatNode& n = c.nodes[index];
  if (n.kind == Kind::leaf) {
    evaluator.eval(index, out);
    return;
  }
  if (n.kind == Kind::lang) return;
  for (std::uint32_t k = 0; k < n.count; ++k)
    collect_leaves(evaluator, c, c.kids[n.first + k], out);
}

// The query's first top-level clause (of an AND) that does not hold, as the parser reads it;
// the whole query when it is not an AND.
std::string failed_clause(Evaluator& evaluator, const Compiled& c, std::uint32_t root, const query::Node& ast) {
  const FlatNode& n = c.nodes[root];
  const auto* all = std::get_if<query::And>(&ast.v);
  if (n.kind == Kind::all && all != nullptr && all->children.size() == n.count) {
    std::vector<Span> scratch;
    for (std::uint32_t k = 0; k < n.count; ++k) {
      scratch.clear();
      if (!evaluator.eval(c.kids[n.first + k], scratch)) return query::to_string(all->children[k]);
    }
  }
  return query::to_string(ast);
}

// "République du Mali" also contains the alias "Mali": one mention, reported once, as the
// longest alias of that entity covering it. Quadratic, so only for the usual few spans.
void drop_nested_aliases(std::vector<Span>& spans, std::vector<char>& drop) {
  if (spans.size() > 256 || std::none_of(spans.begin(), spans.end(), [](const Span& s) { return s.entity >= 0; })) {
    return;
  }
  const auto inside = [](const Span& a, const Span& b) {  // a strictly within b, same entity
    return a.entity >= 0 && a.entity == b.entity && a.field == b.field && b.begin <= a.begin && a.end <= b.end &&
           (b.begin != a.begin || b.end != a.end);
  };
  drop.assign(spans.size(), 0);
  bool any = false;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    for (std::size_t j = 0; j < spans.size() && drop[i] == 0; ++j) {
      if (inside(spans[i], spans[j])) drop[i] = 1;
    }
    any = any || drop[i] != 0;
  }
  if (!any) return;
  std::size_t out = 0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (drop[i] == 0) spans[out++] = spans[i];
  }
  spans.resize(out);
}

}  // namespace

Matcher::Matcher(std::vector<FilterDef> filters, std::vector<EntityDef> entities, std::unique_ptr<Compiled> compiled)
    : filters_(std::move(filters)), entities_(std::move(entities)), compiled_(std::move(compiled)) {}

Matcher::~Matcher() = default;

std::size_t Matcher::term_count() const { return compiled_->patterns.size(); }

std::size_t phrase_anchor(const std::vector<std::string>& words) {
  std::size_t anchor = 0;
  for (std::size_t k = 1; k < words.size(); ++k) {
    if (words[k].size() > words[anchor].size()) anchor = k;
  }
  return anchor;
}

std::string truncation_note() {
  return "more term occurrences than are counted; the first " + std::to_string(kMaxOccurrencesPerTerm) +
         " of each term, " + std::to_string(kMaxOccurrencesPerItem) + " in all, were matched";
}

Result<std::shared_ptr<const Matcher>, std::vector<CompileError>> Matcher::compile(std::vector<FilterDef> filters,
                                                                                   std::vector<EntityDef> entities) {
  auto compiled = std::make_unique<Compiled>();
  auto errors = Builder(filters, entities, *compiled).run();
  if (!errors.empty()) return errors;
  // The constructor is private, so make_shared cannot reach it.
  return std::shared_ptr<const Matcher>(new Matcher(std::move(filters), std::move(entities), std::move(compiled)));
}

Result<MatchResult> Matcher::match(const ItemText& item, std::string_view feed_id) const {
  const Compiled& c = *compiled_;
  MatchState& st = c.state;
  MatchResult result;
  st.language = item.language;
  if (++st.generation == 0) {  // wrapped: old stamps could collide with new generations
    std::fill(st.pattern_slots.begin(), st.pattern_slots.end(), MatchState::PatternSlot{});
    std::fill(st.filter_stamp.begin(), st.filter_stamp.end(), 0);
    std::fill(st.entity_stamp.begin(), st.entity_stamp.end(), 0);
    st.generation = 1;
  }
  const bool exact = c.exact_db != nullptr;
  normalise(item.title, TextKind::plain, exact, st.fields[0]);
  normalise(item.summary, TextKind::html, exact, st.fields[1]);
  // Parsers fill a missing summary with the content (as feedparser does): scanning the
  // same text twice would double every hit and min_hits with it.
  const bool content_repeats_summary = !item.content.empty() && item.content == item.summary;
  normalise(content_repeats_summary ? std::string_view() : item.content, TextKind::html, exact, st.fields[2]);

  st.hits.clear();
  if (st.fields[0].has_words() || st.fields[1].has_words() || st.fields[2].has_words()) {
    // A scan stopped at the item's limit (see kMaxOccurrencesPerItem) kept what it found.
    const auto scanned = [&result](hs_error_t rc) -> Result<Ok> {
      if (rc == HS_SCAN_TERMINATED) result.truncated = true;
      if (rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED) return Ok{};
      return make_error("Vectorscan could not scan the item (error " + std::to_string(rc) + ")");
    };
    if (c.folded_db) {
      if (auto r = scanned(scan_item(c, c.folded_db.get(), false, st)); !r) return r.error();
    }
    if (c.exact_db && !result.truncated) {
      const std::size_t mark = st.hits.size();
      if (auto r = scanned(scan_item(c, c.exact_db.get(), true, st)); !r) return r.error();
      // Exact-stream bytes -> the same words' folded bytes (both streams have the same words).
      std::array<WordCounter, 3> exact_words{WordCounter(st.fields[0].exact()), WordCounter(st.fields[1].exact()),
                                             WordCounter(st.fields[2].exact())};
      std::array<WordCounter, 3> folded_words{WordCounter(st.fields[0].folded()), WordCounter(st.fields[1].folded()),
                                              WordCounter(st.fields[2].folded())};
      for (std::size_t h = mark; h < st.hits.size(); ++h) {
        Hit& hit = st.hits[h];
        const std::uint32_t first = exact_words[hit.field].index_at(hit.begin);
        const std::uint32_t last = exact_words[hit.field].index_at(hit.end - 1);
        hit.begin = static_cast<std::uint32_t>(folded_words[hit.field].start_of(first));
        const std::size_t last_start = folded_words[hit.field].start_of(last);
        hit.end = static_cast<std::uint32_t>(st.fields[hit.field].folded().find(' ', last_start));
      }
    }
  }
  if (st.hits.empty()) return result;

  std::sort(st.hits.begin(), st.hits.end(), [](const Hit& a, const Hit& b) {
    return std::tie(a.pattern, a.field, a.begin) < std::tie(b.pattern, b.field, b.begin);
  });
  st.found_entities.clear();
  st.candidates.clear();
  st.direct_spans.clear();
  // Each hit's links are a likely cache miss: asked for all at once, they arrive together.
  for (const Hit& hit : st.hits)
    __builtin_prefetch(&c.links[hit.pattern]);
  for (std::uint32_t i = 0; i < st.hits.size();) {  // one pattern's hits at a time
    const std::uint32_t p = st.hits[i].pattern;
    std::uint32_t next = i + 1;
    while (next < st.hits.size() && st.hits[next].pattern == p)
      ++next;
    // Only the term's first occurrences count (kMaxOccurrencesPerTerm).
    const std::uint32_t end = std::min<std::uint32_t>(next, i + static_cast<std::uint32_t>(kMaxOccurrencesPerTerm));
    if (end != next) result.truncated = true;
    st.pattern_slots[p] = {st.generation, i, end - i};
    const Compiled::Links& links = c.links[p];
    for (std::uint32_t k = links.entities_begin; k < links.filters_begin; ++k) {
      const std::uint32_t e = c.link_ids[k];
      if (st.entity_stamp[e] != st.generation) {
        st.entity_stamp[e] = st.generation;
        st.found_entities.push_back(e);
      }
    }
    for (std::uint32_t k = links.filters_begin; k < links.filters_end; ++k) {
      const std::uint32_t f = c.link_ids[k];
      if (st.filter_stamp[f] != st.generation) {
        st.filter_stamp[f] = st.generation;
        st.candidates.push_back(f);
      }
    }
    for (std::uint32_t k = links.direct_begin; k < links.direct_end; ++k) {
      const DirectLeaf& d = c.direct[k];
      for (std::uint32_t h = i; h < end; ++h) {
        const Hit& hit = st.hits[h];
        if ((d.fields & (1U << hit.field)) != 0) {
          st.direct_spans.push_back({d.filter, {hit.field, hit.begin, hit.end, d.term, d.entity}});
          // Read when the match is reported, after the other filters' work: at 10,000 terms a
          // cache miss, which the prefetch overlaps with that work.
          __builtin_prefetch(&c.terms[d.term]);
        }
      }
    }
    i = next;
  }
  std::sort(st.found_entities.begin(), st.found_entities.end());
  for (const auto e : st.found_entities)
    result.entities.push_back(entities_[e].id);

  // Candidates come in filter order from two sources: evaluated queries and disjunctions
  // (whose spans, sorted, are grouped by filter).
  std::sort(st.candidates.begin(), st.candidates.end());
  std::sort(st.direct_spans.begin(), st.direct_spans.end());
  std::size_t next_query = 0;
  std::size_t next_direct = 0;
  while (next_query < st.candidates.size() || next_direct < st.direct_spans.size()) {
    const bool direct =
        next_query == st.candidates.size() ||
        (next_direct < st.direct_spans.size() && st.direct_spans[next_direct].filter < st.candidates[next_query]);
    const std::uint32_t fi = direct ? st.direct_spans[next_direct].filter : st.candidates[next_query++];
    st.spans.clear();
    if (direct) {
      for (; next_direct < st.direct_spans.size() && st.direct_spans[next_direct].filter == fi; ++next_direct)
        st.spans.push_back(st.direct_spans[next_direct].span);
    }
    const FilterInfo& info = c.filter_info[fi];
    if (info.feed_restricted) {
      const auto& feeds = filters_[fi].feeds;
      if (std::find(feeds.begin(), feeds.end(), feed_id) == feeds.end()) continue;
    }
    if (info.language_restricted) {
      const auto& languages = filters_[fi].languages;
      if (std::find(languages.begin(), languages.end(), st.language) == languages.end()) continue;
    }
    std::optional<double> score;
    if (!direct) {
      Evaluator evaluator(st, c);
      if (info.has_query && !evaluator.eval(info.root, st.spans)) continue;
      if (info.rank_count > 0) {
        score = rank_score(evaluator, c, info, st.spans, nullptr);
        if (*score < info.threshold) continue;
      }
      std::sort(st.spans.begin(), st.spans.end());
    }
    st.spans.erase(std::unique(st.spans.begin(), st.spans.end()), st.spans.end());
    drop_nested_aliases(st.spans, st.used_a);
    if (counted_hits(st.spans) < info.min_hits) continue;
    FilterMatch fm{fi, {}, score};
    fm.matches.reserve(st.spans.size());
    for (const Span& s : st.spans) {
      const ScanText& text = st.fields[s.field];
      const auto begin = text.orig_begin(s.begin);
      const auto end = text.orig_end(s.end);
      fm.matches.push_back(
          {c.terms[s.term],
           s.entity >= 0 ? std::optional<std::string>(entities_[static_cast<std::size_t>(s.entity)].id) : std::nullopt,
           kFieldNames[s.field], begin, end - begin, s.weighted ? std::optional<double>(s.weight) : std::nullopt});
    }
    result.filters.push_back(std::move(fm));
  }
  return result;
}

Result<std::vector<FilterExplanation>> Matcher::explain(const ItemText& item, std::string_view feed_id) const {
  auto matched = match(item, feed_id);
  if (!matched) return matched.error();
  const Compiled& c = *compiled_;
  MatchState& st = c.state;  // as match() left it: this item's hits
  std::vector<FilterExplanation> out;
  for (std::uint32_t fi = 0; fi < filters_.size(); ++fi) {
    const FilterInfo& info = c.filter_info[fi];
    const FilterDef& def = filters_[fi];
    FilterExplanation e;
    e.filter_index = fi;
    for (const auto& fm : matched->filters)
      e.fired = e.fired || fm.filter_index == fi;
    Evaluator evaluator(st, c);
    std::vector<Span> spans;
    const bool query_holds = !info.has_query || evaluator.eval(info.root, spans);
    std::vector<std::string> found;
    if (info.has_query) {
      // The terms found anywhere in the query, held or not: what the analyst wants to see.
      std::vector<Span> any;
      collect_leaves(evaluator, c, info.root, any);
      for (const Span& s : any)
        found.push_back(c.terms[s.term]);
    }
    if (info.rank_count > 0) e.score = rank_score(evaluator, c, info, spans, &found);
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    e.found = std::move(found);
    if (e.fired) {
      e.reason = "fired";
    } else if (info.feed_restricted && std::find(def.feeds.begin(), def.feeds.end(), feed_id) == def.feeds.end()) {
      e.reason = "feed '" + std::string(feed_id) + "' is not in its feeds";
    } else if (info.language_restricted &&
               std::find(def.languages.begin(), def.languages.end(), st.language) == def.languages.end()) {
      e.reason = "language '" + std::string(st.language) + "' is not in its languages";
    } else if (!query_holds) {
      e.reason = "query failed: " + failed_clause(evaluator, c, info.root, c.queries[fi]);
    } else if (e.score && *e.score < info.threshold) {
      e.reason = "score " + format_weight(*e.score) + " is below the threshold " + format_weight(info.threshold);
    } else if (e.found.empty()) {
      e.reason = "no term of the filter was found";
    } else {
      e.reason = "fewer than min_hits = " + std::to_string(info.min_hits) + " occurrences";
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace newswatch::filters
