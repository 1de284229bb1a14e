#include "daemon/snapshot.hpp"

#include "daemon/compiled_config.hpp"

namespace newswatch::daemon {

SnapshotBuild build_snapshot(const std::string& config_path) {
  SnapshotBuild out;
  auto loaded = load_compiled_config(config_path);
  if (!loaded) {
    out.errors = std::move(loaded.error());
    return out;
  }
  out.snapshot = std::make_shared<Snapshot>(Snapshot{std::move(loaded->config), std::move(loaded->matcher), 0});
  return out;
}

}  // namespace newswatch::daemon
