#include "cluster/feed_state.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <utility>

namespace newswatch::cluster {
namespace {

using nlohmann::json;

std::int64_t unix_of(stories::TimePoint t) { return t.time_since_epoch().count(); }
stories::TimePoint time_of(std::int64_t s) { return stories::TimePoint(std::chrono::seconds(s)); }

json optional_text(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json to_json(const stories::FeedStories& s) {
  json items = json::array();
  for (const auto& r : s.items) {
    items.push_back({{"id", r.item.item_id},
                     {"story", r.story_id},
                     {"copy_of", optional_text(r.copy_of)},
                     {"copy_feed", optional_text(r.copy_feed)},
                     {"arrival", unix_of(r.item.arrival)},
                     {"title", r.item.title},
                     {"summary", r.item.summary},
                     {"language", r.item.language},
                     {"entities", r.item.entities}});
  }
  json stories = json::array();
  for (const auto& r : s.stories) {
    stories.push_back({{"id", r.story_id},
                       {"first_seen", unix_of(r.first_seen)},
                       {"last_seen", unix_of(r.last_seen)},
                       {"first_feed", r.first_feed},
                       {"first_item", r.first_item},
                       {"language", r.language},
                       {"size", r.size},
                       {"feeds", r.feeds}});
  }
  json alerted = json::array();
  for (const auto& a : s.alerted)
    alerted.push_back({{"filter", a.filter_id}, {"key", a.key}, {"at", unix_of(a.at)}});
  return {{"items", std::move(items)}, {"stories", std::move(stories)}, {"alerted", std::move(alerted)}};
}

std::string dump(const FeedState& s) {
  // replace: a title cut mid-character upstream must not make the whole value unwritable.
  return json{{"feed", s.feed},           {"url", s.url},     {"node", s.node},
              {"listed_at", s.listed_at}, {"items", s.items}, {"stories", to_json(s.stories)}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

// Leaves out the stories and alerted keys no remaining item refers to.
void drop_unreferenced(stories::FeedStories& s) {
  std::set<std::string> ids;
  std::set<std::string> keys;
  for (const auto& r : s.items) {
    ids.insert(r.story_id);
    keys.insert("s:" + r.story_id);
  }
  std::erase_if(s.stories, [&](const stories::StoryRecord& r) { return ids.count(r.story_id) == 0; });
  // A family key ("c:<feed>\n<item>") may name another feed's item (the original of a
  // copy): keep those no older than the oldest item left.
  const auto oldest = s.items.empty() ? stories::TimePoint::max() : s.items.front().item.arrival;
  std::erase_if(s.alerted, [&](const stories::AlertedKey& a) {
    return a.key.starts_with("s:") ? keys.count(a.key) == 0 : a.at < oldest;
  });
}

std::string text_or(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t int_or(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::optional<std::string> optional_or(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::vector<std::string> strings_or(const json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

std::string encode_feed_state(FeedState state, std::size_t max_bytes) {
  std::string text = dump(state);
  while (text.size() > max_bytes) {
    auto& items = state.stories.items;
    if (!items.empty()) {
      items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>((items.size() + 1) / 2));
      drop_unreferenced(state.stories);
    } else if (!state.stories.alerted.empty() || !state.stories.stories.empty()) {
      state.stories = {};
    } else if (!state.items.empty()) {
      state.items.resize(state.items.size() / 2);  // newest first: the oldest go
    } else {
      break;  // ids and URL alone: the caller's limits on those keep this small
    }
    text = dump(state);
  }
  return text;
}

Result<FeedState> decode_feed_state(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return make_error("feed state: not a JSON object");
  FeedState s;
  s.feed = text_or(j, "feed");
  s.url = text_or(j, "url");
  s.node = text_or(j, "node");
  s.listed_at = int_or(j, "listed_at");
  s.items = strings_or(j, "items");
  const auto st = j.find("stories");
  if (st == j.end() || !st->is_object()) return s;  // shared by a node that did not move stories
  for (const auto& r : st->value("items", json::array())) {
    if (!r.is_object() || text_or(r, "id").empty() || text_or(r, "story").empty()) continue;
    stories::RecordedItem item;
    item.item.feed_id = s.feed;
    item.item.item_id = text_or(r, "id");
    item.story_id = text_or(r, "story");
    item.copy_of = optional_or(r, "copy_of");
    item.copy_feed = optional_or(r, "copy_feed");
    item.item.arrival = time_of(int_or(r, "arrival"));
    item.item.title = text_or(r, "title");
    item.item.summary = text_or(r, "summary");
    item.item.language = text_or(r, "language");
    item.item.entities = strings_or(r, "entities");
    s.stories.items.push_back(std::move(item));
  }
  for (const auto& r : st->value("stories", json::array())) {
    if (!r.is_object() || text_or(r, "id").empty()) continue;
    stories::StoryRecord story;
    story.story_id = text_or(r, "id");
    story.first_seen = time_of(int_or(r, "first_seen"));
    story.last_seen = time_of(int_or(r, "last_seen"));
    story.first_feed = text_or(r, "first_feed");
    story.first_item = text_or(r, "first_item");
    story.language = text_or(r, "language");
    story.size = static_cast<std::size_t>(std::max<std::int64_t>(1, int_or(r, "size")));
    story.feeds = strings_or(r, "feeds");
    s.stories.stories.push_back(std::move(story));
  }
  for (const auto& r : st->value("alerted", json::array())) {
    if (!r.is_object() || text_or(r, "filter").empty() || text_or(r, "key").empty()) continue;
    s.stories.alerted.push_back({text_or(r, "filter"), text_or(r, "key"), time_of(int_or(r, "at"))});
  }
  return s;
}

}  // namespace newswatch::cluster
