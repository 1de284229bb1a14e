#include "cli/opml.hpp"

#include <pugixml.hpp>

#include <sstream>

namespace newswatch::cli {

std::string slug(std::string_view title) {
  std::string out;
  bool dash = false;
  for (unsigned char c : title) {
    if (std::isalnum(c) != 0 && c < 0x80) {
      if (dash && !out.empty()) out += '-';
      out += static_cast<char>(std::tolower(c));
      dash = false;
    } else {
      dash = true;  // anything else, non-ASCII included, separates words
    }
    if (out.size() >= 48) break;
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out;
}

namespace {

std::string host_of(std::string_view url) {
  auto start = url.find("://");
  if (start == std::string_view::npos) return {};
  url.remove_prefix(start + 3);
  return std::string(url.substr(0, url.find_first_of("/:?#")));
}

void collect(const pugi::xml_node& parent, std::vector<OpmlFeed>& out, std::set<std::string>& taken) {
  for (auto node : parent.children("outline")) {
    const std::string url = node.attribute("xmlUrl").as_string();
    if (!url.empty()) {
      std::string title = node.attribute("title").as_string();
      if (title.empty()) title = node.attribute("text").as_string();
      std::string base = slug(title);
      if (base.empty()) base = slug(host_of(url));
      if (base.empty()) base = "feed";
      std::string id = base;
      for (int n = 2; taken.count(id) != 0; ++n)
        id = base + "-" + std::to_string(n);
      taken.insert(id);
      out.push_back({id, title, url});
    }
    collect(node, out, taken);  // folders nest outlines
  }
}

// TOML basic-string escaping.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

Result<std::vector<OpmlFeed>> parse_opml(std::string_view text, std::set<std::string> taken) {
  pugi::xml_document doc;
  const auto res = doc.load_buffer(text.data(), text.size());
  if (!res) return make_error(std::string("not valid OPML: ") + res.description());
  const auto body = doc.child("opml").child("body");
  if (!body) return make_error("not OPML: no <opml><body>");
  std::vector<OpmlFeed> out;
  collect(body, out, taken);
  return out;
}

std::string feeds_to_toml(const std::vector<OpmlFeed>& feeds) {
  std::string out;
  for (const auto& f : feeds) {
    out += "[[feed]]\nid = " + toml_string(f.id) + "\n";
    if (!f.title.empty()) out += "title = " + toml_string(f.title) + "\n";
    out += "url = " + toml_string(f.url) + "\n\n";
  }
  return out;
}

std::string export_opml(const std::vector<FeedDef>& feeds) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto opml = doc.append_child("opml");
  opml.append_attribute("version") = "2.0";
  opml.append_child("head").append_child("title").text() = "newswatch feeds";
  auto body = opml.append_child("body");
  for (const auto& f : feeds) {
    auto o = body.append_child("outline");
    const std::string& title = f.title.empty() ? f.id : f.title;
    o.append_attribute("type") = "rss";
    o.append_attribute("text") = title.c_str();
    o.append_attribute("title") = title.c_str();
    o.append_attribute("xmlUrl") = f.url.c_str();
  }
  // The declaration node above is the only one: pugixml writes it as a node, and
  // format_no_declaration keeps it from adding a default one of its own.
  std::ostringstream ss;
  doc.save(ss, "  ", pugi::format_default | pugi::format_no_declaration);
  return ss.str();
}

}  // namespace newswatch::cli
