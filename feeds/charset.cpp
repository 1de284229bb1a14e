#include "feeds/charset.hpp"

#include <iconv.h>

#include <cerrno>
#include <memory>

#include "common/text.hpp"
#include "common/utf8.hpp"
#include "feeds/html_entities.hpp"

namespace newswatch::feeds {
namespace {

std::string_view trim_quotes(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '"' || v.front() == '\''))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '"' || v.back() == '\''))
    v.remove_suffix(1);
  return v;
}

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvHandle = std::unique_ptr<void, IconvCloser>;

IconvHandle open_iconv(const std::string& from) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return nullptr;
  return IconvHandle(cd);
}

// Converts with iconv; a byte the charset cannot map becomes U+FFFD and decoding goes on.
bool convert(iconv_t cd, std::string_view in, std::string& out) {
  bool repaired = false;
  out.clear();
  out.resize(in.size() * 2 + 16);
  // iconv's interface takes char** for input it never writes.
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  std::size_t used = 0;
  while (src_left > 0) {
    char* dst = out.data() + used;
    std::size_t dst_left = out.size() - used;
    const std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    used = out.size() - dst_left;
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else if (errno == EILSEQ || errno == EINVAL) {
      if (out.size() - used < 4) out.resize(out.size() * 2);
      const std::string fffd = "\xEF\xBF\xBD";
      out.replace(used, fffd.size(), fffd);
      used += fffd.size();
      ++src;
      --src_left;
      repaired = true;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state after the bad byte
    } else {
      break;
    }
  }
  out.resize(used);
  return repaired;
}

bool is_utf8_label(std::string_view c) { return c == "utf-8"; }

// True if the bytes hold at least one well-formed UTF-8 sequence of two bytes or more.
bool has_utf8_multibyte(std::string_view bytes) {
  char32_t cp = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (static_cast<unsigned char>(bytes[i]) < 0xC2) continue;
    if (utf8_decode(bytes, i, cp) >= 2) return true;
  }
  return false;
}

// Counts of a double-byte Japanese reading of some bytes: characters of two bytes, and those
// among them in the rows of Japanese punctuation, hiragana and katakana.
struct DoubleByteReading {
  bool valid = true;
  std::size_t pairs = 0;
  std::size_t kana = 0;
};

DoubleByteReading read_as_shift_jis(std::string_view bytes) {
  DoubleByteReading r;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80 || (b >= 0xA1 && b <= 0xDF)) continue;  // ASCII, half-width katakana
    const bool lead = (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC);
    if (!lead || i + 1 >= bytes.size()) return {false, 0, 0};
    const auto t = static_cast<unsigned char>(bytes[i + 1]);
    if (t < 0x40 || t == 0x7F || t > 0xFC) return {false, 0, 0};
    ++r.pairs;
    if (b >= 0x81 && b <= 0x83) ++r.kana;  // punctuation, hiragana, katakana
    ++i;
  }
  return r;
}

DoubleByteReading read_as_euc_jp(std::string_view bytes) {
  DoubleByteReading r;
  auto in_row = [](unsigned char c) { return c >= 0xA1 && c <= 0xFE; };
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) continue;
    std::size_t len = 2;
    if (b == 0x8F) len = 3;  // JIS X 0212
    if (b != 0x8E && b != 0x8F && !in_row(b)) return {false, 0, 0};
    if (i + len > bytes.size()) return {false, 0, 0};
    for (std::size_t k = 1; k < len; ++k) {
      const auto t = static_cast<unsigned char>(bytes[i + k]);
      if (b == 0x8E ? (t < 0xA1 || t > 0xDF) : !in_row(t)) return {false, 0, 0};
    }
    ++r.pairs;
    if (b == 0xA1 || b == 0xA4 || b == 0xA5) ++r.kana;
    i += len - 1;
  }
  return r;
}

// Japanese text is about half kana and punctuation; the same bytes read from a European
// charset ("S\xE9gou", curly quotes) make few pairs and almost never fall in those rows.
bool looks_japanese(const DoubleByteReading& r) { return r.valid && r.pairs >= 2 && r.kana * 5 >= r.pairs; }

}  // namespace

std::string charset_from_content_type(std::string_view content_type) {
  const std::string lowered = to_ascii_lower(content_type);
  std::size_t pos = 0;
  while ((pos = lowered.find("charset", pos)) != std::string::npos) {
    std::size_t p = pos + 7;
    while (p < lowered.size() && (lowered[p] == ' ' || lowered[p] == '\t'))
      ++p;
    if (p < lowered.size() && lowered[p] == '=') {
      const std::size_t start = p + 1;
      std::size_t end = lowered.find(';', start);
      if (end == std::string::npos) end = lowered.size();
      return std::string(trim_quotes(std::string_view(lowered).substr(start, end - start)));
    }
    pos = p;
  }
  return {};
}

std::string charset_from_xml_declaration(std::string_view head) {
  const std::size_t lt = head.find("<?xml");
  if (lt == std::string_view::npos || lt > 512) return {};
  const std::size_t end = head.find("?>", lt);
  if (end == std::string_view::npos) return {};
  const std::string decl = to_ascii_lower(head.substr(lt, end - lt));
  const std::size_t enc = decl.find("encoding");
  if (enc == std::string::npos) return {};
  std::size_t p = decl.find_first_of("\"'", enc);
  if (p == std::string::npos) return {};
  const char quote = decl[p];
  const std::size_t close = decl.find(quote, p + 1);
  if (close == std::string::npos) return {};
  return std::string(trim_quotes(std::string_view(decl).substr(p + 1, close - p - 1)));
}

std::string canonical_charset(std::string_view label) {
  std::string l = to_ascii_lower(trim_quotes(label));
  if (l.empty() || l == "utf8" || l == "utf-8" || l == "unicode-1-1-utf-8" || l == "x-unicode20utf8") return "utf-8";
  // WHATWG: these labels all mean windows-1252 on the web.
  if (l == "iso-8859-1" || l == "iso8859-1" || l == "latin1" || l == "latin-1" || l == "l1" || l == "us-ascii" ||
      l == "ascii" || l == "iso_8859-1" || l == "cp1252" || l == "x-cp1252" || l == "cp819" || l == "ibm819" ||
      l == "iso-ir-100" || l == "windows-1252" || l == "iso_8859-1:1987" || l == "ansi_x3.4-1968")
    return "windows-1252";
  if (l == "cp1251" || l == "x-cp1251") return "windows-1251";
  if (l == "shift-jis" || l == "x-sjis" || l == "sjis") return "shift_jis";
  if (l == "gb2312" || l == "x-gbk") return "gbk";  // GBK is the superset browsers use
  if (l == "iso-8859-9") return "windows-1254";
  if (l == "ks_c_5601-1987") return "euc-kr";
  return l;
}

std::string sniff_legacy_charset(std::string_view bytes) {
  if (looks_japanese(read_as_shift_jis(bytes))) return "cp932";  // Shift_JIS as Windows writes it
  if (looks_japanese(read_as_euc_jp(bytes))) return "euc-jp";
  return "windows-1252";
}

bool repair_utf8(std::string& text) {
  std::size_t i = 0;
  // Fast scan: nothing to do for the common valid case.
  char32_t cp = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_decode(text, i, cp);
    if (n == 0) break;
    i += n;
  }
  if (i == text.size()) return false;
  std::string out(text.substr(0, i));
  out.reserve(text.size() + 16);
  while (i < text.size()) {
    const std::size_t n = utf8_decode(text, i, cp);
    if (n == 0) {
      utf8_append(out, 0xFFFD);
      i += utf8_maximal_subpart(text, i);
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  text.swap(out);
  return true;
}

DecodedText decode_to_utf8(std::string_view bytes, std::string_view http_content_type) {
  DecodedText result;
  std::string label;
  bool from_bom = false;
  // 1. A byte-order mark wins over any label.
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
    label = "utf-8";
    from_bom = true;
  } else if (bytes.size() >= 4 && (bytes.substr(0, 4) == std::string_view("\xFF\xFE\0\0", 4))) {
    bytes.remove_prefix(4);
    label = "utf-32le";
  } else if (bytes.size() >= 4 && (bytes.substr(0, 4) == std::string_view("\0\0\xFE\xFF", 4))) {
    bytes.remove_prefix(4);
    label = "utf-32be";
  } else if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE") {
    bytes.remove_prefix(2);
    label = "utf-16le";
  } else if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF") {
    bytes.remove_prefix(2);
    label = "utf-16be";
  } else if (bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("<\0?\0", 4)) {
    label = "utf-16le";  // UTF-16 without a BOM, recognised by its '<?'
  } else if (bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("\0<\0?", 4)) {
    label = "utf-16be";
  }
  // 2. The HTTP charset, 3. the XML declaration.
  if (label.empty()) label = charset_from_content_type(http_content_type);
  if (label.empty()) label = charset_from_xml_declaration(bytes.substr(0, 1024));
  const bool declared = !label.empty();
  label = canonical_charset(label);
  // A document labelled UTF-16 by a header but plainly ASCII-compatible is lying.
  if ((label.rfind("utf-16", 0) == 0 || label.rfind("utf-32", 0) == 0) && bytes.size() >= 2 && bytes[0] != '\0' &&
      bytes[1] != '\0') {
    label = "utf-8";
  }
  if (label == "utf-16") label = bytes.size() >= 2 && bytes[0] == '\0' ? "utf-16be" : "utf-16le";

  if (!is_utf8_label(label)) {
    if (auto cd = open_iconv(label)) {
      result.repaired = convert(static_cast<iconv_t>(cd.get()), bytes, result.utf8);
      result.charset = label;
      // iconv's output is UTF-8 by construction, but a charset module may still pass
      // through odd bytes; repairing again is cheap and keeps the invariant.
      result.repaired = repair_utf8(result.utf8) || result.repaired;
      return result;
    }
    result.problem = "unknown charset '" + label + "', read as UTF-8";
  }
  result.charset = "utf-8";
  result.utf8.assign(bytes);
  if (repair_utf8(result.utf8)) {
    // Not UTF-8, and either undeclared or declared UTF-8 without one well-formed multi-byte
    // sequence (a legacy text under the default label): the bytes name the charset, as
    // feedparser's fallbacks do (docs/parsing.md). A text with some real UTF-8 in it stays
    // UTF-8 with its stray bytes replaced.
    const bool mislabelled = is_utf8_label(label) && !from_bom && !has_utf8_multibyte(bytes);
    if (!declared || mislabelled) {
      const std::string legacy = sniff_legacy_charset(bytes);
      if (auto cd = open_iconv(legacy)) {
        result.utf8.clear();
        result.repaired = convert(static_cast<iconv_t>(cd.get()), bytes, result.utf8);
        result.repaired = repair_utf8(result.utf8) || result.repaired;
        result.charset = legacy;
        return result;
      }
    }
    result.repaired = true;
  }
  return result;
}

}  // namespace newswatch::feeds
