// Normalise + match throughput and compile time at 20 .. 100,000 watchlist terms, next to a
// bare Vectorscan scan of the same terms over the same raw texts (the ceiling we aim at), and
// to normalise + scan with no matching work (this design's own ceiling), all in one run. Two
// sets of terms, each with its own corpus: real English words (Debian's wamerican-large),
// which like real watchlist names also occur inside longer words ("port" in "report"), and
// made-up syllable words that occur nowhere else, the bare scan's best case.
// Usage: bench_match [DIR [MAX_TERMS [PROFILE_TERMS [pseudo|plain|dense]]]] — also writes
// DIR/corpus.tsv, DIR/terms_N.txt and DIR/ours.txt (the real-word set) for the Python `re`
// baseline in bench_match.sh. With PROFILE_TERMS, only normalise + match runs, at that size,
// for 8 s: a steady target for `perf record` (real words; with `pseudo`, syllable words; with
// `plain`, syllable words over the plain ASCII corpus; with `dense`, real words over a corpus
// drawn from those terms alone).

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "filters/matcher.hpp"
#include "filters/normaliser.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using newswatch::filters::EntityDef;
using newswatch::filters::FilterDef;
using newswatch::filters::Matcher;

struct Item {
  std::string title, summary, content;
  std::size_t bytes() const { return title.size() + summary.size() + content.size(); }
};

// Everyday news vocabulary: most of any item, and never a watchlist term.
const char* const kCommon[] = {"the",       "of",         "and",      "to",        "in",
                               "a",         "is",         "that",     "for",       "on",
                               "was",       "with",       "said",     "by",        "as",
                               "at",        "from",       "his",      "her",       "it",
                               "an",        "were",       "are",      "which",     "this",
                               "be",        "has",        "have",     "had",       "not",
                               "after",     "government", "minister", "president", "officials",
                               "week",      "people",     "police",   "report",    "reported",
                               "security",  "forces",     "city",     "region",    "state",
                               "capital",   "northern",   "southern", "attack",    "killed",
                               "talks",     "election",   "economy",  "prices",    "market",
                               "company",   "workers",    "strike",   "court",     "law",
                               "vote",      "party",      "leader",   "country",   "border",
                               "aid",       "food",       "water",    "drought",   "refugees",
                               "camp",      "health",     "hospital", "school",    "students",
                               "year",      "month",      "Monday",   "Tuesday",   "Friday",
                               "statement", "according",  "sources",  "local",     "international",
                               "agency",    "news",       "meeting",  "agreement", "plan",
                               "Ségou",     "l’armée",    "déclaré",  "économie",  "élection",
                               "ministre",  "réfugiés",   "sécurité", "au",        "du",
                               "des",       "les",        "une",      "pour",      "dans",
                               "selon",     "après",      "été"};

const char* const kSyllables[] = {"ka", "lo", "mi", "ra", "tu", "ne", "sa", "po", "di",  "ve", "zo", "bu", "fe",
                                  "gi", "ha", "ju", "ko", "le", "mo", "nu", "pi", "qua", "ri", "so", "ta", "vi",
                                  "wa", "xe", "yo", "ze", "an", "el", "is", "or", "um",  "ba", "ce", "do", "fu"};

// Distinct pseudo-words of 3-5 syllables: term i is the same in every run and size.
std::vector<std::string> make_terms(std::size_t n) {
  std::vector<std::string> out;
  std::mt19937 rng(7);
  std::vector<std::string> seen;
  const std::size_t ns = std::size(kSyllables);
  while (out.size() < n) {
    std::string w;
    const int parts = 3 + static_cast<int>(rng() % 3);
    for (int k = 0; k < parts; ++k)
      w += kSyllables[rng() % ns];
    seen.push_back(w);
    if (seen.size() % 10 == 0) {  // every tenth term is a two-word phrase
      out.push_back(seen[seen.size() - 2] + " " + w);
    } else {
      out.push_back(w);
    }
  }
  return out;
}

// Real English words as terms, none of them the corpus's everyday vocabulary: like a watchlist
// of names and keywords, many are short and occur inside longer words ("port" in "report",
// "lice" in "police"), which a bare scan reports and a whole-word matcher must reject. Empty
// when the list (130,000 words, enough for the largest size) is not installed.
constexpr std::size_t kMaxTerms = 100000;
constexpr const char* kWordList = "/usr/share/dict/american-english-large";

std::vector<std::string> dictionary_terms(std::size_t n) {
  std::ifstream in(kWordList);
  std::vector<std::pair<std::string, std::string>> keyed;  // (lower case, as written)
  for (std::string w; std::getline(in, w);) {
    if (w.size() < 3 ||
        !std::all_of(w.begin(), w.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); })) {
      continue;
    }
    std::string lower = w;
    for (auto& ch : lower)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (std::any_of(std::begin(kCommon), std::end(kCommon), [&](const char* c) { return lower == c; })) continue;
    keyed.emplace_back(std::move(lower), std::move(w));
  }
  // "Polish" and "polish" make one term: the first in the list, in the order of their keys.
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> words;
  for (std::size_t k = 0; k < keyed.size(); ++k) {
    if (k == 0 || keyed[k].first != keyed[k - 1].first) words.push_back(std::move(keyed[k].second));
  }
  std::mt19937 rng(7);
  std::shuffle(words.begin(), words.end(), rng);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words.size() && out.size() < n; ++i) {
    if (i % 10 == 9) {  // every tenth term is a two-word phrase, as with the pseudo-words
      out.push_back(words[i - 1] + " " + words[i]);
    } else {
      out.push_back(words[i]);
    }
  }
  if (out.size() < n) out.clear();
  return out;
}

// How the generated news is written: like the feeds we poll (HTML summaries and content with
// tags, references and French words), or as plain ASCII text, the normaliser's best case.
enum class Style { news_html, plain_ascii };

bool is_ascii(std::string_view w) {
  return std::all_of(w.begin(), w.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
}

std::string pick_word(std::mt19937& rng, const std::vector<std::string>& terms, Style style) {
  // ~2% of words come from the largest watchlist, ~0.5% from the smallest (so every size hits).
  const auto r = rng() % 1000;
  if (r < 5) return terms[rng() % 20];
  if (r < 25) {
    const std::string& t = terms[rng() % terms.size()];
    // Capitalised in place: GCC 12 warns falsely (-Wrestrict) on std::string(1, c) + substr.
    std::string w = t;
    if (r % 2 != 0) w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    return w;
  }
  for (;;) {
    const char* w = kCommon[rng() % std::size(kCommon)];
    if (style == Style::news_html || is_ascii(w)) return w;
  }
}

std::string words(std::mt19937& rng, const std::vector<std::string>& terms, int n, bool html, Style style) {
  html = html && style == Style::news_html;
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += (i % 11 == 0) ? ", " : " ";
    const auto r = rng() % 100;
    if (html && r < 3) {
      s += "<a href=\"https://example.org/story/" + std::to_string(rng() % 100000) + "\">" +
           pick_word(rng, terms, style) + "</a>";
    } else if (html && r < 5) {
      s += "&amp; " + pick_word(rng, terms, style) + "&#8217;s";
    } else if (html && r < 7) {
      s += "<b>" + pick_word(rng, terms, style) + "</b>";
    } else {
      s += pick_word(rng, terms, style);
    }
  }
  return s;
}

std::vector<Item> make_corpus(std::size_t n, const std::vector<std::string>& terms, Style style) {
  std::mt19937 rng(42);
  std::vector<Item> items(n);
  const bool html = style == Style::news_html;
  const std::string open = html ? "<p>" : "";
  const std::string close = html ? ".</p>" : ".";
  for (auto& it : items) {
    it.title = words(rng, terms, 6 + static_cast<int>(rng() % 7), false, style);
    it.summary = open + words(rng, terms, 30 + static_cast<int>(rng() % 40), true, style) + close;
    if (rng() % 4 == 0) {
      for (int p = 0; p < 4; ++p)
        it.content += open + words(rng, terms, 40 + static_cast<int>(rng() % 40), true, style) + close + "\n";
    }
  }
  return items;
}

// Filters of `per_filter` OR'ed terms each (five by default), phrases quoted.
std::vector<FilterDef> make_filters(const std::vector<std::string>& terms, std::size_t per_filter = 5) {
  std::vector<FilterDef> out;
  for (std::size_t i = 0; i < terms.size(); i += per_filter) {
    FilterDef f;
    // Appends, not operator+: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
    f.id.append("f").append(std::to_string(i / per_filter));
    f.topic.append("alert.").append(f.id);
    for (std::size_t k = i; k < std::min(i + per_filter, terms.size()); ++k) {
      if (k > i) f.query += " OR ";
      const bool phrase = terms[k].find(' ') != std::string::npos;
      if (phrase) f.query += '"';
      f.query += terms[k];
      if (phrase) f.query += '"';
    }
    out.push_back(std::move(f));
  }
  return out;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Rate {
  double items_per_s;
  double mb_per_s;
  std::size_t found;
};

// Runs `pass` over the corpus until at least `min_s` seconds have gone by.
template <class F>
Rate measure(const std::vector<Item>& items, std::size_t total_bytes, double min_s, F&& pass) {
  std::size_t passes = 0;
  std::size_t found = 0;
  const auto start = Clock::now();
  do {
    found = pass();
    ++passes;
  } while (seconds_since(start) < min_s);
  const double s = seconds_since(start);
  return {static_cast<double>(passes * items.size()) / s, static_cast<double>(passes * total_bytes) / s / 1e6, found};
}

constexpr int kRounds = 7;
constexpr double kRoundSeconds = 0.3;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct HsBare {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
  ~HsBare() {
    hs_free_scratch(scratch);
    hs_free_database(db);
  }
};

int count_match(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<std::size_t*>(ctx);
  return 0;
}

// A corpus with the sizes it is measured at.
struct Corpus {
  std::vector<Item> items;
  std::size_t total_bytes = 0;
  double bytes_per_item() const { return static_cast<double>(total_bytes) / static_cast<double>(items.size()); }
};

Corpus build_corpus(const std::vector<std::string>& terms, Style style) {
  Corpus c{make_corpus(20000, terms, style), 0};
  for (const auto& it : c.items)
    c.total_bytes += it.bytes();
  return c;
}

using NormaliseFn = void (*)(std::string_view, newswatch::filters::TextKind, bool, newswatch::filters::ScanText&);
using ItemTexts = std::array<newswatch::filters::ScanText, 3>;

// An item's fields as match() normalises them: the title as plain text, summary and content as HTML.
void normalise_item(const Item& it, ItemTexts& out, NormaliseFn fn = newswatch::filters::normalise) {
  fn(it.title, newswatch::filters::TextKind::plain, false, out[0]);
  fn(it.summary, newswatch::filters::TextKind::html, false, out[1]);
  fn(it.content, newswatch::filters::TextKind::html, false, out[2]);
}

// The form the matcher uses (no per-word records), by the path normalise() takes here and by
// the portable one, alternated as the rounds below are.
void print_normalise_only(const Corpus& corpus) {
  ItemTexts texts;
  const auto normalise_pass = [&](NormaliseFn fn) {
    return [&texts, &corpus, fn] {
      std::size_t bytes = 0;
      for (const auto& it : corpus.items) {
        normalise_item(it, texts, fn);
        for (const auto& t : texts)
          bytes += t.folded().size();
      }
      return bytes;
    };
  };
  std::vector<double> used, portable;
  for (int round = 0; round < kRounds; ++round) {
    used.push_back(
        measure(corpus.items, corpus.total_bytes, kRoundSeconds, normalise_pass(newswatch::filters::normalise))
            .mb_per_s);
    portable.push_back(
        measure(corpus.items, corpus.total_bytes, kRoundSeconds, normalise_pass(newswatch::filters::normalise_portable))
            .mb_per_s);
  }
  std::printf("normalise only: %.0f items/s %.1f MB/s (%s path) | portable path %.0f items/s %.1f MB/s\n",
              median(used) * 1e6 / corpus.bytes_per_item(), median(used),
              newswatch::filters::wide_normaliser_available() ? "64-byte AVX-512" : "portable",
              median(portable) * 1e6 / corpus.bytes_per_item(), median(portable));
}

// One block-mode database: the terms as written (caseless), or as match() scans for them in
// folded streams: " word", a phrase by its longest word (case already folded).
bool compile_bare(const std::vector<std::string>& terms, bool fold, HsBare& out) {
  std::vector<std::string> lits;
  for (const auto& t : terms) {
    if (!fold) {
      lits.push_back(t);
      continue;
    }
    const auto words = newswatch::filters::term_words(t, false);
    lits.push_back(" " + words[newswatch::filters::phrase_anchor(words)]);
  }
  std::vector<const char*> exprs;
  std::vector<std::size_t> lens;
  std::vector<unsigned> ids;
  // Raw text has any case; folded text is lower case already.
  const std::vector<unsigned> flags(lits.size(), fold ? 0U : unsigned{HS_FLAG_CASELESS});
  for (unsigned i = 0; i < lits.size(); ++i) {
    exprs.push_back(lits[i].c_str());
    lens.push_back(lits[i].size());
    ids.push_back(i);
  }
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(), static_cast<unsigned>(exprs.size()),
                           HS_MODE_BLOCK, nullptr, &out.db, &err) != HS_SUCCESS ||
      hs_alloc_scratch(out.db, &out.scratch) != HS_SUCCESS) {
    hs_free_compile_error(err);
    return false;
  }
  return true;
}

// Normalise + match over the whole corpus: the alerts it would publish.
std::size_t match_all(const Matcher& m, const Corpus& corpus) {
  std::size_t alerts = 0;
  for (const auto& it : corpus.items)
    alerts += m.match({it.title, it.summary, it.content}, "bench").value().filters.size();
  return alerts;
}

// One line: normalise + match at `n` terms next to a bare scan of the same terms, in
// alternating rounds. Returns our items/s (0 on failure); with profile, only ours, for 8 s.
double measure_size(const Corpus& corpus, const std::vector<std::string>& terms, const char* label, bool profile) {
  const auto& items = corpus.items;
  auto filters = make_filters(terms);
  const std::size_t nfilters = filters.size();
  auto t0 = Clock::now();
  auto compiled = Matcher::compile(std::move(filters), std::vector<EntityDef>{});
  const double compile_s = seconds_since(t0);
  if (!compiled) {
    std::fprintf(stderr, "compile failed: %s\n", newswatch::filters::format_error(compiled.error().front()).c_str());
    return 0;
  }
  const auto match_pass = [&] { return match_all(**compiled, corpus); };
  if (profile) {
    const double rate = measure(items, corpus.total_bytes, 8.0, match_pass).items_per_s;
    std::printf("terms=%zu normalise+match %.0f items/s\n", terms.size(), rate);
    return rate;
  }

  // The ceiling: the same terms as caseless literals, scanned over the raw fields with no
  // normalisation, word boundaries or query evaluation.
  HsBare bare;
  t0 = Clock::now();
  if (!compile_bare(terms, false, bare)) {
    std::fprintf(stderr, "bare compile failed\n");
    return 0;
  }
  const double bare_compile_s = seconds_since(t0);
  const auto bare_pass = [&] {
    std::size_t hits = 0;
    for (const auto& it : items) {
      for (const std::string* f : {&it.title, &it.summary, &it.content}) {
        if (!f->empty())
          hs_scan(bare.db, f->data(), static_cast<unsigned>(f->size()), 0, bare.scratch, count_match, &hits);
      }
    }
    return hits;
  };
  // This design's ceiling: the fields normalised and scanned as match() does (one joined
  // stream, folded literals), with a callback that only counts: no hit records, queries or
  // results. What it leaves below 1.0x is the cost of normalising; the gap between it and
  // ours, the cost of matching work.
  HsBare folded;
  if (!compile_bare(terms, true, folded)) {
    std::fprintf(stderr, "folded compile failed\n");
    return 0;
  }
  ItemTexts texts;
  std::string joined;
  const auto ceiling_pass = [&] {
    std::size_t hits = 0;
    for (const auto& it : items) {
      normalise_item(it, texts);
      joined.clear();
      for (const auto& t : texts) {
        joined.append(t.folded());
        joined.push_back('\n');
      }
      hs_scan(folded.db, joined.data(), static_cast<unsigned>(joined.size()), 0, folded.scratch, count_match, &hits);
    }
    return hits;
  };
  // Rounds alternate the three passes, so that this machine's drifts in speed hit them alike;
  // the figures are medians over the rounds.
  std::vector<double> ours_rates, bare_rates, ratios, ceiling_ratios;
  std::size_t alerts = 0;
  for (int round = 0; round < kRounds; ++round) {
    const Rate r = measure(items, corpus.total_bytes, kRoundSeconds, match_pass);
    const Rate b = measure(items, corpus.total_bytes, kRoundSeconds, bare_pass);
    const Rate c = measure(items, corpus.total_bytes, kRoundSeconds, ceiling_pass);
    alerts = r.found;
    ours_rates.push_back(r.items_per_s);
    bare_rates.push_back(b.items_per_s);
    ratios.push_back(r.items_per_s / b.items_per_s);
    ceiling_ratios.push_back(c.items_per_s / b.items_per_s);
  }
  const double ours_rate = median(ours_rates);
  const double bare_rate = median(bare_rates);
  // Where the time goes: match()'s scan over the normalised streams alone, with no
  // normalising and no callback work.
  std::vector<std::array<std::string, 3>> normalised;
  for (const auto& it : items) {
    auto& out = normalised.emplace_back();
    normalise_item(it, texts);
    for (std::size_t f = 0; f < 3; ++f)
      out[f] = texts[f].folded();
  }
  const Rate fs = measure(items, corpus.total_bytes, kRoundSeconds, [&] {
    std::size_t hits = 0;
    for (const auto& fields : normalised) {
      for (const auto& f : fields) {
        if (f.size() > 1)
          hs_scan(folded.db, f.data(), static_cast<unsigned>(f.size()), 0, folded.scratch, count_match, &hits);
      }
    }
    return hits;
  });
  std::printf(
      "%sterms=%-6zu filters=%-5zu compile %.3f s (bare %.3f s) | normalise+match %8.0f items/s %6.1f MB/s, %zu "
      "alerts/pass | bare Vectorscan %8.0f items/s %6.1f MB/s | ratio %.2fx (rounds %.2f..%.2f) | normalise + scan "
      "with no matching work %.2fx | (scan of normalised text alone %8.0f items/s)\n",
      label, terms.size(), nfilters, compile_s, bare_compile_s, ours_rate, ours_rate * corpus.bytes_per_item() / 1e6,
      alerts, bare_rate, bare_rate * corpus.bytes_per_item() / 1e6, median(ratios),
      *std::min_element(ratios.begin(), ratios.end()), *std::max_element(ratios.begin(), ratios.end()),
      median(ceiling_ratios), fs.items_per_s);
  std::fflush(stdout);
  return ours_rate;
}

void write_inputs(const std::string& dir, const Corpus& corpus) {
  std::ofstream out(dir + "/corpus.tsv", std::ios::binary);
  for (const auto& it : corpus.items) {
    std::string c = it.content;
    std::replace(c.begin(), c.end(), '\n', ' ');
    out << it.title << '\t' << it.summary << '\t' << c << '\n';
  }
}

// The same 10,000 terms split into 10 .. 10,000 filters, in alternating rounds: the cost per
// item must follow the terms found, not the number of filters (a performance target). Each filter is an
// OR of its terms, the common watchlist; a filter with several of its terms in an item is one
// alert, so the alerts per pass differ a little.
bool print_filter_counts(const Corpus& corpus, const std::vector<std::string>& terms) {
  const std::size_t per_filter[] = {1000, 100, 10, 1};
  std::vector<std::shared_ptr<const Matcher>> matchers;
  for (const std::size_t k : per_filter) {
    auto compiled = Matcher::compile(make_filters(terms, k), std::vector<EntityDef>{});
    if (!compiled) return false;
    matchers.push_back(*compiled);
  }
  std::vector<std::vector<double>> rates(matchers.size());
  std::vector<std::size_t> alerts(matchers.size());
  for (int round = 0; round < kRounds; ++round) {
    for (std::size_t m = 0; m < matchers.size(); ++m) {
      const Rate r =
          measure(corpus.items, corpus.total_bytes, kRoundSeconds, [&] { return match_all(*matchers[m], corpus); });
      rates[m].push_back(r.items_per_s);
      alerts[m] = r.found;
    }
  }
  const double first = median(rates[0]);
  for (std::size_t m = 0; m < matchers.size(); ++m) {
    const double rate = median(rates[m]);
    std::printf(
        "terms=%zu in filters=%-6zu normalise+match %8.0f items/s %6.1f MB/s, %zu alerts/pass | %.2fx the "
        "speed with %zu filters\n",
        terms.size(), matchers[m]->filters().size(), rate, rate * corpus.bytes_per_item() / 1e6, alerts[m],
        rate / first, matchers[0]->filters().size());
  }
  std::fflush(stdout);
  return true;
}

// One set of terms over its own corpus (drawn from the set's largest list): a line per size.
// Writes the Python baseline's inputs into `dir` when it is not empty.
bool run_set(const char* title, const std::vector<std::string>& all_terms, const std::vector<std::size_t>& sizes,
             const std::string& dir) {
  const Corpus corpus = build_corpus(all_terms, Style::news_html);
  std::printf("%s: corpus of %zu items, %.1f MB, %.0f bytes/item (title + HTML summary, content in 1 of 4)\n", title,
              corpus.items.size(), static_cast<double>(corpus.total_bytes) / 1e6, corpus.bytes_per_item());
  print_normalise_only(corpus);
  std::ofstream ours;
  if (!dir.empty()) {
    write_inputs(dir, corpus);
    ours.open(dir + "/ours.txt");
  }
  for (const std::size_t n : sizes) {
    const std::vector<std::string> terms(all_terms.begin(), all_terms.begin() + static_cast<std::ptrdiff_t>(n));
    if (!dir.empty() && n <= 1000) {
      std::ofstream t(dir + "/terms_" + std::to_string(n) + ".txt");
      for (const auto& w : terms)
        t << w << '\n';
    }
    const double rate = measure_size(corpus, terms, "", false);
    if (rate <= 0) return false;
    if (ours.is_open()) ours << n << ' ' << rate << '\n';
    if (n == 10000 && !print_filter_counts(corpus, terms)) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "";
  const std::size_t profile_terms = argc > 3 ? std::stoul(argv[3]) : 0;
  std::vector<std::size_t> sizes = {20, 1000, 10000, kMaxTerms};
  if (argc > 2) {  // a smaller largest size, for quick runs
    const auto cap = std::stoul(argv[2]);
    sizes.erase(std::remove_if(sizes.begin(), sizes.end(), [cap](std::size_t s) { return s > cap; }), sizes.end());
  }
  const std::string_view variant = argc > 4 ? argv[4] : "";
  if (!variant.empty() && variant != "pseudo" && variant != "plain" && variant != "dense") {
    std::fprintf(stderr, "unknown variant '%s' (pseudo, plain or dense)\n", argv[4]);
    return 2;
  }
  // The corpus is drawn from the largest list whatever sizes run, so a quick run measures
  // its sizes over the same texts as the full one.
  const auto real_terms = dictionary_terms(kMaxTerms);
  const auto pseudo_terms = make_terms(kMaxTerms);
  if (real_terms.empty()) {
    std::fprintf(stderr, "no word list at %s: run scripts/install-deps.sh --bench (wamerican-large)\n", kWordList);
    return 1;
  }
  if (profile_terms > kMaxTerms) {
    std::fprintf(stderr, "at most %zu terms\n", kMaxTerms);
    return 2;
  }
  if (profile_terms != 0) {
    const auto& all_terms = variant.empty() || variant == "dense" ? real_terms : pseudo_terms;
    const std::vector<std::string> terms(all_terms.begin(),
                                         all_terms.begin() + static_cast<std::ptrdiff_t>(profile_terms));
    const Corpus corpus = build_corpus(variant == "dense" ? terms : all_terms,
                                       variant == "plain" ? Style::plain_ascii : Style::news_html);
    return measure_size(corpus, terms, "", true) > 0 ? 0 : 1;
  }
  if (!run_set("real words as terms", real_terms, sizes, dir)) return 1;
  if (!run_set("syllable words as terms (none occurs inside another word)", pseudo_terms, sizes, "")) return 1;
  // The same syllable words without markup, references or accents: what the ratio is when
  // the normaliser has least to do (its 64-byte blocks pass straight through), so the share
  // of the gap that normalising HTML and Unicode costs shows in the same run.
  if (std::find(sizes.begin(), sizes.end(), 10000) != sizes.end()) {
    const Corpus plain = build_corpus(pseudo_terms, Style::plain_ascii);
    std::printf("plain ASCII corpus: %.0f bytes/item (no tags, references or accents)\n", plain.bytes_per_item());
    const std::vector<std::string> terms(pseudo_terms.begin(), pseudo_terms.begin() + 10000);
    if (measure_size(plain, terms, "plain ", false) <= 0) return 1;
    // A heavy day: the corpus drawn from the 10,000 real words themselves, so every watchlist
    // word is ten times as frequent as above and most items raise several alerts.
    const std::vector<std::string> real(real_terms.begin(), real_terms.begin() + 10000);
    const Corpus dense = build_corpus(real, Style::news_html);
    std::printf("dense corpus: real words, 2%% of all words from the 10,000 terms\n");
    if (measure_size(dense, real, "dense ", false) <= 0) return 1;
  }
  return 0;
}
