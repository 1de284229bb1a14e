#pragma once
// Language of an item (docs/languages.md): language codes, and LanguageIdentifier, which tells
// the language of a text from character n-gram models shipped by libexttextcat-data.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "feeds/feed.hpp"
#include "feeds/language_tag.hpp"
#include "filters/normaliser.hpp"

namespace newswatch::filters {

using feeds::kUndetermined;
using feeds::normalise_language_tag;

// Where Debian's libexttextcat-data puts its models (one `<name>.lm` file per language).
inline constexpr const char* kDefaultLanguageModelDir = "/usr/share/libexttextcat";

// The languages the identifier chooses among unless told otherwise: those a West Africa desk
// meets, that the models cover. A wider set makes short texts harder to tell apart.
std::vector<std::string> default_candidate_languages();

struct LanguageGuess {
  std::string language;  // a candidate's code, or "und"
  std::string best;      // the likeliest candidate, however unsure ("" when none could be compared)
  // How clearly the text is that language: the best candidate's lead over the second in
  // log-likelihood per n-gram. 0 when nothing could be compared.
  double margin = 0;
  std::size_t letters = 0;  // letters the text has (after markup is stripped)
  bool arabic_script = false;
};

// Tells the language of a text. Loaded once (reads the models); identify() then allocates
// nothing once warm and is pure but for reused scratch: one thread only, like Matcher.
// The cascade (see docs/languages.md): a declared language stands unless the text is long and
// clearly another language; Arabic script is Arabic unless declared as another language
// written in it; otherwise the statistics decide, and short texts they are unsure of are "und".
class LanguageIdentifier {
 public:
  // Reads `<dir>/<model>.lm` for every candidate (codes as normalise_language_tag gives them).
  static Result<std::shared_ptr<const LanguageIdentifier>> load(
      const std::string& dir = kDefaultLanguageModelDir,
      const std::vector<std::string>& candidates = default_candidate_languages());

  // One identifier for the whole process, loaded on first use from the default place with the
  // default candidates. When the models cannot be read it still works, on declared languages
  // only; `load_error()` says why.
  static const LanguageIdentifier& standard();
  const std::string& load_error() const { return load_error_; }

  ~LanguageIdentifier();
  LanguageIdentifier(const LanguageIdentifier&) = delete;
  LanguageIdentifier& operator=(const LanguageIdentifier&) = delete;

  // The text's language from the text alone (summary may hold HTML).
  LanguageGuess guess(std::string_view title, std::string_view summary) const;

  // The final language: `declared` ("" when none) weighed against the text.
  std::string identify(std::string_view title, std::string_view summary, std::string_view declared) const;

  const std::vector<std::string>& candidates() const { return candidates_; }

  struct Model;  // defined in language_id.cpp

 private:
  LanguageIdentifier();
  std::vector<std::string> candidates_;
  std::unique_ptr<Model> model_;
  std::string load_error_;
  mutable std::array<ScanText, 2> scratch_;
};

// An item's final language, in one call for the ingest path: `configured` is the feed's
// `[[feed]] language` ("" when unset), which outranks what the document declares (item.language
// as the parser left it: the entry's xml:lang/dc:language, else the feed's, else the HTTP
// Content-Language).
std::string item_language(const LanguageIdentifier& identifier, const feeds::Item& item, std::string_view configured);

}  // namespace newswatch::filters
