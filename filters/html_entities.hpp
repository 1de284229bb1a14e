#pragma once
// HTML named character references (&eacute; -> U+00E9) for the normaliser, from the
// parser's HTML5 table (feeds/html_entities). Pure lookup;
// the name excludes '&' and ';' and is case-sensitive, as in HTML.

#include <optional>
#include <string_view>

namespace newswatch::filters {

std::optional<char32_t> lookup_named_entity(std::string_view name);

}  // namespace newswatch::filters
