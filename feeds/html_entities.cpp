#include "feeds/html_entities.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/text.hpp"
#include "common/utf8.hpp"

namespace newswatch::feeds {
namespace {

struct Entity {
  std::string_view name;
  std::string_view value;
};

constexpr Entity kEntities[] = {
#include "feeds/html_entities_table.inc"
};

// Browsers read numeric references to C1 controls as the windows-1252 characters
// that legacy pages meant; 0 marks the five bytes windows-1252 leaves undefined.
constexpr std::array<char16_t, 32> kC1ToCp1252{0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                               0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                               0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                               0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

}  // namespace

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_forbidden_in_reference(std::uint32_t cp) { return cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF); }

namespace {

char32_t sanitize_code_point(std::uint32_t cp) {
  if (is_forbidden_in_reference(cp)) return 0xFFFD;
  if (cp >= 0x80 && cp <= 0x9F) {
    const char16_t mapped = kC1ToCp1252[cp - 0x80];
    return mapped != 0 ? mapped : static_cast<char32_t>(cp);
  }
  return static_cast<char32_t>(cp);
}

// Tries to read one reference starting at s[0] == '&'. Returns the bytes consumed (0 if
// this '&' does not start a reference) and appends the decoded text.
std::size_t decode_one(std::string_view s, std::string& out) {
  if (s.size() < 3) return 0;
  if (s[1] == '#') {
    std::size_t i = 2;
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    const std::size_t digits_start = i;
    std::uint32_t value = 0;
    bool overflow = false;
    for (; i < s.size(); ++i) {
      const int d = hex ? hex_value(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
      if (d < 0) break;
      value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      if (value > 0x10FFFF) overflow = true, value = 0x110000;
    }
    if (i == digits_start) return 0;
    // The ';' is optional for numeric references, as in HTML.
    const std::size_t consumed = (i < s.size() && s[i] == ';') ? i + 1 : i;
    utf8_append(out, overflow ? char32_t{0xFFFD} : sanitize_code_point(value));
    return consumed;
  }
  std::size_t i = 1;
  while (i < s.size() && i < 40 && is_ascii_alnum(s[i]))
    ++i;
  if (i == 1 || i >= s.size() || s[i] != ';') return 0;
  const auto value = lookup_entity(s.substr(1, i - 1));
  if (value.empty()) return 0;
  out.append(value);
  return i + 1;
}

}  // namespace

std::string_view lookup_entity(std::string_view name) {
  // The few that make up nearly all references in real feeds skip the search.
  if (name == "amp") return "&";
  if (name == "quot") return "\"";
  if (name == "lt") return "<";
  if (name == "gt") return ">";
  if (name == "nbsp") return "\xC2\xA0";
  if (name.empty()) return {};
  // The table is sorted by name: a range per first byte narrows the search to a few dozen.
  static const auto kByFirst = [] {
    std::array<std::pair<std::uint16_t, std::uint16_t>, 256> r{};
    for (std::size_t i = std::size(kEntities); i-- > 0;) {
      auto& range = r[static_cast<unsigned char>(kEntities[i].name[0])];
      if (range.second == 0) range.second = static_cast<std::uint16_t>(i + 1);
      range.first = static_cast<std::uint16_t>(i);
    }
    return r;
  }();
  const auto [first, last] = kByFirst[static_cast<unsigned char>(name[0])];
  const auto* end = std::begin(kEntities) + last;
  const auto* it = std::lower_bound(std::begin(kEntities) + first, end, name,
                                    [](const Entity& e, std::string_view n) { return e.name < n; });
  if (it != end && it->name == name) return it->value;
  return {};
}

std::string decode_entities(std::string_view text) {
  std::string out;
  std::size_t amp = text.find('&');
  if (amp == std::string_view::npos) return std::string(text);
  out.reserve(text.size());
  std::size_t pos = 0;
  while (amp != std::string_view::npos) {
    out.append(text.substr(pos, amp - pos));
    const std::size_t used = decode_one(text.substr(amp), out);
    if (used == 0) {
      out.push_back('&');
      pos = amp + 1;
    } else {
      pos = amp + used;
    }
    amp = text.find('&', pos);
  }
  out.append(text.substr(pos));
  return out;
}

std::string html_to_text(std::string_view html) {
  if (html.find('<') == std::string_view::npos) return decode_entities(html);
  std::string stripped;
  stripped.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c != '<') {
      stripped.push_back(c);
      ++i;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      const auto end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    // Only '<' followed by a letter, '/', '!' or '?' opens a tag; "a < b" is text.
    const char next = i + 1 < html.size() ? html[i + 1] : '\0';
    const bool tag =
        (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '/' || next == '!' || next == '?';
    if (!tag) {
      stripped.push_back(c);
      ++i;
      continue;
    }
    const auto end = html.find('>', i + 1);
    if (end == std::string_view::npos) break;  // an unterminated tag: drop the rest, it is markup
    i = end + 1;
  }
  return decode_entities(stripped);
}

}  // namespace newswatch::feeds
