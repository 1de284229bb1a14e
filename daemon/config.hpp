#pragma once
// Config: newswatch.toml plus conf.d/*.toml read into plain values. Every problem is
// reported as "file:line:col: message"; nothing is half-loaded.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster_settings.hpp"
#include "common/result.hpp"
#include "filters/filter_def.hpp"

namespace newswatch::daemon {

// Where both executables look for the config when --config is not given.
inline constexpr const char* kDefaultConfigPath = "/etc/newswatch/newswatch.toml";

using Seconds = std::chrono::seconds;

struct FeedDef {
  std::string id;
  std::string url;
  std::string title;  // optional, for people and OPML export
  std::optional<Seconds> interval;
  // The feed's language as the operator knows it: outranks what the documents declare, and
  // gives way only to long texts clearly in another language (docs/languages.md). "" if unset.
  std::string language;
  filters::SourcePos pos;
};

struct Config {
  struct Daemon {
    std::string state_dir = "/var/lib/newswatch";
    std::string log_level = "info";
    bool watch_config = true;                        // ours: reload when a config file changes (debounced)
    std::chrono::milliseconds shutdown_grace{2000};  // ours: in-flight fetches may finish
  } daemon;
  struct Publish {
    std::string endpoint = "tcp://127.0.0.1:7600";
    std::string replay_endpoint = "tcp://127.0.0.1:7601";
    int send_hwm = 100000;
    std::string curve_secret_key_file;
    std::string curve_allowed_keys_dir;
  } publish;
  struct Scheduler {
    Seconds default_interval{300};
    Seconds min_interval{30};
    Seconds max_interval{6 * 3600};
    Seconds max_backoff{6 * 3600};
    std::chrono::milliseconds startup_delay{1000};  // ours: lets subscribers connect first
  } scheduler;
  struct Fetch {
    std::string user_agent = "newswatch/0.1 (+https://example.org/newswatch)";
    Seconds connect_timeout{10};
    Seconds timeout{60};
    std::uint64_t max_body_size = 16ULL << 20;
    int max_redirects = 5;
    int per_host_connections = 2;
    int max_in_flight = 256;
    bool allow_file_urls = false;
    bool block_private_addresses = false;
  } fetch;
  struct Metrics {
    std::string listen = "127.0.0.1:9464";
  } metrics;
  struct Journal {  // alert journal retention: the replay horizon
    Seconds max_age{30 * 24 * 3600};
    int max_count = 1'000'000;  // 0: no count bound
    std::chrono::milliseconds prune_interval{3600 * 1000};
  } journal;
  struct Dedup {
    // Seen item identities older than this are forgotten; must exceed how long an item
    // stays listed in its feed, or it alerts again.
    Seconds seen_max_age{30 * 24 * 3600};
  } dedup;
  struct Stories {  // copies and story clusters (docs/stories.md)
    bool enabled = true;
    Seconds window{72 * 3600};  // how far back copies and stories are looked for
  } stories;
  struct Bursts {  // burst detection: docs/bursts.md
    bool enabled = true;
    std::vector<Seconds> windows{Seconds(3 * 3600), Seconds(24 * 3600)};
    double watch_p = 1e-2;
    double alert_p = 1e-4;
    int min_stories = 3;
    int min_sources = 2;
    Seconds renotify{6 * 3600};
  } bursts;
  // [cluster]: several daemons sharing the feeds through NATS JetStream (docs/cluster.md).
  // Absent: a single node, exactly as without cluster support.
  std::optional<cluster::ClusterSettings> cluster;
  std::vector<FeedDef> feeds;
  std::vector<filters::EntityDef> entities;
  std::vector<filters::FilterDef> filters;
  std::vector<std::string> files;  // every file read, main config first
};

struct ConfigError {
  filters::SourcePos pos;
  std::string message;
};
std::string format_error(const ConfigError& e);

// Reads `path` and then `<dir of path>/conf.d/*.toml` in lexical order.
Result<Config, std::vector<ConfigError>> load_config(const std::string& path);

// Same, from strings (for tests): each pair is (file name, TOML text), in order.
Result<Config, std::vector<ConfigError>> load_config_texts(
    const std::vector<std::pair<std::string, std::string>>& files);

// The settings a running daemon cannot take at a reload (bound sockets, the state folder,
// the watcher itself), by key ("publish.endpoint"), where `loaded` differs from `running`.
// Everything else applies at the reload.
std::vector<std::string> settings_needing_restart(const Config& running, const Config& loaded);

// "90s", "5m", "1h", "2d", "250ms" -> milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// "16MiB", "512KiB", "1GB", "100" -> bytes.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace newswatch::daemon
