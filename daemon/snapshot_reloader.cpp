#include "daemon/snapshot_reloader.hpp"

namespace newswatch::daemon {

SnapshotReloader::SnapshotReloader(asio::io_context& io, std::string config_path, Finished finished)
    : io_(io), config_path_(std::move(config_path)), finished_(std::move(finished)) {}

SnapshotReloader::~SnapshotReloader() {
  life_.reset();
  pool_.join();
}

bool SnapshotReloader::request() {
  if (running_) {
    again_ = true;
    return false;
  }
  running_ = true;
  asio::post(pool_, [this, path = config_path_, life = std::weak_ptr<int>(life_)] {
    auto build = std::make_shared<SnapshotBuild>(build_snapshot(path));
    asio::post(io_, [this, build, life] {
      if (!life.expired()) done(std::move(*build));
    });
  });
  return true;
}

void SnapshotReloader::done(SnapshotBuild build) {
  running_ = false;
  finished_(std::move(build));
  if (again_) {
    again_ = false;
    request();
  }
}

std::string restart_note(const Config& running, const Config& loaded) {
  std::string note;
  for (const auto& key : settings_needing_restart(running, loaded))
    note += (note.empty() ? "restart needed for " : ", ") + key;
  return note;
}

}  // namespace newswatch::daemon
