#pragma once
// Snapshot: one compiled config (settings, feeds, matcher), shared read-only and swapped whole
// on reload. build_snapshot() reads and compiles one from files, touching nothing running.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config.hpp"
#include "filters/matcher.hpp"

namespace newswatch::daemon {

struct Snapshot {
  Config config;
  std::shared_ptr<const filters::Matcher> matcher;
  std::uint64_t generation = 0;
};

struct SnapshotBuild {
  std::shared_ptr<Snapshot> snapshot;  // null when the config is invalid
  std::vector<std::string> errors;     // "file:line:col: message"
};

// Safe on any thread: it reads files and compiles, nothing else.
SnapshotBuild build_snapshot(const std::string& config_path);

}  // namespace newswatch::daemon
