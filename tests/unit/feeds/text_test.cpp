// HTML entities, charsets, URL resolution and identity: the pure helpers under the parser.
#include <gtest/gtest.h>

#include "feeds/charset.hpp"
#include "feeds/html_entities.hpp"
#include "feeds/item_identity.hpp"
#include "feeds/url_resolve.hpp"

using namespace newswatch::feeds;

namespace {

TEST(Entities, NamedNumericAndUnknown) {
  EXPECT_EQ(decode_entities("S&eacute;gou &amp; Mopti"), "S\xC3\xA9gou & Mopti");
  EXPECT_EQ(decode_entities("a&nbsp;b"),
            "a\xC2\xA0"
            "b");
  EXPECT_EQ(decode_entities("&#x27;x&#39;"), "'x'");
  EXPECT_EQ(decode_entities("&#8217;"), "\xE2\x80\x99");
  EXPECT_EQ(decode_entities("&#150;"), "\xE2\x80\x93");  // C1 read as windows-1252
  EXPECT_EQ(decode_entities("&#0;&#xD800;&#x110000;"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(decode_entities("&#x1F30D;"), "\xF0\x9F\x8C\x8D");
  EXPECT_EQ(decode_entities("AT&T R&D &unknown; &; &#; &"), "AT&T R&D &unknown; &; &#; &");
  EXPECT_EQ(decode_entities("&amp;amp;"), "&amp;");  // exactly one level per call
  EXPECT_EQ(decode_entities("&hellip;&mdash;&euro;&rsquo;&Oslash;"),
            "\xE2\x80\xA6\xE2\x80\x94\xE2\x82\xAC\xE2\x80\x99\xC3\x98");
  EXPECT_EQ(decode_entities("&NotEqualTilde;"), "\xE2\x89\x82\xCC\xB8");  // HTML5, two code points
}

TEST(Entities, AllHtml4EntitiesKnown) {
  for (const char* name :
       {"quot",  "amp",    "lt",     "gt",     "nbsp",   "iexcl",  "yuml",   "Alpha", "omega",   "thetasym",
        "bull",  "prime",  "oline",  "frasl",  "weierp", "image",  "real",   "trade", "alefsym", "larr",
        "hArr",  "forall", "part",   "exist",  "empty",  "nabla",  "isin",   "notin", "ni",      "prod",
        "sum",   "minus",  "lowast", "radic",  "prop",   "infin",  "ang",    "and",   "or",      "cap",
        "cup",   "int",    "there4", "sim",    "cong",   "asymp",  "ne",     "equiv", "le",      "ge",
        "sub",   "sup",    "nsub",   "sube",   "supe",   "oplus",  "otimes", "perp",  "sdot",    "lceil",
        "rceil", "lfloor", "rfloor", "lang",   "rang",   "loz",    "spades", "clubs", "hearts",  "diams",
        "OElig", "oelig",  "Scaron", "scaron", "Yuml",   "circ",   "tilde",  "ensp",  "emsp",    "thinsp",
        "zwnj",  "zwj",    "lrm",    "rlm",    "ndash",  "mdash",  "lsquo",  "rsquo", "sbquo",   "ldquo",
        "rdquo", "bdquo",  "dagger", "Dagger", "permil", "lsaquo", "rsaquo", "euro",  "apos"}) {
    EXPECT_FALSE(lookup_entity(name).empty()) << name;
  }
}

TEST(Entities, HtmlToText) {
  EXPECT_EQ(html_to_text("<p>Hello <b>Bamako</b></p>"), "Hello Bamako");
  EXPECT_EQ(html_to_text("a < b &amp; c<!-- note -->!"), "a < b & c!");
  EXPECT_EQ(html_to_text("&lt;b&gt;"), "<b>");  // escaped markup is text
  EXPECT_EQ(html_to_text("cut <a href=\"x"), "cut ");
}

TEST(Charset, Labels) {
  EXPECT_EQ(charset_from_content_type("application/rss+xml; charset=\"Windows-1251\""), "windows-1251");
  EXPECT_EQ(charset_from_content_type("text/xml"), "");
  EXPECT_EQ(charset_from_xml_declaration("<?xml version='1.0' encoding='ISO-8859-1'?><rss/>"), "iso-8859-1");
  EXPECT_EQ(canonical_charset("ISO-8859-1"), "windows-1252");
  EXPECT_EQ(canonical_charset("latin1"), "windows-1252");
  EXPECT_EQ(canonical_charset("UTF8"), "utf-8");
}

TEST(Charset, PrecedenceBomHttpDeclaration) {
  // Declaration alone.
  auto d = decode_to_utf8("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xE9</a>", "");
  EXPECT_EQ(d.utf8, "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xC3\xA9</a>");
  EXPECT_EQ(d.charset, "windows-1252");
  // HTTP beats the declaration.
  d = decode_to_utf8("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xC4</a>", "text/xml; charset=windows-1251");
  EXPECT_EQ(d.charset, "windows-1251");
  EXPECT_NE(d.utf8.find("\xD0\x94"), std::string::npos);  // Cyrillic De
  // A BOM beats both.
  d = decode_to_utf8("\xEF\xBB\xBF<a>\xC3\xA9</a>", "text/xml; charset=windows-1251");
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_EQ(d.utf8, "<a>\xC3\xA9</a>");
  // UTF-16 LE with BOM.
  d = decode_to_utf8(std::string_view("\xFF\xFE<\0a\0>\0", 8), "");
  EXPECT_EQ(d.utf8, "<a>");
}

TEST(Charset, Windows1252QuotesAndUndefinedBytes) {
  const auto d = decode_to_utf8("<?xml version=\"1.0\" encoding=\"windows-1252\"?>\x93x\x94\x81", "");
  EXPECT_NE(d.utf8.find("\xE2\x80\x9Cx\xE2\x80\x9D"), std::string::npos);
  EXPECT_NE(d.utf8.find("\xEF\xBF\xBD"), std::string::npos);  // 0x81 is undefined
  EXPECT_TRUE(d.repaired);
}

TEST(Charset, RepairUtf8) {
  std::string s = "ok \xC3\x28 \xFF \xE2\x82 \xF0\x9F\x8C\x8D \xED\xA0\x80";
  EXPECT_TRUE(repair_utf8(s));
  EXPECT_EQ(s, "ok \xEF\xBF\xBD( \xEF\xBF\xBD \xEF\xBF\xBD \xF0\x9F\x8C\x8D \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  std::string good = "S\xC3\xA9gou";
  EXPECT_FALSE(repair_utf8(good));
}

// Declared UTF-8 with real UTF-8 in it: a stray byte is a slip, replaced. Declared UTF-8
// without one multi-byte sequence: a legacy text under the default label, read as one.
TEST(Charset, DeclaredUtf8IsRepairedUnlessNothingInItIsUtf8) {
  auto d = decode_to_utf8("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>S\xC3\xA9gou \xE9</a>", "");
  EXPECT_TRUE(d.utf8.ends_with("<a>S\xC3\xA9gou \xEF\xBF\xBD</a>")) << d.utf8;
  EXPECT_TRUE(d.repaired);
  EXPECT_EQ(d.charset, "utf-8");
  d = decode_to_utf8("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>S\xE9gou</a>", "");
  EXPECT_TRUE(d.utf8.ends_with("<a>S\xC3\xA9gou</a>")) << d.utf8;
  EXPECT_EQ(d.charset, "windows-1252");
  d = decode_to_utf8("<a>S\xE9gou</a>", "text/xml; charset=utf-8");
  EXPECT_EQ(d.charset, "windows-1252") << "an HTTP label of UTF-8 is read the same way";
  d = decode_to_utf8("\xEF\xBB\xBF<a>S\xE9gou</a>", "");
  EXPECT_EQ(d.charset, "utf-8") << "a byte-order mark is never second-guessed";
  EXPECT_TRUE(d.repaired);
}

// Goldens for the sniffer: Japanese text in Shift_JIS and EUC-JP (bytes of our own sentences),
// and European texts whose bytes also happen to be valid double-byte sequences.
TEST(Charset, UndeclaredLegacyCharsetsAreSniffed) {
  // "マリ北部で協議が始まる。" in Shift_JIS, then in EUC-JP.
  const std::string sjis =
      "\x83\x7D\x83\x8A\x96\x6B\x95\x94\x82\xC5\x8B\xA6\x8B\x63\x82\xAA\x8E\x6E\x82\xDC\x82\xE9\x81\x42";
  const std::string euc =
      "\xA5\xDE\xA5\xEA\xCB\xCC\xC9\xF4\xA4\xC7\xB6\xA8\xB5\xC4\xA4\xAC\xBB\xCF\xA4\xDE\xA4\xEB\xA1\xA3";
  const std::string want = "\u30DE\u30EA\u5317\u90E8\u3067\u5354\u8B70\u304C\u59CB\u307E\u308B\u3002";
  const std::pair<std::string, const char*> rows[] = {
      {sjis, "cp932"},
      {euc, "euc-jp"},
      {"S\xE9gou \x93Mali\x94 \x96 caf\xE9", "windows-1252"},  // 0x93 'M' is a valid Shift_JIS pair
      {"\xC0 la gare, \xC9t\xE9 \xE0 Gao", "windows-1252"},    // half-width katakana bytes in Shift_JIS
      {"\xE9\xE8", "windows-1252"},                            // one pair: too little to say
  };
  for (const auto& [bytes, charset] : rows) {
    EXPECT_EQ(sniff_legacy_charset(bytes), charset) << bytes;
    const auto d = decode_to_utf8("<a>" + bytes + "</a>", "");
    EXPECT_EQ(d.charset, charset) << bytes;
  }
  EXPECT_EQ(decode_to_utf8("<a>" + sjis + "</a>", "").utf8, "<a>" + want + "</a>");
  EXPECT_EQ(decode_to_utf8("<a>" + euc + "</a>", "").utf8, "<a>" + want + "</a>");
  // A declared charset is never second-guessed.
  EXPECT_EQ(decode_to_utf8("<a>" + sjis + "</a>", "text/xml; charset=windows-1251").charset, "windows-1251");
}

TEST(UrlResolve, Rfc3986Examples) {
  // RFC 3986 section 5.4 with base http://a/b/c/d;p?q
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {";x", "http://a/b/c/;x"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/../y", "http://a/b/c/y"},
  };
  for (const auto& [ref, want] : cases)
    EXPECT_EQ(resolve_url(base, ref), want) << ref;
}

TEST(UrlResolve, NoBaseAndOpaque) {
  EXPECT_EQ(resolve_url("", "/sahel/1"), "/sahel/1");
  EXPECT_EQ(resolve_url("https://x.org/a/", "urn:uuid:1234"), "urn:uuid:1234");
  EXPECT_EQ(resolve_url("https://x.org", "news"), "https://x.org/news");
  EXPECT_EQ(resolve_url("https://x.org/a/", "  b  "), "https://x.org/a/b");
}

TEST(Identity, StableHashOfLinkAndTitle) {
  const auto fallback_id = [](Item item) {
    assign_fallback_id(item, item.link);
    return item.id;
  };
  Item a;
  a.link = "https://news.example.org/1";
  a.title = "Mali";
  Item b = a;
  b.summary = "different text";
  EXPECT_EQ(fallback_id(a), fallback_id(b));
  // Fixed across builds: FNV-1a 64 of "https://news.example.org/1\nMali".
  EXPECT_EQ(fallback_id(a), "hash:9635b0e43eba8a22");
  Item c = a;
  c.title = "Niger";
  EXPECT_NE(fallback_id(a), fallback_id(c));
  Item guid = a;
  guid.id = "urn:x:1";
  assign_fallback_id(guid, guid.link);
  EXPECT_EQ(guid.id, "urn:x:1");
}

}  // namespace
