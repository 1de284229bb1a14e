#include "filters/language_id.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <unordered_map>

#include "common/hash.hpp"
#include "common/text.hpp"

namespace newswatch::filters {
namespace {

// Languages commonly written in Arabic script: a text in it declared as one of these keeps its
// declaration, as the models cannot tell them from Arabic.
constexpr std::string_view kArabicScriptLanguages[] = {"ar", "fa",  "ur",  "ps",  "ku",  "ckb", "sd",  "ug",
                                                       "ks", "arz", "ary", "arq", "apc", "ars", "shi", "zgh"};

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view v) {
  return std::find(std::begin(list), std::end(list), v) != std::end(list);
}

// Candidates beyond this many would not fit the fixed-width weight rows.
constexpr std::size_t kMaxCandidates = 16;
constexpr std::size_t kMaxGram = 5;  // code points per n-gram, as the models count them
// Of the summary, this many folded bytes are read: a few hundred characters tell the language,
// and the cost of an item stays bounded however long its summary is.
constexpr std::size_t kMaxSummaryBytes = 512;
// Zipf's law for a model's ranks (see load()), and the rank given to an n-gram a model lacks.
// Tuned on tests/fixtures/languages (see docs/languages.md).
constexpr double kRankOffset = 10;
constexpr double kUnseenRank = 1000;

// Each language's commonest short words, as the normaliser folds them (our own lists). The
// n-gram models know a language's letters; a headline has few, and these words are what tells
// "Soldiers accused of abuses" from a Dutch or Hausa headline. A word found adds kWordBonus
// to each language listing it.
struct CommonWords {
  std::string_view code;
  std::string_view words;  // space-separated
};
constexpr CommonWords kCommonWords[] = {
    {"en",
     "the of and to in for on with as by at from after over says say said amid into will be has have are was were its "
     "their his her who what how more than not new against about up out could would this that which while under "
     "between two three before off down back again still now only also first last next during since until "
     "killed kills kill attack attacks dead death deaths police government president minister leaders leader meets "
     "army troops soldiers talks court election elections people world city state country forces rebels fighting "
     "calls warns urges plan deal vote year years week day report reports deadly several many most near where "
     "when why there they we you it is an or but if no all one first"},
    {"fr",
     "le la les des du une un et est sont dans pour sur avec par au aux apres selon contre sans entre plus pas ne qui "
     "que ce cette ces son sa ses leur leurs il elle ils nouveau nouvelle deux trois vers chez lors d l s qu "
     "tues tue attaque attaques morts mort police gouvernement ministre dirigeants armee soldats troupes "
     "pourparlers tribunal election elections pays ville rebelles combats appelle menace accord annee ans "
     "semaine jour rapport plusieurs ou mais aussi encore depuis pendant avant deja tout tous toute fait face "
     "reprend enfin pres nord sud est ouest etre avoir ete"},
    {"pt",
     "o os as do da dos das um uma e em no na nos nas para com por pelo pela apos segundo contra sem entre mais nao "
     "que ao aos seu sua seus suas ele ela eles novo nova dois tres diz dizem "
     "mortos morte ataque policia governo ministro lideres exercito soldados tropas tribunal eleicao eleicoes "
     "pais cidade rebeldes combates acordo ano anos semana dia relatorio varios perto depois ainda tambem"},
    {"es",
     "el los las del un una y en con por para segun tras contra sin entre mas no que al su sus nuevo nueva dos tres "
     "dice"},
    {"it", "il lo gli della delle degli dei nel nella per con su tra dopo contro senza piu non che e sono una uno"},
    {"de", "der die das und ist sind ein eine mit von fur auf nach gegen ohne nicht dem den des im zu bei"},
    {"ha",
     "da a na ta ya sun an ke ba za ga domin kan cikin wani wata bayan amma kuma ce ji shi su ita wanda wadanda tare "
     "daga zuwa game kasar sabon yan"},
    {"sw",
     "ya wa na za la kwa katika ni kwamba baada kuhusu hiyo huo hilo wake wao yake zake ambao mjini nchini serikali "
     "watu wanasema amesema"},
    {"so", "oo ayaa iyo ka ku u la waxaa waxay ah in uu ay kadib kale ee soo kala ugu lagu loo dhan iyada isaga sida"},
    {"bm", "ka ye ni ko bi ma la ani ba kan min be te o u"},
    {"yo", "ti ni awon si fun lati ninu pelu o won ko ati nigba ijoba"},
};
constexpr double kWordBonus = 8;

// How far ahead (log-likelihood per n-gram) the best language must be for the text to be said
// to be in it: a text of 150 letters or more, a headline (25 or more), a few words (12 or more;
// fewer is never enough). On our
// labelled set every wrong headline guess had a lead under 0.055; every text of 150 letters or
// more led by over 0.19.
constexpr double kSureMarginLong = 0.05;
constexpr double kSureMarginShort = 0.06;
constexpr double kSureMarginTiny = 0.15;
// A declared language gives way only to a text this long that leads by this much.
constexpr std::size_t kOverrideLetters = 150;
constexpr double kOverrideMargin = 0.15;

// Model file names of the candidates (libexttextcat names a few by region or script).
std::string model_file(std::string_view code) {
  if (code == "ha") return "ha-NG";
  if (code == "emk") return "emk-Latn";
  if (code == "tzm") return "tzm-Latn";
  if (code == "sr") return "sr-Latn";
  if (code == "zh") return "zh-Hans";
  return std::string(code);
}

std::size_t utf8_length(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

std::uint32_t decode(std::string_view s, std::size_t i, std::size_t len) {
  const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (len) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

bool is_arabic(std::uint32_t cp) {
  return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) || (cp >= 0x08A0 && cp <= 0x08FF) ||
         (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF);
}

bool is_latin(std::uint32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x24F) ||
         (cp >= 0x1E00 && cp <= 0x1EFF);
}

}  // namespace

std::vector<std::string> default_candidate_languages() {
  // No Wolof model ships with libexttextcat: a Wolof feed needs `language = "wo"`.
  return {"en", "fr", "ar", "ha", "pt", "sw", "so", "es", "de", "it", "bm", "yo"};
}

// N-gram -> per-candidate log-probability, as an open-addressed table keyed by the n-gram's
// 64-bit hash (no strings kept: two of a few thousand n-grams sharing a hash is not a risk
// worth the memory reads).
struct LanguageIdentifier::Model {
  // 64-bit hash -> 32-bit value, open-addressed, 8 bytes a slot: the index comes from the
  // hash's low bits and a 32-bit fingerprint from its high ones (the tables are read for
  // every n-gram of every item, and half the bytes keep more of them in cache).
  class HashTable {
   public:
    void build(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& entries) {
      std::size_t size = 64;
      while (size < entries.size() * 2)
        size *= 2;
      slots_.assign(size, {});
      mask_ = size - 1;
      for (const auto& [key, value] : entries) {
        std::uint64_t i = key & mask_;
        while (slots_[i].print != 0 && slots_[i].print != print(key))
          i = (i + 1) & mask_;
        slots_[i] = {print(key), value};
      }
    }
    const std::uint32_t* find(std::uint64_t key) const {
      const std::uint32_t p = print(key);
      for (std::uint64_t i = key & mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.print == p) return &s.value;
        if (s.print == 0) return nullptr;
      }
    }

   private:
    struct Slot {
      std::uint32_t print = 0;  // 0: empty
      std::uint32_t value = 0;
    };
    static std::uint32_t print(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32) | 1U; }
    std::vector<Slot> slots_;
    std::uint64_t mask_ = 0;
  };

  using Row = std::array<float, kMaxCandidates>;
  HashTable grams;  // n-gram hash -> index into rows
  std::vector<Row> rows;
  std::size_t count = 0;   // candidates
  HashTable common_words;  // word hash -> candidate bits

  const Row* find(std::uint64_t key) const {
    const std::uint32_t* row = grams.find(key);
    return row == nullptr ? nullptr : &rows[*row];
  }
};

LanguageIdentifier::LanguageIdentifier() = default;
LanguageIdentifier::~LanguageIdentifier() = default;

Result<std::shared_ptr<const LanguageIdentifier>> LanguageIdentifier::load(const std::string& dir,
                                                                           const std::vector<std::string>& candidates) {
  if (candidates.empty() || candidates.size() > kMaxCandidates) {
    return make_error("between 1 and " + std::to_string(kMaxCandidates) + " candidate languages are needed");
  }
  // The models rank each language's 400 most frequent n-grams (some give counts, most do not):
  // a rank r is weighed as Zipf's law has it, log 1/(r + kRankOffset), and an n-gram a model
  // lacks as one ranked past its end. Folding merges n-grams ("é_" and "e_"): the best rank holds.
  std::vector<std::unordered_map<std::string, std::size_t>> ranks(candidates.size());
  for (std::size_t l = 0; l < candidates.size(); ++l) {
    const std::string path = dir + "/" + model_file(candidates[l]) + ".lm";
    std::ifstream in(path);
    if (!in) return make_error("cannot read the language model " + path + " (Debian package libexttextcat-data)");
    std::size_t rank = 0;
    for (std::string line; std::getline(in, line); ++rank) {
      const std::size_t end = line.find_first_of("\t \r");
      const std::string_view gram(line.data(), std::min(end, line.size()));
      if (gram.empty()) continue;
      const bool lead = gram.front() == '_';
      const bool trail = gram.size() > 1 && gram.back() == '_';
      const std::string_view middle = gram.substr(lead ? 1 : 0, gram.size() - (lead ? 1 : 0) - (trail ? 1 : 0));
      if (middle.empty() || middle.find('_') != std::string_view::npos) continue;
      // Punctuation, digits and case are not in our streams: fold the n-gram as they are.
      const auto words = term_words(middle, false);
      if (words.size() != 1) continue;
      std::string key = (lead ? "_" : "") + words[0] + (trail ? "_" : "");
      ranks[l].emplace(std::move(key), rank);  // the first (best) rank stays
    }
    if (rank == 0) return make_error("the language model " + path + " is empty");
  }
  std::unordered_map<std::string, std::uint32_t> row_of;
  auto id = std::shared_ptr<LanguageIdentifier>(new LanguageIdentifier());
  auto model = std::make_unique<Model>();
  model->count = candidates.size();
  Model::Row unseen{};
  for (std::size_t l = 0; l < candidates.size(); ++l)
    unseen[l] = static_cast<float>(-std::log(kUnseenRank + kRankOffset));
  for (std::size_t l = 0; l < candidates.size(); ++l) {
    for (const auto& [gram, rank] : ranks[l]) {
      auto [it, inserted] = row_of.emplace(gram, static_cast<std::uint32_t>(model->rows.size()));
      if (inserted) model->rows.push_back(unseen);
      model->rows[it->second][l] = static_cast<float>(-std::log(static_cast<double>(rank) + kRankOffset));
    }
  }
  std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
  entries.reserve(row_of.size());
  for (const auto& [gram, row] : row_of)
    entries.emplace_back(fnv1a(kFnvOffset, gram), row);
  model->grams.build(entries);
  std::unordered_map<std::uint64_t, std::uint32_t> word_bits;
  for (const auto& list : kCommonWords) {
    const auto at = std::find(candidates.begin(), candidates.end(), list.code);
    if (at == candidates.end()) continue;
    const auto bit = 1U << (at - candidates.begin());
    std::string_view rest = list.words;
    while (!rest.empty()) {
      const std::size_t space = rest.find(' ');
      word_bits[fnv1a(kFnvOffset, rest.substr(0, space))] |= bit;
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
  }
  model->common_words.build({word_bits.begin(), word_bits.end()});
  id->candidates_ = candidates;
  id->model_ = std::move(model);
  return std::shared_ptr<const LanguageIdentifier>(std::move(id));
}

const LanguageIdentifier& LanguageIdentifier::standard() {
  static const std::shared_ptr<const LanguageIdentifier> instance = [] {
    auto loaded = load();
    if (loaded) return std::move(*loaded);
    auto bare = std::shared_ptr<LanguageIdentifier>(new LanguageIdentifier());
    bare->load_error_ = loaded.error().message;
    return std::shared_ptr<const LanguageIdentifier>(std::move(bare));
  }();
  return *instance;
}

LanguageGuess LanguageIdentifier::guess(std::string_view title, std::string_view summary) const {
  LanguageGuess out;
  out.language = std::string(kUndetermined);
  normalise(title, TextKind::plain, false, scratch_[0]);
  normalise(summary, TextKind::html, false, scratch_[1]);
  std::array<double, kMaxCandidates> score{};
  std::size_t grams = 0;
  std::size_t arabic = 0;
  std::size_t latin = 0;
  // Code point starts of the current word, "_word_" (the boundary as '_').
  std::array<std::uint32_t, 64> starts{};
  std::array<std::uint8_t, 64> lens{};
  std::string word;
  const auto score_word = [&](std::size_t n) {  // n code points, boundaries included
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t h = kFnvOffset;
      for (std::size_t k = 0; k < kMaxGram && i + k < n; ++k) {
        h = fnv1a(h, std::string_view(word).substr(starts[i + k], lens[i + k]));
        if (k == 0 && word[starts[i]] == '_') continue;  // the bare boundary says nothing
        if (model_ == nullptr) continue;
        const Model::Row* row = model_->find(h);
        // An n-gram is at most as frequent as its prefix: when no model ranks the prefix,
        // none ranks the longer ones either, so they are not looked up.
        if (row == nullptr) break;
        ++grams;
        for (std::size_t l = 0; l < kMaxCandidates; ++l)
          score[l] += (*row)[l];
      }
    }
  };
  for (std::size_t f = 0; f < 2; ++f) {
    std::string_view s = scratch_[f].folded();
    if (f == 1 && s.size() > kMaxSummaryBytes) s = s.substr(0, kMaxSummaryBytes);
    std::size_t i = 0;
    while (i < s.size()) {
      // A word: a run of non-space bytes; digits split it as they do in the models.
      while (i < s.size() && (s[i] == ' ' || is_ascii_digit(s[i])))
        ++i;
      if (i >= s.size()) break;
      word.assign(1, '_');  // not = "_": GCC 12 -O3 reports a false -Wrestrict on that
      std::size_t n = 1;
      starts[0] = 0;
      lens[0] = 1;
      while (i < s.size() && s[i] != ' ' && !is_ascii_digit(s[i])) {
        const std::size_t len = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
        const std::uint32_t cp = decode(s, i, len);
        arabic += is_arabic(cp) ? 1 : 0;
        latin += is_latin(cp) ? 1 : 0;
        ++out.letters;
        if (n + 1 < starts.size()) {  // a word longer than that is scored on its start
          starts[n] = static_cast<std::uint32_t>(word.size());
          lens[n] = static_cast<std::uint8_t>(len);
          word.append(s.substr(i, len));
          ++n;
        }
        i += len;
      }
      if (model_ != nullptr) {
        if (const std::uint32_t* bits =
                model_->common_words.find(fnv1a(kFnvOffset, std::string_view(word).substr(1)))) {
          for (std::size_t l = 0; l < model_->count; ++l)
            score[l] += (*bits >> l & 1U) != 0 ? kWordBonus : 0.0;
        }
      }
      starts[n] = static_cast<std::uint32_t>(word.size());
      lens[n] = 1;
      word += '_';
      score_word(n + 1);
    }
  }
  out.arabic_script = arabic * 2 > out.letters;
  if (out.arabic_script) {
    out.language = "ar";
    out.margin = std::numeric_limits<double>::infinity();
    return out;
  }
  // Neither Latin nor Arabic (Cyrillic, CJK, …): none of the candidates' models applies.
  if (model_ == nullptr || grams == 0 || latin * 2 < out.letters) return out;
  std::size_t best = 0;
  std::size_t second = model_->count > 1 ? 1 : 0;
  if (score[second] > score[best]) std::swap(best, second);
  for (std::size_t l = 2; l < model_->count; ++l) {
    if (score[l] > score[best]) {
      second = best;
      best = l;
    } else if (score[l] > score[second]) {
      second = l;
    }
  }
  out.margin = best == second ? 0 : (score[best] - score[second]) / static_cast<double>(grams);
  // Short texts need a clearer lead: a headline of 40 letters is a handful of words.
  const double needed = out.letters >= 150  ? kSureMarginLong
                        : out.letters >= 25 ? kSureMarginShort
                        : out.letters >= 12 ? kSureMarginTiny
                                            : std::numeric_limits<double>::infinity();
  out.best = candidates_[best];
  if (out.margin >= needed) out.language = candidates_[best];
  return out;
}

std::string LanguageIdentifier::identify(std::string_view title, std::string_view summary,
                                         std::string_view declared) const {
  const std::string stated = normalise_language_tag(declared);
  const LanguageGuess g = guess(title, summary);
  if (g.arabic_script) {
    return !stated.empty() && contains(kArabicScriptLanguages, stated) ? stated : std::string("ar");
  }
  if (stated.empty()) return g.language;
  // The declaration stands unless the text is long and clearly another language. Against a
  // language the models do not cover, the text must be clearer still.
  const bool covered = std::find(candidates_.begin(), candidates_.end(), stated) != candidates_.end();
  const double clear = covered ? kOverrideMargin : 2 * kOverrideMargin;
  if (g.language != kUndetermined && g.language != stated && g.letters >= kOverrideLetters && g.margin >= clear) {
    return g.language;
  }
  return stated;
}

std::string item_language(const LanguageIdentifier& identifier, const feeds::Item& item, std::string_view configured) {
  const std::string_view summary = item.summary.empty() ? std::string_view(item.content) : item.summary;
  return identifier.identify(item.title, summary, configured.empty() ? std::string_view(item.language) : configured);
}

}  // namespace newswatch::filters
