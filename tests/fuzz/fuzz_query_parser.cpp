// libFuzzer target: the query parser, and the normaliser on the same bytes, must never crash,
// hang or break their invariants on arbitrary input (queries come from users' files).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "filters/normaliser.hpp"
#include "filters/query.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s)
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace newswatch::filters;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto parsed = query::parse(text);
  if (parsed) {
    check(!query::to_string(*parsed).empty());
  } else {
    check(parsed.error().column <= code_points(text));
    check(!parsed.error().message.empty());
  }

  NormalisedText n;
  normalise(text, size % 2 == 0 ? TextKind::html : TextKind::plain, true, n);
  check(!n.folded.empty() && n.folded.front() == ' ' && n.folded.back() == ' ');
  // Each invalid byte counts as one code point (it becomes one U+FFFD on the wire), so
  // the byte count bounds the original's length in code points.
  const std::size_t total = text.size();
  std::uint32_t prev_end = 0;
  for (const auto& w : n.words) {
    check(w.orig_begin >= prev_end && w.orig_begin < w.orig_end && w.orig_end <= total);
    check(w.folded_begin > 0 && n.folded[w.folded_begin - 1] == ' ');
    check(w.exact_begin > 0 && n.exact[w.exact_begin - 1] == ' ');
    prev_end = w.orig_end;
  }
  return 0;
}
