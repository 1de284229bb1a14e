#pragma once
// Byte-level text helpers shared by the parsers. ASCII only, so safe on UTF-8: a
// multi-byte sequence never contains a byte at or below 0x20.

#include <string_view>

namespace newswatch {

// Drops spaces and control bytes (<= 0x20) at both ends.
inline std::string_view trim_space(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ')
    s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ')
    s.remove_suffix(1);
  return s;
}

}  // namespace newswatch
