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

struct ConfigError {
  filters::SourcePos pos;
  std::string message;
};
std::string format_error(const ConfigError& e);
// "file:line:col: warning: message": what is valid but probably not what was meant.
std::string format_warning(const ConfigError& w);

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
  // Valid but probably not meant (an empty file, a lower-case `and` in a query, a topic no
  // default subscriber sees): `--check` and the daemon's start-up log print them.
  std::vector<ConfigError> warnings;
};

// A config as far as it could be read, with every error found in it (in file order, then
// line and column): what `--check` needs to report all problems at once.
struct ConfigRead {
  Config config;
  std::vector<ConfigError> errors;
};
ConfigRead read_config(const std::string& path);
ConfigRead read_config_texts(const std::vector<std::pair<std::string, std::string>>& files);

// Sorts problems by file (in the order `files` lists them), line and column.
void sort_by_position(std::vector<ConfigError>& problems, const std::vector<std::string>& files);

// Reads `path` and then `<dir of path>/conf.d/*.toml` in lexical order. `path` must be a
// file: a directory is an error (it once passed as an empty config).
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
// The inverse: the largest unit that writes d exactly ("250ms", "90s", "5m", "1h", "2d").
std::string duration_text(std::chrono::milliseconds d);
// "16MiB", "512KiB", "1GB", "100" -> bytes.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace newswatch::daemon
