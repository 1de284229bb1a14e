#pragma once
// App: wires one config snapshot into the running pipeline on one io_context:
// Scheduler -> HttpFetcher -> parse -> dedup -> Matcher -> AlertJournal -> AlertPublisher.

#include <memory>
#include <string>

#include "common/result.hpp"
#include "daemon/compiled_config.hpp"

namespace newswatch::daemon {

struct AppOptions {
  std::string config_path;
  bool once = false;  // one poll cycle of every feed, then exit
};

class App {
 public:
  // Opens the state database and binds the sockets; errors are fatal at start-up.
  static Result<std::unique_ptr<App>> create(CompiledConfig loaded, AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Runs the loop until SIGINT/SIGTERM (or the end of a --once cycle). Returns the exit code.
  int run();

  class Impl;

 private:
  explicit App(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newswatch::daemon
