#include "filters/normaliser.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "filters/html_entities.hpp"

namespace newswatch::filters {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// ASCII classes, looked up once per byte on the fast path.
enum : std::uint8_t { kSep = 0, kWord = 1, kSpecial = 2 };

constexpr std::array<std::uint8_t, 128> make_ascii_class() {
  std::array<std::uint8_t, 128> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[c] = kWord;
  for (int c = 'a'; c <= 'z'; ++c)
    t[c] = kWord;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[c] = kWord;
  t['<'] = kSpecial;
  t['&'] = kSpecial;
  return t;
}
constexpr auto kAsciiClass = make_ascii_class();

constexpr std::array<std::uint8_t, 128> make_ascii_lower() {
  std::array<std::uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c)
    t[c] = static_cast<std::uint8_t>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return t;
}
constexpr auto kAsciiLower = make_ascii_lower();

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

#if defined(__SSE2__)
// Sum of the 16 bytes of `v`, each 0 or 1.
std::uint32_t sum_bytes(__m128i v) {
  const __m128i sums = _mm_sad_epu8(v, _mm_setzero_si128());
  return static_cast<std::uint32_t>(_mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4));
}
#endif

// Skipped markup can be long (attributes, URLs, scripts): counted 16 bytes at a time.
std::uint32_t count_code_points(std::string_view s) {
  std::uint32_t n = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Continuation bytes are 0x80..0xBF, i.e. below -64 as signed bytes.
  const __m128i below = _mm_set1_epi8(-64);
  const __m128i one = _mm_set1_epi8(1);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    n += 16 - sum_bytes(_mm_and_si128(_mm_cmplt_epi8(x, below), one));
  }
#endif
  for (; i < s.size(); ++i)
    n += is_continuation(static_cast<unsigned char>(s[i])) ? 0 : 1;
  return n;
}

// First position >= from holding a, b or c; npos if none. Tags are scanned with it.
std::size_t find_any_of(std::string_view s, std::size_t from, char a, char b, char c) {
  std::size_t i = from;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  const __m128i vc = _mm_set1_epi8(c);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)), _mm_cmpeq_epi8(x, vc));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
  }
#endif
  for (; i < s.size(); ++i) {
    if (s[i] == a || s[i] == b || s[i] == c) return i;
  }
  return std::string_view::npos;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid (the caller
// then treats the single byte as a replacement character).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(b)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::size_t encode_utf8(char32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// Letters, marks and digits make words (DESIGN.md "Words"). U+02BC is a letter to Unicode
// but the usual apostrophe in some typesetting, so it separates like ' and ’.
bool is_word_code_point(char32_t cp) {
  if (cp == 0x02BC) return false;
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
}

bool keeps_after_fold(utf8proc_int32_t cp) {
  const auto cat = utf8proc_category(cp);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
         (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

// NFKD + drop marks (+ case fold), keeping only letters and digits of the result. Writes at
// most kMaxFoldBytes to `out` and returns the byte count.
constexpr std::size_t kFoldCodePoints = 32;
constexpr std::size_t kMaxFoldBytes = kFoldCodePoints * 4;

std::size_t fold_code_point(char32_t cp, bool casefold, char* out) {
  std::array<utf8proc_int32_t, kFoldCodePoints> buf{};
  int boundclass = 0;
  auto options = static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                                (casefold ? UTF8PROC_CASEFOLD : 0));
  const auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf.data(),
                                         static_cast<utf8proc_ssize_t>(buf.size()), options, &boundclass);
  if (n < 0 || n > static_cast<utf8proc_ssize_t>(buf.size())) return 0;
  std::size_t len = 0;
  for (utf8proc_ssize_t k = 0; k < n; ++k) {
    const auto c = buf[static_cast<std::size_t>(k)];
    if (keeps_after_fold(c)) len += encode_utf8(static_cast<char32_t>(c), out + len);
  }
  return len;
}

// Folding of every two-byte code point (U+0080..U+07FF: Latin, Greek, Cyrillic, Hebrew,
// Arabic), computed once and read-only afterwards, so accented European text skips utf8proc.
struct TwoByteFold {
  bool word = false;
  bool cached = false;  // false: the fold is too long for the slots; ask utf8proc
  std::uint8_t folded_len = 0;
  std::uint8_t exact_len = 0;
  std::array<char, 12> folded{};
  std::array<char, 12> exact{};
};

const std::array<TwoByteFold, 0x800>& two_byte_folds() {
  static const std::array<TwoByteFold, 0x800> table = [] {
    std::array<TwoByteFold, 0x800> t{};
    std::array<char, kMaxFoldBytes> buf{};
    for (char32_t cp = 0x80; cp < 0x800; ++cp) {
      auto& e = t[cp];
      e.word = is_word_code_point(cp);
      if (!e.word) {
        e.cached = true;
        continue;
      }
      const std::size_t fl = fold_code_point(cp, true, buf.data());
      if (fl > e.folded.size()) continue;
      std::copy_n(buf.data(), fl, e.folded.data());
      const std::size_t el = fold_code_point(cp, false, buf.data());
      if (el > e.exact.size()) continue;
      std::copy_n(buf.data(), el, e.exact.data());
      e.folded_len = static_cast<std::uint8_t>(fl);
      e.exact_len = static_cast<std::uint8_t>(el);
      e.cached = true;
    }
    return t;
  }();
  return table;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

// Formatting elements that browsers render inside a word ("Ma<b>li</b>" reads "Mali").
bool is_inline_tag(std::string_view name) {
  static constexpr std::string_view kInline[] = {
      "a",    "abbr", "b", "bdi",  "bdo",   "cite", "code",   "data", "dfn", "em",   "font", "i", "kbd",
      "mark", "q",    "s", "samp", "small", "span", "strong", "sub",  "sup", "time", "tt",   "u", "var"};
  if (name.empty() || name.size() > 6) return false;
  const char first = static_cast<char>(name[0] | 0x20);  // names start with a letter
  for (auto n : kInline) {
    if (n.size() == name.size() && n[0] == first && ascii_iequal(name, n)) return true;
  }
  return false;
}

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Finds `needle` (lower-case ASCII) in s from `from`, ignoring ASCII case; npos if absent.
std::size_t find_ascii_icase(std::string_view s, std::size_t from, std::string_view needle) {
  for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
    if (ascii_iequal(s.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

}  // namespace

// Writes a ScanText in one pass over the field. Two costs matter per byte: classifying and
// writing it, and remembering where it came from. The second is kept off the common path:
// folded bytes map 1:1 to code points in runs, and a map entry is written only where a run
// breaks (a collapsed separator run, a tag or reference inside a word, a multi-byte fold).
class ScanTextWriter {
 public:
  // The streams are written through an index into buffers sized ahead (grown only when a
  // decomposition outgrows them), which keeps the per-byte path free of push_back checks.
  ScanTextWriter(std::string_view text, bool want_exact, ScanText& out)
      : text_(text), want_exact_(want_exact), out_(out) {
    if (out_.folded_.size() < text.size() + 2) out_.folded_.resize(text.size() + 2);
    out_.folded_[fn_++] = ' ';
    if (want_exact_) {
      if (out_.exact_.size() < text.size() + 2) out_.exact_.resize(text.size() + 2);
      out_.exact_[en_++] = ' ';
    }
  }

  void run(TextKind kind) {
    const std::size_t n = text_.size();
    std::size_t i = 0;
    while (i < n) {
      const auto b = static_cast<unsigned char>(text_[i]);
      if (b < 0x80) {
        const auto cls = kAsciiClass[b];
        // A word so far of marks only needs the slow path: its start is theirs (see
        // map_unit), and if it ends here it is dropped (see end_word).
        if (!pending_ && (cls != kSpecial || kind == TextKind::plain)) {
          i = ascii_block(i, kind);
          continue;
        }
        if (cls == kWord) {
          code_point(b, cp_ + 1);
          ++i;
          ++cp_;
          continue;
        }
        if (cls == kSpecial && kind == TextKind::html) {
          i = b == '<' ? markup(i) : reference(i);
          continue;
        }
        separator();
        ++i;
        ++cp_;
        // Runs of plain ASCII separators are common ("., "); skip them in one go.
        while (i < n && static_cast<unsigned char>(text_[i]) < 0x80 &&
               kAsciiClass[static_cast<unsigned char>(text_[i])] == kSep) {
          ++i;
          ++cp_;
        }
        continue;
      }
      char32_t cp = 0;
      const std::size_t len = decode_utf8(text_, i, cp);
      if (len == 0) {
        separator();
        ++i;
        ++cp_;
        continue;
      }
      code_point(cp, cp_ + 1);
      i += len;
      ++cp_;
    }
    end_word();
    out_.folded_len_ = fn_;
    out_.exact_len_ = want_exact_ ? en_ : 0;
    out_.map_len_ = xn_;
  }

 private:
  using MapEntry = ScanText::MapEntry;
  // No run is open: the next folded byte needs an entry of its own.
  static constexpr std::int64_t kNoRun = std::numeric_limits<std::int64_t>::min();

  void start_word() {
    in_word_ = true;
    word_folded_begin_ = fn_;
    word_exact_begin_ = en_;
  }

  void room_for_map(std::size_t n) {
    if (xn_ + n > out_.map_.size()) out_.map_.resize(std::max(out_.map_.size() * 2, xn_ + n + 64));
  }

  // Records that the last `added` folded bytes came from original code points [cp_, end).
  // A word that starts with marks (which fold to nothing) starts at the first mark, as the
  // per-word records always had it: that start waits in pending_ for the first real byte.
  void map_unit(std::size_t added, std::uint32_t end) {
    const std::size_t at = fn_ - added;
    if (added == 0) {
      if (at == word_folded_begin_ && !pending_) {
        pending_ = true;
        pending_begin_ = cp_;
      }
      return;
    }
    std::uint32_t begin = cp_;
    if (pending_) {
      begin = pending_begin_;
      pending_ = false;
    }
    room_for_map(1);
    const std::int64_t d = std::int64_t{begin} - static_cast<std::int64_t>(at);
    if (added == 1 && end - begin == 1) {
      if (d != run_delta_) out_.map_[xn_++] = {static_cast<std::uint32_t>(at), begin, 0, 0};
      run_delta_ = d;
      return;
    }
    out_.map_[xn_++] = {static_cast<std::uint32_t>(at), begin, static_cast<std::uint32_t>(added), end};
    run_delta_ = kNoRun;
  }

  // Room for `n` more bytes in both streams (plus the closing space).
  void reserve(std::size_t n) {
    if (fn_ + n + 1 > out_.folded_.size()) out_.folded_.resize(std::max(out_.folded_.size() * 2, fn_ + n + 1));
    if (want_exact_ && en_ + n + 1 > out_.exact_.size()) {
      out_.exact_.resize(std::max(out_.exact_.size() * 2, en_ + n + 1));
    }
  }

  // Where the ASCII loop is: output cursors, the code point counter, whether the last byte
  // was a word byte, and orig - folded of the open run.
  struct Cursor {
    std::size_t fn, en, xn;
    std::uint32_t cp;
    std::uint32_t prev;
    std::int64_t delta;
  };

  // A word starts at folded byte c.fn from code point `cp`: it needs a map entry unless it
  // continues the open run (exactly one separator since the last mapped byte).
  static void map_word_start(MapEntry* map, Cursor& c, std::uint32_t cp) {
    const std::int64_t d = std::int64_t{cp} - static_cast<std::int64_t>(c.fn);
    if (d != c.delta) {
      map[c.xn++] = {static_cast<std::uint32_t>(c.fn), cp, 0, 0};
      c.delta = d;
    }
  }

#if defined(__SSE2__)
  // Up to 16 bytes at src, `avail` of which belong to the text (a short tail is copied into a
  // padded block, never read past). Consumes the bytes before the first one the slow path
  // must see (non-ASCII; '<' or '&' in HTML) and returns how many. Each byte becomes its
  // lower-case self or ' '; a separator right after a separator is dropped, which splits the
  // block into runs of kept bytes, each copied with one unaligned store (later stores
  // overwrite the tail of earlier ones; the buffers have room for it).
  static std::size_t simd_block(const unsigned char* src, std::size_t avail, bool html, char* f, char* e, MapEntry* map,
                                Cursor& c) {
    __m128i x;
    if (avail >= 16) {
      x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    } else {
      alignas(16) std::array<unsigned char, 16> padded{};
      std::memcpy(padded.data(), src, avail);
      x = _mm_load_si128(reinterpret_cast<const __m128i*>(padded.data()));
    }
    auto stops = static_cast<std::uint32_t>(_mm_movemask_epi8(x));  // non-ASCII
    if (html) {
      const __m128i special =
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('<')), _mm_cmpeq_epi8(x, _mm_set1_epi8('&')));
      stops |= static_cast<std::uint32_t>(_mm_movemask_epi8(special));
    }
    if (avail < 16) stops |= 0xFFFFU << avail;
    const auto limit = static_cast<unsigned>(std::countr_zero(stops | 0x10000U));
    if (limit == 0) return 0;
    const std::uint32_t valid = (1U << limit) - 1;
    // Bytes before `limit` are < 0x80, so signed comparisons order them correctly. OR-ing 0x20
    // lower-cases letters and leaves digits as they are.
    const __m128i lowered = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i alpha =
        _mm_and_si128(_mm_cmpgt_epi8(lowered, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lowered, _mm_set1_epi8('z' + 1)));
    const __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    const __m128i word = _mm_or_si128(alpha, digit);
    const __m128i space = _mm_set1_epi8(' ');
    const __m128i folded = _mm_or_si128(_mm_and_si128(word, lowered), _mm_andnot_si128(word, space));
    const __m128i exact = _mm_or_si128(_mm_and_si128(word, x), _mm_andnot_si128(word, space));
    const std::uint32_t wm = static_cast<std::uint32_t>(_mm_movemask_epi8(word)) & valid;
    const std::uint32_t kept = (wm | (wm << 1) | c.prev) & valid;
    const bool starts_word = (wm & 1) != 0 && c.prev == 0;
    if (kept == valid) {  // nothing collapses: the streams advance exactly as the text
      if (starts_word) map_word_start(map, c, c.cp);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(f + c.fn), folded);
      c.fn += limit;
      if (e != nullptr) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(e + c.en), exact);
        c.en += limit;
      }
    } else {
      alignas(16) std::array<char, 32> fbuf{};
      alignas(16) std::array<char, 32> ebuf{};
      _mm_store_si128(reinterpret_cast<__m128i*>(fbuf.data()), folded);
      _mm_store_si128(reinterpret_cast<__m128i*>(ebuf.data()), exact);
      std::uint32_t rest = kept;
      while (rest != 0) {
        const auto at = static_cast<unsigned>(std::countr_zero(rest));
        const auto len = static_cast<unsigned>(std::countr_one(rest >> at));
        // A run after a dropped byte starts with a word (only separators are dropped).
        if (at > 0 || starts_word) map_word_start(map, c, c.cp + at);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(f + c.fn),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(fbuf.data() + at)));
        c.fn += len;
        if (e != nullptr) {
          _mm_storeu_si128(reinterpret_cast<__m128i*>(e + c.en),
                           _mm_loadu_si128(reinterpret_cast<const __m128i*>(ebuf.data() + at)));
          c.en += len;
        }
        rest &= ~(((1U << len) - 1) << at);
      }
    }
    c.cp += limit;
    c.prev = (wm >> (limit - 1)) & 1;
    return limit;
  }
#else
  // Portable fallback: the same, a byte at a time without a data-dependent branch: every byte
  // is written, and the cursor advances unless it would double a space.
  static std::size_t scalar_block(const unsigned char* src, std::size_t avail, bool html, char* f, char* e,
                                  MapEntry* map, Cursor& c) {
    const std::size_t limit = std::min<std::size_t>(avail, 16);
    std::size_t j = 0;
    for (; j < limit; ++j) {
      const unsigned char ch = src[j];
      if (ch >= 0x80 || (html && (ch == '<' || ch == '&'))) break;
      const std::uint32_t w = kAsciiClass[ch] == kWord ? 1 : 0;
      if (w != 0 && c.prev == 0) map_word_start(map, c, c.cp);
      f[c.fn] = static_cast<char>(w != 0 ? kAsciiLower[ch] : ' ');
      c.fn += w | c.prev;
      if (e != nullptr) {
        e[c.en] = static_cast<char>(w != 0 ? ch : ' ');
        c.en += w | c.prev;
      }
      c.prev = w;
      ++c.cp;
    }
    return j;
  }
#endif

  // The hot path: a run of plain ASCII (no markup, no references), 16 bytes at a time, in
  // chunks for which room is made once.
  std::size_t ascii_block(std::size_t i, TextKind kind) {
    const std::size_t n = text_.size();
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    const bool html = kind == TextKind::html;
    constexpr std::size_t kChunk = 256;
    constexpr std::size_t kBlock = 16;
    if (in_word_) {
      // The word goes on after a tag, a reference, a mark or a multi-byte fold: its next byte
      // (or the space closing it, which the next word's run then starts from) may not continue
      // the run the map last recorded.
      room_for_map(1);
      const std::int64_t d = std::int64_t{cp_} - static_cast<std::int64_t>(fn_);
      if (d != run_delta_) {
        out_.map_[xn_++] = {static_cast<std::uint32_t>(fn_), cp_, 0, 0};
        run_delta_ = d;
      }
    }
    Cursor c{fn_, en_, xn_, cp_, in_word_ ? 1U : 0U, run_delta_};
    bool stopped = false;
    while (!stopped && i < n) {
      // A block writes up to 16 bytes past its output and adds up to 8 map entries.
      reserve(kChunk + 2 * kBlock);
      room_for_map(kChunk);
      char* f = out_.folded_.data();
      char* e = want_exact_ ? out_.exact_.data() : nullptr;
      MapEntry* map = out_.map_.data();
      const std::size_t end = std::min(n, i + kChunk);
      while (i < end) {
#if defined(__SSE2__)
        const std::size_t got = simd_block(p + i, std::min(kBlock, n - i), html, f, e, map, c);
#else
        const std::size_t got = scalar_block(p + i, std::min(kBlock, n - i), html, f, e, map, c);
#endif
        i += got;
        if (got < kBlock) {
          stopped = true;
          break;
        }
      }
      fn_ = c.fn;
      if (want_exact_) en_ = c.en;
      xn_ = c.xn;
    }
    cp_ = c.cp;
    run_delta_ = c.delta;
    // An ASCII word always writes bytes, so the marks-only check in end_word never needs
    // word_folded_begin_ for it: any earlier value is below fn_.
    in_word_ = c.prev != 0;
    return i;
  }

  // A decoded code point spanning original code points [cp_, end).
  void code_point(char32_t cp, std::uint32_t end) {
    if (cp < 0x80 && kAsciiClass[cp] == kWord) {
      if (!in_word_) start_word();
      reserve(1);
      const auto c = static_cast<char>(cp);
      out_.folded_[fn_++] = static_cast<char>(kAsciiLower[cp]);
      if (want_exact_) out_.exact_[en_++] = c;
      map_unit(1, end);
      return;
    }
    if (cp < 0x800) {
      const TwoByteFold& t = two_byte_folds_[cp];
      if (!t.word) {
        end_word();
        return;
      }
      if (t.cached) {
        if (!in_word_) start_word();
        reserve(t.folded.size());
        std::memcpy(out_.folded_.data() + fn_, t.folded.data(), t.folded_len);
        fn_ += t.folded_len;
        if (want_exact_) {
          std::memcpy(out_.exact_.data() + en_, t.exact.data(), t.exact_len);
          en_ += t.exact_len;
        }
        map_unit(t.folded_len, end);
        return;
      }
    } else if (!is_word_code_point(cp)) {
      end_word();
      return;
    }
    if (!in_word_) start_word();
    reserve(kMaxFoldBytes);
    const std::size_t added = fold_code_point(cp, true, out_.folded_.data() + fn_);
    fn_ += added;
    if (want_exact_) en_ += fold_code_point(cp, false, out_.exact_.data() + en_);
    // A lone mark adds nothing; it must not stretch the word's span on its own.
    map_unit(added, end);
  }

  void separator() { end_word(); }

  void end_word() {
    if (!in_word_) return;
    in_word_ = false;
    pending_ = false;
    if (fn_ == word_folded_begin_) {  // only marks: not a word after folding
      en_ = word_exact_begin_;
      return;
    }
    reserve(1);
    out_.folded_[fn_++] = ' ';
    if (want_exact_) out_.exact_[en_++] = ' ';
  }

  // Skips from `to` (exclusive), counting the code points passed over.
  std::size_t skip_to(std::size_t from, std::size_t to) {
    cp_ += count_code_points(text_.substr(from, to - from));
    return to;
  }

  // At '<': a comment, a tag (whose end respects quoted attribute values), or a literal '<'.
  std::size_t markup(std::size_t i) {
    const std::size_t n = text_.size();
    if (i + 3 < n && text_[i + 1] == '!' && text_[i + 2] == '-' && text_[i + 3] == '-') {
      const std::size_t end = text_.find("-->", i + 4);
      separator();
      return skip_to(i, end == std::string_view::npos ? n : end + 3);
    }
    std::size_t j = i + 1;
    const bool closing = j < n && text_[j] == '/';
    if (closing) ++j;
    const bool decl = j < n && (text_[j] == '!' || text_[j] == '?');
    if (j >= n || (!is_ascii_alpha(text_[j]) && !decl)) {
      separator();  // "a < b": a literal '<', which separates anyway
      ++cp_;
      return i + 1;
    }
    const std::size_t name_begin = j;
    while (j < n && (is_ascii_alpha(text_[j]) || (text_[j] >= '0' && text_[j] <= '9')))
      ++j;
    const std::string_view name = text_.substr(name_begin, j - name_begin);
    // The tag ends at the first '>' outside a quoted attribute value.
    while (j < n) {
      j = find_any_of(text_, j, '>', '"', '\'');
      if (j == std::string_view::npos) {
        j = n;
        break;
      }
      if (text_[j] == '>') break;
      const std::size_t close = text_.find(text_[j], j + 1);
      j = close == std::string_view::npos ? n : close + 1;
    }
    std::size_t end = j < n ? j + 1 : n;
    if (!closing && !decl && (ascii_iequal(name, "script") || ascii_iequal(name, "style"))) {
      // Raw text: nothing until the matching end tag is content.
      const std::size_t close = find_ascii_icase(text_, end, ascii_iequal(name, "script") ? "</script" : "</style");
      if (close == std::string_view::npos) {
        end = n;
      } else {
        const std::size_t gt = text_.find('>', close);
        end = gt == std::string_view::npos ? n : gt + 1;
      }
    } else if (!decl && is_inline_tag(name)) {
      return skip_to(i, end);  // the word, if any, goes on
    }
    separator();
    return skip_to(i, end);
  }

  // At '&': a character reference, decoded, or a literal '&'.
  std::size_t reference(std::size_t i) {
    const std::size_t n = text_.size();
    std::size_t j = i + 1;
    char32_t cp = 0;
    bool ok = false;
    if (j < n && text_[j] == '#') {
      ++j;
      const bool hex = j < n && (text_[j] == 'x' || text_[j] == 'X');
      if (hex) ++j;
      const std::size_t digits_begin = j;
      std::uint32_t value = 0;
      while (j < n && j - digits_begin < 8) {
        const char c = text_[j];
        int d = -1;
        if (c >= '0' && c <= '9') {
          d = c - '0';
        } else if (hex && c >= 'a' && c <= 'f') {
          d = c - 'a' + 10;
        } else if (hex && c >= 'A' && c <= 'F') {
          d = c - 'A' + 10;
        }
        if (d < 0) break;
        value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        ++j;
      }
      if (j > digits_begin && j < n && text_[j] == ';') {
        ok = true;
        cp = (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) ? kReplacement
                                                                                      : static_cast<char32_t>(value);
      }
    } else {
      const std::size_t name_begin = j;
      while (j < n && j - name_begin < 32 && (is_ascii_alpha(text_[j]) || (text_[j] >= '0' && text_[j] <= '9')))
        ++j;
      if (j > name_begin && j < n && text_[j] == ';') {
        if (auto v = lookup_named_entity(text_.substr(name_begin, j - name_begin))) {
          ok = true;
          cp = *v;
        }
      }
    }
    if (!ok) {
      separator();
      ++cp_;
      return i + 1;
    }
    const std::uint32_t len = static_cast<std::uint32_t>(j + 1 - i);  // ASCII only: bytes == code points
    code_point(cp, cp_ + len);
    cp_ += len;
    return j + 1;
  }

  std::string_view text_;
  bool want_exact_;
  ScanText& out_;
  const std::array<TwoByteFold, 0x800>& two_byte_folds_ = two_byte_folds();
  std::size_t fn_ = 0;               // bytes written to the folded stream
  std::size_t en_ = 0;               // bytes written to the exact stream
  std::size_t xn_ = 0;               // map entries written
  std::uint32_t cp_ = 0;             // code points of the original text consumed so far
  std::int64_t run_delta_ = kNoRun;  // orig - folded of the open 1:1 run
  std::size_t word_folded_begin_ = 0;
  std::size_t word_exact_begin_ = 0;
  std::uint32_t pending_begin_ = 0;
  bool pending_ = false;
  bool in_word_ = false;
};

void normalise(std::string_view text, TextKind kind, bool want_exact, ScanText& out) {
  ScanTextWriter(text, want_exact, out).run(kind);
}

const ScanText::MapEntry& ScanText::entry_at(std::uint32_t pos) const {
  // Every word's first byte has an entry at or before it, so the search never falls off the front.
  const auto* first = map_.data();
  const auto* last = first + map_len_;
  const auto* it = std::upper_bound(first, last, pos, [](std::uint32_t p, const MapEntry& e) { return p < e.folded; });
  return *(it - 1);
}

std::uint32_t ScanText::orig_begin(std::uint32_t begin) const {
  const MapEntry& e = entry_at(begin);
  return e.folded_len != 0 ? e.orig : e.orig + (begin - e.folded);
}

std::uint32_t ScanText::orig_end(std::uint32_t end) const {
  const MapEntry& e = entry_at(end - 1);
  return e.folded_len != 0 ? e.orig_end : e.orig + (end - 1 - e.folded) + 1;
}

void normalise(std::string_view text, TextKind kind, bool want_exact, NormalisedText& out) {
  ScanText scan;  // a fresh one: this form serves tests and term compilation, not the hot path
  normalise(text, kind, want_exact, scan);
  const std::string_view f = scan.folded();
  const std::string_view e = scan.exact();
  out.folded.assign(f);
  out.exact.assign(e);
  out.words.clear();
  // Both streams close every word with exactly one space, so word k starts after the k-th
  // space of each (an exact word may be empty where only case folding produced letters).
  std::size_t exact_space = 0;
  for (std::size_t i = 1; i < f.size();) {
    const std::size_t space = f.find(' ', i);
    NormalisedWord w;
    w.folded_begin = static_cast<std::uint32_t>(i);
    if (want_exact) {
      w.exact_begin = static_cast<std::uint32_t>(exact_space + 1);
      exact_space = e.find(' ', exact_space + 1);
    }
    w.orig_begin = scan.orig_begin(static_cast<std::uint32_t>(i));
    w.orig_end = scan.orig_end(static_cast<std::uint32_t>(space));
    out.words.push_back(w);
    i = space + 1;
  }
}

std::vector<std::string> term_words(std::string_view text, bool keep_case) {
  NormalisedText n;
  normalise(text, TextKind::plain, keep_case, n);
  const std::string& s = keep_case ? n.exact : n.folded;
  std::vector<std::string> words;
  std::size_t i = 1;
  while (i < s.size()) {
    const std::size_t sp = s.find(' ', i);
    words.emplace_back(s.substr(i, sp - i));
    i = sp + 1;
  }
  return words;
}

}  // namespace newswatch::filters
