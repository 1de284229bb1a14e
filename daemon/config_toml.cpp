#include "daemon/config_toml.hpp"

#include <toml++/toml.h>

#include <sstream>

namespace newswatch::daemon {
namespace {

std::string duration(std::chrono::milliseconds d) { return duration_text(d); }

std::string size_text(std::uint64_t bytes) {
  for (const auto& [unit, scale] : {std::pair{"GiB", 1ULL << 30}, {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}}) {
    if (bytes >= scale && bytes % scale == 0) return std::to_string(bytes / scale) + unit;
  }
  return std::to_string(bytes);
}

toml::array strings(const std::vector<std::string>& values) {
  toml::array out;
  for (const auto& v : values)
    out.push_back(v);
  return out;
}

const char* collapse_name(filters::Collapse c) {
  switch (c) {
    case filters::Collapse::copies:
      return "copies";
    case filters::Collapse::stories:
      return "stories";
    case filters::Collapse::none:
      return "none";
  }
  return "copies";
}

// Double-quoted strings throughout, as the documentation writes them.
constexpr auto kFormat = toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings;

// One `[name]` section (or `[[name]]` entries) at a time, so sections come in the order the
// documentation lists them rather than toml++'s alphabetical order.
void section(std::ostringstream& out, const char* name, toml::table body) {
  toml::table wrapper;
  wrapper.insert(name, std::move(body));
  out << toml::toml_formatter(wrapper, kFormat) << "\n\n";
}

void entries(std::ostringstream& out, const char* name, toml::array list) {
  if (list.empty()) return;
  toml::table wrapper;
  wrapper.insert(name, std::move(list));
  out << toml::toml_formatter(wrapper, kFormat) << "\n\n";
}

}  // namespace

std::string config_to_toml(const Config& c) {
  std::ostringstream out;
  out << "# The effective newswatch config: defaults filled in, read from\n";
  for (const auto& f : c.files)
    out << "#   " << f << "\n";
  out << "\n";
  section(out, "daemon",
          toml::table{{"state_dir", c.daemon.state_dir},
                      {"log_level", c.daemon.log_level},
                      {"watch_config", c.daemon.watch_config},
                      {"shutdown_grace", duration(c.daemon.shutdown_grace)}});
  toml::table publish{{"endpoint", c.publish.endpoint},
                      {"replay_endpoint", c.publish.replay_endpoint},
                      {"send_hwm", c.publish.send_hwm}};
  if (!c.publish.curve_secret_key_file.empty())
    publish.insert("curve_secret_key_file", c.publish.curve_secret_key_file);
  if (!c.publish.curve_allowed_keys_dir.empty())
    publish.insert("curve_allowed_keys_dir", c.publish.curve_allowed_keys_dir);
  section(out, "publish", std::move(publish));
  section(out, "scheduler",
          toml::table{{"default_interval", duration(c.scheduler.default_interval)},
                      {"min_interval", duration(c.scheduler.min_interval)},
                      {"max_interval", duration(c.scheduler.max_interval)},
                      {"max_backoff", duration(c.scheduler.max_backoff)},
                      {"startup_delay", duration(c.scheduler.startup_delay)}});
  section(out, "fetch",
          toml::table{{"user_agent", c.fetch.user_agent},
                      {"connect_timeout", duration(c.fetch.connect_timeout)},
                      {"timeout", duration(c.fetch.timeout)},
                      {"max_body_size", size_text(c.fetch.max_body_size)},
                      {"max_redirects", c.fetch.max_redirects},
                      {"per_host_connections", c.fetch.per_host_connections},
                      {"max_in_flight", c.fetch.max_in_flight},
                      {"allow_file_urls", c.fetch.allow_file_urls},
                      {"block_private_addresses", c.fetch.block_private_addresses}});
  section(out, "metrics", toml::table{{"listen", c.metrics.listen}});
  section(out, "journal",
          toml::table{{"max_age", duration(c.journal.max_age)},
                      {"max_count", c.journal.max_count},
                      {"prune_interval", duration(c.journal.prune_interval)}});
  section(out, "dedup", toml::table{{"seen_max_age", duration(c.dedup.seen_max_age)}});
  section(out, "stories", toml::table{{"enabled", c.stories.enabled}, {"window", duration(c.stories.window)}});
  toml::array windows;
  for (const auto& w : c.bursts.windows)
    windows.push_back(duration(w));
  section(out, "bursts",
          toml::table{{"enabled", c.bursts.enabled},
                      {"windows", std::move(windows)},
                      {"watch_p", c.bursts.watch_p},
                      {"alert_p", c.bursts.alert_p},
                      {"min_stories", c.bursts.min_stories},
                      {"min_sources", c.bursts.min_sources},
                      {"renotify", duration(c.bursts.renotify)}});
  toml::array feeds;
  for (const auto& f : c.feeds) {
    toml::table t{{"id", f.id}, {"url", f.url}};
    if (!f.title.empty()) t.insert("title", f.title);
    t.insert("interval", duration(f.interval.value_or(c.scheduler.default_interval)));
    if (!f.language.empty()) t.insert("language", f.language);
    feeds.push_back(std::move(t));
  }
  entries(out, "feed", std::move(feeds));
  toml::array entities;
  for (const auto& e : c.entities) {
    toml::table t{{"id", e.id}};
    if (!e.type.empty()) t.insert("type", e.type);
    std::vector<std::string> plain;
    std::vector<std::string> exact;
    for (const auto& a : e.aliases)
      (a.exact_case ? exact : plain).push_back(a.text);
    if (!plain.empty()) t.insert("aliases", strings(plain));
    if (!exact.empty()) t.insert("exact_case_aliases", strings(exact));
    entities.push_back(std::move(t));
  }
  entries(out, "entity", std::move(entities));
  toml::array filters;
  for (const auto& f : c.filters) {
    toml::table t{{"id", f.id}};
    if (!f.query.empty()) t.insert("query", f.query);
    if (!f.rank.empty()) {
      t.insert("rank", f.rank);
      t.insert("threshold", f.threshold);
    }
    t.insert("topic", f.topic);
    t.insert("min_hits", f.min_hits);
    if (!f.feeds.empty()) t.insert("feeds", strings(f.feeds));
    if (!f.languages.empty()) t.insert("languages", strings(f.languages));
    t.insert("collapse", collapse_name(f.collapse));
    if (f.expected_per_day) t.insert("expected_per_day", *f.expected_per_day);
    filters.push_back(std::move(t));
  }
  entries(out, "filter", std::move(filters));
  std::string text = out.str();
  while (text.size() >= 2 && text.compare(text.size() - 2, 2, "\n\n") == 0)
    text.pop_back();
  return text;
}

}  // namespace newswatch::daemon
