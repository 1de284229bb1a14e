#include "feeds/feed_parser.hpp"

#include <pugixml.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>

#include "feeds/feed_dates.hpp"

namespace newswatch::feeds {
namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0)
    ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0)
    --e;
  return std::string(s.substr(b, e - b));
}

// Local name of an element, without its namespace prefix.
std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child_local(const pugi::xml_node& parent, std::string_view name) {
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  }
  return {};
}

// Text content of an element (text and CDATA children), trimmed.
std::string text_of(const pugi::xml_node& n) {
  std::string out;
  for (auto c : n.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return trim(out);
}

// Inner markup, for Atom type="xhtml" content.
std::string inner_xml(const pugi::xml_node& n) {
  struct Sink : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override { out.append(static_cast<const char*>(data), size); }
  } sink;
  for (auto c : n.children())
    c.print(sink, "", pugi::format_raw);
  return trim(sink.out);
}

std::string stable_hash_id(std::string_view link, std::string_view title) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(link);
  mix(std::string_view("\n", 1));
  mix(title);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string("hash:") + buf;
}

void finish_item(Item& item) {
  if (item.id.empty()) item.id = stable_hash_id(item.link, item.title);
}

Item parse_rss_item(const pugi::xml_node& node) {
  Item item;
  for (auto c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    const auto name = local_name(c);
    const std::string_view full = c.name();
    if (name == "title") {
      item.title = text_of(c);
    } else if (name == "link" && item.link.empty()) {
      item.link = text_of(c);
    } else if (name == "guid") {
      item.id = text_of(c);
    } else if (name == "description") {
      item.summary = text_of(c);
    } else if (full == "content:encoded") {
      item.content = text_of(c);
    } else if (name == "pubDate" || (name == "date" && !item.published)) {
      item.published = parse_date(text_of(c));
    } else if (name == "author" || name == "creator") {
      if (item.author.empty()) item.author = text_of(c);
    } else if (name == "category" || name == "subject") {
      if (auto v = text_of(c); !v.empty()) item.categories.push_back(std::move(v));
    }
  }
  finish_item(item);
  return item;
}

Item parse_atom_entry(const pugi::xml_node& node) {
  Item item;
  for (auto c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    const auto name = local_name(c);
    if (name == "title") {
      item.title = text_of(c);
    } else if (name == "id") {
      item.id = text_of(c);
    } else if (name == "link") {
      const std::string_view rel = c.attribute("rel").as_string("alternate");
      if (rel == "alternate" || item.link.empty()) item.link = c.attribute("href").as_string();
    } else if (name == "summary" || name == "content") {
      std::string value = std::string_view(c.attribute("type").as_string()) == "xhtml" ? inner_xml(c) : text_of(c);
      (name == "summary" ? item.summary : item.content) = std::move(value);
    } else if (name == "published" || name == "issued") {
      item.published = parse_date(text_of(c));
    } else if (name == "updated" || name == "modified") {
      item.updated = parse_date(text_of(c));
    } else if (name == "author") {
      item.author = text_of(child_local(c, "name"));
    } else if (name == "category") {
      std::string term = c.attribute("term").as_string();
      if (!term.empty()) item.categories.push_back(std::move(term));
    }
  }
  finish_item(item);
  return item;
}

}  // namespace

Result<Feed> parse_feed(std::string_view body, const ParseOptions& /*options*/) {
  pugi::xml_document doc;
  // parse_default without DTD handling: pugixml never expands DTD entities.
  const auto res = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  Feed feed;
  if (!res) feed.problems.push_back(std::string("XML error: ") + res.description());
  const auto root = doc.document_element();
  const auto root_name = local_name(root);
  if (root_name == "rss" || root_name == "RDF") {
    const auto channel = child_local(root, "channel");
    feed.title = text_of(child_local(channel, "title"));
    feed.link = text_of(child_local(channel, "link"));
    if (auto ttl = text_of(child_local(channel, "ttl")); !ttl.empty()) {
      try {
        feed.ttl_minutes = std::stoi(ttl);
      } catch (...) {
        feed.problems.push_back("ignored invalid <ttl>");
      }
    }
    const auto item_parent = root_name == "rss" ? channel : root;
    for (auto c : item_parent.children()) {
      if (c.type() == pugi::node_element && local_name(c) == "item") feed.items.push_back(parse_rss_item(c));
    }
  } else if (root_name == "feed") {
    feed.title = text_of(child_local(root, "title"));
    for (auto c : root.children()) {
      if (c.type() != pugi::node_element) continue;
      if (local_name(c) == "link" && feed.link.empty()) feed.link = c.attribute("href").as_string();
      if (local_name(c) == "entry") feed.items.push_back(parse_atom_entry(c));
    }
  } else {
    if (!res) return make_error(std::string("not a feed: XML error: ") + res.description());
    return make_error("not a feed: root element <" + std::string(root.name()) + "> is not rss, RDF or feed");
  }
  return feed;
}

}  // namespace newswatch::feeds
