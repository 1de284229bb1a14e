#pragma once
// SnapshotReloader: builds a new Snapshot off the loop (a worker thread), then hands it to the
// loop to swap in, or the errors to report. A reload asked for during one runs once more after.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "daemon/snapshot.hpp"

namespace newswatch::daemon {

class SnapshotReloader {
 public:
  // On the loop, once per build: the new snapshot (generation not yet set) or null and errors.
  using Finished = std::function<void(SnapshotBuild)>;

  SnapshotReloader(asio::io_context& io, std::string config_path, Finished finished);
  ~SnapshotReloader();  // waits for a build in progress; its result is dropped
  SnapshotReloader(const SnapshotReloader&) = delete;
  SnapshotReloader& operator=(const SnapshotReloader&) = delete;

  // False when a build already runs (this request is then served by one more build after it).
  bool request();

 private:
  void done(SnapshotBuild build);

  asio::io_context& io_;
  std::string config_path_;
  Finished finished_;
  asio::thread_pool pool_{1};
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
  bool running_ = false;
  bool again_ = false;
};

// Says which settings of `loaded` differ from the `running` start-up ones and wait for a restart
// ("restart needed for publish.endpoint, …"), empty when none.
std::string restart_note(const Config& running, const Config& loaded);

}  // namespace newswatch::daemon
