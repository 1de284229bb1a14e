#include "filters/html_entities.hpp"

#include "feeds/html_entities.hpp"

namespace newswatch::filters {

// One table serves both stages: the parser's full HTML5 set. An entity that expands to
// two code points (a base and a combining mark) yields its base: folding drops the mark.
std::optional<char32_t> lookup_named_entity(std::string_view name) {
  const std::string_view utf8 = feeds::lookup_entity(name);
  if (utf8.empty()) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(utf8[0]);
  const auto cont = [&utf8](std::size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(utf8[i]) & 0x3F);
  };
  if (b0 < 0x80) return b0;
  if (b0 >= 0xC0 && b0 < 0xE0 && utf8.size() >= 2) return (static_cast<char32_t>(b0 & 0x1F) << 6) | cont(1);
  if (b0 >= 0xE0 && b0 < 0xF0 && utf8.size() >= 3) {
    return (static_cast<char32_t>(b0 & 0x0F) << 12) | (cont(1) << 6) | cont(2);
  }
  if (b0 >= 0xF0 && utf8.size() >= 4) {
    return (static_cast<char32_t>(b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
  }
  return std::nullopt;
}

}  // namespace newswatch::filters
