#pragma once
// The project's one non-cryptographic hash: 64-bit FNV-1a over bytes, and SplitMix64's
// finaliser to spread it. Stable across builds and machines (cluster nodes must agree on it).

#include <cstdint>
#include <string_view>

namespace newswatch {

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

// FNV-1a: `bytes` folded into `h` (start from kFnvOffset, or from a previous result to chain).
inline std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// SplitMix64's finaliser: every input bit moves every output bit (FNV alone leaves the high
// bits of similar keys correlated).
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace newswatch
