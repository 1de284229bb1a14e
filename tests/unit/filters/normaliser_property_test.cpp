// Property tests for the normaliser: 3000 random texts (fixed seed, so every run sees the same
// ones) built from a palette of awkward pieces — separators, accents, multi-byte folds, marks,
// CJK, emoji, invalid UTF-8, tags, comments, scripts, character references and long runs that
// cross the fast path's 16-byte blocks and 256-byte chunks at every alignment — checked in plain
// and HTML mode, with and without the exact stream:
//   1. the streams' shape (framing, words in step, has_words, folded independent of exact);
//   2-3. the map: each word's original slice, alone, is that word and nothing more, and the
//        slices are ordered, disjoint and inside the text;
//   4. NormalisedText agrees with ScanText;  5. concatenation shifts the second text's offsets;
//   6. term_words;  7. invalid bytes read as U+FFFD;  8. fast and slow paths fold each code point
//   alike;  9. HTML reads as the plain text it renders to;  10. the 64-byte AVX-512 path (where
//   the CPU has it) writes what the portable path writes, map included.
// A failure prints the input (as a C string literal) and a reduced input that fails the same way.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/utf8.hpp"
#include "feeds/html_entities.hpp"
#include "filters/normaliser.hpp"
#include "tests/unit/filters/code_points.hpp"

namespace newswatch::filters {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

std::string escaped(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.push_back('"');
  bool after_hex = false;
  for (const char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    const bool hex_digit = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    if (after_hex && hex_digit) out.append("\" \"");  // "\x81" "a", not "\x81a"
    after_hex = false;
    if (b == '"' || b == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (b == '\n') {
      out.append("\\n");
    } else if (b == '\t') {
      out.append("\\t");
    } else if (b >= 0x20 && b < 0x7F) {
      out.push_back(ch);
    } else {
      out.append("\\x");
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
      after_hex = true;
    }
  }
  out.push_back('"');
  return out;
}

std::string kind_name(TextKind kind) { return kind == TextKind::html ? "html" : "plain"; }

std::string mode_name(TextKind kind, bool want_exact) {
  std::string out = kind_name(kind);
  out.append(want_exact ? "+exact" : "");
  return out;
}

std::uint32_t count_code_points(std::string_view s) { return static_cast<std::uint32_t>(CodePoints(s).count()); }

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = sequence_length(s, i);
    if (len == 1 && static_cast<unsigned char>(s[i]) >= 0x80) return false;
    i += len;
  }
  return true;
}

// One word of a ScanText: its folded and exact bytes (the latter as written, placeholder
// included; both viewing the ScanText, which must outlive them unchanged) and its original code
// points.
struct Word {
  std::string_view folded;
  std::string_view exact;
  std::uint32_t orig_begin = 0;
  std::uint32_t orig_end = 0;
  bool operator==(const Word&) const = default;
};

struct Span {
  std::size_t begin;
  std::size_t end;
};

// Calls f(span) for each word of a stream, in order.
template <class F>
void for_each_word(std::string_view s, F&& f) {
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t e = i;
    while (e < s.size() && s[e] != ' ')
      ++e;
    f(Span{i, e});
    i = e;
  }
}

// The words of a stream as byte spans, into `out` (reused: the checks run for every word).
void stream_words(std::string_view s, std::vector<Span>& out) {
  out.clear();
  for_each_word(s, [&out](Span w) { out.push_back(w); });
}

// How many words a stream has; `first` is the first one's span.
std::size_t count_words(std::string_view s, Span& first) {
  std::size_t n = 0;
  for_each_word(s, [&](Span w) {
    if (n++ == 0) first = w;
  });
  return n;
}

void append_without_placeholder(std::string& out, std::string_view w) {
  for (const char c : w) {
    if (c != kEmptyExactWord) out.push_back(c);
  }
}

std::string without_placeholder(std::string_view w) {
  std::string out;
  append_without_placeholder(out, w);
  return out;
}

bool equal_without_placeholder(std::string_view a, std::string_view b) {
  if (a.find(kEmptyExactWord) == std::string_view::npos && b.find(kEmptyExactWord) == std::string_view::npos) {
    return a == b;
  }
  return without_placeholder(a) == without_placeholder(b);
}

// The words of a ScanText, or an error when its two streams do not have the same number.
bool scan_words(const ScanText& s, bool want_exact, std::vector<Word>& out) {
  out.clear();
  static std::vector<Span> f;
  static std::vector<Span> e;
  stream_words(s.folded(), f);
  stream_words(s.exact(), e);
  if (want_exact && e.size() != f.size()) return false;
  for (std::size_t k = 0; k < f.size(); ++k) {
    Word w;
    w.folded = s.folded().substr(f[k].begin, f[k].end - f[k].begin);
    if (want_exact) w.exact = s.exact().substr(e[k].begin, e[k].end - e[k].begin);
    w.orig_begin = s.orig_begin(static_cast<std::uint32_t>(f[k].begin));
    w.orig_end = s.orig_end(static_cast<std::uint32_t>(f[k].end));
    out.push_back(std::move(w));
  }
  return true;
}

std::string describe(const std::vector<Word>& words) {
  std::string out;
  out.push_back('[');
  for (const auto& w : words) {
    if (out.size() > 1) out.append(", ");
    out.append(escaped(w.folded));
    out.push_back('/');
    out.append(escaped(w.exact));
    out.push_back('@');
    out.append(std::to_string(w.orig_begin));
    out.push_back('-');
    out.append(std::to_string(w.orig_end));
  }
  out.push_back(']');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Properties. Each returns "" when it holds, else what went wrong.

// A ScanText reused across every call, as the matcher does (stale bytes behind the streams).
ScanText& warm_scan() {
  static ScanText s;
  return s;
}

// 1. Stream shape: both streams framed by spaces, same number of words, has_words() right, and
// the folded stream and its map the same whether or not the exact stream is asked for.
std::string check_streams(std::string_view text, TextKind kind, bool want_exact) {
  ScanText& s = warm_scan();
  normalise(text, kind, want_exact, s);
  const std::string_view f = s.folded();
  const std::string_view e = s.exact();
  if (f.empty() || f.front() != ' ' || f.back() != ' ') return "framing: folded stream " + escaped(f);
  if (want_exact && (e.empty() || e.front() != ' ' || e.back() != ' ')) {
    return "framing: exact stream " + escaped(e);
  }
  if (!want_exact && !e.empty()) return "unrequested exact: " + escaped(e);
  Span first{};
  const std::size_t folded_words = count_words(f, first);
  if (want_exact) {
    const std::size_t exact_words = count_words(e, first);
    if (exact_words != folded_words) {
      return "word count: folded has " + std::to_string(folded_words) + " words, exact " + std::to_string(exact_words) +
             "; folded " + escaped(f) + " exact " + escaped(e);
    }
  }
  if (s.has_words() != (folded_words != 0)) {
    return std::string("has_words: has_words() is ") + (s.has_words() ? "true" : "false") + " for folded " + escaped(f);
  }
  if (want_exact) {
    // Asking for the exact stream changes nothing in the folded one or the map.
    static ScanText folded_only;
    normalise(text, kind, false, folded_only);
    static std::vector<Span> spans;
    stream_words(f, spans);
    bool same = folded_only.folded() == f && folded_only.has_words() == s.has_words();
    for (std::size_t k = 0; same && k < spans.size(); ++k) {
      const auto b = static_cast<std::uint32_t>(spans[k].begin);
      const auto e = static_cast<std::uint32_t>(spans[k].end);
      same = folded_only.orig_begin(b) == s.orig_begin(b) && folded_only.orig_end(e) == s.orig_end(e);
    }
    if (!same) return "exact changes folded: without the exact stream, folded " + escaped(folded_only.folded());
  }
  return "";
}

// 2 and 3. Every word maps back to a slice of the original text that, normalised alone, is
// exactly that word (in both streams) and covers the whole slice; the slices are non-empty,
// ordered, non-overlapping and inside the text.
//
// Why the round trip may be asked of every word: a word's slice runs from the code point its
// first folded byte came from (a word starting with marks starts at its first mark, which folds
// to nothing) to the code point its last byte came from. Everything inside the slice was read in
// the full text exactly as it is read alone: tags glued into a word ("Ma<b>li</b>an") are inline
// and complete before the word's last letter, references are units the slice holds whole, and
// nothing before the slice changes how it reads (a '&' or '<' before it would have started
// markup or a reference covering it). Trailing marks that add no byte are outside the slice and
// change nothing.
//
// The slice is also the whole word: with the code point before it added, it no longer reads as
// this one word spanning all of it. (That code point is a separator, or the word would have
// included it; this is what catches a word whose leading marks are left out of its slice.)
std::string check_map(std::string_view text, TextKind kind, bool want_exact) {
  ScanText& s = warm_scan();
  normalise(text, kind, want_exact, s);
  static std::vector<Word> words;
  const bool exact_in_step = scan_words(s, want_exact, words);
  if (!exact_in_step) scan_words(s, false, words);  // property 1 reports it; check the folded words
  const CodePoints cps(text);
  static ScanText alone;
  std::uint32_t prev_end = 0;
  for (std::size_t k = 0; k < words.size(); ++k) {
    const Word& w = words[k];
    // Built only for a message: this loop runs for every word of every text.
    const auto where = [&] {
      return "word " + std::to_string(k) + " " + escaped(w.folded) + " at code points [" +
             std::to_string(w.orig_begin) + ", " + std::to_string(w.orig_end) + ")";
    };
    if (w.orig_begin >= w.orig_end) return "slice order: " + where() + " is empty or reversed";
    if (w.orig_end > cps.count()) {
      return "slice order: " + where() + " ends past the text's " + std::to_string(cps.count()) + " code points";
    }
    if (w.orig_begin < prev_end) {
      return "slice order: " + where() + " overlaps the word before, which ends at " + std::to_string(prev_end);
    }
    prev_end = w.orig_end;
    const std::string_view slice = cps.slice(text, w.orig_begin, w.orig_end);
    if (cps.valid_utf8 && (k == 0 || k + 1 == words.size())) {
      const std::string py = slice_cp(text, w.orig_begin, w.orig_end - w.orig_begin);
      if (py != slice)
        return "slice_cp: " + where() + ": slice_cp gives " + escaped(py) + ", code points " + escaped(slice);
    }
    normalise(slice, kind, want_exact, alone);
    const std::string_view af = alone.folded();
    const std::string_view ae = alone.exact();
    Span fw{};
    Span ew{};
    const std::size_t alone_words = count_words(af, fw);
    const std::size_t alone_exact_words = count_words(ae, ew);
    if (alone_words != 1 || af.substr(fw.begin, fw.end - fw.begin) != w.folded) {
      std::vector<Word> got;
      scan_words(alone, false, got);
      return "round trip: " + where() + ": its slice " + escaped(slice) + " alone normalises to " + describe(got);
    }
    const std::uint32_t slice_cps = count_code_points(slice);
    const std::uint32_t ab = alone.orig_begin(static_cast<std::uint32_t>(fw.begin));
    const std::uint32_t ae_end = alone.orig_end(static_cast<std::uint32_t>(fw.end));
    if (ab != 0 || ae_end != slice_cps) {
      return "tight: " + where() + ": its slice " + escaped(slice) + " alone maps to [" + std::to_string(ab) + ", " +
             std::to_string(ae_end) + ") of its " + std::to_string(slice_cps) + " code points";
    }
    if (want_exact && exact_in_step) {
      const std::string_view got = alone_exact_words == 1 ? ae.substr(ew.begin, ew.end - ew.begin) : ae;
      if (alone_exact_words != 1 || !equal_without_placeholder(got, w.exact)) {
        return "exact round trip: " + where() + ": exact " + escaped(w.exact) + ", but its slice " + escaped(slice) +
               " alone gives " + escaped(got);
      }
    }
    if (w.orig_begin > 0) {
      const std::string_view wider = cps.slice(text, w.orig_begin - 1, w.orig_end);
      normalise(wider, kind, false, alone);
      Span ww{};
      if (count_words(alone.folded(), ww) == 1 && alone.folded().substr(ww.begin, ww.end - ww.begin) == w.folded &&
          alone.orig_begin(static_cast<std::uint32_t>(ww.begin)) == 0 &&
          alone.orig_end(static_cast<std::uint32_t>(ww.end)) == slice_cps + 1) {
        return "maximal: " + where() + ": " + escaped(wider) + ", one code point more, is still all this word";
      }
    }
  }
  return "";
}

bool framed(const ScanText& s, bool want_exact) {
  const auto spaced = [](std::string_view x) { return !x.empty() && x.front() == ' ' && x.back() == ' '; };
  return spaced(s.folded()) && (!want_exact || spaced(s.exact()));
}

// 4. NormalisedText (records per word, collapsed streams) agrees with ScanText.
std::string check_records(std::string_view text, TextKind kind, bool want_exact) {
  ScanText& s = warm_scan();
  normalise(text, kind, want_exact, s);
  static std::vector<Word> words;
  // The collapsed form pairs the k-th words of both streams; with streams out of step or not
  // framed by spaces (property 1 reports that) it would read past the exact stream, so it is not
  // called.
  if (!framed(s, want_exact) || !scan_words(s, want_exact, words)) return "";
  static NormalisedText n;
  normalise(text, kind, want_exact, n);
  std::string folded = " ";
  std::string exact;
  if (want_exact) exact.push_back(' ');
  for (const auto& w : words) {
    folded.append(w.folded);
    folded.push_back(' ');
    if (want_exact) {
      append_without_placeholder(exact, w.exact);
      exact.push_back(' ');
    }
  }
  if (n.folded != folded)
    return "records: NormalisedText.folded " + escaped(n.folded) + ", expected " + escaped(folded);
  if (n.exact != exact) return "records: NormalisedText.exact " + escaped(n.exact) + ", expected " + escaped(exact);
  if (n.words.size() != words.size()) {
    return "records: " + std::to_string(n.words.size()) + " NormalisedText words, " + std::to_string(words.size()) +
           " in ScanText";
  }
  for (std::size_t k = 0; k < words.size(); ++k) {
    const NormalisedWord& r = n.words[k];
    const Word& w = words[k];
    const auto where = [&] { return "word " + std::to_string(k) + " " + escaped(w.folded); };
    // The word (placeholders dropped) is at `at` in `stream`, between spaces.
    const auto holds = [](const std::string& stream, std::size_t at, std::string_view word) {
      const std::size_t end = stream.find(' ', at);
      return at >= 1 && end != std::string::npos && stream[at - 1] == ' ' &&
             equal_without_placeholder(std::string_view(stream).substr(at, end - at), word);
    };
    if (!holds(n.folded, r.folded_begin, w.folded)) {
      return "records: " + where() + ": folded_begin " + std::to_string(r.folded_begin) + " in " + escaped(n.folded);
    }
    if (want_exact && !holds(n.exact, r.exact_begin, w.exact)) {
      return "records: " + where() + ": exact_begin " + std::to_string(r.exact_begin) + " in " + escaped(n.exact);
    }
    if (r.orig_begin != w.orig_begin || r.orig_end != w.orig_end) {
      return "records: " + where() + ": NormalisedText maps it to [" + std::to_string(r.orig_begin) + ", " +
             std::to_string(r.orig_end) + "), ScanText to [" + std::to_string(w.orig_begin) + ", " +
             std::to_string(w.orig_end) + ")";
    }
  }
  return "";
}

// 5. Concatenation: A + " " + B has A's words, then B's shifted by A's code points and the space.
std::string check_concat(std::string_view a, std::string_view b, TextKind kind, bool want_exact) {
  static std::string joined;
  joined.assign(a);
  joined.push_back(' ');
  joined.append(b);
  static std::vector<Word> wa;
  static std::vector<Word> wb;
  static std::vector<Word> wj;
  static ScanText sa;
  static ScanText sb;
  ScanText& sj = warm_scan();
  normalise(a, kind, want_exact, sa);
  if (!scan_words(sa, want_exact, wa)) return "";  // property 1
  normalise(b, kind, want_exact, sb);
  if (!scan_words(sb, want_exact, wb)) return "";
  normalise(joined, kind, want_exact, sj);
  if (!scan_words(sj, want_exact, wj)) return "";
  const std::uint32_t shift = count_code_points(a) + 1;
  bool same = wj.size() == wa.size() + wb.size();
  for (std::size_t k = 0; same && k < wj.size(); ++k) {
    const Word& w = wj[k];
    const Word& x = k < wa.size() ? wa[k] : wb[k - wa.size()];
    const std::uint32_t by = k < wa.size() ? 0 : shift;
    same = w.folded == x.folded && w.exact == x.exact && w.orig_begin == x.orig_begin + by &&
           w.orig_end == x.orig_end + by;
  }
  if (!same) {
    return "concatenation: A + \" \" + B gives " + describe(wj) + "; A gives " + describe(wa) + ", B gives " +
           describe(wb) + " (shifted by " + std::to_string(shift) + ")";
  }
  return "";
}

// 6. term_words is the plain-text words: folded, or exact (placeholders dropped) with keep_case.
// (Plain text only: that is how term_words reads a term.)
std::string check_term_words(std::string_view text, TextKind kind, bool want_exact) {
  ScanText& s = warm_scan();
  normalise(text, kind, want_exact, s);
  static std::vector<Word> words;
  if (!framed(s, want_exact) || !scan_words(s, want_exact, words)) return "";  // as in property 4
  std::vector<std::string> expected;
  for (const auto& w : words)
    expected.push_back(want_exact ? without_placeholder(w.exact) : std::string(w.folded));
  const auto got = term_words(text, want_exact);
  if (got != expected) {
    std::string msg = "term_words: term_words gives";
    for (const auto& t : got) {
      msg.push_back(' ');
      msg.append(escaped(t));
    }
    msg.append(", plain words are");
    for (const auto& t : expected) {
      msg.push_back(' ');
      msg.append(escaped(t));
    }
    return msg;
  }
  return "";
}

// 7. Invalid UTF-8 (normaliser.hpp: "Invalid UTF-8 bytes are separators, one code point each")
// reads like U+FFFD, a separator code point: replacing every invalid byte by it changes neither
// stream nor any word's offsets, wherever the byte is (in text, a tag, a comment, a script).
std::string replaced_invalid(std::string_view text) {
  const CodePoints cps(text);
  std::string out;
  for (std::size_t k = 0; k < cps.count(); ++k) {
    const std::string_view unit = cps.slice(text, k, k + 1);
    if (unit.size() == 1 && static_cast<unsigned char>(unit[0]) >= 0x80) {
      out.append("\xEF\xBF\xBD");
    } else {
      out.append(unit);
    }
  }
  return out;
}

std::string check_replacement(std::string_view text, TextKind kind, bool want_exact) {
  if (valid_utf8(text)) return "";
  const std::string fixed = replaced_invalid(text);
  ScanText& s = warm_scan();
  static ScanText r;
  static std::vector<Word> raw;
  static std::vector<Word> repaired;
  normalise(text, kind, want_exact, s);
  if (!scan_words(s, want_exact, raw)) return "";  // property 1
  normalise(fixed, kind, want_exact, r);
  if (!scan_words(r, want_exact, repaired)) return "";
  if (s.folded() != r.folded() || s.exact() != r.exact() || raw != repaired) {
    return "replacement: invalid bytes give " + describe(raw) + ", U+FFFD in their place " + describe(repaired);
  }
  return "";
}

// 8. Every code point folds the same on the fast path (the SIMD loop and its one-byte table) as
// on the slow path (the general writer), which a combining mark in front forces: a word so far of
// marks only is written by the slow path until its first byte. So `x` and U+0301 + `x` give the
// same streams, and the word (if any) spans all of either. In HTML, `x` is the code point as a
// numeric reference, which both paths decode too.
std::string check_paths(char32_t cp, TextKind kind) {
  std::string x;
  if (kind == TextKind::html) {
    x = "&#" + std::to_string(static_cast<std::uint32_t>(cp)) + ";";
  } else {
    utf8_append(x, cp);
  }
  std::string marked = "\xCC\x81";
  marked.append(x);
  ScanText& fast = warm_scan();
  static ScanText slow;
  normalise(x, kind, true, fast);
  normalise(marked, kind, true, slow);
  static std::vector<Word> fw;
  static std::vector<Word> sw;
  if (!scan_words(fast, true, fw) || !scan_words(slow, true, sw)) return "";  // property 1
  const std::uint32_t n = count_code_points(x);
  bool same = fast.folded() == slow.folded() && fast.exact() == slow.exact() && fw.size() <= 1;
  if (same && fw.size() == 1) {
    same = fw[0].orig_begin == 0 && fw[0].orig_end == n && sw[0].orig_begin == 0 && sw[0].orig_end == n + 1;
  }
  if (!same) {
    return "paths: " + escaped(x) + " gives " + describe(fw) + ", after U+0301 " + describe(sw) + "; folded " +
           escaped(fast.folded()) + " / " + escaped(slow.folded()) + ", exact " + escaped(fast.exact()) + " / " +
           escaped(slow.exact());
  }
  return "";
}

// 9. HTML reads as the plain text it renders to: the same streams (their offsets differ, and
// the map round trip checks those). Texts with invalid UTF-8 are left out: removing a tag can
// join the bytes on either side of it into a valid sequence.
std::string check_rendering(std::string_view html, std::string_view rendered, bool want_exact) {
  ScanText& s = warm_scan();
  static ScanText plain;
  normalise(html, TextKind::html, want_exact, s);
  normalise(rendered, TextKind::plain, want_exact, plain);
  if (s.folded() != plain.folded() || s.exact() != plain.exact() || s.has_words() != plain.has_words()) {
    return "rendering: as HTML folded " + escaped(s.folded()) + " exact " + escaped(s.exact()) + "; rendered " +
           escaped(rendered) + " as plain text folded " + escaped(plain.folded()) + " exact " + escaped(plain.exact());
  }
  return "";
}

// 10. The 64-byte path and the portable one: the same streams, and every word maps back to the
// same original code points.
std::string check_wide(std::string_view text, TextKind kind, bool want_exact) {
  ScanText& wide = warm_scan();
  normalise(text, kind, want_exact, wide);
  static ScanText portable;
  normalise_portable(text, kind, want_exact, portable);
  static std::vector<Word> ww;
  static std::vector<Word> pw;
  if (!scan_words(wide, want_exact, ww) || !scan_words(portable, want_exact, pw)) return "paths: word count";
  if (wide.folded() != portable.folded() || wide.exact() != portable.exact() || ww != pw ||
      wide.has_words() != portable.has_words()) {
    return "paths: 64-byte " + escaped(wide.folded()) + " " + describe(ww) + ", portable " +
           escaped(portable.folded()) + " " + describe(pw);
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Random texts

// Pieces that cannot leave markup or a reference open at their end, whatever follows them.
const std::vector<std::string>& safe_pieces() {
  static const std::vector<std::string> pieces = {
      // ASCII words of various case, digits
      "Mali", "gao", "KIDAL", "x", "a", "B", "AQIM", "Timbuktu2012", "iPhone", "0", "42", "2024",
      // separators, alone and repeated
      " ", " ", " ", ", ", " -- ", "\t", "\n", "  ", " \n\t ",
      // punctuation
      ".", "!", "?", ";", ":", "'", "\"", "(", ")", "/", "-", "_", "#", "=", ">", "*", "\\", "@",
      // accented Latin (1:1 folds), including words
      "é", "Ç", "ø", "Ségou", "CÔTE", "Ñ", "Å", "ÿ", "déjà", "Đ",
      // quotes and spaces that separate
      "’", "‘", "«", "»", "\xC2\xA0", "—", "…", "\xE2\x80\x8B", "\xC2\xAD", "\xE3\x80\x80", "\xCA\xBC",
      // multi-byte and otherwise unusual folds: ß ẞ ﬁ ǅ İ Ａ ½ ² ﷺ
      "ß", "Straße", "\xE1\xBA\x9E", "STRA\u1E9EE", "\xEF\xAC\x81", "\xEF\xAC\x81nal", "\xC7\x85", "\xC4\xB0stanbul",
      "\xEF\xBC\xA1", "\xC2\xBD", "\xC2\xB2", "\xEF\xB7\xBA",
      // combining marks at word starts, middles and alone; U+0345 folds to iota (exact: nothing)
      "\xCC\x81", "\xCC\x81\xCC\x81", "e\xCC\x81", "\u0301abc", "Se\xCC\x81gou", "\xCD\x85", "\xCD\xBA", "\xE2\x83\x9D",
      // General Punctuation (U+2000..U+206F, folded from a table) and its neighbours: U+1FFE,
      // U+1FFF, U+2000, “ ” – ‐ ‰, U+2028, U+202F, U+2060, U+206F, ⁰ (U+2070, a digit), ⁱ
      "\xE1\xBF\xBE", "\xE1\xBF\xBF", "\xE2\x80\x80", "“", "”", "–", "\xE2\x80\x90", "‰", "\xE2\x80\xA8",
      "\xE2\x80\xAF", "\xE2\x81\xA0", "\xE2\x81\xAF", "\xE2\x81\xB0", "\xE2\x81\xB1",
      // the ends of the two-byte range (U+0080, U+07FA, U+07FF), Hebrew and Arabic with marks
      "\xC2\x80", "\xDF\xBA", "\xDF\xBF", "שָׁלוֹם", "مَرحبا", "\xC7\x84",
      // Greek, Cyrillic, Hangul (decomposes), CJK
      "Ελλάδα", "Σ", "ς", "Москва", "Ё", "한국", "北京", "中", "東京都", "ｶﾀ",
      // emoji, variation selector (a mark) and keycap
      "\xF0\x9F\x98\x80", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "\xE2\x9D\xA4\xEF\xB8\x8F", "1\xEF\xB8\x8F\xE2\x83\xA3",
      // invalid UTF-8: stray bytes, truncated sequences, overlong, surrogate, past U+10FFFF
      "\xFF", "\x80", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xBF\xBF",
      // inline tags, block tags, comments, declarations, raw text
      "<b>", "</b>", "<a href=\"x\">", "</a>", "<span class='y'>", "</span>", "<i>", "<EM>", "<sup>", "</i>", "<p>",
      "</p>", "<br/>", "<div>", "</div>", "<h1>", "<td>", "<!-- x -->", "<!-- <b> -->", "<!DOCTYPE html>", "<?xml x?>",
      "<script>var a = '<b>';</script>", "<style>p { }</style>", "<SCRIPT>x</SCRIPT>", "<a title='>' href=\"a>b\">",
      // character references
      "&amp;", "&eacute;", "&Eacute;", "&nbsp;", "&#8217;", "&#x4D;", "&#233;", "&bogus;", "&", "&#0;", "&#xD800;",
      "&szlig;", "&#x1E9E;", "&#769;", "&#x4E2D;", "&lt;", "&gt;", "&#128512;", "&amp", "&#;", "&#x;", "&#12345678901;",
      "&#x345;", "&AElig;", "&rsquo;", "&#8220;", "&#x2070;", "&mdash;", "&hellip;", "&#x2044;", "&#x7FF;", "&#128;",
      // a literal '<'
      "a < b", "<3", "x<1", "< "};
  return pieces;
}

// Pieces that may leave markup open (to the end of the text, or over what follows).
const std::vector<std::string>& open_pieces() {
  static const std::vector<std::string> pieces = {"<", "<b", "</", "<!--", "<script>", "<a title=\"", "<x y='"};
  return pieces;
}

// What a piece of HTML renders as, in plain text that folds the same: inline tags vanish, other
// tags, comments and raw text become one separator, references the character they stand for (a
// separator as a space: '<' itself could start a tag). False when the piece's reading depends on
// what follows it ("&" and "&amp" may start a reference with the next piece; open markup).
bool render_piece(std::string_view piece, std::string& out) {
  // clang-format off
  static const std::map<std::string_view, std::string_view> kRendered = {
      {"<b>", ""}, {"</b>", ""}, {"<a href=\"x\">", ""}, {"</a>", ""}, {"<span class='y'>", ""}, {"</span>", ""},
      {"<i>", ""}, {"<EM>", ""}, {"<sup>", ""}, {"</i>", ""}, {"<a title='>' href=\"a>b\">", ""},
      {"<p>", " "}, {"</p>", " "}, {"<br/>", " "}, {"<div>", " "}, {"</div>", " "}, {"<h1>", " "}, {"<td>", " "},
      {"<!-- x -->", " "}, {"<!-- <b> -->", " "}, {"<!DOCTYPE html>", " "}, {"<?xml x?>", " "},
      {"<script>var a = '<b>';</script>", " "}, {"<style>p { }</style>", " "}, {"<SCRIPT>x</SCRIPT>", " "},
      {"&amp;", " "}, {"&lt;", " "}, {"&gt;", ">"}, {"&eacute;", "é"}, {"&Eacute;", "É"}, {"&nbsp;", "\xC2\xA0"},
      {"&#8217;", "’"}, {"&#x4D;", "M"}, {"&#233;", "é"}, {"&#0;", "\xEF\xBF\xBD"}, {"&#xD800;", "\xEF\xBF\xBD"},
      {"&szlig;", "ß"}, {"&#x1E9E;", "\xE1\xBA\x9E"}, {"&#769;", "\xCC\x81"}, {"&#x4E2D;", "中"},
      {"&#128512;", "\xF0\x9F\x98\x80"}, {"&#x345;", "\xCD\x85"}, {"&AElig;", "Æ"}, {"&rsquo;", "’"},
      {"&#8220;", "“"}, {"&#x2070;", "\xE2\x81\xB0"}, {"&mdash;", "—"}, {"&hellip;", "…"},
      {"&#x2044;", "\xE2\x81\x84"}, {"&#x7FF;", "\xDF\xBF"}, {"&#128;", "\xC2\x80"},
      // not references: the '&' is a separator and the rest text
      {"&bogus;", " bogus;"}, {"&#;", " #;"}, {"&#x;", " #x;"}, {"&#12345678901;", " #12345678901;"},
      // a literal '<' reads as itself
      {"a < b", "a < b"}, {"<3", "<3"}, {"x<1", "x<1"}, {"< ", "< "}};
  // clang-format on
  if (const auto it = kRendered.find(piece); it != kRendered.end()) {
    out.append(it->second);
    return true;
  }
  // Any other piece is plain text, or words glued by <b> and </i> (long runs).
  std::string rest(piece);
  for (const std::string_view tag : {"<b>", "</i>"}) {
    for (std::size_t at = rest.find(tag); at != std::string::npos; at = rest.find(tag, at))
      rest.erase(at, tag.size());
  }
  if (rest.find_first_of("<&") != std::string::npos) return false;
  out.append(rest);
  return true;
}

class TextGen {
 public:
  explicit TextGen(std::uint32_t seed) : rng_(seed) {}

  // rng_() % n rather than a distribution: the distributions differ between standard
  // libraries, and the texts should be the same everywhere.
  std::size_t pick(std::size_t n) { return rng_() % n; }

  struct Text {
    std::vector<std::string> pieces;
    std::string joined;    // the text itself
    bool open = false;     // uses an open_pieces() piece
    std::string rendered;  // as HTML, rendered to plain text (render_piece)
    bool renders = true;   // every piece renders on its own
  };

  Text text() {
    Text t;
    const bool long_text = pick(16) == 0;
    const std::size_t n = long_text ? 40 + pick(60) : pick(20);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t r = pick(100);
      if (r < 3) {
        t.pieces.push_back(long_run());
      } else if (r < 14) {
        t.pieces.push_back(ascii_word(1 + pick(40)));
      } else if (r < 16) {
        t.pieces.push_back(open_pieces()[pick(open_pieces().size())]);
        t.open = true;
      } else {
        t.pieces.push_back(safe_pieces()[pick(safe_pieces().size())]);
      }
    }
    for (const auto& p : t.pieces) {
      t.joined.append(p);
      t.renders = t.renders && render_piece(p, t.rendered);
    }
    return t;
  }

 private:
  std::string ascii_word(std::size_t len) {
    static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string w;
    for (std::size_t k = 0; k < len; ++k)
      w.push_back(kChars[pick(kChars.size())]);
    return w;
  }

  // Over 16 bytes, often over 256: whatever follows lands at every block and chunk alignment.
  std::string long_run() {
    const std::size_t len = 17 + pick(pick(4) == 0 ? 600 : 64);
    std::string s;
    switch (pick(4)) {
      case 0:  // one long word
        return ascii_word(len);
      case 1:  // words and single separators
        while (s.size() < len) {
          s.append(ascii_word(1 + pick(9)));
          s.push_back(" ,.-\t"[pick(5)]);
        }
        return s;
      case 2:  // 1:1 accented letters among ASCII (still the fast path)
        while (s.size() < len) {
          static const char* const kBits[] = {"é", "Ségou ", "ø", "a", "CÔTE", " ", "’", "\xC2\xA0"};
          s.append(kBits[pick(8)]);
        }
        return s;
      default:  // a word glued by inline tags
        while (s.size() < len) {
          s.append(ascii_word(1 + pick(5)));
          s.append(pick(2) == 0 ? "<b>" : "</i>");
        }
        return s;
    }
  }

  std::mt19937 rng_;
};

std::string join(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces)
    out.append(p);
  return out;
}

// What a check's message starts with, up to the colon: the kind of failure.
std::string tag_of(const std::string& error) { return error.substr(0, error.find(':')); }

// Shrinks a failing input, keeping the same kind of failure: drops whole pieces, then byte spans.
// Keeps valid UTF-8 valid, so that a reduction does not wander off to an invalid-byte failure.
std::string reduce(std::vector<std::string> pieces, const std::function<std::string(const std::string&)>& classify) {
  const std::string tag = classify(join(pieces));
  const bool valid = valid_utf8(join(pieces));
  const auto fails = [&](const std::string& s) { return (!valid || valid_utf8(s)) && classify(s) == tag; };
  for (std::size_t k = 0; k < pieces.size();) {
    auto fewer = pieces;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(k));
    if (fails(join(fewer))) {
      pieces = std::move(fewer);
    } else {
      ++k;
    }
  }
  std::string s = join(pieces);
  for (std::size_t span = s.size(); span >= 1; span /= 2) {
    for (std::size_t at = 0; at + span <= s.size();) {
      std::string shorter = s;
      shorter.erase(at, span);
      if (fails(shorter)) {
        s = std::move(shorter);
      } else {
        ++at;
      }
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The tests

constexpr std::uint32_t kSeed = 20240611;
constexpr std::size_t kTexts = 3000;
constexpr std::size_t kReportedPerKind = 2;

const std::vector<TextGen::Text>& texts() {
  static const std::vector<TextGen::Text> all = [] {
    TextGen gen(kSeed);
    std::vector<TextGen::Text> out;
    out.reserve(kTexts);
    for (std::size_t k = 0; k < kTexts; ++k)
      out.push_back(gen.text());
    return out;
  }();
  return all;
}

struct Mode {
  TextKind kind;
  bool want_exact;
};
constexpr Mode kModes[] = {
    {TextKind::plain, false}, {TextKind::plain, true}, {TextKind::html, false}, {TextKind::html, true}};

// Failures counted by kind; the first few of each kind are reported with a reduced input.
class Report {
 public:
  // True when this failure is to be reported in full.
  bool count(const std::string& kind) { return ++counts_[kind] <= kReportedPerKind; }
  void expect_none(const std::string& what, std::size_t inputs) const {
    for (const auto& [kind, n] : counts_)
      ADD_FAILURE() << what << ": " << n << " of " << inputs << " inputs fail with \"" << kind << "\"";
  }

 private:
  std::map<std::string, std::size_t> counts_;
};

using Check = std::string (*)(std::string_view, TextKind, bool);

// A failure's kind: its tag, marked when the same text with U+FFFD for each invalid byte passes
// (then the failure comes from how invalid UTF-8 is read, which property 7 pins down).
std::string classify(Check check, const std::string& text, Mode m) {
  const std::string error = check(text, m.kind, m.want_exact);
  if (error.empty()) return "";
  std::string kind = tag_of(error);
  if (!valid_utf8(text) && check(replaced_invalid(text), m.kind, m.want_exact).empty()) {
    kind.append(" (invalid UTF-8 only)");
  }
  return kind;
}

// Which texts a property reads in each mode: every `with_exact`-th with the exact stream, every
// `without_exact`-th without it. Property 1 checks on every text that the folded stream and its
// map do not depend on whether the exact stream is written, so a property holding for a text
// with it holds without it too; the sample keeps the path without it exercised directly, and the
// file fast under AddressSanitizer.
std::size_t stride(Mode m, std::size_t without_exact, std::size_t with_exact = 1) {
  return m.want_exact ? with_exact : without_exact;
}

// Runs `check` over the texts in every mode.
void check_all(const char* property, Check check, std::size_t without_exact = 1, bool html = true,
               std::size_t with_exact = 1) {
  for (const Mode m : kModes) {
    if (m.kind == TextKind::html && !html) continue;
    Report report;
    std::size_t inputs = 0;
    const auto& all = texts();
    for (std::size_t k = 0; k < all.size(); k += stride(m, without_exact, with_exact)) {
      const auto& t = all[k];
      ++inputs;
      const std::string& text = t.joined;
      const std::string error = check(text, m.kind, m.want_exact);
      if (error.empty()) continue;
      const std::string kind = classify(check, text, m);
      if (!report.count(kind)) continue;
      const std::string small = reduce(t.pieces, [&](const std::string& s) { return classify(check, s, m); });
      ADD_FAILURE() << property << " (" << mode_name(m.kind, m.want_exact) << "), " << kind
                    << "\n  input:   " << escaped(text) << "\n  " << error << "\n  reduced: " << escaped(small)
                    << "\n  " << check(small, m.kind, m.want_exact);
    }
    report.expect_none(std::string(property) + " (" + mode_name(m.kind, m.want_exact) + ")", inputs);
  }
}

TEST(NormaliserProperty, TheGeneratorCoversThePalette) {
  // Keeps the generator honest: long texts, open markup, invalid UTF-8 and empty texts are drawn.
  std::size_t open = 0;
  std::size_t over_chunk = 0;
  std::size_t invalid = 0;
  std::size_t empty = 0;
  std::size_t bytes = 0;
  std::size_t rendered = 0;
  for (const auto& t : texts()) {
    open += t.open ? 1 : 0;
    const std::string& s = t.joined;
    over_chunk += s.size() > 256 ? 1 : 0;
    bytes += s.size();
    invalid += valid_utf8(s) ? 0 : 1;
    rendered += !t.open && t.renders && valid_utf8(s) ? 1 : 0;
    empty += s.empty() ? 1 : 0;
  }
  EXPECT_GT(open, kTexts / 10);
  EXPECT_GT(over_chunk, kTexts / 10);
  EXPECT_GT(invalid, kTexts / 10);
  EXPECT_GT(empty, 0U);
  EXPECT_GT(rendered, kTexts / 4);
  std::printf(
      "[ generator] %zu texts, %zu bytes: %zu over 256 bytes, %zu with invalid UTF-8, %zu with open markup, "
      "%zu rendered to plain text\n",
      kTexts, bytes, over_chunk, invalid, open, rendered);
}

TEST(NormaliserProperty, StreamsAreFramedAndInStep) { check_all("streams", check_streams); }

TEST(NormaliserProperty, WordsMapBackToSlicesThatNormaliseToThem) { check_all("map", check_map, 4); }

// NormalisedText (and term_words, built on it) normalises into a fresh ScanText per call, whose
// first allocations dominate under AddressSanitizer: these two read every other text.
TEST(NormaliserProperty, NormalisedTextAgreesWithScanText) { check_all("records", check_records, 8, true, 2); }

TEST(NormaliserProperty, WideAndPortablePathsWriteTheSame) {
  if (!wide_normaliser_available()) GTEST_SKIP() << "this CPU has no AVX-512 VBMI2: one path only";
  check_all("wide", check_wide);
}

TEST(NormaliserProperty, TermWordsArePlainWords) { check_all("term_words", check_term_words, 8, false, 2); }

TEST(NormaliserProperty, InvalidBytesReadAsReplacementCharacters) { check_all("replacement", check_replacement, 4); }

// Every code point of the ranges the fast path folds from its table (U+0000..U+07FF and General
// Punctuation), their neighbours, and a few other blocks news text meets.
TEST(NormaliserProperty, FastAndSlowPathsFoldEveryCodePointAlike) {
  const std::pair<char32_t, char32_t> ranges[] = {{0x1, 0x800},     {0x1E00, 0x2100}, {0x3000, 0x3010},
                                                  {0xFB00, 0xFB50}, {0xFF00, 0xFF70}, {0x1F600, 0x1F610}};
  for (const TextKind kind : {TextKind::plain, TextKind::html}) {
    Report report;
    std::size_t inputs = 0;
    for (const auto& [from, to] : ranges) {
      for (char32_t cp = from; cp < to; ++cp) {
        ++inputs;
        const std::string error = check_paths(cp, kind);
        if (!error.empty() && report.count(tag_of(error))) ADD_FAILURE() << kind_name(kind) << ": " << error;
      }
    }
    report.expect_none("paths (" + kind_name(kind) + ")", inputs);
  }
}

TEST(NormaliserProperty, HtmlReadsAsThePlainTextItRendersTo) {
  for (const bool want_exact : {false, true}) {
    Report report;
    std::size_t inputs = 0;
    for (const auto& t : texts()) {
      if (t.open || !t.renders || !valid_utf8(t.joined)) continue;
      ++inputs;
      const std::string error = check_rendering(t.joined, t.rendered, want_exact);
      if (error.empty() || !report.count(tag_of(error))) continue;
      // Reduced piece by piece (a piece and its rendering go together).
      std::vector<std::string> pieces = t.pieces;
      const auto fails = [&](const std::vector<std::string>& ps) {
        std::string html;
        std::string rendered;
        for (const auto& p : ps) {
          html.append(p);
          render_piece(p, rendered);
        }
        return !check_rendering(html, rendered, want_exact).empty();
      };
      for (std::size_t k = 0; k < pieces.size();) {
        auto fewer = pieces;
        fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(k));
        if (fails(fewer)) {
          pieces = std::move(fewer);
        } else {
          ++k;
        }
      }
      std::string small;
      for (const auto& p : pieces)
        small.append(p);
      ADD_FAILURE() << "rendering (" << (want_exact ? "exact" : "folded") << ")\n  input:   " << escaped(t.joined)
                    << "\n  " << error << "\n  reduced: " << escaped(small);
    }
    EXPECT_GT(inputs, kTexts / 4);
    report.expect_none(std::string("rendering (") + (want_exact ? "exact" : "folded") + ")", inputs);
  }
}

// A and B each end outside markup and references when they are plain text, or (in HTML) when
// no piece that can leave markup open was used: then the space between them is read as a
// separator whatever A ends with, and B reads as it does alone.
TEST(NormaliserProperty, ConcatenationShiftsTheSecondText) {
  const auto& all = texts();
  for (const Mode m : kModes) {
    Report report;
    std::size_t pairs = 0;
    for (std::size_t k = 0; k + 1 < all.size(); k += stride(m, 4)) {
      const auto& a = all[k];
      const auto& b = all[k + 1];
      if (m.kind == TextKind::html && (a.open || b.open)) continue;
      ++pairs;
      const std::string& ta = a.joined;
      const std::string& tb = b.joined;
      const std::string error = check_concat(ta, tb, m.kind, m.want_exact);
      if (error.empty() || !report.count(tag_of(error))) continue;
      const auto fails_with = [&](const std::string& x, const std::string& y) {
        return check_concat(x, y, m.kind, m.want_exact).empty() ? std::string() : tag_of(error);
      };
      const std::string small_a = reduce(a.pieces, [&](const std::string& s) { return fails_with(s, tb); });
      const std::string small_b = reduce(b.pieces, [&](const std::string& s) { return fails_with(small_a, s); });
      ADD_FAILURE() << "concatenation (" << mode_name(m.kind, m.want_exact) << ")\n  A: " << escaped(ta)
                    << "\n  B: " << escaped(tb) << "\n  " << error << "\n  reduced A: " << escaped(small_a)
                    << "\n  reduced B: " << escaped(small_b) << "\n  "
                    << check_concat(small_a, small_b, m.kind, m.want_exact);
    }
    EXPECT_GT(pairs, kTexts / (m.want_exact ? 2 : 8));
    report.expect_none("concatenation (" + mode_name(m.kind, m.want_exact) + ")", pairs);
  }
}

}  // namespace
}  // namespace newswatch::filters
