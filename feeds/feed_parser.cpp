#include "feeds/feed_parser.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "common/utf8.hpp"
#include "feeds/charset.hpp"
#include "feeds/feed_dates.hpp"
#include "feeds/feed_json.hpp"
#include "feeds/html_entities.hpp"
#include "feeds/item_identity.hpp"
#include "feeds/language_tag.hpp"
#include "feeds/url_resolve.hpp"

namespace newswatch::feeds {
namespace {

// Namespaces we read, matched by URI; prefixes are whatever the document chose.
enum class Ns : std::uint8_t { None, Rss, Rdf, Atom, Dc, DcTerms, Content, Media, Xhtml, Itunes, Other };

// Element names compared as feed readers do: ASCII case-insensitively ("pubdate", "PubDate").
bool eq(std::string_view name, std::string_view lower_literal) { return ascii_iequals(name, lower_literal); }

Ns ns_from_uri(std::string_view uri) {
  while (!uri.empty() && (uri.back() == '/' || uri.back() == '#' || uri.back() == ' '))
    uri.remove_suffix(1);
  if (uri.substr(0, 8) == "https://") uri.remove_prefix(8);
  if (uri.substr(0, 7) == "http://") uri.remove_prefix(7);
  struct Known {
    std::string_view uri;
    Ns ns;
  };
  static constexpr std::array<Known, 16> known{{
      {"www.w3.org/2005/Atom", Ns::Atom},
      {"purl.org/atom/ns", Ns::Atom},  // Atom 0.3
      {"purl.org/rss/1.0", Ns::Rss},
      {"my.netscape.com/rdf/simple/0.9", Ns::Rss},
      {"backend.userland.com/rss2", Ns::Rss},
      {"blogs.law.harvard.edu/tech/rss", Ns::Rss},
      {"www.w3.org/1999/02/22-rdf-syntax-ns", Ns::Rdf},
      {"purl.org/dc/elements/1.1", Ns::Dc},
      {"purl.org/dc/elements/1.0", Ns::Dc},
      {"purl.org/dc/terms", Ns::DcTerms},
      {"purl.org/rss/1.0/modules/content", Ns::Content},
      {"search.yahoo.com/mrss", Ns::Media},
      {"www.w3.org/1999/xhtml", Ns::Xhtml},
      {"www.itunes.com/dtds/podcast-1.0.dtd", Ns::Itunes},
      {"www.itunes.com/DTDs/Podcast-1.0.dtd", Ns::Itunes},
      {"www.w3.org/2005/atom", Ns::Atom},
  }};
  for (const auto& k : known) {
    if (ascii_iequals(uri, k.uri)) return k.ns;
  }
  return Ns::Other;
}

// For prefixes a document uses without declaring them: read them as the usual meaning.
Ns ns_from_conventional_prefix(std::string_view prefix) {
  if (prefix == "dc") return Ns::Dc;
  if (prefix == "dcterms") return Ns::DcTerms;
  if (prefix == "content") return Ns::Content;
  if (prefix == "media") return Ns::Media;
  if (prefix == "atom" || prefix == "atom10" || prefix == "atom03") return Ns::Atom;
  if (prefix == "rdf") return Ns::Rdf;
  if (prefix == "xhtml") return Ns::Xhtml;
  if (prefix == "itunes") return Ns::Itunes;
  return Ns::Other;
}

struct Name {
  Ns ns = Ns::None;
  std::string_view local;
};

// The in-scope namespace bindings while walking down the tree (prefix "" is the default).
class NsScope {
 public:
  // Pushes the xmlns attributes of node; returns how many to pop afterwards.
  std::size_t enter(const pugi::xml_node& node) {
    std::size_t pushed = 0;
    for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
      const std::string_view n = a.name();
      if (n.size() < 5 || n.substr(0, 5) != "xmlns") continue;
      if (n.size() == 5) {
        bind(std::string_view{}, ns_from_uri(a.value()));
      } else if (n[5] == ':') {
        bind(n.substr(6), ns_from_uri(a.value()));
      } else {
        continue;
      }
      ++pushed;
    }
    return pushed;
  }
  void leave(std::size_t n) {
    for (; n > 0; --n) {
      const Binding& b = bindings_.back();
      if (b.shadowed == kNone) {
        innermost_.erase(b.prefix);
      } else {
        innermost_.find(b.prefix)->second = b.shadowed;
      }
      bindings_.pop_back();
    }
  }

  // The namespace a prefix is bound to here (undeclared ones read by convention).
  Ns of_prefix(std::string_view prefix) const {
    if (const auto it = innermost_.find(prefix); it != innermost_.end()) return bindings_[it->second].ns;
    return prefix.empty() ? Ns::None : ns_from_conventional_prefix(prefix);
  }

  Name classify(const pugi::xml_node& node) const {
    const std::string_view full = node.name();
    const auto colon = full.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : full.substr(0, colon);
    const std::string_view local = colon == std::string_view::npos ? full : full.substr(colon + 1);
    if (const auto it = innermost_.find(prefix); it != innermost_.end()) return {bindings_[it->second].ns, local};
    return {prefix.empty() ? Ns::None : ns_from_conventional_prefix(prefix), local};
  }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  struct Binding {
    std::string_view prefix;
    Ns ns;
    std::size_t shadowed;  // the binding of the same prefix it hides, or kNone
  };

  void bind(std::string_view prefix, Ns ns) {
    const auto [it, inserted] = innermost_.try_emplace(prefix, bindings_.size());
    bindings_.push_back({prefix, ns, inserted ? kNone : it->second});
    it->second = bindings_.size() - 1;
  }

  std::vector<Binding> bindings_;
  // Prefix -> index of its innermost binding. Looked up, not found by walking back through
  // bindings_: a root declaring 50,000 prefixes made every element walk all of them. A key
  // views the outermost binding of its prefix, which outlives the ones shadowing it.
  std::map<std::string_view, std::size_t, std::less<>> innermost_;
};

class ScopeGuard {
 public:
  ScopeGuard(NsScope& scope, const pugi::xml_node& node) : scope_(scope), n_(scope.enter(node)) {}
  ~ScopeGuard() { scope_.leave(n_); }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  NsScope& scope_;
  std::size_t n_;
};

std::string trim(std::string_view s) { return std::string(trim_space(s)); }

// Text as a reader sees it: entities decoded once more (feeds double-escape "&amp;amp;"), and
// whitespace trimmed before (so the decoder sees the text) and after (a decoded &#32; or nbsp).
std::string decoded_text(std::string_view raw) { return trim(decode_entities(trim_space(raw))); }

bool has_element_child(const pugi::xml_node& n) {
  for (auto c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return true;
  }
  return false;
}

// Direct text and CDATA children, untrimmed.
std::string direct_text(const pugi::xml_node& n) {
  const auto first = n.first_child();
  if (first && !first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata))
    return first.value();
  std::string out;
  for (auto c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

// All descendant text in document order, without recursion (inputs may nest deeply).
std::string descendant_text(const pugi::xml_node& n) {
  std::string out;
  pugi::xml_node cur = n.first_child();
  while (cur && cur != n) {
    if (cur.type() == pugi::node_pcdata || cur.type() == pugi::node_cdata) out += cur.value();
    if (cur.first_child()) {
      cur = cur.first_child();
      continue;
    }
    while (cur != n && !cur.next_sibling())
      cur = cur.parent();
    if (cur == n) break;
    cur = cur.next_sibling();
  }
  return out;
}

struct StringSink : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
};

// Markup of the children, as HTML for display.
std::string inner_xml(const pugi::xml_node& n) {
  StringSink sink;
  for (auto c = n.first_child(); c; c = c.next_sibling())
    c.print(sink, "", pugi::format_raw | pugi::format_no_declaration);
  return sink.out;
}

bool is_void_html_element(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kVoid{"area",  "base", "br",   "col",   "embed",  "hr",    "img",
                                                          "input", "link", "meta", "param", "source", "track", "wbr"};
  return std::find(kVoid.begin(), kVoid.end(), name) != kVoid.end();
}

void append_escaped(std::string& out, std::string_view text, bool attribute) {
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (attribute) {
          out += "&quot;";
          break;
        }
        [[fallthrough]];
      default:
        out += ch;
    }
  }
}

std::string_view local_part(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The children of an XHTML element as HTML a reader can show, the way feedparser writes them:
// prefixes dropped (<xhtml:p> is <p>), namespace declarations dropped, text kept escaped
// (an escaped "&lt;b&gt;" stays text, never becomes a tag), void elements as <br />, comments
// and processing instructions left out. Iterative: inputs may nest deeply.
std::string xhtml_markup(const pugi::xml_node& n) {
  std::string out;
  pugi::xml_node cur = n.first_child();
  while (cur && cur != n) {
    bool descend = false;
    if (cur.type() == pugi::node_pcdata || cur.type() == pugi::node_cdata) {
      append_escaped(out, cur.value(), false);
    } else if (cur.type() == pugi::node_element) {
      const std::string_view name = local_part(cur.name());
      out += '<';
      out += name;
      for (auto a = cur.first_attribute(); a; a = a.next_attribute()) {
        const std::string_view an = a.name();
        if (an.substr(0, 5) == "xmlns" && (an.size() == 5 || an[5] == ':')) continue;
        out += ' ';
        out += an;
        out += "=\"";
        append_escaped(out, a.value(), true);
        out += '"';
      }
      if (!cur.first_child() && is_void_html_element(name)) {
        out += " />";
      } else {
        out += '>';
        descend = static_cast<bool>(cur.first_child());
        if (!descend) {
          out += "</";
          out += name;
          out += '>';
        }
      }
    }
    if (descend) {
      cur = cur.first_child();
      continue;
    }
    // Up past every last child, closing each element left.
    while (cur != n && !cur.next_sibling()) {
      cur = cur.parent();
      if (cur != n) {
        out += "</";
        out += local_part(cur.name());
        out += '>';
      }
    }
    if (cur == n) break;
    cur = cur.next_sibling();
  }
  return out;
}

// Text of an element that should hold text (or escaped HTML): markup children, which
// broken feeds put there unescaped, are kept as markup.
std::string html_of(const pugi::xml_node& n) {
  if (has_element_child(n)) return trim(inner_xml(n));
  return trim(direct_text(n));
}

// Whether text said to be plain is HTML after all, the way feedparser guesses for RSS titles:
// it closes a tag, and every tag in it is an ordinary HTML element ("<b>Bold</b> claim"
// is HTML; "a <foo>b</foo>" and "x < y" are not).
bool looks_like_html_title(std::string_view s) {
  static constexpr std::string_view kHtml[] = {
      "a",    "abbr",  "acronym", "address", "b",   "big",  "blockquote", "br",   "caption", "center", "cite",
      "code", "col",   "dd",      "del",     "dfn", "div",  "dl",         "dt",   "em",      "font",   "h1",
      "h2",   "h3",    "h4",      "h5",      "h6",  "hr",   "i",          "img",  "ins",     "kbd",    "li",
      "ol",   "p",     "pre",     "q",       "s",   "samp", "small",      "span", "strike",  "strong", "sub",
      "sup",  "table", "tbody",   "td",      "th",  "tr",   "u",          "ul"};
  bool closes = false;
  for (std::size_t lt = s.find('<'); lt != std::string_view::npos; lt = s.find('<', lt + 1)) {
    std::size_t i = lt + 1;
    const bool closing = i < s.size() && s[i] == '/';
    if (closing) ++i;
    const std::size_t start = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
      ++i;
    if (i == start) continue;  // "x < y": not a tag
    std::string name = to_ascii_lower(s.substr(start, i - start));
    if (std::find(std::begin(kHtml), std::end(kHtml), name) == std::end(kHtml)) return false;
    if (closing && i < s.size() && s[i] == '>') closes = true;
  }
  return closes;
}

// An RSS title: plain text, unless it looks like HTML (then its text).
std::string rss_title_of(const pugi::xml_node& n) {
  if (has_element_child(n)) return decoded_text(descendant_text(n));
  const std::string raw = direct_text(n);
  if (looks_like_html_title(raw)) return trim(html_to_text(raw));
  return decoded_text(raw);
}

// A plain-text field: the text of the element (of its descendants, when it has any), decoded.
std::string plain_of(const pugi::xml_node& n) {
  if (has_element_child(n)) return decoded_text(descendant_text(n));
  return decoded_text(direct_text(n));
}

// A URL reference resolved two ways: `url` against the URL the feed was fetched from as
// well (the link a reader follows), `doc` against the document's own xml:base only (as
// written where that is not absolute), so that an item's identity stays the same when its
// feed moves to another URL (301 to https, 302 to a mirror).
struct Ref {
  std::string url;
  std::string doc;
};

Ref resolve(const Ref& base, std::string_view reference) {
  Ref r{resolve_url(base.url, reference), {}};
  // An absolute reference resolves the same against any base.
  r.doc = base.doc == base.url || has_scheme(trim_space(reference)) ? r.url : resolve_url(base.doc, reference);
  return r;
}

// The base in effect at node: parent_base, or node's own xml:base resolved into `own`
// (a reference, not a copy: this runs for every Atom field).
const Ref& xml_base(const pugi::xml_node& node, const Ref& parent_base, Ref& own) {
  const auto attr = node.attribute("xml:base");
  if (!attr) return parent_base;
  own = resolve(parent_base, attr.value());
  return own;
}

bool looks_like_web_url(std::string_view s) {
  return s.substr(0, 7) == "http://" || s.substr(0, 8) == "https://" || (ascii_iequals(s.substr(0, 5), "http:")) ||
         ascii_iequals(s.substr(0, 6), "https:");
}

// Atom text constructs (and Atom 0.3 modes).
struct AtomText {
  std::string html;   // for summary/content: HTML (or text as found for type="text")
  std::string plain;  // for titles
};

// Base64 text (RFC 4648; whitespace skipped, padding optional). nullopt when it is not base64.
std::optional<std::string> decode_base64(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : s) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+' || c == '-') v = 62;
    if (c == '/' || c == '_') v = 63;
    if (c == '=') break;
    if (v < 0) {
      if (static_cast<unsigned char>(c) <= ' ') continue;
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

AtomText read_atom_text(const pugi::xml_node& n) {
  std::string type = n.attribute("type").as_string();
  for (auto& c : type)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  const std::string_view mode = n.attribute("mode").as_string();
  AtomText t;
  if (mode == "base64" && !has_element_child(n)) {
    // Atom 0.3 mode="base64": the text is the decoded bytes (feed readers show those, never
    // the base64 itself); HTML if its type says so, else plain text.
    if (auto decoded = decode_base64(direct_text(n))) {
      const bool html = type == "html" || type == "text/html" || type == "xhtml" || type == "application/xhtml+xml";
      t.html = trim(*decoded);
      t.plain = html ? trim(html_to_text(t.html)) : t.html;
      return t;
    }
  }
  if (type == "xhtml" || type == "application/xhtml+xml" || mode == "xml") {
    // The content is the children of one wrapping xhtml:div.
    pugi::xml_node only;
    int elements = 0;
    for (auto c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element) {
        only = c;
        ++elements;
      } else if (c.type() == pugi::node_pcdata && !trim_space(c.value()).empty()) {
        elements = 2;  // text outside the div: keep everything
      }
    }
    // Atom 1.0 xhtml wraps the content in one div that is not part of it; Atom 0.3 does not.
    const bool wrapped = type == "xhtml" && elements == 1 &&
                         (std::string_view(only.name()) == "div" || std::string_view(only.name()).ends_with(":div"));
    const auto& root = wrapped ? only : n;
    t.html = trim(xhtml_markup(root));
    // XHTML text is what it says: "&lt;b&gt;" in it is the text "<b>", not decoded once more.
    t.plain = trim(descendant_text(root));
    return t;
  }
  const bool html = type == "html" || type == "text/html" || mode == "escaped";
  t.html = html_of(n);
  if (html) {
    t.plain = trim(html_to_text(t.html));
  } else if (has_element_child(n)) {
    t.plain = decoded_text(descendant_text(n));
  } else {
    t.plain = decoded_text(t.html);  // html_of trimmed it already
  }
  return t;
}

// Repeats and the cap are dealt with once per item, in finish (tidy_categories).
void add_category(std::vector<std::string>& cats, std::string value) {
  if (!value.empty()) cats.push_back(std::move(value));
}

void add_split_categories(std::vector<std::string>& cats, std::string_view list) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    add_category(cats, decoded_text(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// An item's summary and content, filled in document order the way feedparser fills them, so
// that feeds whose text sits only in itunes:summary or media:description read the same:
// the first summary-like element (description, dc:description, itunes:summary,
// media:description, Atom summary) is the summary; another one before any content element
// becomes the content; a later one after content replaces the summary unless it sits deeper
// (media:group) than the one it would replace. Content (content:encoded, Atom content,
// xhtml:body) is the first one; it doubles as the summary when there is none.
class Body {
 public:
  // depth: 0 for a child of the item, 1 inside media:group or media:content.
  void summary_like(std::string value, int depth) {
    if (has_summary_ && !content_seen_) {
      content_like(std::move(value), true);
      return;
    }
    if (!has_summary_ || summary_depth_ < 0 || depth <= summary_depth_) {
      summary_ = std::move(value);
      summary_depth_ = depth;
    }
    has_summary_ = true;
  }
  // counts: content:encoded and Atom content make later summary-like elements summaries;
  // xhtml:body does not (feedparser's hasContent).
  void content_like(std::string value, bool counts) {
    content_seen_ = content_seen_ || counts;
    if (!has_content_) {
      content_ = value;
      has_content_ = true;
    }
    if (!has_summary_) {
      summary_ = std::move(value);
      has_summary_ = true;
      summary_depth_ = -1;  // a copy: any summary element replaces it
    }
  }
  std::string take_summary() { return std::move(summary_); }
  std::string take_content() { return std::move(content_); }

 private:
  std::string summary_, content_;
  int summary_depth_ = -1;
  bool has_summary_ = false, has_content_ = false, content_seen_ = false;
};

// Candidates for each field, by source; choose() picks by priority at the end.
struct Draft {
  std::string title_main, title_dc, title_media;
  Ref link_rss, link_alt_html, link_alt_any;
  std::string guid;
  std::string guid_url;  // a relative Atom id resolved as a link, for when it serves as one
  std::string about;
  bool guid_is_permalink = true;
  Body body;
  std::optional<TimePoint> published, published_dcterms;
  std::optional<TimePoint> updated_main, updated_dc, updated_dcterms;
  bool have_pubdate = false, have_updated = false;
  std::string author_atom;  // Atom <author>
  std::string author_last;  // RSS <author>, dc:creator, dc:author, itunes:author: the last one
  std::vector<std::string> categories;
  std::string language_dc, language_xml;  // declared, normalised
};

std::string atom_person(const pugi::xml_node& n, const NsScope& scope) {
  std::string name;
  std::string email;
  for (auto c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const auto local = scope.classify(c).local;
    if (local == "name" && name.empty()) name = plain_of(c);
    if (local == "email" && email.empty()) email = plain_of(c);
  }
  if (!has_element_child(n)) name = plain_of(n);  // a bare <author>Name</author>
  if (!name.empty() && !email.empty()) return name + " (" + email + ")";
  return name.empty() ? email : name;
}

// Later elements replace earlier ones, as in feedparser; an empty one replaces nothing.
void set_if_any(std::string& slot, std::string value) {
  if (!value.empty()) slot = std::move(value);
}

void set_once(std::string& slot, std::string value) {
  if (slot.empty()) slot = std::move(value);
}

class Reader {
 public:
  explicit Reader(Feed& feed) : feed_(feed) {}

  // kind: Ns::Rss or Ns::Atom, how to read elements in no namespace.
  Item read_item(const pugi::xml_node& node, const Ref& parent_base, Ns kind) {
    ScopeGuard guard(scope_, node);
    Ref own_base;
    const Ref& base = xml_base(node, parent_base, own_base);
    Draft d;
    if (kind == Ns::Rss) {
      // RSS 1.0 names each item by its rdf:about (whatever the RDF prefix); a guid still wins.
      for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
        const std::string_view an = a.name();
        const auto colon = an.find(':');
        if (colon == std::string_view::npos || an.substr(colon + 1) != "about") continue;
        if (scope_.of_prefix(an.substr(0, colon)) != Ns::Rdf) continue;
        d.about = trim(a.value());
        break;
      }
    }
    d.language_xml = normalise_language_tag(node.attribute("xml:lang").as_string());
    for (auto c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      ScopeGuard child_guard(scope_, c);
      Name name = scope_.classify(c);
      if (name.ns == Ns::None) name.ns = kind;
      read_field(d, c, name, base, kind);
    }
    return finish(d, base);
  }

  void read_channel_fields(const pugi::xml_node& node, const Ref& base, Ns kind) {
    for (auto c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      ScopeGuard child_guard(scope_, c);
      Name name = scope_.classify(c);
      if (name.ns == Ns::None) name.ns = kind;
      if (name.local == "title" && (name.ns == Ns::Rss || name.ns == Ns::Atom) && feed_.title.empty()) {
        feed_.title = name.ns == Ns::Atom ? read_atom_text(c).plain : plain_of(c);
      } else if (name.local == "link" && name.ns == Ns::Rss && feed_.link.empty()) {
        if (auto v = trim(direct_text(c)); !v.empty()) feed_.link = resolve_url(base.url, v);
      } else if (name.local == "link" && name.ns == Ns::Atom) {
        const std::string_view rel = c.attribute("rel").as_string("alternate");
        const auto href = c.attribute("href");
        if (rel == "alternate" && href && feed_.link.empty()) feed_.link = resolve_url(base.url, href.value());
      } else if (name.local == "ttl" && name.ns == Ns::Rss) {
        read_ttl(c);
      } else if (name.local == "language" && (name.ns == Ns::Rss || name.ns == Ns::Dc)) {
        // RSS <language> first, then dc:language, whichever order they come in.
        std::string lang = normalise_language_tag(direct_text(c));
        if (!lang.empty() && (channel_language_.empty() || name.ns == Ns::Rss)) {
          if (name.ns == Ns::Rss || !channel_language_from_rss_) channel_language_ = std::move(lang);
          channel_language_from_rss_ = channel_language_from_rss_ || name.ns == Ns::Rss;
        }
      }
    }
  }

  NsScope& scope() { return scope_; }
  const std::string& channel_language() const { return channel_language_; }

 private:
  void read_ttl(const pugi::xml_node& c) {
    const auto v = trim(direct_text(c));
    long minutes = 0;
    bool ok = !v.empty() && v.size() < 9;
    for (char ch : v) {
      if (ch < '0' || ch > '9') ok = false;
    }
    if (ok) minutes = std::stol(v);
    if (ok) {
      feed_.ttl_minutes = static_cast<int>(minutes);
    } else {
      feed_.problems.push_back("ignored invalid <ttl>");
    }
  }

  void read_field(Draft& d, const pugi::xml_node& c, const Name& name, const Ref& base, Ns kind) {
    const auto local = name.local;
    switch (name.ns) {
      case Ns::Rss:
        if (eq(local, "title")) {
          set_once(d.title_main, kind == Ns::Atom ? read_atom_text(c).plain : rss_title_of(c));
        } else if (eq(local, "link")) {
          if (d.link_rss.url.empty()) {
            // Atom-style <link href=...> in an RSS item happens; so does text.
            auto v = trim(direct_text(c));
            if (v.empty()) v = trim(c.attribute("href").as_string());
            if (!v.empty()) d.link_rss = resolve(base, v);
          }
        } else if (eq(local, "description")) {
          d.body.summary_like(html_of(c), 0);
        } else if (eq(local, "guid")) {
          if (d.guid.empty()) {
            d.guid = trim(direct_text(c));
            d.guid_is_permalink = !ascii_iequals(trim_space(c.attribute("isPermaLink").as_string("true")), "false");
          }
        } else if (eq(local, "pubdate")) {
          set_date(d.published, d.have_pubdate, c);
        } else if (eq(local, "author")) {
          set_if_any(d.author_last, plain_of(c));
        } else if (eq(local, "category")) {
          add_category(d.categories, plain_of(c));
        }
        break;
      case Ns::Atom:
        read_atom_field(d, c, local, base);
        break;
      case Ns::Dc:
        if (eq(local, "title")) {
          set_once(d.title_dc, rss_title_of(c));
        } else if (eq(local, "creator") || eq(local, "author")) {
          set_if_any(d.author_last, plain_of(c));
        } else if (eq(local, "subject")) {
          add_category(d.categories, plain_of(c));
        } else if (eq(local, "date")) {
          if (!d.updated_dc) d.updated_dc = parse_date(direct_text(c));
        } else if (eq(local, "description")) {
          d.body.summary_like(html_of(c), 0);
        } else if (eq(local, "language")) {
          if (d.language_dc.empty()) d.language_dc = normalise_language_tag(direct_text(c));
        }
        break;
      case Ns::DcTerms:
        if (eq(local, "issued")) {
          if (!d.published_dcterms) d.published_dcterms = parse_date(direct_text(c));
        } else if (eq(local, "modified")) {
          if (!d.updated_dcterms) d.updated_dcterms = parse_date(direct_text(c));
        }
        break;
      case Ns::Content:
        if (eq(local, "encoded")) d.body.content_like(html_of(c), true);
        break;
      case Ns::Xhtml:
        if (eq(local, "body") || eq(local, "div")) d.body.content_like(trim(xhtml_markup(c)), false);
        break;
      case Ns::Media:
        read_media(d, c, local, 0);
        break;
      case Ns::Itunes:
        if (eq(local, "author")) {
          set_if_any(d.author_last, plain_of(c));
        } else if (eq(local, "summary")) {
          d.body.summary_like(html_of(c), 0);
        } else if (eq(local, "keywords")) {
          add_split_categories(d.categories, direct_text(c));
        }
        break;
      default:
        break;
    }
  }

  void read_media(Draft& d, const pugi::xml_node& c, std::string_view local, int depth) {
    if (eq(local, "description")) {
      d.body.summary_like(html_of(c), depth);
    } else if (eq(local, "title")) {
      set_once(d.title_media, rss_title_of(c));
    } else if (eq(local, "category")) {
      add_category(d.categories, plain_of(c));
    } else if (eq(local, "keywords")) {
      add_split_categories(d.categories, direct_text(c));
    } else if (eq(local, "group") || eq(local, "content")) {
      // media:group and media:content wrap the same elements one level down.
      for (auto g = c.first_child(); g; g = g.next_sibling()) {
        if (g.type() != pugi::node_element) continue;
        ScopeGuard guard(scope_, g);
        const Name n = scope_.classify(g);
        if (n.ns == Ns::Media && !eq(n.local, "group") && !eq(n.local, "content")) read_media(d, g, n.local, depth + 1);
      }
    }
  }

  void read_atom_field(Draft& d, const pugi::xml_node& c, std::string_view local, const Ref& parent_base) {
    Ref own_base;
    const Ref& base = xml_base(c, parent_base, own_base);
    if (eq(local, "title")) {
      set_once(d.title_main, read_atom_text(c).plain);
    } else if (eq(local, "link")) {
      const std::string_view rel = trim_space(c.attribute("rel").as_string("alternate"));
      auto href = trim(c.attribute("href").as_string());
      if (href.empty()) href = trim(direct_text(c));  // RSS-style text in an Atom link
      if (href.empty()) return;
      if (rel == "alternate" || rel.empty()) {
        const std::string_view type = c.attribute("type").as_string("text/html");
        if (type == "text/html" || type == "application/xhtml+xml" || type.empty()) {
          d.link_alt_html = resolve(base, href);  // the last alternate wins, as in feed readers
        } else if (d.link_alt_any.url.empty()) {
          d.link_alt_any = resolve(base, href);
        }
      }
    } else if (eq(local, "id")) {
      if (d.guid.empty()) {
        d.guid = trim(direct_text(c));
        // Atom ids are IRIs; a relative one is read against xml:base, as feed readers do, but
        // not against the fetch URL, which would change every id when the feed moves.
        if (!d.guid.empty() && !has_scheme(d.guid)) {
          d.guid_url = resolve_url(base.url, d.guid);
          d.guid = resolve_url(base.doc, d.guid);
        }
        d.guid_is_permalink = true;
      }
    } else if (eq(local, "summary")) {
      d.body.summary_like(read_atom_text(c).html, 0);
    } else if (eq(local, "content")) {
      if (c.attribute("src")) return;  // out-of-line content: nothing to show inline
      d.body.content_like(read_atom_text(c).html, true);
    } else if (eq(local, "published") || eq(local, "issued")) {
      set_date(d.published, d.have_pubdate, c);
    } else if (eq(local, "updated") || eq(local, "modified")) {
      set_date(d.updated_main, d.have_updated, c);
    } else if (eq(local, "author")) {
      set_once(d.author_atom, atom_person(c, scope_));
    } else if (eq(local, "category")) {
      auto term = decoded_text(c.attribute("term").as_string());
      if (term.empty()) term = plain_of(c);
      add_category(d.categories, std::move(term));
    }
  }

  static void set_date(std::optional<TimePoint>& slot, bool& seen, const pugi::xml_node& c) {
    if (seen) return;
    slot = parse_date(direct_text(c));
    seen = true;
  }

  Item finish(Draft& d, const Ref& base) {
    Item item;
    item.title = !d.title_main.empty() ? std::move(d.title_main)
                 : !d.title_dc.empty() ? std::move(d.title_dc)
                                       : std::move(d.title_media);
    Ref* link = !d.link_alt_html.url.empty()  ? &d.link_alt_html
                : !d.link_rss.url.empty()     ? &d.link_rss
                : !d.link_alt_any.url.empty() ? &d.link_alt_any
                                              : nullptr;
    if (link != nullptr) {
      item.link = std::move(link->url);
    } else if (!d.guid.empty() && d.guid_is_permalink) {
      // A permalink guid is the link when there is no other; only if it is a web address.
      const auto resolved = resolve_url(base.url, d.guid_url.empty() ? d.guid : d.guid_url);
      if (looks_like_web_url(resolved)) item.link = resolved;
    }
    item.id = !d.guid.empty() ? std::move(d.guid) : std::move(d.about);
    item.content = d.body.take_content();
    item.summary = d.body.take_summary();
    item.published = d.published ? d.published : d.published_dcterms;
    item.updated = d.updated_main ? d.updated_main : d.updated_dc ? d.updated_dc : d.updated_dcterms;
    // Never updated means last changed when published.
    if (!item.updated) item.updated = item.published;
    item.author = !d.author_atom.empty() ? std::move(d.author_atom) : std::move(d.author_last);
    item.categories = std::move(d.categories);
    item.language = !d.language_dc.empty() ? std::move(d.language_dc) : std::move(d.language_xml);
    if (tidy_categories(item.categories) && !categories_capped_) {
      categories_capped_ = true;
      feed_.problems.push_back("categories past the first " + std::to_string(kMaxCategories) + " of an item dropped");
    }
    assign_fallback_id(item, link != nullptr ? link->doc : std::string());
    return item;
  }

  Feed& feed_;
  NsScope scope_;
  bool categories_capped_ = false;  // said once per feed
  std::string channel_language_;
  bool channel_language_from_rss_ = false;
};

// Where the document starts: junk before the prolog (PHP warnings, stray bytes) is skipped.
std::size_t document_start(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
    ++i;
  if (text.substr(i, 5) == "<?xml") return i;
  const auto decl = text.substr(0, 65536).find("<?xml");
  if (decl != std::string_view::npos) return decl;
  if (i < text.size() && text[i] == '<') return i;
  const auto lt = text.find('<', i);
  return lt == std::string_view::npos ? text.size() : lt;
}

bool is_html_root(std::string_view local) {
  return ascii_iequals(local, "html") || ascii_iequals(local, "head") || ascii_iequals(local, "body");
}

bool looks_like_html(std::string_view text) {
  const auto head = text.substr(0, 2048);
  for (std::size_t i = 0; i + 5 <= head.size(); ++i) {
    if (head[i] == '<' &&
        (ascii_iequals(head.substr(i, 5), "<html") || ascii_iequals(head.substr(i, 9), "<!doctype html")))
      return true;
  }
  return false;
}

struct ParsedXml {
  pugi::xml_document doc;
  pugi::xml_parse_result result;
};

constexpr unsigned kParseFlags = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol;

// Which elements were still open when a parse stopped at an error: the chain of last
// children from the document down.
bool on_open_chain(const pugi::xml_node& node) {
  for (auto n = node; n && n.type() != pugi::node_document; n = n.parent()) {
    if (n.next_sibling()) return false;
  }
  return true;
}

bool find_close_tag(std::string_view buf, std::size_t from, std::size_t to, std::string_view name) {
  to = std::min(to, buf.size());
  if (from >= to) return false;
  const std::string needle = "</" + std::string(name);
  const auto at = buf.substr(0, to).find(needle, from);
  return at != std::string_view::npos;
}

// Copies text with every '<' that cannot start markup (not followed by a name start, '/',
// '!' or '?') escaped, skipping CDATA sections and comments. False if there was none.
bool escape_stray_lt(std::string_view text, std::string& out) {
  auto name_start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c == '/' || c == '!' ||
           c == '?' || static_cast<unsigned char>(c) >= 0x80;
  };
  bool changed = false;
  out.clear();
  out.reserve(text.size() + 64);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t lt = text.find('<', i);
    if (lt == std::string_view::npos) break;
    out.append(text.substr(i, lt - i));
    std::string_view skip_to;
    if (text.substr(lt, 9) == "<![CDATA[")
      skip_to = "]]>";
    else if (text.substr(lt, 4) == "<!--")
      skip_to = "-->";
    if (!skip_to.empty()) {
      const std::size_t end = text.find(skip_to, lt);
      const std::size_t stop = end == std::string_view::npos ? text.size() : end + skip_to.size();
      out.append(text.substr(lt, stop - lt));
      i = stop;
      continue;
    }
    if (lt + 1 < text.size() && name_start(text[lt + 1])) {
      out.push_back('<');
    } else {
      out.append("&lt;");
      changed = true;
    }
    i = lt + 1;
  }
  out.append(text.substr(std::min(i, text.size())));
  return changed;
}

// The length of the numeric reference at text[amp] if the XML parser would decode it (&#N; or
// &#xH;, lowercase x) to a code point that is not a character: NUL, a surrogate or past
// U+10FFFF (its 32-bit arithmetic wraps, so &#4294967296; is NUL too). 0 otherwise.
std::size_t noncharacter_reference(std::string_view text, std::size_t amp) {
  std::size_t i = amp + 2;
  const bool hex = i < text.size() && text[i] == 'x';
  if (hex) ++i;
  const std::size_t digits = i;
  std::uint32_t cp = 0;
  bool too_big = false;
  for (; i < text.size() && text[i] != ';'; ++i) {
    const char c = text[i];
    const int d = hex ? hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
    if (d < 0) return 0;
    cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    if (cp > 0x10FFFF) too_big = true, cp = 0x110000;
  }
  if (i == digits || i >= text.size()) return 0;
  return too_big || is_forbidden_in_reference(cp) ? i + 1 - amp : 0;
}

// Rewrites, outside CDATA, what the XML parser would decode wrongly: HTML named references
// that XML does not define (&eacute;, &nbsp;, ...) as numeric ones, so they decode like the
// predefined five in every field; and numeric references to non-characters as U+FFFD, which
// the parser would write as a NUL (cutting the field there) or as bytes that are not UTF-8.
// False if there was nothing to rewrite.
bool rewrite_references(std::string_view text, std::string& out) {
  bool changed = false;
  std::size_t pos = 0;
  std::size_t copied = 0;
  std::size_t next_cdata = text.find("<![CDATA[");
  while (true) {
    const std::size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) break;
    if (next_cdata < amp) {
      const std::size_t close = text.find("]]>", next_cdata);
      if (close == std::string_view::npos) break;
      pos = close + 3;
      next_cdata = text.find("<![CDATA[", pos);
      continue;
    }
    pos = amp + 1;
    if (pos < text.size() && text[pos] == '#') {
      const std::size_t len = noncharacter_reference(text, amp);
      if (len == 0) continue;
      if (!changed) out.reserve(text.size() + 64);
      changed = true;
      out.append(text.substr(copied, amp - copied));
      out.append("&#xFFFD;");
      copied = pos = amp + len;
      continue;
    }
    std::size_t end = pos;
    while (end < text.size() && end - pos < 32 &&
           ((text[end] >= 'a' && text[end] <= 'z') || (text[end] >= 'A' && text[end] <= 'Z') ||
            (text[end] >= '0' && text[end] <= '9')))
      ++end;
    if (end == pos || end >= text.size() || text[end] != ';') continue;
    const std::string_view name = text.substr(pos, end - pos);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") continue;
    const std::string_view value = lookup_entity(name);
    if (value.empty()) continue;
    if (!changed) out.reserve(text.size() + 64);
    changed = true;
    out.append(text.substr(copied, amp - copied));
    // The value is UTF-8 text of one or two code points: emit it as character references.
    std::size_t i = 0;
    while (i < value.size()) {
      char32_t cp = 0;
      const std::size_t len = utf8_decode(value, i, cp);  // the table holds valid UTF-8 only
      if (len == 0) break;
      out += "&#" + std::to_string(static_cast<unsigned long>(cp)) + ";";
      i += len;
    }
    copied = end + 1;
    pos = end + 1;
  }
  if (changed) out.append(text.substr(copied));
  return changed;
}

bool is_empty_item(const Item& item) {
  return item.title.empty() && item.link.empty() && item.summary.empty() && item.content.empty();
}

class FeedBuilder {
 public:
  FeedBuilder(const ParseOptions& options, std::string text) : options_(options), text_(std::move(text)) {}

  Result<Feed> run() {
    const std::size_t start = document_start(text_);
    if (start >= text_.size()) return make_error("not a feed: no XML or JSON found");
    if (text_[start] != '<') return make_error("not a feed: no XML or JSON found");
    view_ = std::string_view(text_).substr(start);
    if (rewrite_references(view_, expanded_)) view_ = expanded_;
    xml_.result = xml_.doc.load_buffer(view_.data(), view_.size(), kParseFlags, pugi::encoding_utf8);
    if (!xml_.result && escape_stray_lt(view_, repaired_)) {
      // "Temperature < 40" in text: a '<' that cannot open markup is text; escape and retry once.
      view_ = repaired_;
      xml_.result = xml_.doc.load_buffer(view_.data(), view_.size(), kParseFlags, pugi::encoding_utf8);
    }
    failed_ = !xml_.result;
    feed_.incomplete = failed_;
    if (failed_) {
      error_offset_ = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, xml_.result.offset));
      feed_.problems.push_back(std::string("XML error at byte ") + std::to_string(error_offset_ + start) + ": " +
                               xml_.result.description());
    }
    const auto root = xml_.doc.document_element();
    if (!root && looks_like_html(view_)) return make_error("not a feed: got an HTML page");
    if (!root) {
      return make_error(failed_ ? std::string("not a feed: XML error: ") + xml_.result.description()
                                : std::string("not a feed: empty document"));
    }
    Reader reader(feed_);
    ScopeGuard root_guard(reader.scope(), root);
    const Name rn = reader.scope().classify(root);
    const Ref fetched{options_.base_url, {}};
    Ref own_base;
    const Ref& base = xml_base(root, fetched, own_base);
    root_is_rss_ = rn.local == "rss";
    if (rn.local == "rss" || rn.local == "RDF" || rn.local == "rdf" || rn.local == "channel") {
      read_rss(reader, root, base, rn.local == "channel");
    } else if (rn.local == "feed") {
      read_atom(reader, root, base);
    } else if (rn.local == "entry" && rn.ns == Ns::Atom) {
      // A standalone Atom entry document (RFC 5023's member resources): one item, no feed.
      feed_.items.push_back(reader.read_item(root, base, Ns::Atom));
    } else if (is_html_root(rn.local) || looks_like_html(view_)) {
      return make_error("not a feed: got an HTML page");
    } else {
      return make_error("not a feed: root element <" + std::string(root.name()) + "> is not rss, RDF or feed");
    }
    if (failed_ && feed_.items.empty() && feed_.title.empty())
      return make_error(std::string("not a feed: XML error: ") + xml_.result.description());
    // The feed's own declaration: its elements, then xml:lang on the channel, then on the root.
    feed_.language = reader.channel_language();
    if (feed_.language.empty()) feed_.language = channel_lang_;
    if (feed_.language.empty()) feed_.language = normalise_language_tag(root.attribute("xml:lang").as_string());
    inherit_language(feed_, options_);
    return std::move(feed_);
  }

 private:
  // Items of a document that stopped early: keep complete ones, then parse what follows
  // the broken spot item by item.
  template <class Fn>
  void each_item(const pugi::xml_node& parent, std::string_view item_local, Reader& reader, Fn&& read) {
    pugi::xml_node open_item;
    for (auto c = parent.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      ScopeGuard guard(reader.scope(), c);
      if (reader.scope().classify(c).local != item_local) continue;
      if (failed_ && on_open_chain(c) &&
          !find_close_tag(view_, static_cast<std::size_t>(c.offset_debug()), error_offset_, c.name())) {
        open_item = c;
        break;
      }
      if (item_tag_.empty()) item_tag_ = c.name();
      feed_.items.push_back(read(c));
    }
    if (!failed_) return;
    if (item_tag_.empty()) item_tag_ = open_item ? open_item.name() : std::string(item_local);
    std::size_t from = open_item ? static_cast<std::size_t>(open_item.offset_debug()) - 1 : error_offset_;
    // If the error is inside an item that closed (an unescaped '<' in its text), read
    // from that item's start; if it is at the end of the input, there is nothing more.
    if (!open_item && !feed_.items.empty() && error_offset_ >= view_.size()) return;
    recover_from(from, read);
  }

  template <class Fn>
  void recover_from(std::size_t from, Fn&& read) {
    // Each item is parsed on its own. The namespaces in scope at its parent need no copy
    // around it: the callers hold the parent chain's bindings in the Reader's scope (copying
    // them into a wrapper per item cost items x declarations).
    const std::string open_tag = "<" + item_tag_;
    const std::string close_tag = "</" + item_tag_;
    std::size_t pos = view_.find(open_tag, from);
    // The first close tag at or after the last search for one, and the '>' ending it. Open
    // tags that share it reuse it: searching again from each of N nested opens rescanned the
    // rest of the input N times.
    std::size_t close = 0;
    std::size_t end = 0;
    std::size_t guard = 0;
    while (pos != std::string_view::npos && guard++ < 1000000) {
      const std::size_t after = pos + open_tag.size();
      if (after >= view_.size()) break;
      const char next = view_[after];
      if (next != '>' && next != ' ' && next != '\t' && next != '\n' && next != '\r' && next != '/') {
        pos = view_.find(open_tag, after);
        continue;
      }
      if (close < after) {
        close = view_.find(close_tag, after);
        end = close == std::string_view::npos ? close : view_.find('>', close);
        if (end == std::string_view::npos) {
          // Truncated: the last item never closed.
          if (options_.keep_cut_item) read_cut_item(pos, read);
          break;
        }
        ++end;
      }
      // A nested open tag before our close means this one never closed: skip to the next.
      const std::size_t next_open = view_.find(open_tag, after);
      if (next_open != std::string_view::npos && next_open < close) {
        pos = next_open;
        continue;
      }
      pugi::xml_document piece;
      piece.load_buffer(view_.data() + pos, end - pos, kParseFlags, pugi::encoding_utf8);
      const auto item = piece.document_element();
      if (item) {
        // An element a mismatched close tag left open keeps the text it had: the item did
        // close, so nothing was cut (feedparser keeps it too).
        Item recovered = read(item);
        if (!is_empty_item(recovered)) feed_.items.push_back(std::move(recovered));
      }
      pos = view_.find(open_tag, end);
    }
  }

  // Whether the element whose start tag is at text[at] (just past its '<') was closed in text:
  // an empty-element tag, or its end tag with the final '>'.
  static bool closed_in(std::string_view text, std::size_t at, std::string_view name) {
    const std::size_t gt = text.find('>', at);
    if (gt == std::string_view::npos) return false;
    if (gt > 0 && text[gt - 1] == '/') return true;
    const std::string end_tag = "</" + std::string(name);
    for (std::size_t p = text.find(end_tag, gt); p != std::string_view::npos; p = text.find(end_tag, p + 1)) {
      std::size_t q = p + end_tag.size();
      while (q < text.size() && (text[q] == ' ' || text[q] == '\t' || text[q] == '\r' || text[q] == '\n'))
        ++q;
      if (q < text.size() && text[q] == '>') return true;
    }
    return false;
  }

  // The item the document ended in, as feedparser reads it: the elements that closed, without
  // the one still open (a CDATA section or text cut short); an item of which nothing closed
  // is still one item, empty. Marked in the problems.
  template <class Fn>
  void read_cut_item(std::size_t pos, Fn&& read) {
    pugi::xml_document piece;
    piece.load_buffer(view_.data() + pos, view_.size() - pos, kParseFlags, pugi::encoding_utf8);
    auto item = piece.document_element();
    if (!item) return;
    // The last child is the one the cut fell in unless it closed (a cut in "</item").
    auto last = item.last_child();
    while (last && last.type() != pugi::node_element)
      last = last.previous_sibling();
    if (last) {
      const auto at = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, last.offset_debug()));
      if (!closed_in(view_.substr(pos), at, last.name())) item.remove_child(last);
    }
    feed_.items.push_back(read(item));
    feed_.problems.push_back("the document ends inside an item; its complete fields were kept");
  }

  void read_rss(Reader& reader, const pugi::xml_node& root, const Ref& base, bool root_is_channel) {
    pugi::xml_node channel = root_is_channel ? root : pugi::xml_node{};
    for (auto c = root.first_child(); c && !channel; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      ScopeGuard g(reader.scope(), c);
      if (reader.scope().classify(c).local == "channel") channel = c;
    }
    Ref channel_base = base;
    if (channel) channel_lang_ = normalise_language_tag(channel.attribute("xml:lang").as_string());
    if (channel && channel != root) {
      ScopeGuard g(reader.scope(), channel);
      Ref own_base;
      channel_base = xml_base(channel, base, own_base);
      reader.read_channel_fields(channel, channel_base, Ns::Rss);
    } else if (channel) {
      reader.read_channel_fields(channel, channel_base, Ns::Rss);
    }
    // RSS 2.0 nests items in the channel; RSS 1.0 and 0.90 put them beside it.
    auto has_items = [&](const pugi::xml_node& parent) {
      ScopeGuard g(reader.scope(), parent);
      for (auto c = parent.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        ScopeGuard cg(reader.scope(), c);
        if (reader.scope().classify(c).local == "item") return true;
      }
      return false;
    };
    const bool nested = channel && channel != root && (has_items(channel) || (!has_items(root) && root_is_rss_));
    if (nested) {
      ScopeGuard g(reader.scope(), channel);
      each_item(channel, "item", reader,
                [&](const pugi::xml_node& n) { return reader.read_item(n, channel_base, Ns::Rss); });
    } else {
      each_item(root, "item", reader, [&](const pugi::xml_node& n) { return reader.read_item(n, base, Ns::Rss); });
    }
  }

  void read_atom(Reader& reader, const pugi::xml_node& root, const Ref& base) {
    reader.read_channel_fields(root, base, Ns::Atom);
    each_item(root, "entry", reader, [&](const pugi::xml_node& n) { return reader.read_item(n, base, Ns::Atom); });
  }

  const ParseOptions& options_;
  std::string text_;
  std::string repaired_;
  std::string expanded_;
  std::string_view view_;
  ParsedXml xml_;
  Feed feed_;
  bool failed_ = false;
  std::size_t error_offset_ = 0;
  std::string item_tag_;
  bool root_is_rss_ = false;
  std::string channel_lang_;  // xml:lang on the RSS channel
};

}  // namespace

void inherit_language(Feed& feed, const ParseOptions& options) {
  std::string fallback = feed.language;
  if (fallback.empty() && options.content_language.find(',') == std::string::npos) {
    fallback = normalise_language_tag(options.content_language);
  }
  if (fallback.empty()) return;
  for (auto& item : feed.items) {
    if (item.language.empty()) item.language = fallback;
  }
}

namespace {

bool starts_like_json(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{';
  }
  return false;
}

}  // namespace

Result<Feed> parse_feed(std::string_view body, const ParseOptions& options) {
  try {
    DecodedText decoded = decode_to_utf8(body, options.content_type);
    if (starts_like_json(decoded.utf8)) {
      auto r = parse_json_feed(decoded.utf8, options.base_url);
      if (r) inherit_language(*r, options);
      if (r && !decoded.problem.empty()) r->problems.push_back(decoded.problem);
      return r;
    }
    FeedBuilder builder(options, std::move(decoded.utf8));
    auto r = builder.run();
    if (r) {
      if (!decoded.problem.empty()) r->problems.push_back(decoded.problem);
      if (decoded.repaired) r->problems.push_back("invalid bytes for charset " + decoded.charset + " replaced");
    }
    return r;
  } catch (const std::bad_alloc&) {
    return make_error("feed too large: out of memory while parsing");
  } catch (const std::exception& e) {
    return make_error(std::string("internal parser error: ") + e.what());
  }
}

}  // namespace newswatch::feeds
