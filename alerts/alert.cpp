#include "alerts/alert.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "alerts/json_writer.hpp"

namespace newswatch::alerts {
namespace {

void optional_time(JsonWriter& w, const std::optional<feeds::TimePoint>& t) {
  if (t) {
    w.string(feeds::format_rfc3339(*t));
  } else {
    w.null();
  }
}

void string_array(JsonWriter& w, const std::vector<std::string>& values) {
  w.raw('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) w.raw(',');
    w.string(values[i]);
  }
  w.raw(']');
}

nlohmann::json optional_time_json(const std::optional<feeds::TimePoint>& t) {
  return t ? nlohmann::json(feeds::format_rfc3339(*t)) : nlohmann::json(nullptr);
}

// Keys in nlohmann's (sorted) order, as story_json() writes them.
void story_object(JsonWriter& w, const stories::StoryAssignment& story) {
  w.raw('{');
  w.key("copy_of");
  w.value_or_null(story.copy_of);
  w.next_key("first_feed");
  w.string(story.first_feed);
  w.next_key("first_seen");
  w.string(feeds::format_rfc3339(story.first_seen));
  w.next_key("id");
  w.string(story.story_id);
  w.next_key("size");
  w.number(static_cast<std::uint64_t>(story.size));
  w.next_key("sources");
  w.number(static_cast<std::uint64_t>(story.sources));
  w.raw('}');
}

}  // namespace

// One pass into one buffer, keys in the order nlohmann::json (a sorted map) always wrote them,
// so the bytes on the wire are those of the earlier tree-building encoder (payload_test holds
// the two to that on random items).
std::string encode_alert_payload(std::uint64_t seq, std::string_view filter_id, std::string_view topic,
                                 std::string_view feed_id, feeds::TimePoint detected_at, const feeds::Item& item,
                                 const filters::FilterMatch& match, const std::vector<std::string>& entities,
                                 const stories::StoryAssignment* story) {
  std::string out;
  std::size_t estimate = 512 + item.title.size() + item.link.size() + item.summary.size() + item.content.size() +
                         item.author.size() + item.id.size() + match.matches.size() * 96;
  for (const auto& c : item.categories)
    estimate += c.size() + 3;
  for (const auto& e : entities)
    estimate += e.size() + 3;
  out.reserve(estimate);
  JsonWriter w(out);
  w.raw('{');
  w.key("detected_at");
  w.string(feeds::format_rfc3339(detected_at));
  w.next_key("entities");
  string_array(w, entities);
  w.next_key("feed");
  w.string(feed_id);
  w.next_key("filter");
  w.string(filter_id);
  w.next_key("item");
  w.raw('{');
  w.key("author");
  w.string(item.author);
  w.next_key("categories");
  string_array(w, item.categories);
  w.next_key("content");
  w.string(item.content);
  w.next_key("id");
  w.string(item.id);
  w.next_key("language");
  w.string(item.language.empty() ? std::string_view("und") : std::string_view(item.language));
  w.next_key("link");
  w.string(item.link);
  w.next_key("published");
  optional_time(w, item.published);
  w.next_key("summary");
  w.string(item.summary);
  w.next_key("title");
  w.string(item.title);
  w.next_key("updated");
  optional_time(w, item.updated);
  w.raw('}');
  w.next_key("matches");
  w.raw('[');
  for (std::size_t i = 0; i < match.matches.size(); ++i) {
    const auto& m = match.matches[i];
    if (i > 0) w.raw(',');
    w.raw('{');
    w.key("entity");
    w.value_or_null(m.entity);
    w.next_key("field");
    w.string(m.field);
    w.next_key("length");
    w.number(static_cast<std::uint64_t>(m.length));
    w.next_key("offset");
    w.number(static_cast<std::uint64_t>(m.offset));
    w.next_key("term");
    w.string(m.term);
    // A filter with a rank: every match says what it weighed (null: a query term outside the rank).
    if (match.score) {
      w.next_key("weight");
      w.value_or_null(m.weight);
    }
    w.raw('}');
  }
  w.raw(']');
  if (match.score) {
    w.next_key("score");
    w.number(*match.score);
  }
  w.next_key("seq");
  w.number(seq);
  if (story != nullptr) {
    w.next_key("story");
    story_object(w, *story);
  }
  w.next_key("topic");
  w.string(topic);
  w.raw('}');
  return out;
}

nlohmann::json story_json(const stories::StoryAssignment& story) {
  return {{"id", story.story_id},
          {"copy_of", story.copy_of ? nlohmann::json(*story.copy_of) : nlohmann::json(nullptr)},
          {"size", story.size},
          {"sources", story.sources},
          {"first_seen", feeds::format_rfc3339(story.first_seen)},
          {"first_feed", story.first_feed}};
}

std::string encode_story_update_payload(std::uint64_t seq, std::string_view filter_id, std::string_view topic,
                                        std::string_view feed_id, feeds::TimePoint detected_at, const feeds::Item& item,
                                        const stories::StoryAssignment& story) {
  const nlohmann::json payload = {
      {"seq", seq},
      {"filter", filter_id},
      {"topic", topic},
      {"feed", feed_id},
      {"detected_at", feeds::format_rfc3339(detected_at)},
      {"item",
       {{"id", item.id},
        {"title", item.title},
        {"link", item.link},
        {"published", optional_time_json(item.published)},
        {"language", item.language.empty() ? std::string("und") : item.language}}},
      {"story", story_json(story)},
  };
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace newswatch::alerts
