#pragma once
// Bytes of a feed in any charset -> valid UTF-8. Precedence: byte-order mark, then the
// HTTP charset, then the XML declaration; iso-8859-1/ascii read as windows-1252; bytes that
// are not UTF-8 and declare nothing (or only UTF-8) are sniffed (docs/parsing.md). Pure.

#include <string>
#include <string_view>

namespace newswatch::feeds {

struct DecodedText {
  std::string utf8;       // always valid UTF-8, without a BOM
  std::string charset;    // the label we decoded with, lower case ("utf-8", "windows-1252", ...)
  bool repaired = false;  // some bytes were invalid in that charset and became U+FFFD
  std::string problem;    // non-empty when the declared charset was unknown and we fell back
};

// The charset parameter of a Content-Type header value, lower case; empty if none.
std::string charset_from_content_type(std::string_view content_type);

// The encoding="..." of an XML declaration at the start of an ASCII-compatible text; empty if none.
std::string charset_from_xml_declaration(std::string_view head);

// Maps a label to the name we hand iconv: aliases folded, iso-8859-1 -> windows-1252.
std::string canonical_charset(std::string_view label);

// The charset of bytes that are not UTF-8, from the bytes alone: "cp932" (Shift_JIS) or
// "euc-jp" when they read as Japanese text in it, else "windows-1252".
std::string sniff_legacy_charset(std::string_view bytes);

DecodedText decode_to_utf8(std::string_view bytes, std::string_view http_content_type);

// Replaces every ill-formed UTF-8 sequence with U+FFFD; returns true if it changed anything.
bool repair_utf8(std::string& text);

}  // namespace newswatch::feeds
