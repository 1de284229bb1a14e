#pragma once
// Language codes as items and configs carry them (docs/languages.md): a declared tag normalised
// to ISO 639-1 (else 639-3), and which codes a config may name. Pure tables.

#include <string>
#include <string_view>

namespace newswatch::feeds {

// The code of an item whose language is not known well enough to name.
inline constexpr std::string_view kUndetermined = "und";

// A declared language ("en-US", "FR", "fre", "fr_CA", "English") as our code: the primary
// subtag, lower case, ISO 639-1 where one exists ("fre"/"fra" -> "fr"), else the ISO 639-3 code.
// "" when it names no language we know ("x-default", "*", "", "zz").
std::string normalise_language_tag(std::string_view tag);

// Whether `code` may be written in a config or a query as it stands: an ISO 639-1 code, an
// ISO 639-3 code of a language without one that we know, or "und".
bool is_language_code(std::string_view code);

// Why `code` is not one (for --check): "unknown language code 'fra': write 'fr' (ISO 639-1)".
std::string language_code_problem(std::string_view code);

}  // namespace newswatch::feeds
