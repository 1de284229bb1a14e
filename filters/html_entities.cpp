#include "filters/html_entities.hpp"

#include "common/utf8.hpp"
#include "feeds/html_entities.hpp"

namespace newswatch::filters {

// One table serves both stages: the parser's full HTML5 set. An entity that expands to
// two code points (a base and a combining mark) yields its base: folding drops the mark.
std::optional<char32_t> lookup_named_entity(std::string_view name) {
  const std::string_view utf8 = feeds::lookup_entity(name);
  if (utf8.empty()) return std::nullopt;
  char32_t cp = 0;
  if (utf8_decode(utf8, 0, cp) == 0) return std::nullopt;
  return cp;
}

}  // namespace newswatch::filters
