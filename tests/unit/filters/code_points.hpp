#pragma once
// Test helper: Python's s[offset:offset+length] over code points, to check that alert
// offsets slice the original field text the way subscribers will.

#include <cstddef>
#include <string>
#include <string_view>

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

}  // namespace newswatch::filters
