#include "filters/matcher.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>

#include "filters/hs_handles.hpp"
#include "filters/normaliser.hpp"
#include "filters/query.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace newswatch::filters {
namespace {

constexpr std::array<const char*, 3> kFieldNames = {"title", "summary", "content"};

// One distinct literal in a database. Every use of it (filter terms, entity aliases)
// shares it, so the scan cost depends on distinct literals, not on filters.
struct Pattern {
  std::string literal;  // "w1 w2": folded words as in a normalised stream
  bool exact = false;   // scanned against the case-preserving stream
  bool prefix = false;  // no boundary required after it
  std::uint32_t word_count = 1;
  std::vector<std::uint32_t> entities;  // entities having it as an alias
  std::vector<std::uint32_t> filters;   // filters using it outside any NOT: candidates on a hit
};

struct LeafPattern {
  std::uint32_t pattern = 0;
  std::uint32_t term = 0;    // index into Compiled::terms: the text reported in matches
  std::int32_t entity = -1;  // entity index, or -1
};

struct Leaf {
  std::uint8_t fields = query::kAllFields;
  std::vector<LeafPattern> patterns;
};

enum class Kind : std::uint8_t { leaf, all, any, negate, near };

struct CNode {
  Kind kind = Kind::leaf;
  std::vector<std::uint32_t> kids;
  std::uint32_t leaf = 0;
  int distance = 0;
};

struct CFilter {
  std::vector<CNode> nodes;
  std::vector<Leaf> leaves;
  std::uint32_t root = 0;
};

// One occurrence of a pattern: word positions in one field's word list (inclusive).
struct Hit {
  std::uint32_t pattern;
  std::uint8_t field;
  std::uint32_t first_word;
  std::uint32_t last_word;
};

// One occurrence as a query term saw it; what a filter match reports and counts.
struct Span {
  std::uint8_t field;
  std::uint32_t first_word;
  std::uint32_t last_word;
  std::uint32_t term;
  std::int32_t entity;

  auto key() const { return std::tie(field, first_word, last_word, term, entity); }
  bool operator<(const Span& o) const { return key() < o.key(); }
  bool operator==(const Span& o) const { return key() == o.key(); }
};

// Reused across match() calls so that matching an item allocates nothing once warm.
// Generation stamps stand in for clearing per-pattern / per-filter arrays on every item.
struct MatchState {
  std::array<ScanText, 3> fields;
  std::vector<Hit> hits;
  std::uint32_t generation = 0;
  std::vector<std::uint32_t> pattern_stamp, pattern_first, pattern_count;
  std::vector<std::uint32_t> filter_stamp, entity_stamp;
  std::vector<std::uint32_t> hit_patterns, candidates, found_entities;
  std::vector<Span> spans, near_a, near_b;
  std::vector<char> used_a, used_b;
};

}  // namespace

struct Matcher::Compiled {
  std::vector<Pattern> patterns;
  std::vector<std::string> terms;
  std::vector<CFilter> filters;
  HsDatabase folded_db;
  HsDatabase exact_db;
  mutable HsScratch scratch;
  mutable MatchState state;
};

namespace {

using Compiled = Matcher::Compiled;

// Words joined by single spaces, as they appear in a normalised stream. Word boundaries are
// checked in the match callback rather than spelled as spaces in the literal: literals that
// all end in ' ' would defeat Vectorscan's filtering on their last bytes.
std::string join_literal(const std::vector<std::string>& words) {
  std::string lit;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) lit += ' ';
    lit += words[i];
  }
  return lit;
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
      p.literal = std::move(lit);
      p.exact = exact;
      p.prefix = prefix;
      p.word_count = static_cast<std::uint32_t>(words.size());
      out_.patterns.push_back(std::move(p));
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
      auto& owners = out_.patterns[p].entities;
      if (std::find(owners.begin(), owners.end(), e) == owners.end()) owners.push_back(e);
      pats.push_back({p, term_text(alias.text), static_cast<std::int32_t>(e)});
    }
  }

  SourcePos at_column(const FilterDef& f, std::size_t column) const {
    SourcePos p = f.query_pos;
    // The value starts one character after the opening quote (exact for one-line strings).
    p.column += 1 + static_cast<int>(column);
    return p;
  }

  void add_filter(std::uint32_t f) {
    const auto& def = filters_[f];
    CFilter cf;
    auto parsed = query::parse(def.query);
    if (!parsed) {
      errors_.push_back({at_column(def, parsed.error().column), "filter '" + def.id + "': " + parsed.error().message});
      out_.filters.push_back(std::move(cf));
      return;
    }
    positive_ = 0;
    cf.root = lower(*parsed, f, cf, false);
    if (positive_ == 0 && errors_.empty()) {
      errors_.push_back(
          {at_column(def, 0), "filter '" + def.id + "': the query has no term outside NOT, so it could never match"});
    }
    out_.filters.push_back(std::move(cf));
  }

  // AST -> flat evaluation nodes; resolves entities and interns every literal.
  std::uint32_t lower(const query::Node& n, std::uint32_t f, CFilter& cf, bool negated) {
    CNode node;
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, query::Term>) {
            node.kind = Kind::leaf;
            node.leaf = static_cast<std::uint32_t>(cf.leaves.size());
            cf.leaves.push_back(lower_term(v, f, negated));
          } else if constexpr (std::is_same_v<V, query::Not>) {
            node.kind = Kind::negate;
            node.kids.push_back(lower(v.child.front(), f, cf, true));
          } else if constexpr (std::is_same_v<V, query::Near>) {
            node.kind = Kind::near;
            node.distance = v.distance;
            for (const auto& o : v.operands)
              node.kids.push_back(lower(o, f, cf, negated));
          } else {
            node.kind = std::is_same_v<V, query::And> ? Kind::all : Kind::any;
            for (const auto& c : v.children)
              node.kids.push_back(lower(c, f, cf, negated));
          }
        },
        n.v);
    cf.nodes.push_back(std::move(node));
    return static_cast<std::uint32_t>(cf.nodes.size() - 1);
  }

  Leaf lower_term(const query::Term& t, std::uint32_t f, bool negated) {
    Leaf leaf;
    leaf.fields = t.fields;
    if (!t.entity.empty()) {
      const auto it = entity_ids_.find(t.entity);
      if (it == entity_ids_.end()) {
        std::string message = "filter '" + filters_[f].id + "': unknown entity '@" + t.entity + "'";
        for (const auto& e : entities_) {
          if (e.id.size() == t.entity.size() &&
              std::equal(e.id.begin(), e.id.end(), t.entity.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
              })) {
            message += "; did you mean '@" + e.id + "'?";
            break;
          }
        }
        if (entities_.empty()) message += " (no [[entity]] is defined)";
        errors_.push_back({at_column(filters_[f], t.column), std::move(message)});
        return leaf;
      }
      leaf.patterns = entity_patterns_[it->second];
    } else {
      leaf.patterns.push_back({intern(t.words, t.exact, t.prefix), term_text(t.written), -1});
    }
    if (!negated) {
      for (const auto& lp : leaf.patterns) {
        auto& users = out_.patterns[lp.pattern].filters;
        if (users.empty() || users.back() != f) users.push_back(f);
        ++positive_;
      }
    }
    return leaf;
  }

  void compile_db(bool exact, HsDatabase& db) {
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> ids;
    std::vector<unsigned> flags;
    for (std::uint32_t i = 0; i < out_.patterns.size(); ++i) {
      const auto& p = out_.patterns[i];
      if (p.exact != exact) continue;
      exprs.push_back(p.literal.data());
      lens.push_back(p.literal.size());
      ids.push_back(i);
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
    st.pattern_stamp.assign(out_.patterns.size(), 0);
    st.pattern_first.assign(out_.patterns.size(), 0);
    st.pattern_count.assign(out_.patterns.size(), 0);
    st.filter_stamp.assign(filters_.size(), 0);
    st.entity_stamp.assign(entities_.size(), 0);
  }

  const std::vector<FilterDef>& filters_;
  const std::vector<EntityDef>& entities_;
  Compiled& out_;
  std::vector<CompileError> errors_;
  std::unordered_map<std::string, std::uint32_t> index_;
  std::unordered_map<std::string, std::uint32_t> term_index_;
  std::unordered_map<std::string, std::uint32_t> entity_ids_;
  std::vector<std::vector<LeafPattern>> entity_patterns_;
  std::size_t positive_ = 0;
};

#if defined(__SSE2__)
// Spaces among the 16 bytes at s (SAD of 0/1 bytes: no popcount instruction on baseline x86-64).
std::uint32_t spaces_in_block(const char* s) {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  const __m128i ones = _mm_and_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_set1_epi8(1));
  const __m128i sums = _mm_sad_epu8(ones, _mm_setzero_si128());
  return static_cast<std::uint32_t>(_mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4));
}
#endif

// Spaces in s[from, to).
std::uint32_t count_spaces(const char* s, std::size_t from, std::size_t to) {
  std::uint32_t n = 0;
  std::size_t i = from;
#if defined(__SSE2__)
  for (; i + 16 <= to; i += 16)
    n += spaces_in_block(s + i);
#endif
  for (; i < to; ++i)
    n += s[i] == ' ' ? 1 : 0;
  return n;
}

// A stream is " w1 w2 ... wn ", one space closing every word, so the words before a position
// are the spaces before it, less the leading one. Streams keep no per-word records; this
// counts them on demand, moving from the last position asked about (hits and reported spans
// come mostly in increasing order, so the total is about one pass over the stream).
class WordCounter {
 public:
  explicit WordCounter(std::string_view stream) : s_(stream) {}

  // Index of the word starting at byte `begin` (which follows a space).
  std::uint32_t index_at(std::size_t begin) {
    if (begin >= pos_) {
      spaces_ += count_spaces(s_.data(), pos_, begin);
    } else {
      spaces_ -= count_spaces(s_.data(), begin, pos_);
    }
    pos_ = begin;
    return spaces_ - 1;
  }

  // Byte where word `k` starts: just after the (k+1)-th space.
  std::size_t start_of(std::uint32_t k) {
    if (spaces_ > k) {  // behind us: start over (spans are sorted, so this is rare)
      pos_ = 0;
      spaces_ = 0;
    }
#if defined(__SSE2__)
    while (pos_ + 16 <= s_.size()) {
      const std::uint32_t n = spaces_in_block(s_.data() + pos_);
      if (spaces_ + n > k) break;  // the space we want is in this block
      spaces_ += n;
      pos_ += 16;
    }
#endif
    while (spaces_ <= k) {
      if (s_[pos_] == ' ') ++spaces_;
      ++pos_;
    }
    return pos_;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;       // a byte of the stream
  std::uint32_t spaces_ = 0;  // spaces in [0, pos_)
};

struct ScanContext {
  const Compiled* compiled;
  std::string_view stream;
  std::uint8_t field;
  std::vector<Hit>* hits;
  WordCounter words;
};

// A hit is a whole-word match when the byte before it is a space and (unless a prefix) so is
// the byte after it. The stream's outer spaces keep both reads in bounds.
int on_match(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
             void* ctx) noexcept {
  auto& c = *static_cast<ScanContext*>(ctx);
  const Pattern& p = c.compiled->patterns[id];
  const auto begin = static_cast<std::size_t>(to - p.literal.size());
  if (begin == 0 || c.stream[begin - 1] != ' ') return 0;
  if (!p.prefix && (to >= c.stream.size() || c.stream[to] != ' ')) return 0;
  const std::uint32_t first = c.words.index_at(begin);
  c.hits->push_back({id, c.field, first, first + p.word_count - 1});
  return 0;
}

class Evaluator {
 public:
  Evaluator(MatchState& st, const CFilter& f) : st_(st), f_(f) {}

  // Appends the spans that made `n` true; leaves `out` as it was when `n` is false.
  bool eval(std::uint32_t index, std::vector<Span>& out) {
    const CNode& n = f_.nodes[index];
    switch (n.kind) {
      case Kind::leaf:
        return leaf(f_.leaves[n.leaf], out);
      case Kind::all: {
        const std::size_t mark = out.size();
        for (const auto k : n.kids) {
          if (!eval(k, out)) {
            out.resize(mark);
            return false;
          }
        }
        return true;
      }
      case Kind::any: {
        bool any = false;
        for (const auto k : n.kids)
          any = eval(k, out) || any;
        return any;
      }
      case Kind::negate: {
        const std::size_t mark = out.size();
        const bool inner = eval(n.kids.front(), out);
        out.resize(mark);
        return !inner;
      }
      case Kind::near:
        return near(n, out);
    }
    return false;
  }

 private:
  bool leaf(const Leaf& l, std::vector<Span>& out) {
    bool any = false;
    for (const auto& lp : l.patterns) {
      if (st_.pattern_stamp[lp.pattern] != st_.generation) continue;
      const std::uint32_t first = st_.pattern_first[lp.pattern];
      const std::uint32_t end = first + st_.pattern_count[lp.pattern];
      for (std::uint32_t h = first; h < end; ++h) {
        const Hit& hit = st_.hits[h];
        if ((l.fields & (1U << hit.field)) == 0) continue;
        out.push_back({hit.field, hit.first_word, hit.last_word, lp.term, lp.entity});
        any = true;
      }
    }
    return any;
  }

  // Operands are terms or ORs of terms (the parser guarantees it), so they never nest a NEAR
  // and the two scratch vectors suffice.
  bool near(const CNode& n, std::vector<Span>& out) {
    auto& a = st_.near_a;
    auto& b = st_.near_b;
    a.clear();
    b.clear();
    if (!eval(n.kids[0], a) || !eval(n.kids[1], b)) return false;
    std::sort(b.begin(), b.end());
    std::uint32_t widest = 0;
    for (const auto& y : b)
      widest = std::max(widest, y.last_word - y.first_word);
    st_.used_a.assign(a.size(), 0);
    st_.used_b.assign(b.size(), 0);
    const auto d = static_cast<std::int64_t>(n.distance);
    bool found = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const Span& x = a[i];
      const std::int64_t lo = std::max<std::int64_t>(0, std::int64_t{x.first_word} - d - widest);
      Span probe{x.field, static_cast<std::uint32_t>(lo), 0, 0, -1};
      auto it = std::lower_bound(b.begin(), b.end(), probe, [](const Span& s, const Span& p) {
        return std::tie(s.field, s.first_word) < std::tie(p.field, p.first_word);
      });
      for (; it != b.end() && it->field == x.field && std::int64_t{it->first_word} <= std::int64_t{x.last_word} + d;
           ++it) {
        if (it->first_word == x.first_word && it->last_word == x.last_word) continue;  // the same words
        const std::int64_t gap =
            std::int64_t{std::max(x.first_word, it->first_word)} - std::int64_t{std::min(x.last_word, it->last_word)};
        if (gap > d) continue;
        st_.used_a[i] = 1;
        st_.used_b[static_cast<std::size_t>(it - b.begin())] = 1;
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
  const CFilter& f_;
};

// "République du Mali" also contains the alias "Mali": one mention, reported once, as the
// longest alias of that entity covering it. Quadratic, so only for the usual few spans.
void drop_nested_aliases(std::vector<Span>& spans) {
  if (spans.size() > 256) return;
  const auto inside = [](const Span& a, const Span& b) {  // a strictly within b, same entity
    return a.entity >= 0 && a.entity == b.entity && a.field == b.field && b.first_word <= a.first_word &&
           a.last_word <= b.last_word && (b.first_word != a.first_word || b.last_word != a.last_word);
  };
  std::vector<char> drop(spans.size(), 0);
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

Result<std::shared_ptr<const Matcher>, std::vector<CompileError>> Matcher::compile(std::vector<FilterDef> filters,
                                                                                   std::vector<EntityDef> entities) {
  auto compiled = std::make_unique<Compiled>();
  auto errors = Builder(filters, entities, *compiled).run();
  if (!errors.empty()) return errors;
  // The constructor is private, so make_shared cannot reach it.
  return std::shared_ptr<const Matcher>(new Matcher(std::move(filters), std::move(entities), std::move(compiled)));
}

MatchResult Matcher::match(const ItemText& item, std::string_view feed_id) const {
  const Compiled& c = *compiled_;
  MatchState& st = c.state;
  MatchResult result;
  if (++st.generation == 0) {  // wrapped: old stamps could collide with new generations
    std::fill(st.pattern_stamp.begin(), st.pattern_stamp.end(), 0);
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
  for (std::uint8_t f = 0; f < 3; ++f) {
    const ScanText& text = st.fields[f];
    if (!text.has_words()) continue;
    if (c.folded_db) {
      const std::string_view s = text.folded();
      ScanContext ctx{&c, s, f, &st.hits, WordCounter(s)};
      hs_scan(c.folded_db.get(), s.data(), static_cast<unsigned>(s.size()), 0, c.scratch.get(), on_match, &ctx);
    }
    if (c.exact_db) {
      const std::string_view s = text.exact();
      ScanContext ctx{&c, s, f, &st.hits, WordCounter(s)};
      hs_scan(c.exact_db.get(), s.data(), static_cast<unsigned>(s.size()), 0, c.scratch.get(), on_match, &ctx);
    }
  }
  if (st.hits.empty()) return result;

  std::sort(st.hits.begin(), st.hits.end(), [](const Hit& a, const Hit& b) {
    return std::tie(a.pattern, a.field, a.first_word) < std::tie(b.pattern, b.field, b.first_word);
  });
  st.hit_patterns.clear();
  st.found_entities.clear();
  st.candidates.clear();
  for (std::uint32_t i = 0; i < st.hits.size(); ++i) {
    const std::uint32_t p = st.hits[i].pattern;
    if (st.pattern_stamp[p] == st.generation) {
      ++st.pattern_count[p];
      continue;
    }
    st.pattern_stamp[p] = st.generation;
    st.pattern_first[p] = i;
    st.pattern_count[p] = 1;
    for (const auto e : c.patterns[p].entities) {
      if (st.entity_stamp[e] != st.generation) {
        st.entity_stamp[e] = st.generation;
        st.found_entities.push_back(e);
      }
    }
    for (const auto f : c.patterns[p].filters) {
      if (st.filter_stamp[f] != st.generation) {
        st.filter_stamp[f] = st.generation;
        st.candidates.push_back(f);
      }
    }
  }
  std::sort(st.found_entities.begin(), st.found_entities.end());
  for (const auto e : st.found_entities)
    result.entities.push_back(entities_[e].id);

  std::sort(st.candidates.begin(), st.candidates.end());
  for (const auto fi : st.candidates) {
    const FilterDef& def = filters_[fi];
    if (!def.feeds.empty() && std::find(def.feeds.begin(), def.feeds.end(), feed_id) == def.feeds.end()) continue;
    const CFilter& cf = c.filters[fi];
    st.spans.clear();
    if (!Evaluator(st, cf).eval(cf.root, st.spans)) continue;
    std::sort(st.spans.begin(), st.spans.end());
    st.spans.erase(std::unique(st.spans.begin(), st.spans.end()), st.spans.end());
    drop_nested_aliases(st.spans);
    if (st.spans.size() < static_cast<std::size_t>(std::max(1, def.min_hits))) continue;
    FilterMatch fm{fi, {}};
    fm.matches.reserve(st.spans.size());
    std::array<WordCounter, 3> counters{WordCounter(st.fields[0].folded()), WordCounter(st.fields[1].folded()),
                                        WordCounter(st.fields[2].folded())};
    for (const Span& s : st.spans) {
      const ScanText& text = st.fields[s.field];
      WordCounter& words = counters[s.field];
      const auto first = static_cast<std::uint32_t>(words.start_of(s.first_word));
      const auto last = static_cast<std::uint32_t>(words.start_of(s.last_word));
      const auto last_end = static_cast<std::uint32_t>(text.folded().find(' ', last));
      const auto begin = text.orig_begin(first);
      const auto end = text.orig_end(last_end);
      fm.matches.push_back(
          {c.terms[s.term],
           s.entity >= 0 ? std::optional<std::string>(entities_[static_cast<std::size_t>(s.entity)].id) : std::nullopt,
           kFieldNames[s.field], begin, end - begin});
    }
    result.filters.push_back(std::move(fm));
  }
  return result;
}

}  // namespace newswatch::filters
