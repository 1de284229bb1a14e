#pragma once
// ConfigWatcher: inotify on the config file's folder and its conf.d/, debounced, so an
// editor's save (often several writes and a rename) triggers one reload.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/asio.hpp"
#include "common/result.hpp"

namespace newswatch::daemon {

class ConfigWatcher {
 public:
  static Result<std::unique_ptr<ConfigWatcher>> start(asio::io_context& io, const std::string& config_path,
                                                      std::chrono::milliseconds debounce,
                                                      std::function<void()> on_change);
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  class Impl;

 private:
  explicit ConfigWatcher(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace newswatch::daemon
