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
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
// The 64-byte path (AVX-512 BW, VBMI, VBMI2), compiled for those CPUs only and chosen at run
// time.
#define NEWSWATCH_WIDE_NORMALISER 1
// Only what wide_normaliser_available() checks: a feature the CPU lacks must not be assumed.
#define NEWSWATCH_WIDE_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,popcnt")))
#endif

#include "common/text.hpp"
#include "common/utf8.hpp"
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

// Code points in skipped markup, counted as the writer counts them elsewhere (an invalid byte
// is one). Markup is long (attributes, URLs, scripts) and nearly always ASCII: 16 bytes at a
// time until the first non-ASCII byte, then one sequence at a time.
std::uint32_t count_code_points(std::string_view s) {
  std::size_t i = 0;
#if defined(__SSE2__)
  while (i + 16 <= s.size() &&
         _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i))) == 0) {
    i += 16;
  }
#endif
  auto n = static_cast<std::uint32_t>(i);
  while (i < s.size()) {
    char32_t cp = 0;
    const std::size_t len = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : utf8_decode(s, i, cp);
    i += len == 0 ? 1 : len;
    ++n;
  }
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

// Letters, marks and digits make words (docs/query-language.md "Words"). U+02BC is a letter to Unicode
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
    if (keeps_after_fold(c)) len += utf8_encode(static_cast<char32_t>(c), out + len);
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

// How a code point folds when that is one byte in each stream (a letter folding to one ASCII
// byte, or ' ' for a separator), for the ranges news text mostly uses: U+0000..U+07FF and the
// General Punctuation block (’ “ — …). {0, 0}: not one byte; the slow path folds it. Small
// enough to stay in the first-level cache, unlike the full tables.
struct OneByteFolds {
  static constexpr char32_t kPunctBegin = 0x2000;
  static constexpr char32_t kPunctEnd = 0x2070;
  std::array<std::array<char, 2>, 0x800> low{};
  std::array<std::array<char, 2>, kPunctEnd - kPunctBegin> punct{};
  // The same for U+0080..U+00FF and U+2000..U+203F, split by stream: vector lookup tables.
  alignas(64) std::array<char, 128> latin1_folded{};
  alignas(64) std::array<char, 128> latin1_exact{};
  alignas(64) std::array<char, 64> punct_folded{};
  alignas(64) std::array<char, 64> punct_exact{};
};

const OneByteFolds& one_byte_folds() {
  static const OneByteFolds table = [] {
    OneByteFolds t;
    for (char32_t cp = 0; cp < 0x80; ++cp) {
      const bool word = kAsciiClass[cp] == kWord;
      t.low[cp] = {word ? static_cast<char>(kAsciiLower[cp]) : ' ', word ? static_cast<char>(cp) : ' '};
    }
    const auto& two = two_byte_folds();
    for (char32_t cp = 0x80; cp < 0x800; ++cp) {
      const TwoByteFold& f = two[cp];
      if (!f.word) {
        t.low[cp] = {' ', ' '};
      } else if (f.cached && f.folded_len == 1 && f.exact_len == 1) {
        t.low[cp] = {f.folded[0], f.exact[0]};
      }
    }
    for (char32_t cp = OneByteFolds::kPunctBegin; cp < OneByteFolds::kPunctEnd; ++cp) {
      if (!is_word_code_point(cp)) t.punct[cp - OneByteFolds::kPunctBegin] = {' ', ' '};
    }
    for (std::size_t k = 0; k < t.latin1_folded.size(); ++k) {
      t.latin1_folded[k] = t.low[0x80 + k][0];
      t.latin1_exact[k] = t.low[0x80 + k][1];
    }
    for (std::size_t k = 0; k < t.punct_folded.size(); ++k) {
      t.punct_folded[k] = t.punct[k][0];
      t.punct_exact[k] = t.punct[k][1];
    }
    return t;
  }();
  return table;
}

// A tag name (letters and digits, at most 8) packed into an integer, lower-cased: OR-ing 0x20
// lower-cases letters and leaves digits as they are. Tag checks then cost one switch.
constexpr std::uint64_t tag_key(std::string_view name) {
  std::uint64_t k = 0;
  for (const char c : name)
    k = (k << 8) | static_cast<std::uint8_t>(c | 0x20);
  return k;
}

// Formatting elements that browsers render inside a word ("Ma<b>li</b>" reads "Mali").
bool is_inline_tag(std::uint64_t key) {
  switch (key) {
    case tag_key("a"):
    case tag_key("abbr"):
    case tag_key("b"):
    case tag_key("bdi"):
    case tag_key("bdo"):
    case tag_key("cite"):
    case tag_key("code"):
    case tag_key("data"):
    case tag_key("dfn"):
    case tag_key("em"):
    case tag_key("font"):
    case tag_key("i"):
    case tag_key("kbd"):
    case tag_key("mark"):
    case tag_key("q"):
    case tag_key("s"):
    case tag_key("samp"):
    case tag_key("small"):
    case tag_key("span"):
    case tag_key("strong"):
    case tag_key("sub"):
    case tag_key("sup"):
    case tag_key("time"):
    case tag_key("tt"):
    case tag_key("u"):
    case tag_key("var"):
      return true;
    default:
      return false;
  }
}

// Finds `needle` (lower-case ASCII) in s from `from`, ignoring ASCII case; npos if absent.
std::size_t find_ascii_icase(std::string_view s, std::size_t from, std::string_view needle) {
  for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
    if (ascii_iequals(s.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

// Markup from a '<': where it ends, and whether the word it sits in goes on after it (inline
// tags such as <b> do not split a word; everything else separates).
struct Markup {
  std::size_t end;
  bool joins_word;
};

// At '<': a comment, a tag (whose end respects quoted attribute values), <script> or <style>
// with their raw text, or a literal '<'. Unterminated markup runs to the end of the text.
Markup scan_markup(std::string_view text, std::size_t i) {
  const std::size_t n = text.size();
  if (i + 3 < n && text[i + 1] == '!' && text[i + 2] == '-' && text[i + 3] == '-') {
    const std::size_t end = text.find("-->", i + 4);
    return {end == std::string_view::npos ? n : end + 3, false};
  }
  std::size_t j = i + 1;
  const bool closing = j < n && text[j] == '/';
  if (closing) ++j;
  const bool decl = j < n && (text[j] == '!' || text[j] == '?');
  if (j >= n || (!is_ascii_alpha(text[j]) && !decl)) return {i + 1, false};  // "a < b": a literal '<'
  const std::size_t name_begin = j;
  while (j < n && is_ascii_alnum(text[j]))
    ++j;
  // Longer names are no tag we know of; 0 matches none.
  const std::uint64_t key = j - name_begin <= 8 ? tag_key(text.substr(name_begin, j - name_begin)) : 0;
  // The tag ends at the first '>' outside a quoted attribute value.
  while (j < n) {
    j = find_any_of(text, j, '>', '"', '\'');
    if (j == std::string_view::npos) {
      j = n;
      break;
    }
    if (text[j] == '>') break;
    const std::size_t close = text.find(text[j], j + 1);
    j = close == std::string_view::npos ? n : close + 1;
  }
  std::size_t end = j < n ? j + 1 : n;
  if (!closing && !decl && (key == tag_key("script") || key == tag_key("style"))) {
    // Raw text: nothing until the matching end tag is content.
    const std::size_t close = find_ascii_icase(text, end, key == tag_key("script") ? "</script" : "</style");
    if (close == std::string_view::npos) return {n, false};
    const std::size_t gt = text.find('>', close);
    return {gt == std::string_view::npos ? n : gt + 1, false};
  }
  return {end, !decl && is_inline_tag(key)};
}

// A character reference from a '&': its code point and end; ok false for a literal '&'.
struct Reference {
  std::size_t end;
  char32_t cp;
  bool ok;
};

Reference scan_reference(std::string_view text, std::size_t i) {
  const std::size_t n = text.size();
  std::size_t j = i + 1;
  if (j < n && text[j] == '#') {
    ++j;
    const bool hex = j < n && (text[j] == 'x' || text[j] == 'X');
    if (hex) ++j;
    const std::size_t digits_begin = j;
    std::uint32_t value = 0;
    while (j < n && j - digits_begin < 8) {
      const char c = text[j];
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
    if (j == digits_begin || j >= n || text[j] != ';') return {i + 1, 0, false};
    const bool bad = value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF);
    return {j + 1, bad ? kReplacement : static_cast<char32_t>(value), true};
  }
  const std::size_t name_begin = j;
  while (j < n && j - name_begin < 32 && is_ascii_alnum(text[j]))
    ++j;
  if (j > name_begin && j < n && text[j] == ';') {
    if (auto v = lookup_named_entity(text.substr(name_begin, j - name_begin))) return {j + 1, *v, true};
  }
  return {i + 1, 0, false};
}

}  // namespace

// Writes a ScanText in one pass over the field. Each ASCII byte, and each accented letter or
// punctuation mark that folds to one ASCII byte, becomes exactly one byte (its folded self, or
// ' ' for a separator; separator runs are not collapsed). So across whole runs of text folded
// byte k comes from original code point c + k, and the SIMD path writes no map entry at all.
// An entry is written only where that step changes: after skipped markup, a reference, a
// multi-byte fold or a mark.
class ScanTextWriter {
 public:
  // The streams are written through an index into buffers sized ahead (grown only when a
  // decomposition outgrows them), which keeps the per-byte path free of push_back checks.
  ScanTextWriter(std::string_view text, bool want_exact, bool wide, ScanText& out)
      : text_(text), want_exact_(want_exact), wide_(wide), out_(out) {
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
      // A word so far of marks only needs the slow path: its start is theirs (see map_unit),
      // and if it ends here it is dropped (see end_word).
      if (!pending_) {
        const std::size_t next = fast_run(i, kind);
        if (next != i) {
          i = next;
          continue;
        }
      }
      if (b < 0x80) {
        const auto cls = kAsciiClass[b];
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
        continue;
      }
      char32_t cp = 0;
      const std::size_t len = utf8_decode(text_, i, cp);
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
    separator();  // the closing space
    out_.folded_len_ = fn_;
    out_.exact_len_ = want_exact_ ? en_ : 0;
    out_.map_len_ = xn_;
    out_.any_word_ = any_word_;
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
    any_word_ = true;
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

  // The fast loop's state, kept in locals: stores through char pointers could alias members.
  struct Cursor {
    std::size_t fn, en, xn;
    std::uint32_t cp;
    std::uint32_t prev;  // 1 when the last byte written was part of a word
    std::uint32_t any;   // non-zero once a word byte was written
    std::int64_t delta;  // orig - folded of the open run
  };

#if defined(__SSE2__)
  // Bytes of `x` the fast path cannot write as they are: non-ASCII, and '<' or '&' in HTML.
  static std::uint32_t stop_mask(__m128i x, bool html) {
    auto stops = static_cast<std::uint32_t>(_mm_movemask_epi8(x));
    if (html) {
      const __m128i special =
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('<')), _mm_cmpeq_epi8(x, _mm_set1_epi8('&')));
      stops |= static_cast<std::uint32_t>(_mm_movemask_epi8(special));
    }
    return stops;
  }

  // Writes the first `limit` bytes of `x` (all ASCII): each becomes its lower-case self or ' '.
  // The whole block is stored (the buffers have room).
  static void write_block(__m128i x, unsigned limit, char* f, char* e, Cursor& c) {
    // Signed comparisons order ASCII bytes correctly. OR-ing 0x20 lower-cases letters and
    // leaves digits as they are.
    const __m128i lowered = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i alpha =
        _mm_and_si128(_mm_cmpgt_epi8(lowered, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lowered, _mm_set1_epi8('z' + 1)));
    const __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    const __m128i word = _mm_or_si128(alpha, digit);
    const __m128i space = _mm_set1_epi8(' ');
    _mm_storeu_si128(reinterpret_cast<__m128i*>(f + c.fn),
                     _mm_or_si128(_mm_and_si128(word, lowered), _mm_andnot_si128(word, space)));
    c.fn += limit;
    if (e != nullptr) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(e + c.en),
                       _mm_or_si128(_mm_and_si128(word, x), _mm_andnot_si128(word, space)));
      c.en += limit;
    }
    const std::uint32_t wm = static_cast<std::uint32_t>(_mm_movemask_epi8(word)) & ((1U << limit) - 1);
    c.cp += limit;
    c.prev = (wm >> (limit - 1)) & 1;
    c.any |= wm;
  }

  // The common case, 16 bytes with no stop among them: written, true. Kept apart from
  // simd_block so that the loop advances by a constant and the next load need not wait for
  // this block's stop mask.
  static bool full_block(const unsigned char* src, bool html, char* f, char* e, Cursor& c) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    if (stop_mask(x, html) != 0) return false;
    write_block(x, 16, f, e, c);
    return true;
  }

  // Up to 16 bytes at src, `avail` of which belong to the text (a short tail is copied into a
  // padded block, never read past). Writes the bytes before the first stop and returns how many.
  static std::size_t simd_block(const unsigned char* src, std::size_t avail, bool html, char* f, char* e, Cursor& c) {
    __m128i x;
    if (avail >= 16) {
      x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    } else {
      alignas(16) std::array<unsigned char, 16> padded{};
      std::memcpy(padded.data(), src, avail);
      x = _mm_load_si128(reinterpret_cast<const __m128i*>(padded.data()));
    }
    std::uint32_t stops = stop_mask(x, html);
    if (avail < 16) stops |= 0xFFFFU << avail;
    const auto limit = static_cast<unsigned>(std::countr_zero(stops | 0x10000U));
    if (limit != 0) write_block(x, limit, f, e, c);
    return limit;
  }
#else
  // Portable fallback: the same, a byte at a time.
  static std::size_t simd_block(const unsigned char* src, std::size_t avail, bool html, char* f, char* e, Cursor& c) {
    const std::size_t limit = std::min<std::size_t>(avail, 16);
    std::size_t j = 0;
    for (; j < limit; ++j) {
      const unsigned char ch = src[j];
      if (ch >= 0x80 || (html && (ch == '<' || ch == '&'))) break;
      const bool w = kAsciiClass[ch] == kWord;
      f[c.fn++] = static_cast<char>(w ? kAsciiLower[ch] : ' ');
      if (e != nullptr) e[c.en++] = static_cast<char>(w ? ch : ' ');
      c.prev = w ? 1 : 0;
      c.any |= c.prev;
      ++c.cp;
    }
    return j;
  }

  static bool full_block(const unsigned char* src, bool html, char* f, char* e, Cursor& c) {
    for (std::size_t j = 0; j < 16; ++j) {
      if (src[j] >= 0x80 || (html && (src[j] == '<' || src[j] == '&'))) return false;
    }
    simd_block(src, 16, html, f, e, c);
    return true;
  }
#endif

  // How code point `cp` folds when that is one byte in each stream: a letter folding to one
  // ASCII byte (é, Ç, ø, or ASCII itself) or ' ' for a separator (’, «, the no-break space).
  // False: the slow path must take it.
  bool one_byte_fold(char32_t cp, char& fb, char& eb) const {
    const std::array<char, 2>* t = nullptr;
    if (cp < 0x800) {
      t = &one_byte_folds_.low[cp];
    } else if (cp >= OneByteFolds::kPunctBegin && cp < OneByteFolds::kPunctEnd) {
      t = &one_byte_folds_.punct[cp - OneByteFolds::kPunctBegin];
    } else {
      fb = ' ';
      eb = ' ';
      return !is_word_code_point(cp);
    }
    fb = (*t)[0];
    eb = (*t)[1];
    return fb != 0;
  }

  static void put(char fb, char eb, char* f, char* e, Cursor& c) {
    f[c.fn++] = fb;
    if (e != nullptr) e[c.en++] = eb;
    c.prev = fb != ' ' ? 1 : 0;
    c.any |= c.prev;
  }

#if defined(NEWSWATCH_WIDE_NORMALISER)
  // Bytes [0, n) of a 64-bit block mask (n <= 64).
  static constexpr std::uint64_t below(unsigned n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }

  // The 64-byte path: whole blocks, with the stops that stop_byte takes in place (accented
  // letters and punctuation folding to one byte, tags, references) handled inside the block.
  // Each block's output is the ASCII transform of all 64 bytes with the stops' bytes patched
  // in, then compressed by a keep mask (markup and continuation bytes dropped), so a stop
  // costs a little scalar work and no restart. A stop running past the block's end starts
  // the next block; one it cannot take at all (a fold longer than a byte, invalid UTF-8, a
  // script, markup longer than a block) ends the run there for stop_byte.
  // Same streams, map and cursor as the 16-byte path; the property test compares the two.
  NEWSWATCH_WIDE_TARGET std::size_t wide_run(std::size_t i, std::size_t end, bool html, char* f, char* e, MapEntry* map,
                                             Cursor& cur) const {
    const std::size_t n = text_.size();
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    Cursor c = cur;
    const __m512i space = _mm512_set1_epi8(' ');
    const __m512i latin1_folded_lo = _mm512_load_si512(one_byte_folds_.latin1_folded.data());
    const __m512i latin1_folded_hi = _mm512_load_si512(one_byte_folds_.latin1_folded.data() + 64);
    const __m512i latin1_exact_lo = _mm512_load_si512(one_byte_folds_.latin1_exact.data());
    const __m512i latin1_exact_hi = _mm512_load_si512(one_byte_folds_.latin1_exact.data() + 64);
    const __m512i punct_folded = _mm512_load_si512(one_byte_folds_.punct_folded.data());
    const __m512i punct_exact = _mm512_load_si512(one_byte_folds_.punct_exact.data());
    // Byte k + 1 (k + 2) of a block at k, for reading a sequence's continuation bytes at its lead.
    const __m512i next1 = _mm512_add_epi8(
        _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40,
                        39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                        15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
        _mm512_set1_epi8(1));
    const __m512i next2 = _mm512_add_epi8(next1, _mm512_set1_epi8(1));
    while (i < end && i < n) {
      // The text's last bytes come in through a masked load, which reads nothing past them.
      const auto avail = static_cast<unsigned>(std::min<std::size_t>(64, n - i));
      const __m512i x = avail == 64 ? _mm512_loadu_si512(p + i) : _mm512_maskz_loadu_epi8(below(avail), p + i);
      const __mmask64 high = _mm512_movepi8_mask(x);
      __mmask64 stops = high;
      if (html) {
        stops |= _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('<')) | _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('&'));
      }
      // OR-ing 0x20 lower-cases letters and leaves digits as they are; bytes >= 0x80 stay
      // above 'z'.
      const __m512i lowered = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
      const __mmask64 word =
          (_mm512_cmpge_epu8_mask(lowered, _mm512_set1_epi8('a')) &
           _mm512_cmple_epu8_mask(lowered, _mm512_set1_epi8('z'))) |
          (_mm512_cmpge_epu8_mask(x, _mm512_set1_epi8('0')) & _mm512_cmple_epu8_mask(x, _mm512_set1_epi8('9')));
      __m512i fv = _mm512_mask_blend_epi8(word, space, lowered);
      __m512i ev = _mm512_mask_blend_epi8(word, space, x);
      if (stops == 0 && avail == 64) {
        _mm512_storeu_si512(f + c.fn, fv);
        c.fn += 64;
        if (e != nullptr) {
          _mm512_storeu_si512(e + c.en, ev);
          c.en += 64;
        }
        c.cp += 64;
        c.prev = static_cast<std::uint32_t>(word >> 63);
        c.any |= word != 0 ? 1U : 0U;
        i += 64;
        continue;
      }
      const __mmask64 cont = _mm512_cmpeq_epi8_mask(_mm512_and_si512(x, _mm512_set1_epi8(static_cast<char>(0xC0))),
                                                    _mm512_set1_epi8(static_cast<char>(0x80)));
      const __mmask64 starts = ~cont;  // bytes that begin a code point (in valid UTF-8)
      __mmask64 keep = ~__mmask64{0};
      __mmask64 gt = 0, dquote = 0, squote = 0;
      bool have_quotes = false;
      std::int64_t extra_cps = 0;  // code points beyond popcount(starts): invalid bytes in markup
      unsigned limit = avail;
      bool crosses = false;  // the stop at `limit` runs past the block: a block starting there may take it
      // Where the output and the original stand just before block byte `at`.
      const auto fn_at = [&](unsigned at) { return c.fn + static_cast<std::size_t>(std::popcount(keep & below(at))); };
      const auto cp_at = [&](unsigned at) {
        return static_cast<std::uint32_t>(c.cp + static_cast<std::uint32_t>(std::popcount(starts & below(at))) +
                                          extra_cps);
      };
      const auto open_run_at = [&](std::size_t fn, std::uint32_t cp) {
        const std::int64_t d = std::int64_t{cp} - static_cast<std::int64_t>(fn);
        if (d != c.delta) {
          map[c.xn++] = {static_cast<std::uint32_t>(fn), cp, 0, 0};
          c.delta = d;
        }
      };
      __mmask64 pending = stops;
      if (high != 0) {
        // Latin-1 letters and punctuation (C2/C3 + one continuation byte) and General
        // Punctuation (E2 80 + one) that fold to one byte, all at once: the fold is looked up by
        // the sequence's last byte and patched in at its lead; the rest of it is dropped.
        const __mmask64 c3 = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(static_cast<char>(0xC3)));
        const __mmask64 latin1 =
            (c3 | _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(static_cast<char>(0xC2)))) & (cont >> 1);
        const __mmask64 punct = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(static_cast<char>(0xE2))) &
                                (_mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(static_cast<char>(0x80))) >> 1) &
                                (cont >> 2);
        if ((latin1 | punct) != 0) {
          const __m512i low6 = _mm512_set1_epi8(0x3F);
          __m512i idx = _mm512_and_si512(_mm512_maskz_permutexvar_epi8(~__mmask64{0}, next1, x), low6);
          idx = _mm512_mask_add_epi8(idx, c3, idx, _mm512_set1_epi8(0x40));  // U+00C0.. after U+0080..
          const __m512i lf = _mm512_permutex2var_epi8(latin1_folded_lo, idx, latin1_folded_hi);
          const __m512i le = _mm512_permutex2var_epi8(latin1_exact_lo, idx, latin1_exact_hi);
          const __mmask64 latin1_ok = latin1 & _mm512_test_epi8_mask(lf, lf);  // 0: longer than a byte
          const __m512i pidx = _mm512_and_si512(_mm512_maskz_permutexvar_epi8(~__mmask64{0}, next2, x), low6);
          const __m512i pf = _mm512_maskz_permutexvar_epi8(~__mmask64{0}, pidx, punct_folded);
          const __m512i pe = _mm512_maskz_permutexvar_epi8(~__mmask64{0}, pidx, punct_exact);
          const __mmask64 punct_ok = punct & _mm512_test_epi8_mask(pf, pf);
          fv = _mm512_mask_mov_epi8(_mm512_mask_mov_epi8(fv, latin1_ok, lf), punct_ok, pf);
          ev = _mm512_mask_mov_epi8(_mm512_mask_mov_epi8(ev, latin1_ok, le), punct_ok, pe);
          const __mmask64 dropped = (latin1_ok << 1) | (punct_ok << 1) | (punct_ok << 2);
          keep &= ~dropped;
          pending &= ~(latin1_ok | punct_ok | dropped);
        }
      }
      while (pending != 0) {
        const auto a = static_cast<unsigned>(std::countr_zero(pending));
        const unsigned char b = p[i + a];
        if (b >= 0x80) {
          unsigned len = 0;
          if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
          } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
          } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
          }
          if (len == 0 || a + len > avail) {
            limit = a;
            crosses = len != 0;
            break;
          }
          const __mmask64 tail = below(a + len) & ~below(a + 1);
          char32_t cp = 0;
          if ((cont & tail) != tail) {
            limit = a;
            break;
          }
          if (len == 2) {
            cp = (static_cast<char32_t>(b & 0x1F) << 6) | (p[i + a + 1] & 0x3F);
          } else if (utf8_decode(text_, i + a, cp) != len) {
            limit = a;
            break;
          }
          char fb = 0;
          char eb = 0;
          if (!one_byte_fold(cp, fb, eb)) {
            limit = a;
            break;
          }
          // One code point, one byte: the run goes on.
          fv = _mm512_mask_set1_epi8(fv, __mmask64{1} << a, fb);
          ev = _mm512_mask_set1_epi8(ev, __mmask64{1} << a, eb);
          keep &= ~tail;
          pending &= ~(tail | (__mmask64{1} << a));
          continue;
        }
        if (b == '&') {
          const Reference r = scan_reference(text_, i + a);
          if (!r.ok) {  // a literal '&': already one space, one code point
            pending &= ~(__mmask64{1} << a);
            continue;
          }
          const auto len = static_cast<unsigned>(r.end - (i + a));  // ASCII only: bytes == code points
          char fb = 0;
          char eb = 0;
          if (a + len > avail || !one_byte_fold(r.cp, fb, eb)) {
            limit = a;
            crosses = a + len > avail;
            break;
          }
          const __mmask64 rest = below(a + len) & ~below(a + 1);
          fv = _mm512_mask_set1_epi8(fv, __mmask64{1} << a, fb);
          ev = _mm512_mask_set1_epi8(ev, __mmask64{1} << a, eb);
          const std::size_t fn = fn_at(a);
          const std::uint32_t cp = cp_at(a);
          if (fb != ' ') {  // "&eacute;" -> "e": a unit of its own
            map[c.xn++] = {static_cast<std::uint32_t>(fn), cp, 1, cp + len};
            c.delta = kNoRun;
          }
          keep &= ~rest;
          pending &= ~(rest | (__mmask64{1} << a));
          open_run_at(fn + 1, cp + len);
          continue;
        }
        // b == '<': a tag ending inside the block, else stop_byte's (or a literal '<').
        unsigned j = a + 1;
        if (j < avail && p[i + j] == '/') ++j;
        if (j >= avail) {
          limit = a;
          crosses = true;
          break;
        }
        unsigned last = 0;  // the markup's last byte
        bool joins = false;
        const unsigned char first = p[i + j];
        if (first == '!' || first == '?') {  // comments and declarations: rare, taken whole
          const Markup m = scan_markup(text_, i + a);
          if (m.end > i + avail) {
            limit = a;
            crosses = true;
            break;
          }
          last = static_cast<unsigned>(m.end - i - 1);
          joins = m.joins_word;
        } else if (!is_ascii_alpha(static_cast<char>(first))) {  // "a < b": one space, one code point
          pending &= ~(__mmask64{1} << a);
          continue;
        } else {
          const auto name_len = static_cast<unsigned>(std::countr_one(word >> j));
          if (j + name_len >= avail) {
            limit = a;
            crosses = true;
            break;
          }
          const std::uint64_t key = name_len <= 8 ? tag_key(text_.substr(i + j, name_len)) : 0;
          if (p[i + a + 1] != '/' && (key == tag_key("script") || key == tag_key("style"))) {
            limit = a;  // raw text to skip: stop_byte's
            break;
          }
          if (!have_quotes) {
            gt = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('>'));
            dquote = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('"'));
            squote = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\''));
            have_quotes = true;
          }
          // The first '>' outside a quoted attribute value, as scan_markup finds it.
          unsigned k = j + name_len;
          bool found = false;
          while (k < avail) {
            const __mmask64 next = (gt | dquote | squote) & ~below(k);
            if (next == 0) break;
            const auto s = static_cast<unsigned>(std::countr_zero(next));
            if (((gt >> s) & 1) != 0) {
              k = s;
              found = true;
              break;
            }
            const __mmask64 close = (((dquote >> s) & 1) != 0 ? dquote : squote) & ~below(s + 1);
            if (close == 0) break;
            k = static_cast<unsigned>(std::countr_zero(close)) + 1;
          }
          if (!found) {
            limit = a;
            crosses = true;
            break;
          }
          last = k;
          joins = is_inline_tag(key);
        }
        const __mmask64 span = below(last + 1) & ~below(a);
        if ((high & span) != 0) {
          extra_cps +=
              std::int64_t{count_code_points(text_.substr(i + a, last + 1 - a))} - std::popcount(starts & span);
        }
        keep &= ~span;
        if (!joins) keep |= __mmask64{1} << a;  // '<' is already a space in both
        pending &= ~span;
        open_run_at(fn_at(last + 1), cp_at(last + 1));
      }
      const __mmask64 kept = keep & below(limit);
      _mm512_storeu_si512(f + c.fn, _mm512_maskz_compress_epi8(kept, fv));
      if (e != nullptr) {
        _mm512_storeu_si512(e + c.en, _mm512_maskz_compress_epi8(kept, ev));
        c.en += static_cast<std::size_t>(std::popcount(kept));
      }
      c.fn += static_cast<std::size_t>(std::popcount(kept));
      const __mmask64 kept_words = _mm512_mask_cmpneq_epi8_mask(kept, fv, space);
      if (kept != 0) c.prev = static_cast<std::uint32_t>((kept_words >> (63 - std::countl_zero(kept))) & 1);
      c.any |= kept_words != 0 ? 1U : 0U;
      c.cp = cp_at(limit);
      i += limit;
      if (limit < avail && (!crosses || limit == 0)) break;
    }
    cur = c;
    return i;
  }
#endif

  // After something that was not 1:1: the bytes from here on start a run of their own.
  static void open_run(MapEntry* map, Cursor& c) {
    const std::int64_t d = std::int64_t{c.cp} - static_cast<std::int64_t>(c.fn);
    if (d != c.delta) {
      map[c.xn++] = {static_cast<std::uint32_t>(c.fn), c.cp, 0, 0};
      c.delta = d;
    }
  }

  // The byte at text[i] that stopped a SIMD block (non-ASCII, or '<' / '&' in HTML), taken in
  // place when it can be: returns the bytes consumed, 0 to leave it to the slow path.
  std::size_t stop_byte(std::size_t i, char* f, char* e, MapEntry* map, Cursor& c) const {
    const auto b = static_cast<unsigned char>(text_[i]);
    char fb = ' ';
    char eb = ' ';
    if (b >= 0x80) {
      char32_t cp = 0;
      std::size_t len = 2;
      if (b >= 0xC2 && b <= 0xDF && i + 1 < text_.size() && is_continuation(static_cast<unsigned char>(text_[i + 1]))) {
        cp = (static_cast<char32_t>(b & 0x1F) << 6) | (static_cast<unsigned char>(text_[i + 1]) & 0x3F);
      } else {
        len = utf8_decode(text_, i, cp);
      }
      if (len == 0 || !one_byte_fold(cp, fb, eb)) return 0;
      put(fb, eb, f, e, c);  // one code point, one byte: the run goes on
      ++c.cp;
      return len;
    }
    if (b == '<') {
      const Markup m = scan_markup(text_, i);
      if (!m.joins_word) put(' ', ' ', f, e, c);
      c.cp += count_code_points(text_.substr(i, m.end - i));
      open_run(map, c);
      return m.end - i;
    }
    const Reference r = scan_reference(text_, i);
    if (!r.ok) {  // a literal '&': one code point, one space
      put(' ', ' ', f, e, c);
      ++c.cp;
      return 1;
    }
    if (!one_byte_fold(r.cp, fb, eb)) return 0;
    const auto len = static_cast<std::uint32_t>(r.end - i);  // ASCII only: bytes == code points
    if (fb != ' ') {                                         // "&eacute;" -> "e": a unit of its own
      map[c.xn++] = {static_cast<std::uint32_t>(c.fn), c.cp, 1, c.cp + len};
      c.delta = std::numeric_limits<std::int64_t>::min();
    }
    put(fb, eb, f, e, c);
    c.cp += len;
    open_run(map, c);
    return len;
  }

  // The hot path: 16 bytes at a time while they are ASCII, and in place the code points, tags
  // and references that fold to at most one byte, in chunks for which room is made once.
  // Returns where it stopped (i itself when it wrote nothing).
  std::size_t fast_run(std::size_t i, TextKind kind) {
    const std::size_t n = text_.size();
    const std::size_t start = i;
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    const bool html = kind == TextKind::html;
    constexpr std::size_t kChunk = 256;
    constexpr std::size_t kBlock = 16;
    constexpr std::size_t kWideBlock = 64;
    room_for_map(1);
    const std::size_t xn_start = xn_;
    Cursor c{fn_, en_, xn_, cp_, in_word_ ? 1U : 0U, 0, run_delta_};
    open_run(out_.map_.data(), c);
    bool stopped = false;
    while (!stopped && i < n) {
      // At most one output byte per input byte, and a block stores up to 64 bytes past its
      // output (and may start just before `end`); at most two map entries per stop, and a stop
      // consumes at least one byte.
      reserve(kChunk + 2 * kWideBlock);
      room_for_map(2 * (kChunk + 2 * kWideBlock));
      char* f = out_.folded_.data();
      char* e = want_exact_ ? out_.exact_.data() : nullptr;
      MapEntry* map = out_.map_.data();
      const std::size_t end = std::min(n, i + kChunk);
      // `lane` never leaves this function (simd_block is inlined), so the compiler can keep it
      // in registers: were its address passed on, every store through `f` could alias it.
      Cursor lane = c;
      while (i < end) {
#if defined(NEWSWATCH_WIDE_NORMALISER)
        if (wide_) {
          // Returns at `end`, the text's end, or at a stop it leaves to stop_byte below.
          i = wide_run(i, end, html, f, e, map, lane);
          if (i >= end) break;
        }
#endif
        if (n - i >= kBlock && full_block(p + i, html, f, e, lane)) {
          i += kBlock;
          continue;
        }
        const std::size_t got = simd_block(p + i, std::min(kBlock, n - i), html, f, e, lane);
        i += got;
        if (got == kBlock || i >= n) continue;
        Cursor at_stop = lane;
        const std::size_t len = stop_byte(i, f, e, map, at_stop);
        lane = at_stop;
        if (len == 0) {
          stopped = true;
          break;
        }
        i += len;
      }
      c = lane;
      fn_ = c.fn;
      if (want_exact_) en_ = c.en;
      xn_ = c.xn;
    }
    if (i == start) {  // nothing written: no run opened either
      xn_ = xn_start;
      return i;
    }
    cp_ = c.cp;
    run_delta_ = c.delta;
    in_word_ = c.prev != 0;
    any_word_ = any_word_ || c.any != 0;
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
        separator();
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
        keep_exact_in_step(t.folded_len, t.exact_len);
        map_unit(t.folded_len, end);
        return;
      }
    } else if (!is_word_code_point(cp)) {
      separator();
      return;
    }
    if (!in_word_) start_word();
    reserve(kMaxFoldBytes);
    const std::size_t added = fold_code_point(cp, true, out_.folded_.data() + fn_);
    fn_ += added;
    const std::size_t exact_added = want_exact_ ? fold_code_point(cp, false, out_.exact_.data() + en_) : 0;
    en_ += exact_added;
    keep_exact_in_step(added, exact_added);
    // A lone mark adds nothing; it must not stretch the word's span on its own.
    map_unit(added, end);
  }

  // Every separator writes one space (to both streams, so their words stay in step).
  void separator() {
    end_word();
    reserve(1);
    out_.folded_[fn_++] = ' ';
    if (want_exact_) out_.exact_[en_++] = ' ';
  }

  void end_word() {
    if (!in_word_) return;
    in_word_ = false;
    pending_ = false;
    if (fn_ == word_folded_begin_) {  // only marks: not a word after folding
      en_ = word_exact_begin_;
      return;
    }
  }

  // A code point that only case folding makes letters of stands as a placeholder in the exact
  // stream, so that no word there is empty and both streams keep the same words whichever
  // path ends the word. (No such code point exists in utf8proc's tables today.)
  void keep_exact_in_step(std::size_t folded_added, std::size_t exact_added) {
    if (want_exact_ && folded_added > 0 && exact_added == 0) out_.exact_[en_++] = kEmptyExactWord;
  }

  // Skips from `to` (exclusive), counting the code points passed over.
  std::size_t skip_to(std::size_t from, std::size_t to) {
    cp_ += count_code_points(text_.substr(from, to - from));
    return to;
  }

  // At '<' (slow path): as the fast path does, but through the general writers.
  std::size_t markup(std::size_t i) {
    const Markup m = scan_markup(text_, i);
    if (!m.joins_word) separator();
    return skip_to(i, m.end);
  }

  // At '&' (slow path): a character reference, decoded, or a literal '&'.
  std::size_t reference(std::size_t i) {
    const Reference r = scan_reference(text_, i);
    if (!r.ok) {
      separator();
      ++cp_;
      return i + 1;
    }
    const auto len = static_cast<std::uint32_t>(r.end - i);  // ASCII only: bytes == code points
    code_point(r.cp, cp_ + len);
    cp_ += len;
    return r.end;
  }

  std::string_view text_;
  bool want_exact_;
  bool wide_;  // the 64-byte path may run
  ScanText& out_;
  const std::array<TwoByteFold, 0x800>& two_byte_folds_ = two_byte_folds();
  const OneByteFolds& one_byte_folds_ = one_byte_folds();
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
  bool any_word_ = false;
};

void normalise(std::string_view text, TextKind kind, bool want_exact, ScanText& out) {
  static const bool wide = wide_normaliser_available();
  ScanTextWriter(text, want_exact, wide, out).run(kind);
}

void normalise_portable(std::string_view text, TextKind kind, bool want_exact, ScanText& out) {
  ScanTextWriter(text, want_exact, false, out).run(kind);
}

bool wide_normaliser_available() {
#if defined(NEWSWATCH_WIDE_NORMALISER)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2") &&
         __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
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
  // clear + push_back rather than assign(" "): GCC 12 warns falsely (-Wrestrict) on the latter.
  out.folded.clear();
  out.folded.push_back(' ');
  out.exact.clear();
  if (want_exact) out.exact.push_back(' ');
  out.words.clear();
  // Both streams separate words the same way, so the k-th word of one is the k-th of the other.
  std::size_t ei = 0;
  for (std::size_t i = 0; i < f.size();) {
    if (f[i] == ' ') {
      ++i;
      continue;
    }
    const std::size_t end = f.find(' ', i);
    NormalisedWord w;
    w.folded_begin = static_cast<std::uint32_t>(out.folded.size());
    out.folded.append(f.data() + i, end - i);
    out.folded.push_back(' ');
    if (want_exact) {
      while (e[ei] == ' ')
        ++ei;
      const std::size_t e_end = e.find(' ', ei);
      w.exact_begin = static_cast<std::uint32_t>(out.exact.size());
      for (std::size_t k = ei; k < e_end; ++k) {
        if (e[k] != kEmptyExactWord) out.exact.push_back(e[k]);
      }
      out.exact.push_back(' ');
      ei = e_end;
    }
    w.orig_begin = scan.orig_begin(static_cast<std::uint32_t>(i));
    w.orig_end = scan.orig_end(static_cast<std::uint32_t>(end));
    out.words.push_back(w);
    i = end;
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
