#include "bursts/burst_message.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "feeds/feed.hpp"
#include "feeds/feed_dates.hpp"

namespace newswatch::bursts {
namespace {

using ordered = nlohmann::ordered_json;

std::string rfc3339(std::int64_t unix_seconds) {
  return feeds::format_rfc3339(feeds::TimePoint(std::chrono::seconds(unix_seconds)));
}

// Three significant digits: more would only suggest a precision the model does not have.
double significant(double v, int digits) {
  if (!(v > 0.0) || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(v))));
  return std::round(v * scale) / scale;
}

// 3e-6 rather than 3e-06; 0.04 for the rare large value.
std::string short_p(double p) {
  char buf[32];
  if (p >= 1e-3) {
    std::snprintf(buf, sizeof buf, "%.1g", p);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.0e", p);
  std::string s = buf;
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e);
  std::string exponent = s.substr(e + 1);
  const char sign = exponent[0] == '-' ? '-' : '+';
  if (exponent[0] == '-' || exponent[0] == '+') exponent.erase(0, 1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return mantissa + "e" + (sign == '-' ? "-" : "") + exponent;
}

std::string short_number(double v) {
  char buf[32];
  // A short span on a quiet filter expects a few hundredths: "0.0" would read as "none".
  std::snprintf(buf, sizeof buf, v > 0 && v < 0.05 ? "%.1g" : v < 10 ? "%.1f" : "%.0f", v);
  return buf;
}

}  // namespace

std::string burst_topic(std::string_view filter_id) { return "burst." + std::string(filter_id); }

std::string encode_burst_payload(std::uint64_t seq, const Burst& b) {
  ordered stories = ordered::array();
  for (const auto& s : b.stories)
    stories.push_back(ordered{{"id", s.id}, {"title", s.title}, {"link", s.link}, {"sources", s.sources}});
  const ordered payload = {
      {"seq", seq},
      {"filter", b.filter},
      {"topic", burst_topic(b.filter)},
      {"level", level_name(b.level)},
      {"window", window_name(b.window)},
      {"count", b.count},
      {"sources", b.sources},
      {"expected", significant(b.expected, 3)},
      {"p_value", significant(b.p_value, 3)},
      {"entity", b.entity ? ordered(*b.entity) : ordered(nullptr)},
      {"started_at", rfc3339(b.started_at)},
      {"detected_at", rfc3339(b.detected_at)},
      {"stories", std::move(stories)},
  };
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<BurstEvent> event_from_alert_payload(std::string_view payload, const EntityTypes& types) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("not a JSON object");
  const auto text = [](const nlohmann::json& o, const char* key) -> std::string {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  BurstEvent e;
  e.filter = text(j, "filter");
  if (e.filter.empty()) return make_error("no 'filter'");
  const auto item = j.find("item");
  if (item == j.end() || !item->is_object()) return make_error("no 'item' (not an alert payload)");
  const std::string detected = text(j, "detected_at");
  const auto when = feeds::parse_date(detected);
  if (!when) return make_error("no RFC 3339 'detected_at'");
  e.time = when->time_since_epoch().count();
  e.title = text(*item, "title");
  e.link = text(*item, "link");
  e.source = text(j, "feed");
  e.story = text(*item, "id");
  if (const auto story = j.find("story"); story != j.end() && story->is_object()) {
    if (auto id = text(*story, "id"); !id.empty()) e.story = std::move(id);
    if (const auto k = story->find("sources"); k != story->end() && k->is_number_integer())
      e.story_sources = static_cast<int>(std::clamp<std::int64_t>(k->get<std::int64_t>(), 0, 1 << 20));
  }
  if (e.story.empty()) e.story = e.link.empty() ? e.title : e.link;
  if (const auto ents = j.find("entities"); ents != j.end() && ents->is_array()) {
    for (const auto& id : *ents) {
      if (!id.is_string()) continue;
      const auto t = types.find(id.get<std::string>());
      e.entities.push_back(EntityRef{id.get<std::string>(), t == types.end() ? std::string() : t->second});
    }
  }
  return e;
}

std::optional<std::string> format_burst_line(std::string_view payload) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("level") || !j.contains("window")) return std::nullopt;
  const auto str = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto num = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  std::string line = "\u26a1 ";
  line += str("level");
  line += ' ';
  line += str("filter");
  if (const auto entity = str("entity"); !entity.empty()) line += " (" + entity + ")";
  line += ": ";
  const auto count = static_cast<long long>(num("count"));
  line += std::to_string(count) + (count == 1 ? " story" : " stories");
  if (j.contains("sources")) {
    const auto sources = static_cast<long long>(num("sources"));
    line += " from " + std::to_string(sources) + (sources == 1 ? " source" : " sources");
  }
  line += " in " + str("window");
  line += ", expected " + short_number(num("expected"));
  line += " (p=" + short_p(num("p_value")) + ")";
  return line;
}

}  // namespace newswatch::bursts
