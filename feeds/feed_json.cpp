#include "feeds/feed_json.hpp"

#include <nlohmann/json.hpp>
#include "common/text.hpp"

#include "feeds/feed_dates.hpp"
#include "feeds/html_entities.hpp"
#include "feeds/item_identity.hpp"
#include "feeds/language_tag.hpp"
#include "feeds/url_resolve.hpp"

namespace newswatch::feeds {
namespace {

using nlohmann::json;

nlohmann::ordered_json date_or_null(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return format_rfc3339(*t);
}

std::string string_field(const json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  if (it->is_number_unsigned()) return std::to_string(it->get<unsigned long long>());
  return {};
}

std::string trim(std::string_view s) { return std::string(trim_space(s)); }

std::string author_name(const json& obj) {
  // 1.1 has "authors" (an array); 1.0 had one "author".
  if (auto it = obj.find("authors"); it != obj.end() && it->is_array()) {
    for (const auto& a : *it) {
      if (a.is_object()) {
        if (auto name = string_field(a, "name"); !name.empty()) return name;
      }
    }
  }
  if (auto it = obj.find("author"); it != obj.end()) {
    if (it->is_object()) return string_field(*it, "name");
    if (it->is_string()) return it->get<std::string>();
  }
  return {};
}

// base: home_page_url, else the URL fetched; doc_base: home_page_url alone, for the identity
// (see assign_fallback_id). capped: set when the item had more categories than kMaxCategories.
Item read_item(const json& j, std::string_view base, std::string_view doc_base, bool& capped) {
  Item item;
  item.id = trim(string_field(j, "id"));
  item.title = trim(decode_entities(trim(string_field(j, "title"))));
  std::string url = trim(string_field(j, "url"));
  if (url.empty()) url = trim(string_field(j, "external_url"));
  if (!url.empty()) item.link = resolve_url(base, url);
  item.content = trim(string_field(j, "content_html"));
  if (item.content.empty()) item.content = trim(string_field(j, "content_text"));
  item.summary = trim(string_field(j, "summary"));
  if (item.summary.empty()) item.summary = item.content;
  item.published = parse_date(string_field(j, "date_published"));
  item.updated = parse_date(string_field(j, "date_modified"));
  if (!item.updated) item.updated = item.published;
  item.language = normalise_language_tag(string_field(j, "language"));  // JSON Feed 1.1
  item.author = trim(decode_entities(trim(author_name(j))));
  if (auto it = j.find("tags"); it != j.end() && it->is_array()) {
    for (const auto& t : *it) {
      if (!t.is_string()) continue;
      item.categories.push_back(trim(decode_entities(t.get<std::string>())));
    }
    if (tidy_categories(item.categories)) capped = true;
  }
  // JSON Feed requires an id: the identity link is resolved only for the rare item without one.
  if (item.id.empty()) assign_fallback_id(item, url.empty() ? std::string() : resolve_url(doc_base, url));
  return item;
}

}  // namespace

std::string item_to_json(const Item& item) {
  nlohmann::ordered_json j;
  j["id"] = item.id;
  j["title"] = item.title;
  j["link"] = item.link;
  j["published"] = date_or_null(item.published);
  j["updated"] = date_or_null(item.updated);
  j["author"] = item.author;
  j["summary"] = item.summary;
  j["content"] = item.content;
  j["categories"] = item.categories;
  j["language"] = item.language;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<Feed> parse_json_feed(std::string_view text, std::string_view base_url) {
  try {
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return make_error("not a feed: invalid JSON");
    if (!doc.is_object()) return make_error("not a feed: JSON is not an object");
    const auto items = doc.find("items");
    const std::string version = string_field(doc, "version");
    if (version.find("jsonfeed.org") == std::string::npos && (items == doc.end() || !items->is_array()))
      return make_error("not a feed: JSON without a jsonfeed.org version or an items array");
    Feed feed;
    feed.title = trim(decode_entities(trim(string_field(doc, "title"))));
    feed.language = normalise_language_tag(string_field(doc, "language"));
    const std::string home = trim(string_field(doc, "home_page_url"));
    if (!home.empty()) feed.link = resolve_url(base_url, home);
    const std::string base = feed.link.empty() ? std::string(base_url) : feed.link;
    if (items != doc.end() && items->is_array()) {
      feed.items.reserve(items->size());
      bool capped = false;
      for (const auto& it : *items) {
        if (it.is_object()) feed.items.push_back(read_item(it, base, home, capped));
      }
      if (capped)
        feed.problems.push_back("tags past the first " + std::to_string(kMaxCategories) + " of an item dropped");
    } else {
      feed.problems.push_back("JSON Feed without an items array");
    }
    return feed;
  } catch (const std::exception& e) {
    return make_error(std::string("not a feed: invalid JSON Feed: ") + e.what());
  }
}

}  // namespace newswatch::feeds
