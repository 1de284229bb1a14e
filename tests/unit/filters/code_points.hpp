#pragma once
// Test helpers: Python's s[offset:offset+length] over code points, to check that alert
// offsets slice the original field text the way subscribers will; and the normaliser's own
// count of code points, which also holds for invalid UTF-8 (tests and fuzz targets).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch::filters {

inline std::string slice_cp(std::string_view s, std::size_t offset, std::size_t length) {
  std::size_t cp = 0;
  std::string out;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++cp;
    if (cp > offset && cp <= offset + length) out.push_back(c);
  }
  return out;
}

// The normaliser's code points (normaliser.hpp: "Invalid UTF-8 bytes are separators, one code
// point each"): a well-formed UTF-8 sequence (RFC 3629: no overlongs, surrogates or values past
// U+10FFFF) is one code point, and so is every byte of an ill-formed one. On valid UTF-8 this is
// what slice_cp counts; they differ only on stray continuation bytes, which slice_cp folds into
// the code point before them.
inline std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1FU;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0FU;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07U;
    min = 0x10000;
  } else {
    return 1;
  }
  if (i + len > s.size()) return 1;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 1;
    cp = (cp << 6) | (b & 0x3FU);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 1;
  return len;
}

// Byte offset of every code point, then the text's size: code point k is [at[k], at[k + 1]).
struct CodePoints {
  std::vector<std::size_t> at;
  bool valid_utf8 = true;

  explicit CodePoints(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
      at.push_back(i);
      const std::size_t len = sequence_length(s, i);
      if (len == 1 && static_cast<unsigned char>(s[i]) >= 0x80) valid_utf8 = false;
      i += len;
    }
    at.push_back(s.size());
  }
  std::size_t count() const { return at.size() - 1; }
  std::string_view slice(std::string_view s, std::size_t begin, std::size_t end) const {
    return s.substr(at[begin], at[end] - at[begin]);
  }
};

}  // namespace newswatch::filters
