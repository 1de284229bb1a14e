#pragma once
// `newswatch tail --nats URL`: the whole cluster's alerts, story updates and bursts, read in
// order from the JetStream stream instead of one daemon's PUB socket (docs/cluster.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace newswatch::cli {

struct NatsTailOptions {
  std::string url;                     // the NATS server
  std::vector<std::string> topics;     // prefixes, as for tail
  std::optional<std::uint64_t> since;  // stream sequence to start after; nullopt: live only
  std::string state_file;              // the last printed stream sequence goes here
  bool json = false;
  double seconds = 0;       // 0: until interrupted
  std::string config_path;  // [cluster] of it supplies the stream name and credentials, if it exists
  bool config_given = false;
};

// Runs until interrupted or `seconds` pass; returns the exit code.
int tail_nats(const NatsTailOptions& options);

}  // namespace newswatch::cli
