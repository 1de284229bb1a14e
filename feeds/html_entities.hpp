#pragma once
// HTML text helpers for plain-text feed fields: character references (all HTML5 named
// entities, numeric refs) decoded to UTF-8, and tags stripped. Pure; never throws.

#include <cstdint>
#include <string>
#include <string_view>

namespace newswatch::feeds {

// Decodes `&name;`, `&#NNN;` and `&#xHH;` once. Unknown names and a bare `&` stay as
// written; numeric refs to NUL, surrogates or past U+10FFFF become U+FFFD, and C1 codes
// map through windows-1252 as browsers do.
std::string decode_entities(std::string_view text);

// Removes markup (`<...>` tags, comments) keeping the text between, then decodes
// entities: the plain-text reading of an HTML fragment.
std::string html_to_text(std::string_view html);

// The value of a hex digit (either case), or -1.
int hex_value(char c);

// NUL, a surrogate or past U+10FFFF: what a numeric reference must not produce (decoders
// put U+FFFD in its place).
bool is_forbidden_in_reference(std::uint32_t cp);

// Looks up a named entity (without '&' and ';'); empty when unknown.
std::string_view lookup_entity(std::string_view name);

}  // namespace newswatch::feeds
