#include "alerts/alert.hpp"

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace newswatch::alerts {
namespace {

// 4 rather than 4.0 when a weight or score is whole, as the analyst wrote it.
nlohmann::json number(double v) {
  if (std::abs(v) < 1e15 && v == std::floor(v)) return nlohmann::json(static_cast<std::int64_t>(v));
  return nlohmann::json(v);
}

nlohmann::json optional_time(const std::optional<feeds::TimePoint>& t) {
  return t ? nlohmann::json(feeds::format_rfc3339(*t)) : nlohmann::json(nullptr);
}

}  // namespace

std::string encode_alert_payload(std::uint64_t seq, std::string_view filter_id, std::string_view topic,
                                 std::string_view feed_id, feeds::TimePoint detected_at, const feeds::Item& item,
                                 const filters::FilterMatch& match, const std::vector<std::string>& entities) {
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& m : match.matches) {
    matches.push_back({{"term", m.term},
                       {"entity", m.entity ? nlohmann::json(*m.entity) : nlohmann::json(nullptr)},
                       {"field", m.field},
                       {"offset", m.offset},
                       {"length", m.length}});
    // A filter with a rank: every match says what it weighed (null: a query term outside the rank).
    if (match.score) matches.back()["weight"] = m.weight ? number(*m.weight) : nlohmann::json(nullptr);
  }
  nlohmann::json payload = {
      {"seq", seq},
      {"filter", filter_id},
      {"topic", topic},
      {"feed", feed_id},
      {"detected_at", feeds::format_rfc3339(detected_at)},
      {"item",
       {{"id", item.id},
        {"title", item.title},
        {"link", item.link},
        {"published", optional_time(item.published)},
        {"updated", optional_time(item.updated)},
        {"author", item.author},
        {"summary", item.summary},
        {"content", item.content},
        {"categories", item.categories},
        {"language", item.language.empty() ? std::string("und") : item.language}}},
      {"matches", std::move(matches)},
      {"entities", entities},
  };
  if (match.score) payload["score"] = number(*match.score);
  // Invalid UTF-8 must never reach subscribers: replace it rather than throw.
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace newswatch::alerts
