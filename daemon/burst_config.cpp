#include "daemon/burst_config.hpp"

namespace newswatch::daemon {

bursts::BurstSettings burst_settings(const Config& config) {
  bursts::BurstSettings s;
  const auto& b = config.bursts;
  s.enabled = b.enabled;
  s.windows.clear();
  for (const auto& w : b.windows)
    s.windows.push_back(w.count());
  s.watch_p = b.watch_p;
  s.alert_p = b.alert_p;
  s.min_stories = b.min_stories;
  s.min_sources = b.min_sources;
  s.renotify = b.renotify.count();
  return s;
}

std::vector<bursts::BurstFilter> burst_filters(const Config& config) {
  std::vector<bursts::BurstFilter> out;
  out.reserve(config.filters.size());
  for (const auto& f : config.filters)
    out.push_back({f.id, f.expected_per_day});
  return out;
}

bursts::EntityTypes entity_types(const Config& config) {
  bursts::EntityTypes out;
  for (const auto& e : config.entities)
    out.emplace(e.id, e.type);
  return out;
}

}  // namespace newswatch::daemon
