#include "stories/story_text.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "common/hash.hpp"

namespace newswatch::stories {
namespace {

// Word terms never carry kEntityBit.
std::uint32_t word_hash(std::string_view w) { return static_cast<std::uint32_t>(hash_bytes(w)) & ~kEntityBit; }

// Words that say nothing about which event an item is about, in the languages a desk reads
// most (folded: no case, no diacritics). A pair of two of them is no evidence of a copy.
const char* const kStopwords[] = {
    // English
    "the", "of", "and", "to", "in", "is", "that", "for", "on", "was", "with", "said", "by", "as", "at", "from", "his",
    "her", "it", "an", "were", "are", "which", "this", "be", "has", "have", "had", "not", "after", "its", "their",
    "they", "he", "she", "we", "you", "will", "would", "could", "can", "been", "but", "or", "if", "than", "then",
    "there", "who", "whom", "what", "when", "where", "why", "how", "all", "also", "about", "into", "over", "more",
    "most", "some", "such", "no", "nor", "only", "out", "up", "so", "do", "does", "did", "our", "new", "one", "two",
    "says", "say", "told", "since", "while", "during", "before", "under", "against", "between", "other", "these",
    "those", "them", "him", "any", "just", "may", "might", "must", "should", "being", "per", "via", "amid", "near",
    "off", "own", "same", "very", "too", "last", "first", "us", "my", "me", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "today", "yesterday", "week", "year", "years", "day", "days",
    // French
    "le", "la", "les", "de", "des", "du", "un", "une", "et", "en", "au", "aux", "que", "qui", "dans", "par", "pour",
    "sur", "est", "sont", "ont", "avec", "ce", "ces", "cette", "se", "sa", "son", "ses", "leur", "leurs", "il", "elle",
    "ils", "elles", "ne", "pas", "plus", "ou", "mais", "donc", "ni", "car", "on", "nous", "vous", "lui", "selon",
    "apres", "avant", "depuis", "entre", "contre", "sans", "sous", "vers", "chez", "lors", "deux", "trois", "ete",
    "etait", "etre", "avoir", "fait", "faire", "tout", "tous", "toute", "toutes", "aussi", "dont", "ainsi", "lundi",
    "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "hier", "jour", "jours", "an", "ans", "annee",
    "semaine", "quil", "cest", "deja", "encore", "tres", "declare", "indique", "affirme",
    // Spanish, Portuguese, German: the commonest few, so wire copies in them shingle sensibly
    "el", "los", "las", "del", "por", "con", "para", "una", "como", "em", "os", "da", "do", "das", "dos", "um", "uma",
    "com", "der", "die", "das", "und", "ist", "den", "dem", "mit", "von", "zu", "im", "auf", "fur", "nach"};

const std::unordered_set<std::uint32_t>& stopword_set() {
  static const std::unordered_set<std::uint32_t> set = [] {
    std::unordered_set<std::uint32_t> s;
    for (const char* w : kStopwords)
      s.insert(word_hash(w));
    return s;
  }();
  return set;
}

// Agency names that open a summary ("BAMAKO (Reuters) -" normalised loses its dash): words up to
// one of these within the first few are a dateline.
const char* const kAgencies[] = {"reuters", "afp", "ap",   "xinhua", "apa", "anadolu", "dpa", "efe",
                                 "ansa",    "upi", "pana", "aps",    "ani", "pti",     "irna"};

bool is_agency(std::uint32_t h) {
  static const std::unordered_set<std::uint32_t> set = [] {
    std::unordered_set<std::uint32_t> s;
    for (const char* w : kAgencies)
      s.insert(word_hash(w));
    return s;
  }();
  return set.count(h) != 0;
}

constexpr std::uint32_t kNumberSymbol = 0x5eed'0001U;
enum : std::uint8_t { kWord = 0, kStop = 1, kNumber = 2 };

bool is_lower_ascii(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper_ascii(char c) { return c >= 'A' && c <= 'Z'; }

std::size_t count_words(std::string_view s) {
  std::size_t n = 0;
  bool in = false;
  for (char c : s) {
    const bool sp = c == ' ' || c == '\t' || c == '\n';
    if (!sp && !in) ++n;
    in = !sp;
  }
  return n;
}

void sort_unique(std::vector<std::uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::uint32_t pair_hash(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::uint32_t>(mix64((static_cast<std::uint64_t>(a) << 32) | b) >> 16);
}

// MinHash values of `set` under functions [first, first + count), combined per band of `rows`.
// Function j is h -> high 32 bits of (a_j * h + b_j) mod 2^64 with a_j odd: a multiply-shift
// family, cheap enough to run 68 times over every shingle (shingles are already mixed hashes).
void minhash_bands(const std::vector<std::uint32_t>& set, std::size_t first_band, std::size_t bands, std::size_t rows,
                   std::array<std::uint32_t, kBands>& out) {
  for (std::size_t b = 0; b < bands; ++b) {
    std::uint64_t key = mix64(0x51ed'0000ULL + first_band + b);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::uint64_t a = mix64(((first_band + b) << 8) + r + 1) | 1U;
      const std::uint64_t c = mix64(((first_band + b) << 8) + r + 0x100'0001);
      std::uint32_t lo = UINT32_MAX;
      for (std::uint32_t sh : set)
        lo = std::min(lo, static_cast<std::uint32_t>((a * sh + c) >> 32));
      key = mix64(key ^ lo);
    }
    out[first_band + b] = static_cast<std::uint32_t>(key) | 1U;  // never 0: 0 means "no band"
  }
}

}  // namespace

std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) { return mix64(fnv1a(kFnvOffset ^ seed, s)); }

std::uint32_t entity_term(std::string_view entity_id) {
  return static_cast<std::uint32_t>(hash_bytes(entity_id, 0xe7717)) | kEntityBit;
}

std::string_view strip_title_decorations(std::string_view title) {
  title = strip_dateline(title);
  // The last " - X" / " | X" separator, if what follows is short (an outlet's name).
  static constexpr std::string_view kSeparators[] = {" - ",  " | ",       " \xE2\x80\x93 ", " \xE2\x80\x94 ",
                                                     " :: ", " \xC2\xB7 "};
  std::size_t best = std::string_view::npos;
  std::size_t best_len = 0;
  for (auto sep : kSeparators) {
    const std::size_t at = title.rfind(sep);
    if (at != std::string_view::npos && (best == std::string_view::npos || at > best)) {
      best = at;
      best_len = sep.size();
    }
  }
  if (best == std::string_view::npos) return title;
  const std::string_view tail = title.substr(best + best_len);
  const std::string_view head = title.substr(0, best);
  if (tail.size() <= 50 && count_words(tail) <= 5 && count_words(head) >= 3) return head;
  return title;
}

std::string_view strip_dateline(std::string_view text) {
  // Leading white space and tags ("<p>") do not count.
  std::size_t start = 0;
  while (start < text.size()) {
    const char c = text[start];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++start;
    } else if (c == '<') {
      const std::size_t close = text.find('>', start);
      if (close == std::string_view::npos) break;
      start = close + 1;
    } else {
      break;
    }
  }
  const std::string_view body = text.substr(start);
  const std::string_view head = body.substr(0, std::min<std::size_t>(body.size(), 80));
  // "BAMAKO (Reuters) - ", "AFP - ", "WASHINGTON — ".
  static constexpr std::string_view kDashes[] = {" - ", " -- ", " \xE2\x80\x93 ", " \xE2\x80\x94 "};
  for (auto dash : kDashes) {
    const std::size_t at = head.find(dash);
    if (at == std::string_view::npos || at == 0) continue;
    const std::string_view prefix = head.substr(0, at);
    const bool agency = prefix.find('(') != std::string_view::npos && prefix.find(')') != std::string_view::npos;
    const bool capitals = std::none_of(prefix.begin(), prefix.end(), is_lower_ascii) &&
                          std::count_if(prefix.begin(), prefix.end(), is_upper_ascii) >= 2;
    if ((agency || capitals) && count_words(prefix) <= 8) return body.substr(at + dash.size());
  }
  // "UPDATE 2-", "EXCLUSIVE-": capitals and digits glued to a dash.
  const std::size_t dash = head.find('-');
  if (dash != std::string_view::npos && dash >= 5 && dash + 1 < body.size() && body[dash + 1] != ' ') {
    const std::string_view prefix = head.substr(0, dash);
    const bool ok = std::all_of(prefix.begin(), prefix.end(),
                                [](char c) { return is_upper_ascii(c) || (c >= '0' && c <= '9') || c == ' '; }) &&
                    std::count_if(prefix.begin(), prefix.end(), is_upper_ascii) >= 4;
    if (ok) return body.substr(dash + 1);
  }
  return text;
}

void StoryTextBuilder::build(std::string_view title, std::string_view summary, const std::vector<std::string>& entities,
                             StoryText& out) {
  const auto& stop = stopword_set();
  tokens_.clear();
  kinds_.clear();
  out.numbers.clear();
  out.title_numbers.clear();
  std::size_t title_tokens = 0;
  for (int field = 0; field < 2; ++field) {
    const bool is_title = field == 0;
    filters::normalise(is_title ? strip_title_decorations(title) : strip_dateline(summary),
                       is_title ? filters::TextKind::plain : filters::TextKind::html, false, scan_);
    const std::string_view f = scan_.folded();
    const std::size_t field_begin = tokens_.size();
    std::size_t i = 0;
    while (i < f.size() && tokens_.size() < kMaxWords) {
      while (i < f.size() && f[i] == ' ')
        ++i;
      const std::size_t b = i;
      while (i < f.size() && f[i] != ' ')
        ++i;
      if (i == b) break;
      const std::string_view w = f.substr(b, i - b);
      const bool digits = std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
      // Single letters are what apostrophes leave ("Mali's", "l'armée"): outlets differ there.
      if (w.size() == 1 && !digits) continue;
      const std::uint32_t h = word_hash(w);
      tokens_.push_back(digits ? kNumberSymbol : h);
      kinds_.push_back(digits ? kNumber : (stop.count(h) != 0 ? kStop : kWord));
      if (digits) (is_title ? out.title_numbers : out.numbers).push_back(h);
    }
    if (!is_title) {
      // A dateline the raw text did not show ("BAMAKO (Reuters) The army..."): drop words up to
      // an agency name among the first six.
      const std::size_t n = tokens_.size() - field_begin;
      for (std::size_t k = 0; k < std::min<std::size_t>(n, 6); ++k) {
        if (is_agency(tokens_[field_begin + k])) {
          tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(field_begin),
                        tokens_.begin() + static_cast<std::ptrdiff_t>(field_begin + k + 1));
          kinds_.erase(kinds_.begin() + static_cast<std::ptrdiff_t>(field_begin),
                       kinds_.begin() + static_cast<std::ptrdiff_t>(field_begin + k + 1));
          break;
        }
      }
    } else {
      title_tokens = tokens_.size();
    }
  }

  out.shingles.clear();
  out.title_shingles.clear();
  out.words.clear();
  out.terms.clear();
  out.bands.fill(0);
  out.word_count = tokens_.size();
  out.has_summary = tokens_.size() > title_tokens;
  sketch_.clear();
  sort_unique(out.title_numbers);
  out.numbers.insert(out.numbers.end(), out.title_numbers.begin(), out.title_numbers.end());
  sort_unique(out.numbers);

  const std::size_t sketch_end = std::min(tokens_.size(), title_tokens + kSketchSummaryWords);
  for (std::size_t k = 0; k + 1 < tokens_.size(); ++k) {
    if (k + 1 == title_tokens) continue;  // no pair across title and summary
    if (kinds_[k] == kStop && kinds_[k + 1] == kStop) continue;
    const std::uint32_t s = pair_hash(tokens_[k], tokens_[k + 1]);
    out.shingles.push_back(s);
    if (k + 1 < title_tokens) out.title_shingles.push_back(s);
    if (k + 1 < sketch_end) sketch_.push_back(s);
  }
  sort_unique(out.shingles);
  sort_unique(out.title_shingles);
  sort_unique(sketch_);

  for (std::size_t k = 0; k < tokens_.size(); ++k) {
    if (kinds_[k] != kWord) continue;
    out.words.push_back(tokens_[k]);
    out.terms.emplace_back(tokens_[k], k < title_tokens ? 2.0F : 1.0F);
  }
  sort_unique(out.words);
  out.entities.clear();
  for (const auto& e : entities) {
    out.terms.emplace_back(entity_term(e), 1.0F);
    out.entities.push_back(entity_term(e));
  }
  sort_unique(out.entities);
  std::sort(out.terms.begin(), out.terms.end());
  std::size_t w = 0;
  for (std::size_t r = 0; r < out.terms.size(); ++r) {
    if (w > 0 && out.terms[w - 1].first == out.terms[r].first) {
      out.terms[w - 1].second += out.terms[r].second;
    } else {
      out.terms[w++] = out.terms[r];
    }
  }
  out.terms.resize(w);

  if (sketch_.size() >= 3) minhash_bands(sketch_, 0, kTextBands, kTextRows, out.bands);
  if (out.title_shingles.size() >= 2) minhash_bands(out.title_shingles, kTextBands, kTitleBands, kTitleRows, out.bands);
}

}  // namespace newswatch::stories
