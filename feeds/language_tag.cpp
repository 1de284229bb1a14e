#include "feeds/language_tag.hpp"

#include <algorithm>
#include <iterator>

#include "common/text.hpp"

namespace newswatch::feeds {
namespace {

// ISO 639-1, every code.
constexpr std::string_view kIso6391[] = {
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm", "bn", "bo",
    "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo",
    "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi",
    "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka",
    "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng",
    "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn",
    "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
    "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur",
    "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu"};

// ISO 639-3 codes of languages without a 639-1 code that a desk may meet or the models cover:
// West African languages and creoles, Arabic varieties, Chinese varieties, and the rest of
// libexttextcat's models. Not all of 639-3: a code outside this list is more likely a typo.
constexpr std::string_view kIso6393[] = {
    "ace", "ada", "alt", "apc", "arb", "arn", "arq", "ars", "ary", "arz", "ast", "ban", "bem", "bho",
    "bik", "ckb", "cmn", "dag", "dje", "dyu", "emk", "fon", "fub", "fuf", "fur", "fuv", "gaa", "grc",
    "gug", "haw", "hil", "hsb", "kbp", "khq", "kng", "knc", "kri", "ktu", "mai", "men", "mfe", "mnk",
    "mos", "nds", "nqo", "nso", "pcm", "plt", "quz", "rue", "sco", "ses", "shs", "shi", "snk", "sus",
    "taq", "tem", "tet", "thv", "tmh", "tpi", "tzm", "vep", "wuu", "yue", "zgh"};

struct Alias {
  std::string_view from;
  std::string_view to;
};

// ISO 639-2 (bibliographic and terminological) and 639-3 codes, and English names some feeds
// write in <language>, for languages that have a 639-1 code.
constexpr Alias kAliases[] = {
    {"eng", "en"},    {"fre", "fr"},      {"fra", "fr"},    {"ara", "ar"},     {"arb", "ar"},        {"hau", "ha"},
    {"por", "pt"},    {"swa", "sw"},      {"swh", "sw"},    {"som", "so"},     {"spa", "es"},        {"ger", "de"},
    {"deu", "de"},    {"ita", "it"},      {"bam", "bm"},    {"yor", "yo"},     {"wol", "wo"},        {"ful", "ff"},
    {"ibo", "ig"},    {"zul", "zu"},      {"xho", "xh"},    {"amh", "am"},     {"tir", "ti"},        {"orm", "om"},
    {"kin", "rw"},    {"lin", "ln"},      {"lug", "lg"},    {"ewe", "ee"},     {"twi", "tw"},        {"aka", "ak"},
    {"kau", "kr"},    {"mlg", "mg"},      {"rus", "ru"},    {"chi", "zh"},     {"zho", "zh"},        {"per", "fa"},
    {"fas", "fa"},    {"pes", "fa"},      {"urd", "ur"},    {"pus", "ps"},     {"tur", "tr"},        {"dut", "nl"},
    {"nld", "nl"},    {"pol", "pl"},      {"jpn", "ja"},    {"kor", "ko"},     {"hin", "hi"},        {"ben", "bn"},
    {"heb", "he"},    {"gre", "el"},      {"ell", "el"},    {"ukr", "uk"},     {"rum", "ro"},        {"ron", "ro"},
    {"sna", "sn"},    {"nya", "ny"},      {"kik", "ki"},    {"run", "rn"},     {"sag", "sg"},        {"ind", "id"},
    {"msa", "ms"},    {"may", "ms"},      {"vie", "vi"},    {"tha", "th"},     {"cat", "ca"},        {"english", "en"},
    {"french", "fr"}, {"francais", "fr"}, {"arabic", "ar"}, {"hausa", "ha"},   {"portuguese", "pt"}, {"swahili", "sw"},
    {"somali", "so"}, {"spanish", "es"},  {"german", "de"}, {"italian", "it"}, {"bambara", "bm"},    {"yoruba", "yo"},
    {"wolof", "wo"}};

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view v) {
  return std::find(std::begin(list), std::end(list), v) != std::end(list);
}

}  // namespace

std::string normalise_language_tag(std::string_view tag) {
  tag = trim_space(tag);
  const std::size_t cut = tag.find_first_of("-_;, ");
  std::string primary = to_ascii_lower(tag.substr(0, cut));
  if (primary.empty() || !std::all_of(primary.begin(), primary.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return {};
  }
  if (primary == "iw") return "he";  // withdrawn codes still in use
  if (primary == "in") return "id";
  for (const auto& a : kAliases) {
    if (a.from == primary) return std::string(a.to);
  }
  if (primary.size() == 2 && contains(kIso6391, primary)) return primary;
  if (primary.size() == 3 && (contains(kIso6393, primary) || primary == kUndetermined)) {
    return primary == kUndetermined ? std::string() : primary;
  }
  return {};
}

bool is_language_code(std::string_view code) {
  if (code == kUndetermined) return true;
  if (code.size() == 2) return contains(kIso6391, code);
  return code.size() == 3 && contains(kIso6393, code);
}

std::string language_code_problem(std::string_view code) {
  std::string message = "unknown language code '" + std::string(code) + "'";
  const std::string normal = normalise_language_tag(code);
  if (!normal.empty() && normal != code) {
    message += ": write '" + normal + "'";
    message += normal.size() == 2 ? " (ISO 639-1)" : "";
  } else {
    message += ": expected an ISO 639-1 code such as 'fr', an ISO 639-3 code such as 'pcm', or 'und'";
  }
  return message;
}

}  // namespace newswatch::feeds
