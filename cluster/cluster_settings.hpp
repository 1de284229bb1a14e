#pragma once
// ClusterSettings: the [cluster] section as plain values (docs/cluster.md), the names the
// cluster derives from it, and the checks the config reader applies to it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch::cluster {

struct ClusterSettings {
  std::vector<std::string> nats{"nats://127.0.0.1:4222"};  // servers, tried in order
  std::string node;                                        // this daemon's name; default: host name
  std::string stream = "NEWSWATCH";
  // How long a member's key lives without a heartbeat: a dead node's hosts move after this.
  std::chrono::milliseconds member_ttl{10'000};
  // How long the stream remembers message ids: re-publications within it are dropped. Must
  // cover a takeover (member_ttl plus the longest poll interval) and a NATS outage caught up.
  std::chrono::milliseconds duplicate_window{std::chrono::hours(2)};
  std::chrono::milliseconds max_age{std::chrono::hours(7 * 24)};  // how long the stream keeps messages
  // Credentials and TLS, as NATS clients take them; empty: unused.
  std::string creds_file;
  std::string user;
  std::string password;
  std::string token;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;

  bool operator==(const ClusterSettings&) const = default;
};

// Names derived from the stream name, so two clusters on one NATS server can be told apart.
std::string members_bucket(const ClusterSettings& s);  // "<stream>_members"
std::string feeds_bucket(const ClusterSettings& s);    // "<stream>_feeds": validators, per feed
std::string seen_stream(const ClusterSettings& s);     // "<stream>_SEEN": seen identities
// "newswatch.<topic>": the subject an alert, story update or burst of `topic` goes to.
std::string subject_for(std::string_view topic);
inline constexpr std::string_view kSubjectPrefix = "newswatch.";

// Why `name` cannot be a stream name (letters, digits, '-', '_'; at most 64), or nullopt.
std::optional<std::string> stream_name_problem(std::string_view name);
// Why `name` cannot be a node name (a key-value key: letters, digits, '-', '_', '.', not at
// either end; at most 128), or nullopt.
std::optional<std::string> node_name_problem(std::string_view name);
// Why `topic` cannot follow "newswatch." in a subject (no spaces, '*', '>', empty tokens),
// or nullopt.
std::optional<std::string> topic_subject_problem(std::string_view topic);
// Why `url` is not a NATS server URL (nats://, tls://, ws://, wss://), or nullopt.
std::optional<std::string> server_url_problem(std::string_view url);

// The machine's host name, reduced to a valid node name ("node" if there is none).
std::string default_node_name();

}  // namespace newswatch::cluster
