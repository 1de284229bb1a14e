#include "filters/normaliser.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>

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

std::uint32_t count_code_points(std::string_view s) {
  std::uint32_t n = 0;
  for (const char c : s)
    n += is_continuation(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
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
  for (auto n : kInline) {
    if (ascii_iequal(name, n)) return true;
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

class Builder {
 public:
  // The streams are written through an index into strings sized ahead (resized only when a
  // decomposition outgrows them), which keeps the per-byte path free of push_back checks.
  Builder(std::string_view text, bool want_exact, NormalisedText& out)
      : text_(text), want_exact_(want_exact), out_(out) {
    out_.words.clear();
    out_.folded.clear();
    out_.folded.resize(text.size() + 2);
    out_.folded[fn_++] = ' ';
    out_.exact.clear();
    if (want_exact_) {
      out_.exact.resize(text.size() + 2);
      out_.exact[en_++] = ' ';
    }
  }

  void run(TextKind kind) {
    const std::size_t n = text_.size();
    std::size_t i = 0;
    while (i < n) {
      const auto b = static_cast<unsigned char>(text_[i]);
      if (b < 0x80) {
        const auto cls = kAsciiClass[b];
        if (cls == kWord) {
          i = ascii_block(i, kind);
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
    out_.folded.resize(fn_);
    if (want_exact_) out_.exact.resize(en_);
    out_.words.resize(wn_);
  }

 private:
  void start_word() {
    in_word_ = true;
    room_for_words(1);
    out_.words[wn_++] = {static_cast<std::uint32_t>(fn_), static_cast<std::uint32_t>(en_), cp_, cp_};
  }

  // Most text is ASCII letters and digits: copy a whole run at once instead of per byte.
  std::size_t ascii_word_run(std::size_t i) {
    const std::size_t n = text_.size();
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    std::size_t j = i;
    while (j < n && p[j] < 0x80 && kAsciiClass[p[j]] == kWord)
      ++j;
    if (!in_word_) start_word();
    const std::size_t len = j - i;
    reserve(len);
    char* d = out_.folded.data() + fn_;
    for (std::size_t k = 0; k < len; ++k)
      d[k] = static_cast<char>(kAsciiLower[p[i + k]]);
    fn_ += len;
    if (want_exact_) {
      std::memcpy(out_.exact.data() + en_, text_.data() + i, len);
      en_ += len;
    }
    cp_ += static_cast<std::uint32_t>(len);
    out_.words[wn_ - 1].orig_end = cp_;
    return j;
  }

  void room_for_words(std::size_t n) {
    if (wn_ + n > out_.words.size()) out_.words.resize(std::max(out_.words.size() * 2, wn_ + n + 16));
  }

  // The hot path: a run of plain ASCII (no markup, no references), in chunks, without a
  // data-dependent branch per byte. Every byte is written (a letter or digit lower-cased,
  // anything else as ' '), and the write cursor advances unless it would double a space;
  // a word record is written to the next free slot every time and kept only at a word start.
  std::size_t ascii_block(std::size_t i, TextKind kind) {
    const std::size_t n = text_.size();
    const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
    const unsigned char stop2 = kind == TextKind::html ? '&' : 0x80;
    const unsigned char stop1 = kind == TextKind::html ? '<' : 0x80;
    constexpr std::size_t kChunk = 256;
    std::uint32_t prev = in_word_ ? 1 : 0;
    while (i < n) {
      const std::size_t end = std::min(n, i + kChunk);
      reserve(kChunk);
      room_for_words(kChunk / 2 + 2);
      char* f = out_.folded.data();
      char* e = want_exact_ ? out_.exact.data() : nullptr;
      NormalisedWord* words = out_.words.data();
      std::size_t fn = fn_;
      std::size_t en = en_;
      std::size_t wn = wn_;
      std::uint32_t cp = cp_;
      std::size_t j = i;
      for (; j < end; ++j) {
        const unsigned char c = p[j];
        if (c >= 0x80 || c == stop1 || c == stop2) break;
        const std::uint32_t w = kAsciiClass[c] == kWord ? 1 : 0;
        const std::uint32_t start = w & (prev ^ 1);
        words[wn] = {static_cast<std::uint32_t>(fn), static_cast<std::uint32_t>(en), cp, cp + 1};
        wn += start;
        words[w != 0 ? wn - 1 : wn].orig_end = cp + 1;
        f[fn] = static_cast<char>(w != 0 ? kAsciiLower[c] : ' ');
        fn += w | prev;
        if (e != nullptr) {
          e[en] = static_cast<char>(w != 0 ? c : ' ');
          en += w | prev;
        }
        prev = w;
        ++cp;
      }
      fn_ = fn;
      en_ = want_exact_ ? en : en_;
      wn_ = wn;
      cp_ = cp;
      in_word_ = prev != 0;
      if (j < end || j == n) return j;
      i = j;
    }
    return i;
  }

  // Room for `n` more bytes in both streams (plus the closing space).
  void reserve(std::size_t n) {
    if (fn_ + n + 1 > out_.folded.size()) out_.folded.resize(std::max(out_.folded.size() * 2, fn_ + n + 1));
    if (want_exact_ && en_ + n + 1 > out_.exact.size()) {
      out_.exact.resize(std::max(out_.exact.size() * 2, en_ + n + 1));
    }
  }

  // A decoded code point spanning original code points [cp_, end).
  void code_point(char32_t cp, std::uint32_t end) {
    if (cp < 0x80 && kAsciiClass[cp] == kWord) {
      if (!in_word_) start_word();
      reserve(1);
      const auto c = static_cast<char>(cp);
      out_.folded[fn_++] = static_cast<char>(kAsciiLower[cp]);
      if (want_exact_) out_.exact[en_++] = c;
      out_.words[wn_ - 1].orig_end = end;
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
        std::memcpy(out_.folded.data() + fn_, t.folded.data(), t.folded_len);
        fn_ += t.folded_len;
        if (want_exact_) {
          std::memcpy(out_.exact.data() + en_, t.exact.data(), t.exact_len);
          en_ += t.exact_len;
        }
        if (t.folded_len != 0) out_.words[wn_ - 1].orig_end = end;
        return;
      }
    } else if (!is_word_code_point(cp)) {
      end_word();
      return;
    }
    if (!in_word_) start_word();
    reserve(kMaxFoldBytes);
    const std::size_t added = fold_code_point(cp, true, out_.folded.data() + fn_);
    fn_ += added;
    if (want_exact_) en_ += fold_code_point(cp, false, out_.exact.data() + en_);
    // A lone mark adds nothing; it must not stretch the word's span on its own.
    if (added != 0) out_.words[wn_ - 1].orig_end = end;
  }

  void separator() { end_word(); }

  void end_word() {
    if (!in_word_) return;
    in_word_ = false;
    const auto& w = out_.words[wn_ - 1];
    if (fn_ == w.folded_begin) {  // only marks: not a word after folding
      en_ = w.exact_begin;
      --wn_;
      return;
    }
    reserve(1);
    out_.folded[fn_++] = ' ';
    if (want_exact_) out_.exact[en_++] = ' ';
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
    char quote = 0;
    while (j < n) {
      const char c = text_[j];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
      ++j;
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
  NormalisedText& out_;
  const std::array<TwoByteFold, 0x800>& two_byte_folds_ = two_byte_folds();
  std::size_t wn_ = 0;    // words written to out_.words
  std::size_t fn_ = 0;    // bytes written to out_.folded
  std::size_t en_ = 0;    // bytes written to out_.exact
  std::uint32_t cp_ = 0;  // code points of the original text consumed so far
  bool in_word_ = false;
};

}  // namespace

void normalise(std::string_view text, TextKind kind, bool want_exact, NormalisedText& out) {
  Builder(text, want_exact, out).run(kind);
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
