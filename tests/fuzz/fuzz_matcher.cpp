// libFuzzer target: the matcher on arbitrary item text. Besides never crashing or hanging, every
// reported match must point at text that normalises to exactly the words of its term: the
// offsets survive markup, references, marks, invalid bytes and separator runs. And where the CPU
// has the normaliser's 64-byte AVX-512 path, it must write what the portable path writes. Each
// query also runs as "(q) AND (q)", whose tree is always walked: a disjunction, decided from its
// hits alone, must report exactly what walking it does.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "filters/matcher.hpp"
#include "filters/normaliser.hpp"
#include "tests/unit/filters/code_points.hpp"

namespace {

using namespace newswatch::filters;

void check(bool ok) {
  if (!ok) std::abort();
}

// Every operator and every kind of term, so that every path of the matcher is reachable.
std::shared_ptr<const Matcher> make_matcher() {
  std::vector<EntityDef> entities(2);
  entities[0].id = "mali";
  entities[0].type = "country";
  entities[0].aliases = {{"Mali", false}, {"République du Mali", false}, {"malien", false}};
  entities[1].id = "ecowas";
  entities[1].type = "organization";
  entities[1].aliases = {{"ECOWAS", true}, {"CEDEAO", true}, {"Economic Community of West African States", false}};
  const char* const queries[] = {"@mali OR @ecowas",     "\"ansar dine\" OR Tombouctou OR Timbuktu",
                                 "Islam* AND NOT sport", "NEAR/3(@mali, \"security council\")",
                                 "=AQIM OR =Gao",        "title:Ségou OR content:\"côte d'ivoire\"",
                                 "(kidal OR gao) sahel"};
  std::vector<FilterDef> filters;
  for (const bool walked : {false, true}) {
    for (const char* q : queries) {
      FilterDef f;
      f.id.append("f").append(std::to_string(filters.size()));
      if (walked) {
        f.query.append("(").append(q).append(") AND (").append(q).append(")");
      } else {
        f.query = q;
      }
      f.topic.append("alert.").append(f.id);
      filters.push_back(std::move(f));
    }
  }
  auto m = Matcher::compile(std::move(filters), std::move(entities));
  check(static_cast<bool>(m));
  return *m;
}

std::vector<std::string> words_of(std::string_view text, TextKind kind) {
  NormalisedText n;
  normalise(text, kind, false, n);
  std::vector<std::string> out;
  for (std::size_t i = 1; i < n.folded.size();) {
    const std::size_t sp = n.folded.find(' ', i);
    out.emplace_back(n.folded.substr(i, sp - i));
    i = sp + 1;
  }
  return out;
}

// Both normaliser paths on one text: the same streams, and the same original span for each word.
void check_paths(std::string_view text, TextKind kind) {
  static const bool wide = wide_normaliser_available();
  if (!wide) return;
  static ScanText a;
  static ScanText b;
  for (const bool exact : {false, true}) {
    normalise(text, kind, exact, a);
    normalise_portable(text, kind, exact, b);
    check(a.folded() == b.folded() && a.exact() == b.exact() && a.has_words() == b.has_words());
    const std::string_view f = a.folded();
    for (std::size_t i = 0; i < f.size();) {
      if (f[i] == ' ') {
        ++i;
        continue;
      }
      const auto end = static_cast<std::uint32_t>(f.find(' ', i));
      const auto begin = static_cast<std::uint32_t>(i);
      check(a.orig_begin(begin) == b.orig_begin(begin) && a.orig_end(end) == b.orig_end(end));
      i = end;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<const Matcher> matcher = make_matcher();
  if (size < 2) return 0;
  // The first two bytes split the rest into title, summary and content.
  const std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t a = std::min<std::size_t>(data[0], rest.size());
  const std::size_t b = std::min<std::size_t>(a + data[1] * 4U, rest.size());
  const std::string_view fields[3] = {rest.substr(0, a), rest.substr(a, b - a), rest.substr(b)};

  check_paths(fields[0], TextKind::plain);
  check_paths(fields[1], TextKind::html);

  const MatchResult r = matcher->match({fields[0], fields[1], fields[2]}, "fuzz").value();
  // Filters [0, n) are the queries, [n, 2n) the same walked: they match alike, with the same matches.
  const std::size_t n = matcher->filters().size() / 2;
  std::vector<const FilterMatch*> by_filter(2 * n, nullptr);
  for (const auto& fm : r.filters)
    by_filter[fm.filter_index] = &fm;
  for (std::size_t i = 0; i < n; ++i) {
    const FilterMatch* plain = by_filter[i];
    const FilterMatch* walked = by_filter[n + i];
    check((plain == nullptr) == (walked == nullptr));
    if (plain == nullptr) continue;
    check(plain->matches.size() == walked->matches.size());
    for (std::size_t k = 0; k < plain->matches.size(); ++k) {
      const TermMatch& x = plain->matches[k];
      const TermMatch& y = walked->matches[k];
      check(x.term == y.term && x.entity == y.entity && x.field == y.field && x.offset == y.offset &&
            x.length == y.length);
    }
  }
  // Indexed once per field, not per match: a long field with many matches stays linear.
  const CodePoints cps_of[3] = {CodePoints(fields[0]), CodePoints(fields[1]), CodePoints(fields[2])};
  for (const auto& fm : r.filters) {
    check(fm.filter_index < matcher->filters().size());
    check(!fm.matches.empty());
    for (const auto& m : fm.matches) {
      const int field = m.field == "title" ? 0 : (m.field == "summary" ? 1 : (m.field == "content" ? 2 : -1));
      check(field >= 0 && m.length > 0);
      const TextKind kind = field == 0 ? TextKind::plain : TextKind::html;
      const CodePoints& cps = cps_of[field];
      check(m.offset + m.length <= cps.count());
      const auto found = words_of(cps.slice(fields[field], m.offset, m.offset + m.length), kind);
      const auto term = term_words(m.term, false);
      const bool prefix = !m.term.empty() && m.term.back() == '*';
      if (prefix) {
        // "Islam*" reports the whole word it matched.
        check(found.size() == 1 && found[0].rfind(term_words(m.term.substr(0, m.term.size() - 1), false)[0], 0) == 0);
      } else {
        check(found == term);
      }
    }
  }
  return 0;
}
