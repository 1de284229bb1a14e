#include "daemon/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>

#include "common/text.hpp"
#include "daemon/metrics_server.hpp"
#include "feeds/language_tag.hpp"
#include "filters/matcher.hpp"

namespace newswatch::daemon {

std::string format_error(const ConfigError& e) {
  return filters::format_error(filters::CompileError{e.pos, e.message});
}

std::string format_warning(const ConfigError& w) {
  return filters::format_error(filters::CompileError{w.pos, "warning: " + w.message});
}

namespace {

// "<digits><unit>" with the unit looked up in `units` (multiplier per unit); nullopt for
// no digits, an unknown unit, a value past 2^40 units, or a product past INT64_MAX (so it
// fits the signed counts of std::chrono durations).
std::optional<std::uint64_t> parse_scaled(std::string_view text,
                                          const std::map<std::string_view, std::uint64_t, std::less<>>& units) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (value > (1ULL << 40)) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  const auto it = units.find(text.substr(i));
  if (it == units.end()) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (value > kMax / it->second) return std::nullopt;
  return value * it->second;
}

// Duration units in milliseconds, largest first.
constexpr std::pair<std::string_view, std::uint64_t> kDurationUnits[] = {
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};

}  // namespace

// "250ms", "90s", "5m", "1h", "2d": the largest unit that writes d exactly.
std::string duration_text(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  for (const auto& [name, scale] : kDurationUnits) {
    const auto unit = static_cast<std::int64_t>(scale);
    if (ms % unit == 0) return std::to_string(ms / unit).append(name);
  }
  return {};  // not reached: "ms" divides every count
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  static const std::map<std::string_view, std::uint64_t, std::less<>> units(std::begin(kDurationUnits),
                                                                            std::end(kDurationUnits));
  const auto ms = parse_scaled(text, units);
  if (!ms) return std::nullopt;
  return std::chrono::milliseconds(*ms);
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  static const std::map<std::string_view, std::uint64_t, std::less<>> units{{"", 1},
                                                                            {"B", 1},
                                                                            {"KiB", 1ULL << 10},
                                                                            {"MiB", 1ULL << 20},
                                                                            {"GiB", 1ULL << 30},
                                                                            {"KB", 1000ULL},
                                                                            {"MB", 1000'000ULL},
                                                                            {"GB", 1000'000'000ULL}};
  return parse_scaled(text, units);
}

namespace {

// Walks one file's tables, checking keys and types; collects every error.
class ConfigReader {
 public:
  ConfigReader(std::string file, Config& config, std::vector<ConfigError>& errors)
      : file_(std::move(file)), config_(config), errors_(errors) {}

  void read(const toml::table& root) {
    if (root.empty()) {
      // Built member by member: GCC 12 at -O3 sees the nested brace form as maybe-uninitialized.
      ConfigError w;
      w.pos.file = file_;
      w.pos.line = 1;
      w.pos.column = 1;
      w.message =
          "nothing is configured in this file: every setting keeps its default, and it adds no feed, entity "
          "or filter";
      config_.warnings.push_back(std::move(w));
    }
    check_keys(root,
               {"daemon", "publish", "scheduler", "fetch", "metrics", "journal", "dedup", "stories", "bursts",
                "cluster", "feed", "entity", "filter"},
               "");
    if (auto t = section(root, "daemon")) read_daemon(*t);
    if (auto t = section(root, "publish")) read_publish(*t);
    if (auto t = section(root, "scheduler")) read_scheduler(*t);
    if (auto t = section(root, "fetch")) read_fetch(*t);
    if (auto t = section(root, "metrics")) read_metrics(*t);
    if (auto t = section(root, "journal")) read_journal(*t);
    if (auto t = section(root, "dedup")) read_dedup(*t);
    if (auto t = section(root, "stories")) read_stories(*t);
    if (auto t = section(root, "bursts")) read_bursts(*t);
    if (auto t = section(root, "cluster")) read_cluster(*t);
    for_each_table(root, "feed", [this](const toml::table& t) { read_feed(t); });
    for_each_table(root, "entity", [this](const toml::table& t) { read_entity(t); });
    for_each_table(root, "filter", [this](const toml::table& t) { read_filter(t); });
  }

 private:
  filters::SourcePos pos_of(const toml::node& n) const {
    const auto& src = n.source();
    return {file_, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
  }

  void error(const toml::node& n, std::string message) { errors_.push_back({pos_of(n), std::move(message)}); }
  void warn(filters::SourcePos pos, std::string message) {
    config_.warnings.push_back({std::move(pos), std::move(message)});
  }

  // A lower-case (or capitalised) `and`, `or`, `not` or `near` outside quotes is a search
  // word, not an operator: valid, but rarely what the writer meant.
  void warn_lower_case_operators(const filters::FilterDef& f) {
    const std::string& q = f.query;
    bool quoted = false;
    std::size_t i = 0;
    while (i < q.size()) {
      const char c = q[i];
      if (c == '"') {
        quoted = !quoted;
        ++i;
        continue;
      }
      if (quoted || !is_ascii_alpha(c)) {
        ++i;
        continue;
      }
      const std::size_t start = i;
      while (i < q.size() && is_ascii_alpha(q[i]))
        ++i;
      // Only whole words: not part of `title:and`, `=and`, `@and`, `and*` or a longer word.
      const bool before_ok =
          start == 0 || q[start - 1] == ' ' || q[start - 1] == '\t' || q[start - 1] == '(' || q[start - 1] == ')';
      const bool after_ok = i == q.size() || q[i] == ' ' || q[i] == '\t' || q[i] == '(' || q[i] == ')';
      const std::string_view word(q.data() + start, i - start);
      if (!before_ok || !after_ok) continue;
      for (const char* op : {"AND", "OR", "NOT"}) {
        if (ascii_iequals(word, op) && word != op) {
          filters::SourcePos pos = f.query_pos;
          pos.column += 1 + static_cast<int>(start);  // past the opening quote (one-line strings)
          warn(pos, "filter '" + f.id + "': '" + std::string(word) + "' is searched as a word; write '" + op +
                        "' for the operator, or \"" + std::string(word) + "\" to say you mean the word");
        }
      }
    }
  }

  void check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed, std::string_view where) {
    for (const auto& [key, node] : t) {
      const std::string_view k = key.str();
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      std::string message = "unknown key '" + std::string(k) + "'";
      if (!where.empty()) message += " in [" + std::string(where) + "]";
      std::string_view best;
      std::size_t best_d = 3;
      for (auto a : allowed) {
        if (auto d = edit_distance(k, a); d < best_d) {
          best_d = d;
          best = a;
        }
      }
      if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
      errors_.push_back(
          {{file_, static_cast<int>(key.source().begin.line), static_cast<int>(key.source().begin.column)}, message});
    }
  }

  const toml::table* section(const toml::table& root, std::string_view name) {
    const toml::node* n = root.get(name);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) {
      error(*n, "[" + std::string(name) + "] must be a table");
      return nullptr;
    }
    return n->as_table();
  }

  template <class F>
  void for_each_table(const toml::table& root, std::string_view name, F&& f) {
    const toml::node* n = root.get(name);
    if (n == nullptr) return;
    const auto* arr = n->as_array();
    if (arr == nullptr) {
      error(*n, "'" + std::string(name) + "' must be an array of tables ([[" + std::string(name) + "]])");
      return;
    }
    for (const auto& el : *arr) {
      if (const auto* t = el.as_table()) {
        f(*t);
      } else {
        error(el, "each [[" + std::string(name) + "]] entry must be a table");
      }
    }
  }

  void get_string(const toml::table& t, std::string_view key, std::string& out) {
    if (const auto* n = t.get(key)) {
      if (n->is_string()) {
        out = *n->value<std::string>();
      } else {
        error(*n, "'" + std::string(key) + "' must be a string");
      }
    }
  }

  void get_bool(const toml::table& t, std::string_view key, bool& out) {
    if (const auto* n = t.get(key)) {
      if (n->is_boolean()) {
        out = *n->value<bool>();
      } else {
        error(*n, "'" + std::string(key) + "' must be true or false");
      }
    }
  }

  void get_int(const toml::table& t, std::string_view key, int& out, int min, int max) {
    if (const auto* n = t.get(key)) {
      auto v = n->value<std::int64_t>();
      if (!v || !n->is_integer()) {
        error(*n, "'" + std::string(key) + "' must be an integer");
      } else if (*v < min || *v > max) {
        error(*n, "'" + std::string(key) + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
      } else {
        out = static_cast<int>(*v);
      }
    }
  }

  // A year: past any poll interval or timeout a news watch needs, and far from where
  // nanosecond timer arithmetic overflows (292 years). Retention (journal, seen items) may
  // be kept for ten: a desk can want last decade's alerts, and it only counts seconds.
  static constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(365 * 24);
  static constexpr std::chrono::milliseconds kMaxRetention = std::chrono::hours(3650 * 24);
  static constexpr std::chrono::milliseconds kSecond = std::chrono::seconds(1);

  // Every duration has a range: 0 or a value that truncates to 0 means "no timeout" to curl
  // or a hot loop to the scheduler, and a huge one overflows the nanoseconds of the timers.
  template <class Duration>
  void get_duration(const toml::table& t, std::string_view key, Duration& out, std::chrono::milliseconds min,
                    std::chrono::milliseconds max = kMaxDuration) {
    if (const auto* n = t.get(key)) {
      auto s = n->value<std::string>();
      auto d = s ? parse_duration(*s) : std::nullopt;
      if (!d) {
        error(*n, "'" + std::string(key) + "' must be a duration such as \"90s\", \"5m\" or \"1h\"");
      } else if (*d < min || *d > max) {
        error(*n, "'" + std::string(key) + "' must be between " + duration_text(min) + " and " + duration_text(max));
      } else {
        out = std::chrono::duration_cast<Duration>(*d);
      }
    }
  }

  void get_size(const toml::table& t, std::string_view key, std::uint64_t& out) {
    if (const auto* n = t.get(key)) {
      std::optional<std::uint64_t> v;
      if (auto s = n->value<std::string>()) {
        v = parse_size(*s);
      } else if (n->is_integer()) {
        if (auto i = n->value<std::int64_t>(); i && *i > 0) v = static_cast<std::uint64_t>(*i);
      }
      if (!v || *v == 0) {
        error(*n, "'" + std::string(key) + "' must be a size such as \"16MiB\"");
      } else {
        out = *v;
      }
    }
  }

  std::vector<std::string> get_string_list(const toml::table& t, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* n = t.get(key)) {
      const auto* arr = n->as_array();
      if (arr == nullptr) {
        error(*n, "'" + std::string(key) + "' must be an array of strings");
        return out;
      }
      for (const auto& el : *arr) {
        if (auto v = el.value<std::string>()) {
          out.push_back(*v);
        } else {
          error(el, "'" + std::string(key) + "' must hold only strings");
        }
      }
    }
    return out;
  }

  void require_id(const toml::table& t, std::string_view what, std::string& id) {
    get_string(t, "id", id);
    if (t.get("id") == nullptr) {
      error(t, std::string(what) + " without an 'id'");
    } else if (!id.empty() && !std::all_of(id.begin(), id.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
               })) {
      error(*t.get("id"), std::string(what) + " id '" + id + "' may use only letters, digits, '-', '_' and '.'");
    } else if (id.empty()) {
      error(*t.get("id"), std::string(what) + " id must not be empty");
    }
  }

  void read_daemon(const toml::table& t) {
    check_keys(t, {"state_dir", "log_level", "watch_config", "shutdown_grace"}, "daemon");
    get_string(t, "state_dir", config_.daemon.state_dir);
    get_bool(t, "watch_config", config_.daemon.watch_config);
    get_duration(t, "shutdown_grace", config_.daemon.shutdown_grace, std::chrono::milliseconds(0));
    get_string(t, "log_level", config_.daemon.log_level);
    static constexpr std::string_view levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (std::find(std::begin(levels), std::end(levels), config_.daemon.log_level) == std::end(levels)) {
      error(*t.get("log_level"), "log_level must be one of trace, debug, info, warn, error, critical, off");
    }
  }

  void check_endpoint(const toml::table& t, std::string_view key, const std::string& value, bool allow_empty) {
    if (value.empty() && allow_empty) return;
    bool ok = value.rfind("ipc://", 0) == 0 || value.rfind("inproc://", 0) == 0;
    if (value.rfind("tcp://", 0) == 0) {
      // What bind() would refuse at startup, said now: tcp://HOST:PORT, PORT 1..65535 or '*'.
      const std::string rest = value.substr(6);
      const auto colon = rest.rfind(':');
      const std::string port = colon == std::string::npos ? "" : rest.substr(colon + 1);
      const bool digits = !port.empty() && port.size() <= 5 &&
                          std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
      ok = colon != std::string::npos && colon > 0 &&
           (port == "*" || (digits && std::stoi(port) >= 1 && std::stoi(port) <= 65535));
    }
    if (!ok) {
      error(*t.get(key), "'" + std::string(key) + "' must be a ZeroMQ endpoint (tcp://HOST:PORT or ipc://PATH), not '" +
                             value + "'");
    }
  }

  void read_publish(const toml::table& t) {
    check_keys(t, {"endpoint", "replay_endpoint", "send_hwm", "curve_secret_key_file", "curve_allowed_keys_dir"},
               "publish");
    auto& p = config_.publish;
    get_string(t, "endpoint", p.endpoint);
    get_string(t, "replay_endpoint", p.replay_endpoint);
    get_int(t, "send_hwm", p.send_hwm, 0, 100'000'000);
    get_string(t, "curve_secret_key_file", p.curve_secret_key_file);
    get_string(t, "curve_allowed_keys_dir", p.curve_allowed_keys_dir);
    if (t.get("endpoint") != nullptr) check_endpoint(t, "endpoint", p.endpoint, false);
    if (t.get("replay_endpoint") != nullptr) check_endpoint(t, "replay_endpoint", p.replay_endpoint, true);
  }

  void read_scheduler(const toml::table& t) {
    check_keys(t, {"default_interval", "min_interval", "max_interval", "max_backoff", "startup_delay"}, "scheduler");
    auto& s = config_.scheduler;
    get_duration(t, "default_interval", s.default_interval, kSecond);
    get_duration(t, "min_interval", s.min_interval, kSecond);
    get_duration(t, "max_interval", s.max_interval, kSecond);
    get_duration(t, "max_backoff", s.max_backoff, kSecond);
    get_duration(t, "startup_delay", s.startup_delay, std::chrono::milliseconds(0));
    if (s.min_interval > s.max_interval) error(t, "min_interval must not exceed max_interval");
  }

  void read_fetch(const toml::table& t) {
    check_keys(t,
               {"user_agent", "connect_timeout", "timeout", "max_body_size", "max_redirects", "per_host_connections",
                "max_in_flight", "allow_file_urls", "block_private_addresses"},
               "fetch");
    auto& f = config_.fetch;
    get_string(t, "user_agent", f.user_agent);
    get_duration(t, "connect_timeout", f.connect_timeout, kSecond);
    get_duration(t, "timeout", f.timeout, kSecond);
    get_size(t, "max_body_size", f.max_body_size);
    get_int(t, "max_redirects", f.max_redirects, 0, 50);
    get_int(t, "per_host_connections", f.per_host_connections, 1, 1000);
    get_int(t, "max_in_flight", f.max_in_flight, 1, 100'000);
    get_bool(t, "allow_file_urls", f.allow_file_urls);
    get_bool(t, "block_private_addresses", f.block_private_addresses);
  }

  void read_metrics(const toml::table& t) {
    check_keys(t, {"listen"}, "metrics");
    get_string(t, "listen", config_.metrics.listen);
    const std::string& l = config_.metrics.listen;
    if (t.get("listen") != nullptr && !l.empty()) {
      if (auto parsed = parse_listen_address(l); !parsed) {
        error(*t.get("listen"), "'listen': " + parsed.error().message + " (empty disables)");
      }
    }
  }

  void read_journal(const toml::table& t) {
    check_keys(t, {"max_age", "max_count", "prune_interval"}, "journal");
    get_duration(t, "max_age", config_.journal.max_age, kSecond, kMaxRetention);
    get_int(t, "max_count", config_.journal.max_count, 0, 2'000'000'000);
    // Sub-second for tests; each prune is a query on the loop, so not much more often.
    get_duration(t, "prune_interval", config_.journal.prune_interval, std::chrono::milliseconds(100));
  }

  void read_dedup(const toml::table& t) {
    check_keys(t, {"seen_max_age"}, "dedup");
    get_duration(t, "seen_max_age", config_.dedup.seen_max_age, kSecond, kMaxRetention);
  }

  void read_stories(const toml::table& t) {
    check_keys(t, {"enabled", "window"}, "stories");
    get_bool(t, "enabled", config_.stories.enabled);
    // At least a minute (copies arrive minutes apart); at most 30 days, which bounds memory.
    get_duration(t, "window", config_.stories.window, std::chrono::minutes(1), std::chrono::hours(30 * 24));
  }

  // A number (integer or float) within [min, max]; `open_min` excludes min itself.
  void get_number(const toml::table& t, std::string_view key, double& out, double min, double max, bool open_min) {
    const auto* n = t.get(key);
    if (n == nullptr) return;
    std::optional<double> v;
    if (n->is_floating_point()) v = n->value<double>();
    if (n->is_integer()) v = static_cast<double>(*n->value<std::int64_t>());
    if (!v || !std::isfinite(*v)) {
      error(*n, "'" + std::string(key) + "' must be a number");
    } else if ((open_min ? *v <= min : *v < min) || *v > max) {
      std::ostringstream range;
      range << (open_min ? "greater than " : "at least ") << min << " and at most " << max;
      error(*n, "'" + std::string(key) + "' must be " + range.str());
    } else {
      out = *v;
    }
  }

  void read_bursts(const toml::table& t) {
    check_keys(t, {"enabled", "windows", "watch_p", "alert_p", "min_stories", "min_sources", "renotify"}, "bursts");
    auto& b = config_.bursts;
    get_bool(t, "enabled", b.enabled);
    if (const auto* n = t.get("windows")) {
      const auto* arr = n->as_array();
      if (arr == nullptr || arr->empty()) {
        error(*n, "'windows' must be a non-empty array of durations such as [\"3h\", \"24h\"]");
      } else {
        b.windows.clear();
        for (const auto& el : *arr) {
          auto s = el.value<std::string>();
          auto d = s ? parse_duration(*s) : std::nullopt;
          if (!d || d->count() % 3'600'000 != 0 || *d < std::chrono::hours(1) || *d > std::chrono::hours(7 * 24)) {
            error(el, "each of 'windows' must be whole hours from \"1h\" to \"168h\" (\"7d\")");
          } else if (std::find(b.windows.begin(), b.windows.end(), std::chrono::duration_cast<Seconds>(*d)) !=
                     b.windows.end()) {
            error(el, "window '" + *s + "' is listed twice");
          } else {
            b.windows.push_back(std::chrono::duration_cast<Seconds>(*d));
          }
        }
      }
    }
    get_number(t, "watch_p", b.watch_p, 0.0, 1.0, true);
    get_number(t, "alert_p", b.alert_p, 0.0, 1.0, true);
    if (b.alert_p > b.watch_p) {
      error(t.get("alert_p") != nullptr ? *t.get("alert_p") : *t.get("watch_p"),
            "alert_p must not exceed watch_p (an alert is the rarer, stronger level)");
    }
    get_int(t, "min_stories", b.min_stories, 1, 1'000'000);
    get_int(t, "min_sources", b.min_sources, 1, 10'000);
    get_duration(t, "renotify", b.renotify, std::chrono::minutes(1), std::chrono::hours(30 * 24));
  }

  // [cluster] (docs/cluster.md): present means cluster mode, even when empty.
  void read_cluster(const toml::table& t) {
    check_keys(t,
               {"nats", "node", "stream", "member_ttl", "duplicate_window", "max_age", "creds_file", "user", "password",
                "token", "tls_ca_file", "tls_cert_file", "tls_key_file"},
               "cluster");
    auto& c = config_.cluster.emplace();
    if (const auto* n = t.get("nats")) {
      std::vector<std::string> urls;
      if (n->is_string()) {
        urls.push_back(*n->value<std::string>());
      } else if (n->is_array()) {
        urls = get_string_list(t, "nats");
      } else {
        error(*n, "'nats' must be a server URL or an array of them");
      }
      if (n->is_array() && urls.empty() && n->as_array()->empty()) error(*n, "'nats' must list at least one server");
      for (const auto& u : urls) {
        if (auto problem = cluster::server_url_problem(u)) error(*n, "'nats' URL '" + u + "' " + *problem);
      }
      if (!urls.empty()) c.nats = std::move(urls);
    }
    c.node = cluster::default_node_name();
    get_string(t, "node", c.node);
    if (const auto* n = t.get("node"); n != nullptr && n->is_string()) {
      if (auto problem = cluster::node_name_problem(c.node)) error(*n, "'node' " + *problem);
    }
    get_string(t, "stream", c.stream);
    if (const auto* n = t.get("stream"); n != nullptr && n->is_string()) {
      if (auto problem = cluster::stream_name_problem(c.stream)) error(*n, "'stream' " + *problem);
    }
    // A heartbeat goes out three times per TTL: below 2s that is a chatty cluster, above 5m a
    // dead node's feeds wait too long.
    get_duration(t, "member_ttl", c.member_ttl, std::chrono::seconds(2), std::chrono::minutes(5));
    get_duration(t, "duplicate_window", c.duplicate_window, std::chrono::minutes(1), std::chrono::hours(7 * 24));
    get_duration(t, "max_age", c.max_age, std::chrono::hours(1), kMaxRetention);
    for (auto [key, field] :
         {std::pair{"creds_file", &c.creds_file}, std::pair{"user", &c.user}, std::pair{"password", &c.password},
          std::pair{"token", &c.token}, std::pair{"tls_ca_file", &c.tls_ca_file},
          std::pair{"tls_cert_file", &c.tls_cert_file}, std::pair{"tls_key_file", &c.tls_key_file}}) {
      get_string(t, key, *field);
    }
    if (!c.password.empty() && c.user.empty()) error(*t.get("password"), "'password' needs a 'user'");
    if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
      error(t.get("tls_cert_file") != nullptr ? *t.get("tls_cert_file") : *t.get("tls_key_file"),
            "'tls_cert_file' and 'tls_key_file' go together");
    }
    if (c.duplicate_window > c.max_age) {
      error(t.get("duplicate_window") != nullptr ? *t.get("duplicate_window") : *t.get("max_age"),
            "'duplicate_window' must not exceed 'max_age'");
    }
  }

  void read_feed(const toml::table& t) {
    check_keys(t, {"id", "url", "interval", "title", "language"}, "feed");
    FeedDef f;
    f.pos = pos_of(t);
    require_id(t, "feed", f.id);
    get_string(t, "url", f.url);
    get_string(t, "title", f.title);
    if (const auto* n = t.get("url"); n == nullptr) {
      error(t, "feed '" + f.id + "' has no 'url'");
    } else if (n->is_string()) {
      const bool http = f.url.rfind("http://", 0) == 0 || f.url.rfind("https://", 0) == 0;
      const bool file = f.url.rfind("file://", 0) == 0;
      if (!http && !file) error(*n, "feed url must start with http://, https:// or file://: '" + f.url + "'");
      if (http && f.url.find_first_of(" \t\r\n") != std::string::npos) error(*n, "feed url contains whitespace");
    }
    if (t.get("interval") != nullptr) {
      Seconds s{0};
      get_duration(t, "interval", s, kSecond);
      f.interval = s;
    }
    get_string(t, "language", f.language);
    if (const auto* n = t.get("language"); n != nullptr && n->is_string() && !feeds::is_language_code(f.language)) {
      error(*n, "feed '" + f.id + "': " + feeds::language_code_problem(f.language));
    }
    config_.feeds.push_back(std::move(f));
  }

  void read_entity(const toml::table& t) {
    check_keys(t, {"id", "type", "aliases", "exact_case_aliases"}, "entity");
    filters::EntityDef e;
    e.pos = pos_of(t);
    require_id(t, "entity", e.id);
    get_string(t, "type", e.type);
    for (auto& a : get_string_list(t, "aliases"))
      e.aliases.push_back({std::move(a), false});
    for (auto& a : get_string_list(t, "exact_case_aliases"))
      e.aliases.push_back({std::move(a), true});
    if (e.aliases.empty()) e.aliases.push_back({e.id, false});
    config_.entities.push_back(std::move(e));
  }

  void read_filter(const toml::table& t) {
    check_keys(t,
               {"id", "query", "topic", "min_hits", "feeds", "description", "languages", "rank", "threshold",
                "collapse", "expected_per_day"},
               "filter");
    filters::FilterDef f;
    f.pos = pos_of(t);
    require_id(t, "filter", f.id);
    if (const auto* q = t.get("query"); q != nullptr) {
      get_string(t, "query", f.query);
      f.query_pos = pos_of(*q);
      if (q->is_string() && f.query.empty()) error(*q, "filter '" + f.id + "': 'query' is empty");
    }
    if (const auto* r = t.get("rank"); r != nullptr) {
      get_string(t, "rank", f.rank);
      f.rank_pos = pos_of(*r);
      if (r->is_string() && f.rank.empty()) error(*r, "filter '" + f.id + "': 'rank' is empty");
    }
    if (t.get("query") == nullptr && t.get("rank") == nullptr) {
      error(t, "filter '" + f.id + "' has no 'query' (or 'rank')");
    }
    if (const auto* n = t.get("threshold"); n != nullptr) {
      f.threshold_pos = pos_of(*n);
      if (auto v = n->value<double>(); v && (n->is_integer() || n->is_floating_point()) && std::isfinite(*v)) {
        f.threshold = *v;
      } else {
        error(*n, "'threshold' must be a number");
      }
      if (t.get("rank") == nullptr) error(*n, "filter '" + f.id + "': 'threshold' needs a 'rank' to weigh");
    } else if (t.get("rank") != nullptr) {
      f.threshold_pos = f.rank_pos;
    }
    f.languages = get_string_list(t, "languages");
    if (const auto* n = t.get("languages"); n != nullptr) {
      for (const auto& code : f.languages) {
        if (!feeds::is_language_code(code)) error(*n, "filter '" + f.id + "': " + feeds::language_code_problem(code));
      }
    }
    f.topic = "alert." + f.id;
    get_string(t, "topic", f.topic);
    // sys.* is the daemon's own voice (reloads, feed errors, heartbeats): a filter there
    // could pass for it. story.* and burst.* carry the daemon's story updates and bursts, whose
    // payloads clients read differently from an alert's.
    static constexpr std::pair<std::string_view, std::string_view> kReserved[] = {
        {"sys.", "are the daemon's own"},
        {"story.", "carry story updates (docs/stories.md)"},
        {"burst.", "carry burst announcements (docs/bursts.md)"}};
    const auto* n = t.get("topic");
    const auto reserved = std::find_if(std::begin(kReserved), std::end(kReserved),
                                       [&](const auto& r) { return f.topic.rfind(r.first, 0) == 0; });
    if (n != nullptr && reserved != std::end(kReserved)) {
      error(*n, "filter topic '" + f.topic + "' is reserved: topics starting with '" + std::string(reserved->first) +
                    "' " + std::string(reserved->second));
    } else if (n != nullptr && f.topic.empty()) {
      error(*n, "filter topic must not be empty");
    } else if (n != nullptr && n->is_string() && f.topic.rfind("alert.", 0) != 0) {
      // Subscribers follow prefixes, and `alert.` is what newswatch tail and most clients follow.
      warn(pos_of(*n), "filter '" + f.id + "': topic '" + f.topic +
                           "' does not start with 'alert.', so subscribers of 'alert.' (newswatch tail's default) "
                           "will not see its alerts");
    }
    // Beyond a term's counted occurrences a single-term filter could never match.
    get_int(t, "min_hits", f.min_hits, 1, static_cast<int>(filters::kMaxOccurrencesPerTerm));
    f.feeds = get_string_list(t, "feeds");
    if (const auto* n = t.get("collapse")) {
      const auto v = n->value<std::string>();
      if (v && *v == "copies") {
        f.collapse = filters::Collapse::copies;
      } else if (v && *v == "stories") {
        f.collapse = filters::Collapse::stories;
      } else if (v && *v == "none") {
        f.collapse = filters::Collapse::none;
      } else {
        error(*n, "'collapse' must be \"copies\", \"stories\" or \"none\"");
      }
    }
    if (t.get("expected_per_day") != nullptr) {
      double v = -1;
      get_number(t, "expected_per_day", v, 0.0, 1e6, false);
      if (v >= 0) f.expected_per_day = v;
    }
    if (!f.query.empty()) warn_lower_case_operators(f);
    config_.filters.push_back(std::move(f));
  }

  std::string file_;
  Config& config_;
  std::vector<ConfigError>& errors_;
};

// Ids must be unique across all files; the error names both places.
template <class T>
void check_unique(const std::vector<T>& defs, std::string_view what, std::vector<ConfigError>& errors) {
  std::map<std::string, const filters::SourcePos*> seen;
  for (const auto& d : defs) {
    auto [it, inserted] = seen.emplace(d.id, &d.pos);
    if (!inserted) {
      const auto& first = *it->second;
      errors.push_back({d.pos, "duplicate " + std::string(what) + " id '" + d.id + "' (first defined at " + first.file +
                                   ":" + std::to_string(first.line) + ":" + std::to_string(first.column) + ")"});
    }
  }
}

void cross_check(const Config& config, std::vector<ConfigError>& errors) {
  check_unique(config.feeds, "feed", errors);
  check_unique(config.entities, "entity", errors);
  check_unique(config.filters, "filter", errors);
  for (const auto& f : config.filters) {
    for (const auto& feed : f.feeds) {
      if (std::none_of(config.feeds.begin(), config.feeds.end(), [&](const auto& d) { return d.id == feed; })) {
        errors.push_back({f.pos, "filter '" + f.id + "' lists unknown feed '" + feed + "'"});
      }
    }
  }
  if (config.cluster) {
    // Every alert goes to the subject "newswatch.<topic>": a topic must make a valid one.
    for (const auto& f : config.filters) {
      if (auto problem = cluster::topic_subject_problem(f.topic))
        errors.push_back({f.pos, "filter '" + f.id + "': topic '" + f.topic + "' " + *problem +
                                     ", which [cluster] needs (docs/cluster.md)"});
    }
  }
  if (!config.fetch.allow_file_urls) {
    for (const auto& f : config.feeds) {
      if (f.url.rfind("file://", 0) == 0) {
        errors.push_back({f.pos, "feed '" + f.id + "' uses a file:// url but [fetch] allow_file_urls is false"});
      }
    }
  }
}

// Built step by step: GCC 12 at -O3 warns falsely on a nested brace-initialised temporary.
std::vector<ConfigError> single_error(const std::string& file, std::string message) {
  std::vector<ConfigError> out(1);
  out[0].pos.file = file;
  out[0].pos.line = 1;
  out[0].pos.column = 1;
  out[0].message = std::move(message);
  return out;
}

}  // namespace

void sort_by_position(std::vector<ConfigError>& problems, const std::vector<std::string>& files) {
  const auto file_index = [&files](const std::string& f) {
    return static_cast<std::size_t>(std::find(files.begin(), files.end(), f) - files.begin());
  };
  std::stable_sort(problems.begin(), problems.end(), [&](const ConfigError& a, const ConfigError& b) {
    return std::make_tuple(file_index(a.pos.file), a.pos.line, a.pos.column) <
           std::make_tuple(file_index(b.pos.file), b.pos.line, b.pos.column);
  });
}

ConfigRead read_config_texts(const std::vector<std::pair<std::string, std::string>>& files) {
  ConfigRead out;
  Config& config = out.config;
  std::vector<ConfigError>& errors = out.errors;
  for (const auto& [name, text] : files) {
    config.files.push_back(name);
    try {
      const toml::table root = toml::parse(text, name);
      ConfigReader(name, config, errors).read(root);
    } catch (const toml::parse_error& e) {
      const auto& b = e.source().begin;
      errors.push_back({{name, static_cast<int>(b.line), static_cast<int>(b.column)},
                        "TOML syntax error: " + std::string(e.description())});
    }
  }
  cross_check(config, errors);
  sort_by_position(errors, config.files);
  sort_by_position(config.warnings, config.files);
  return out;
}

Result<Config, std::vector<ConfigError>> load_config_texts(
    const std::vector<std::pair<std::string, std::string>>& files) {
  auto read = read_config_texts(files);
  if (!read.errors.empty()) return std::move(read.errors);
  return std::move(read.config);
}

Result<Config, std::vector<ConfigError>> load_config(const std::string& path) {
  auto read = read_config(path);
  if (!read.errors.empty()) return std::move(read.errors);
  return std::move(read.config);
}

ConfigRead read_config(const std::string& path) {
  namespace fs = std::filesystem;
  const auto fail = [](const std::string& file, std::string message) {
    ConfigRead out;
    out.config.files.push_back(file);
    out.errors = single_error(file, std::move(message));
    return out;
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    // ifstream opens a directory and reads nothing: it would pass as an empty config.
    return fail(path, "is a directory; --config takes the main config file (such as " +
                          (fs::path(path) / "newswatch.toml").string() + "), whose conf.d/ is read too");
  }
  std::vector<std::pair<std::string, std::string>> files;
  auto read = [&files](const std::string& p) -> bool {
    errno = 0;
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return false;
    files.emplace_back(p, ss.str());
    return true;
  };
  const auto why = [] { return std::string(errno != 0 ? std::strerror(errno) : "read error"); };
  if (!read(path)) return fail(path, "cannot read config file (" + why() + ")");
  const fs::path dropins = fs::path(path).parent_path() / "conf.d";
  if (fs::is_directory(dropins, ec)) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dropins, ec)) {
      if (entry.path().extension() == ".toml") names.push_back(entry.path().string());
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      if (!read(n)) return fail(n, "cannot read config file (" + why() + ")");
    }
  }
  return read_config_texts(files);
}

std::vector<std::string> settings_needing_restart(const Config& running, const Config& loaded) {
  std::vector<std::string> changed;
  const auto check = [&changed](const char* key, const auto& a, const auto& b) {
    if (a != b) changed.emplace_back(key);
  };
  check("daemon.state_dir", running.daemon.state_dir, loaded.daemon.state_dir);
  check("daemon.watch_config", running.daemon.watch_config, loaded.daemon.watch_config);
  check("publish.endpoint", running.publish.endpoint, loaded.publish.endpoint);
  check("publish.replay_endpoint", running.publish.replay_endpoint, loaded.publish.replay_endpoint);
  check("publish.send_hwm", running.publish.send_hwm, loaded.publish.send_hwm);
  check("publish.curve_secret_key_file", running.publish.curve_secret_key_file, loaded.publish.curve_secret_key_file);
  check("publish.curve_allowed_keys_dir", running.publish.curve_allowed_keys_dir,
        loaded.publish.curve_allowed_keys_dir);
  check("metrics.listen", running.metrics.listen, loaded.metrics.listen);
  check("cluster", running.cluster, loaded.cluster);  // the node joins with these at start-up
  return changed;
}

}  // namespace newswatch::daemon
